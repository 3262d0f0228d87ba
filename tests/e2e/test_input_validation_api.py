"""Bad input over HTTP: a 4xx in the one error shape, naming the field; never a 500."""

import base64
import json

import pytest

from tests.e2e.helpers import assert_error

PRICE = {"billingPeriod": "monthly", "currency": "USD", "amount": 1900}


def _with_price(**price) -> dict:
    return {"prices": [{**PRICE, **price}]}


PLAN_CASES = [
    pytest.param({}, "name", ("name",), id="missing-required-name"),
    pytest.param({}, "id", ("id",), id="missing-required-id"),
    pytest.param(_with_price(amount="19.00"), "prices.0.amount", (), id="amount-as-string"),
    pytest.param(_with_price(amount=19.5), "prices.0.amount", (), id="amount-as-float"),
    pytest.param(_with_price(amount=-1), "prices.0.amount", (), id="negative-amount"),
    pytest.param(_with_price(currency="XYZ"), "prices.0.currency", (), id="unknown-currency"),
    pytest.param(_with_price(currency="usx"), "prices.0.currency", (), id="unknown-currency"),
    pytest.param(
        _with_price(billingPeriod="weekly"), "prices.0.billingPeriod", (), id="bad-period"
    ),
    pytest.param({"bogus": 1}, "bogus", (), id="unknown-field"),
    pytest.param({"trialDays": "14"}, "trialDays", (), id="trial-days-as-string"),
    pytest.param({"prices": PRICE}, "prices", (), id="object-instead-of-list"),
    pytest.param({"prices": [[PRICE]]}, "prices.0", (), id="list-nested-too-deep"),
    pytest.param({"metadata": {"k": 1}}, "metadata.k", (), id="metadata-value-not-string"),
]


@pytest.mark.parametrize(("extra", "field", "drop"), PLAN_CASES)
def test_invalid_plan_body_names_the_field(server, uid, extra, field, drop):
    body = {"id": f"bad-{uid}", "name": "Bad plan", **extra}
    for key in drop:
        body.pop(key)

    error = assert_error(server.post("/v1/plans", json=body), 400, field=field)

    assert field.split(".")[0] in error["message"]
    assert server.get(f"/v1/plans/bad-{uid}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"email": "no-at-sign", "name": "A"}, "email", id="bad-email"),
        pytest.param({"email": "a@b.co"}, "name", id="missing-name"),
        pytest.param({"email": "a@b.co", "name": "A", "stripe": "x"}, "stripe", id="extra"),
        pytest.param({"email": ["a@b.co"], "name": "A"}, "email", id="email-as-list"),
    ],
)
def test_invalid_customer_body_names_the_field(server, uid, body, field):
    assert_error(server.post("/v1/customers", json={"id": f"c-{uid}", **body}), 400, field=field)
    assert server.get(f"/v1/customers/c-{uid}").status_code == 404


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(b'{"id": "x", "name": ', "malformed_json", id="truncated"),
        pytest.param(b"not json at all", "malformed_json", id="text"),
        pytest.param(b"", "missing_body", id="empty"),
    ],
)
def test_unparseable_body_is_a_400(server, raw, code):
    for path in ("/v1/plans", "/v1/customers", "/v1/features"):
        assert_error(server.post(path, data=raw), 400, code, None)


@pytest.mark.parametrize("body", [[], "plan", 42, True], ids=["array", "string", "int", "bool"])
def test_non_object_json_body_is_a_400(server, body):
    assert_error(server.post("/v1/plans", data=json.dumps(body)), 400, field=None)


def test_body_that_is_not_utf8_is_a_400(server):
    assert_error(server.post("/v1/plans", data=b"\xff\xfe{}"), 400, "malformed_json")


def test_unknown_feature_in_entitlements_names_the_entitlement(server, uid):
    body = {"id": f"p-{uid}", "name": "P", "entitlements": [{"featureId": f"ghost-{uid}"}]}

    assert_error(
        server.post("/v1/plans", json=body), 400, "unknown_feature", "entitlements.0.featureId"
    )


def test_entitlement_that_does_not_fit_its_feature_type_names_the_attribute(server, uid):
    body = {"id": f"p-{uid}", "name": "P", "entitlements": [{"featureId": "sso", "limit": 5}]}

    assert_error(server.post("/v1/plans", json=body), 400, field="entitlements.0.limit")


def test_unknown_parent_plan_names_the_field(server, uid):
    body = {"id": f"p-{uid}", "name": "P", "parentPlanId": f"ghost-{uid}"}

    assert_error(server.post("/v1/plans", json=body), 400, "unknown_plan", "parentPlanId")


def test_addon_for_an_unknown_plan_names_the_index(server, uid):
    body = {"id": f"a-{uid}", "name": "A", "planIds": ["pro", f"ghost-{uid}"]}

    assert_error(server.post("/v1/addons", json=body), 400, "unknown_plan", "planIds.1")


def test_addon_naming_101_unknown_plans_is_a_400(server, uid):
    body = {"id": f"a-{uid}", "name": "A", "planIds": [f"g-{uid}-{n}" for n in range(101)]}

    assert_error(server.post("/v1/addons", json=body), 400, "unknown_plan", "planIds.0")


def test_patch_with_an_unknown_field_is_refused(server):
    assert_error(server.patch("/v1/plans/pro", json={"type": "x"}), 400, field="type")
    assert server.get("/v1/plans/pro").json()["version"] == 1


def test_patch_that_clears_a_required_field_is_refused(server):
    assert_error(server.patch("/v1/plans/starter", json={"name": None}), 400, field="name")
    assert server.get("/v1/plans/starter").json()["name"] == "Starter"


def test_patch_that_clears_a_required_field_names_it(server):
    assert_error(server.patch("/v1/plans/starter", json={"name": None}), 400, field="name")
    assert server.get("/v1/plans/starter").json()["version"] == 1


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-5", "1.5"])
@pytest.mark.parametrize("path", ["/v1/plans", "/v1/customers", "/v1/features", "/v1/addons"])
def test_invalid_limit_is_a_400(server, path, limit):
    assert_error(server.get(path, params={"limit": limit}), 400, "invalid_request", "limit")


@pytest.mark.parametrize("path", ["/v1/plans", "/v1/customers", "/v1/features", "/v1/addons"])
@pytest.mark.parametrize(
    "cursor",
    ["abc", "!!!", base64.urlsafe_b64encode(b"[1, 2]").decode(), "eyJzayI6IDF9", "a" * 3000],
    ids=["short", "not-base64", "json-list", "non-string-value", "too-long"],
)
def test_invalid_cursor_is_a_400_naming_cursor(server, path, cursor):
    assert_error(server.get(path, params={"cursor": cursor}), 400, field="cursor")


def test_forged_cursor_is_a_400_naming_cursor(server):
    forged = base64.urlsafe_b64encode(json.dumps({"foo": "bar"}).encode()).decode().rstrip("=")

    assert_error(server.get("/v1/plans", params={"cursor": forged}), 400, field="cursor")


def test_invalid_version_query_is_a_400(server):
    for version in ("0", "abc"):
        assert_error(
            server.get("/v1/plans/pro", params={"version": version}),
            400,
            "invalid_request",
            "version",
        )
