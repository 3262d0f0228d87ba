"""The local gateway's IAM policy evaluation, which must agree with API Gateway's."""

from typing import Any

import pytest

from local.policy import allows

BASE = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev"


def _arn(method: str, path: str) -> str:
    return f"{BASE}/{method}{path}"


def _statement(effect: str, *resources: str, action: Any = "execute-api:Invoke") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": list(resources)}


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_allow_statement_for_the_exact_resource_allows_it() -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/plans")))

    assert allows(policy, _arn("GET", "/v1/plans"))


def test_exact_resource_does_not_allow_a_longer_path_another_method_or_a_prefix() -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/plans")))

    assert not allows(policy, _arn("GET", "/v1/plans/pro"))
    assert not allows(policy, _arn("GET", "/v1/plansx"))
    assert not allows(policy, _arn("POST", "/v1/plans"))
    assert not allows(policy, _arn("GET", "/v1/plan"))


def test_star_matches_any_characters_including_slashes() -> None:
    policy = _policy(_statement("Allow", f"{BASE}/*/*"))

    assert allows(policy, _arn("GET", "/v1/plans"))
    assert allows(policy, _arn("PATCH", "/v1/customers/acme/anything/deeper"))
    assert not allows(policy, "arn:aws:execute-api:us-east-1:123456789012:other/dev/GET/v1/plans")


def test_star_in_the_middle_of_a_path_spans_segments() -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/customers/*/invoices")))

    assert allows(policy, _arn("GET", "/v1/customers/acme/invoices"))
    assert allows(policy, _arn("GET", "/v1/customers/acme/x/y/invoices"))
    assert not allows(policy, _arn("GET", "/v1/customers/acme/invoices/1"))


def test_question_mark_matches_exactly_one_character() -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/plans/p?")))

    assert allows(policy, _arn("GET", "/v1/plans/p1"))
    assert not allows(policy, _arn("GET", "/v1/plans/p"))
    assert not allows(policy, _arn("GET", "/v1/plans/p12"))


def test_regex_metacharacters_in_resources_are_literal() -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/plans/a.c")))

    assert allows(policy, _arn("GET", "/v1/plans/a.c"))
    assert not allows(policy, _arn("GET", "/v1/plans/abc"))


def test_explicit_deny_wins_over_a_matching_allow() -> None:
    policy = _policy(
        _statement("Allow", f"{BASE}/*/*"),
        _statement("Deny", _arn("POST", "/v1/plans")),
    )

    assert not allows(policy, _arn("POST", "/v1/plans"))
    assert allows(policy, _arn("GET", "/v1/plans"))


def test_deny_alone_allows_nothing() -> None:
    policy = _policy(_statement("Deny", _arn("GET", "/v1/plans")))

    assert not allows(policy, _arn("GET", "/v1/plans"))
    assert not allows(policy, _arn("GET", "/v1/addons"))


@pytest.mark.parametrize("action", ["s3:GetObject", "execute-api:ManageConnections", []])
def test_statement_for_another_action_is_ignored(action: Any) -> None:
    policy = _policy(_statement("Allow", f"{BASE}/*/*", action=action))

    assert not allows(policy, _arn("GET", "/v1/plans"))


def test_deny_for_another_action_does_not_block_an_allow() -> None:
    policy = _policy(
        _statement("Allow", _arn("GET", "/v1/plans")),
        _statement("Deny", _arn("GET", "/v1/plans"), action="s3:GetObject"),
    )

    assert allows(policy, _arn("GET", "/v1/plans"))


@pytest.mark.parametrize("action", ["execute-api:Invoke", "execute-api:*", "*", ["s3:*", "*"]])
def test_invoke_and_wildcard_actions_count(action: Any) -> None:
    policy = _policy(_statement("Allow", _arn("GET", "/v1/plans"), action=action))

    assert allows(policy, _arn("GET", "/v1/plans"))


def test_single_statement_and_single_resource_need_not_be_lists() -> None:
    policy = {
        "Statement": {
            "Effect": "Allow",
            "Action": "execute-api:Invoke",
            "Resource": _arn("GET", "/v1/plans"),
        }
    }

    assert allows(policy, _arn("GET", "/v1/plans"))


@pytest.mark.parametrize(
    "policy",
    [{}, {"Statement": []}, _policy(_statement("Allow"))],
    ids=["no-statement-key", "empty-statements", "no-resources"],
)
def test_policy_without_matching_statements_allows_nothing(policy: dict[str, Any]) -> None:
    assert not allows(policy, _arn("GET", "/v1/plans"))
