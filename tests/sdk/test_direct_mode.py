"""Direct mode against the local stack's table (moto): a check answers exactly what the HTTP
check answers, and a consume counts once per idempotency key and refuses past a hard limit,
as POST …/consume does."""

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from billfold_sdk import Billfold
from billfold_sdk.direct import DirectEntitlements

from billfold_lambda.dependencies import settings

from billfold.errors import RuleViolation
from infra.constants import DIRECT_ACCESS_ACTIONS
from local.dev import LocalApi
from tests.conftest import ApiClient


@pytest.fixture
def direct(local_api: LocalApi) -> DirectEntitlements:
    """Direct mode on the local stack's table, through moto's DynamoDB (the running stack set
    AWS_ENDPOINT_URL and the credentials in this process's environment), on the stack's test
    clock as the handlers are."""
    return DirectEntitlements(settings().table_name, boto3.client("dynamodb"), local_api.clock)


def _key() -> str:
    return f"direct-{uuid.uuid4().hex}"


@pytest.mark.parametrize(
    ("plan", "feature", "requested"),
    [
        ("starter", "api-calls", 1),  # metered, with usage
        ("starter", "api-calls", 49_990),  # metered, past the limit with that usage
        ("starter", "projects", 3),  # metered, never resets
        ("starter", "seats", 1),  # numeric
        ("pro", "sso", 1),  # boolean
        ("pro", "api-calls", 600_000),  # soft limit: granted past it
        ("starter", "sso", 1),  # not in the plan
        ("starter", "no-such-feature", 1),  # not a feature at all
    ],
)
def test_a_direct_check_answers_what_the_api_answers(
    direct: DirectEntitlements,
    sdk: Billfold,
    subscribed: Callable[..., str],
    plan: str,
    feature: str,
    requested: int,
) -> None:
    customer_id = subscribed(plan)
    sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 42, "idempotencyKey": _key()}
    )

    answered = direct.check(customer_id, feature, requested)

    assert answered == sdk.check_entitlement(customer_id, feature, requested=requested)
    assert direct.allowed(customer_id, feature, requested) is answered["hasAccess"]


def test_the_answers_agree_on_a_customer_without_a_subscription_or_unknown(
    direct: DirectEntitlements, sdk: Billfold
) -> None:
    customer_id = f"direct-{uuid.uuid4().hex[:10]}"
    sdk.create_customer({"id": customer_id, "email": f"{customer_id}@example.com", "name": "A"})

    for who in (customer_id, f"nobody-{uuid.uuid4().hex[:10]}"):
        answered = direct.check(who, "api-calls")
        assert answered == sdk.check_entitlement(who, "api-calls", requested=1)
        assert not answered["hasAccess"]


def test_the_sample_answers_are_what_the_plan_says(
    direct: DirectEntitlements, sdk: Billfold, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed("pro")
    sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 42, "idempotencyKey": _key()}
    )

    metered = direct.check(customer_id, "api-calls")
    boolean = direct.check(customer_id, "sso")
    missing = direct.check(customer_id, "storage")

    assert (metered["hasAccess"], metered["usage"], metered["limit"]) == (True, 42, 500_000)
    assert (boolean["hasAccess"], boolean["reason"]) == (True, None)
    assert (missing["hasAccess"], missing["reason"]) == (False, "feature_not_in_plan")


def test_a_direct_consume_counts_once_per_key(
    direct: DirectEntitlements, sdk: Billfold, server: ApiClient, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed("starter")
    key = _key()

    first = direct.consume(customer_id, "projects", 5, key)
    again = direct.consume(customer_id, "projects", 5, key)
    other = direct.consume(customer_id, "projects", 2, _key())

    assert first == {"counted": True, "used": 5}
    assert again == {"counted": False, "used": 5}
    assert other == {"counted": True, "used": 7}
    over_http = server.get(f"/v1/customers/{customer_id}/entitlements/projects").json()
    assert (over_http["usage"], over_http["remaining"]) == (7, 13)
    assert direct.check(customer_id, "projects") == over_http


def test_a_direct_consume_and_the_api_share_a_key(
    direct: DirectEntitlements, sdk: Billfold, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed("starter")
    key = _key()

    direct.consume(customer_id, "projects", 4, key)
    replayed = sdk.consume_usage(customer_id, "projects", {"amount": 4, "idempotencyKey": key})

    assert replayed == {"counted": False, "used": 4}


def test_a_direct_consume_past_a_hard_limit_is_refused(
    direct: DirectEntitlements, server: ApiClient, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed("starter")
    direct.consume(customer_id, "projects", 18, _key())

    with pytest.raises(RuleViolation) as raised:
        direct.consume(customer_id, "projects", 3, _key())

    assert raised.value.code == "limit_exceeded"
    used = server.get(f"/v1/customers/{customer_id}/entitlements/projects").json()["usage"]
    assert used == 18, "a refused consume counts nothing"
    assert direct.consume(customer_id, "projects", 2, _key()) == {"counted": True, "used": 20}


def test_direct_mode_does_only_what_the_stacks_managed_policy_grants(
    local_api: LocalApi, subscribed: Callable[..., str]
) -> None:
    """Every DynamoDB action a direct check and consume take (a transaction's, item by item)
    is one DirectEntitlementsPolicy grants, on keys in customer partitions (its condition)."""
    client = boto3.client("dynamodb")
    taken: list[tuple[str, list[str]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            for item in params["TransactItems"]:
                [(kind, write)] = item.items()
                action = {"Update": "UpdateItem", "Put": "PutItem"}.get(kind, f"{kind}Item")
                key = write.get("Key") or write["Item"]
                taken.append((action, [key["pk"]["S"]]))
        elif model.name == "BatchGetItem":
            keys = [k["pk"]["S"] for r in params["RequestItems"].values() for k in r["Keys"]]
            taken.append((model.name, keys))
        elif model.name == "Query":
            assert "IndexName" not in params, "the policy grants the table, not its indexes"
            taken.append((model.name, [params["ExpressionAttributeValues"][":p"]["S"]]))
        else:
            taken.append((model.name, [params.get("Key", {}).get("pk", {}).get("S", "")]))

    client.meta.events.register("provide-client-params.dynamodb", record)
    direct = DirectEntitlements(settings().table_name, client, local_api.clock)
    customer_id = subscribed("starter")

    direct.check(customer_id, "projects")
    checked = list(taken)
    direct.consume(customer_id, "projects", 1, _key())
    consumed = taken[len(checked) :]

    assert [action for action, _ in checked] == ["Query"], "a check is one read"
    writes = [action for action, _ in consumed if action in ("UpdateItem", "PutItem")]
    assert writes == ["UpdateItem", "PutItem"], "a consume is one conditional transaction"
    granted = {action.removeprefix("dynamodb:") for action in DIRECT_ACCESS_ACTIONS}
    assert {"Query", "UpdateItem", "PutItem"} <= {action for action, _ in taken} <= granted, taken
    assert all(key.startswith("CUSTOMER#") for _, keys in taken for key in keys), taken
