"""PUT /v1/customers/{customerId}/credits/{creditTypeId}/auto-recharge — configure top-ups."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, CustomerIdPath

from billfold.prepaid.models import AutoRecharge, AutoRechargeSettings
from billfold.purchases.auto_recharge import set_auto_recharge

api = Api("set_auto_recharge")


@api.route
def configure(
    customerId: CustomerIdPath, creditTypeId: CatalogIdPath, body: AutoRechargeSettings
) -> AutoRecharge:
    """Auto-recharge as saved; `due` when the balance is already below the threshold."""
    return set_auto_recharge(deps.table(), customerId, creditTypeId, body, deps.clock())


handler = api.handler
