"""POST /v1/customers/{customerId}/credits/{creditTypeId}/refund — give back a consume."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, CustomerIdPath

from billfold.prepaid.models import LedgerEntry, RefundRequest
from billfold.prepaid.service import refund_consume

api = Api("refund_credits")


@api.route
def refund(
    customerId: CustomerIdPath, creditTypeId: CatalogIdPath, body: RefundRequest
) -> LedgerEntry:
    """The `refund` ledger entry (refunding the same consume again answers the same one)."""
    return refund_consume(deps.table(), customerId, creditTypeId, body.entry_id, deps.clock())


handler = api.handler
