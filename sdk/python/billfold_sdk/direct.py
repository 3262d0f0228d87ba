"""Direct mode, for an app in the same AWS account as billfold: a check is one DynamoDB read and
a consume one conditional write, with no API Gateway or Lambda on the way. It runs billfold's
own domain code (the `billfold` package must be importable: install billfold itself), so
its answers are the API's to the byte. Grant the app's role the stack's managed policy
(output `DirectEntitlementsPolicyArn`)."""

from typing import TYPE_CHECKING, Any, cast

from billfold_sdk._generated import EntitlementCheck, UsageResult

if TYPE_CHECKING:
    from billfold.clock import Clock


class DirectEntitlements:
    """Entitlement checks and consumes straight against the deployment's table."""

    def __init__(
        self, table_name: str, dynamodb_client: Any | None = None, clock: "Clock | None" = None
    ) -> None:
        """`clock`: the system clock unless given (a test clock, to match a moved one)."""
        from billfold.clock import SystemClock
        from billfold.storage.table import Table

        self._table = Table(table_name, dynamodb_client)
        self._clock = clock or SystemClock()

    def check(self, customer_id: str, feature_id: str, requested: int = 1) -> EntitlementCheck:
        """What GET /v1/customers/{id}/entitlements/{feature} answers, read in one Query."""
        from billfold.access.checks import check_feature

        answer = check_feature(self._table, customer_id, feature_id, requested, self._clock)
        return cast(EntitlementCheck, answer.model_dump(mode="json", by_alias=True))

    def allowed(self, customer_id: str, feature_id: str, requested: int = 1) -> bool:
        """Whether the customer may use `requested` more of the feature now."""
        return self.check(customer_id, feature_id, requested)["hasAccess"]

    def consume(
        self, customer_id: str, feature_id: str, amount: int, idempotency_key: str
    ) -> UsageResult:
        """Use `amount` more if the limit allows, once per key: what POST …/consume does
        (billfold.errors.RuleViolation `limit_exceeded` when it does not)."""
        from billfold.usage.requests import ConsumeRequest
        from billfold.usage.service import consume_usage

        request = ConsumeRequest(amount=amount, idempotency_key=idempotency_key)
        result = consume_usage(self._table, customer_id, feature_id, request, self._clock)
        return cast(UsageResult, result.model_dump(mode="json", by_alias=True))
