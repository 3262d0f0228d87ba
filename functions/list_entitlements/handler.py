"""GET /v1/customers/{customerId}/entitlements — everything the customer holds, with usage."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import CustomerIdPath

from billfold.access.checks import list_entitlements
from billfold.entitlements.check import EntitlementCheck

api = Api("list_entitlements")


@api.route
def list_all(customerId: CustomerIdPath) -> Page[EntitlementCheck]:
    """One page with every feature the customer holds (a customer's list always fits one)."""
    items = list_entitlements(deps.table(), customerId, deps.clock())
    return Page(items=items, next_cursor=None)


handler = api.handler
