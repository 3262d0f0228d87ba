"""GET /v1/customers/{customerId}/entitlements/{featureId} — the hot-path entitlement check."""

from billfold_lambda import dependencies as deps
from billfold_lambda.lean import LeanApi
from billfold_lambda.params import CatalogIdPath, CustomerIdPath, Requested

from billfold.access.checks import check_feature
from billfold.entitlements.check import EntitlementCheck

api = LeanApi("check_entitlement")


@api.route
def check(
    customerId: CustomerIdPath, featureId: CatalogIdPath, requested: Requested = 1
) -> EntitlementCheck:
    """Access, limit, usage and what remains; `reason` says why access is denied."""
    return check_feature(deps.table(), customerId, featureId, requested, deps.clock())


handler = api.handler
