"""POST /v1/customers/{customerId}/credit-grants — grant a customer prepaid credits."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.prepaid.models import GrantCreate, LedgerEntry
from billfold.prepaid.service import grant_credits

api = Api("grant_credits")


@api.route
def grant(customerId: CustomerIdPath, body: GrantCreate) -> LedgerEntry:
    """The ledger entry of the grant (the same idempotency key again returns it)."""
    return grant_credits(deps.table(), customerId, body, deps.clock())


handler = api.handler
