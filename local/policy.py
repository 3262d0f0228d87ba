"""Evaluating an authorizer's IAM policy against a method ARN, as API Gateway does."""

import re
from typing import Any


def _pattern(resource: str) -> re.Pattern[str]:
    wildcarded = re.escape(resource).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{wildcarded}$")


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _matches(statement: dict[str, Any], method_arn: str) -> bool:
    actions = _as_list(statement.get("Action", []))
    if not any(a in ("execute-api:Invoke", "execute-api:*", "*") for a in actions):
        return False
    return any(_pattern(r).match(method_arn) for r in _as_list(statement.get("Resource", [])))


def allows(policy: dict[str, Any], method_arn: str) -> bool:
    """Whether the policy lets the caller invoke `method_arn`: an explicit Deny always wins."""
    matching = [s for s in _statements(policy) if _matches(s, method_arn)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)
