"""A bounded fuzz of JSON bodies: whatever a client sends, a create answers 201 or a 4xx in the
error shape, never a 500."""

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.e2e.helpers import assert_error

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
REFUSALS = {400, 409, 422}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["USD", "monthly", "annual", "pro", "api-calls", "", "a@b.co", "19.00"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


TEMPLATE_ID = "fz-template"
"""The id in generated bodies; each request swaps it for a fresh one (examples must replay)."""


def _valid_plan() -> dict[str, Any]:
    return {
        "id": TEMPLATE_ID,
        "name": "Fuzzed plan",
        "trialDays": 7,
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 1000}],
        "entitlements": [{"featureId": "api-calls", "limit": 10}, {"featureId": "sso"}],
        "metadata": {"k": "v"},
    }


def _valid_customer() -> dict[str, Any]:
    return {"id": TEMPLATE_ID, "email": "fuzz@example.com", "name": "Fuzz"}


def _fresh(body: Any) -> Any:
    """The body with the template id made unique, so valid bodies create new resources."""
    if isinstance(body, dict) and body.get("id") == TEMPLATE_ID:
        return {**body, "id": f"fz-{uuid.uuid4().hex[:12]}"}
    return body


def _paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replace(document[head], tuple(rest), value)
    return copy


@st.composite
def mutants(draw: st.DrawFn, valid: Any) -> Any:
    """A valid body with one change: a value replaced, wrongly nested, dropped or added."""
    body = valid()
    paths = _paths(body)
    path = draw(st.sampled_from(paths))
    kind = draw(st.sampled_from(["retext", "replace", "nest-list", "nest-object", "drop", "add"]))
    if kind == "retext":
        texts = [p for p in paths if isinstance(_get(body, p), str)]
        return _replace(body, draw(st.sampled_from(texts)), draw(st.text(max_size=120)))
    if kind == "replace":
        return _replace(body, path, draw(json_values))
    if kind == "nest-list":
        return _replace(body, path, [_get(body, path)])
    if kind == "nest-object":
        return _replace(body, path, {"value": _get(body, path)})
    if kind == "drop":
        parent = _get(body, path[:-1])
        if isinstance(parent, dict):
            kept = {k: v for k, v in parent.items() if k != path[-1]}
            return _replace(body, path[:-1], kept)
        return body
    return {**body, draw(st.text(min_size=1, max_size=12)): draw(json_values)}


def _get(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _check(response, sent: Any) -> None:
    event(f"status {response.status_code}")
    if response.status_code == 201:
        assert isinstance(sent, dict)
        assert response.json()["id"] == sent["id"]
        return
    assert response.status_code in REFUSALS, (sent, response.status_code, response.text)
    assert_error(response, response.status_code)


@FUZZ
@given(body=json_values | mutants(_valid_plan))
def test_fuzzed_plan_bodies_never_cause_a_500(server, body):
    body = _fresh(body)
    response = server.post("/v1/plans", data=json.dumps(body))

    _check(response, body)


@FUZZ
@given(body=json_values | mutants(_valid_customer))
def test_fuzzed_customer_bodies_never_cause_a_500(server, body):
    body = _fresh(body)
    response = server.post("/v1/customers", data=json.dumps(body))

    _check(response, body)


@FUZZ
@given(body=json_values | mutants(lambda: {"prices": [], "name": "Renamed", "trialDays": 3}))
def test_fuzzed_plan_patches_never_cause_a_500(server, body):
    plan = _fresh(_valid_plan())
    assert server.post("/v1/plans", json=plan).status_code == 201

    response = server.patch(f"/v1/plans/{plan['id']}", data=json.dumps(body))

    event(f"status {response.status_code}")
    assert response.status_code in {200, *REFUSALS}, (body, response.text)
    if response.status_code != 200:
        assert_error(response, response.status_code)
