"""POST /v1/usage — report usage of a metered feature, counted once per idempotency key."""

from billfold_lambda import dependencies as deps
from billfold_lambda.lean import LeanApi

from billfold.usage.models import UsageResult
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage

api = LeanApi("report_usage")


@api.route
def report(body: UsageReport) -> UsageResult:
    """Whether the report counted (false: its key was seen before) and the usage after it."""
    return report_usage(deps.table(), body, deps.clock())


handler = api.handler
