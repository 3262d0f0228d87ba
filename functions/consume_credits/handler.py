"""POST /v1/customers/{customerId}/credits/{creditTypeId}/consume — draw prepaid credits."""

from billfold_lambda import dependencies as deps
from billfold_lambda.lean import LeanApi
from billfold_lambda.params import CatalogIdPath, CustomerIdPath

from billfold.prepaid.models import ConsumeCredits, LedgerEntry
from billfold.prepaid.service import consume_credits

api = LeanApi("consume_credits")


@api.route
def consume(
    customerId: CustomerIdPath, creditTypeId: CatalogIdPath, body: ConsumeCredits
) -> LedgerEntry:
    """The ledger entry of the consume; 422 `insufficient_credits` (nothing drawn) when short."""
    return consume_credits(deps.table(), customerId, creditTypeId, body, deps.clock())


handler = api.handler
