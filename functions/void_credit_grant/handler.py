"""POST /v1/customers/{customerId}/credits/{creditTypeId}/grants/{grantId}/void — take back a
grant's remaining credits."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, CreditGrantIdPath, CustomerIdPath

from billfold.prepaid.models import LedgerEntry
from billfold.prepaid.service import void_grant

api = Api("void_credit_grant")


@api.route
def void(
    customerId: CustomerIdPath, creditTypeId: CatalogIdPath, grantId: CreditGrantIdPath
) -> LedgerEntry:
    """The `void` ledger entry (voiding again answers the same one)."""
    return void_grant(deps.table(), customerId, creditTypeId, grantId, deps.clock())


handler = api.handler
