"""Previewing and changing a subscription over HTTP, with the demo catalog (Starter $19, Pro
$49 a month, extra seats $8 each). The exact proration arithmetic, and that a change bills
exactly its preview, are tested in integration on a fixed clock; the shared test clock moves
between two requests here, so these tests check shape, consistency and outcomes."""

from typing import Any

from tests.e2e.helpers import assert_error


def _subscribed(server, create_customer, plan: str = "starter") -> str:
    customer = create_customer()["id"]
    order = {"planId": plan, "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201
    return customer


def _net(change: dict[str, Any]) -> int:
    return sum(line["amount"] for line in change["lines"])


def test_preview_of_an_upgrade_prices_it_and_changes_nothing(server, create_customer):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/subscription"

    response = server.post(f"{path}/preview", json={"planId": "pro"})

    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["timing"] == "now"
    assert [(line["kind"], line["key"]) for line in preview["lines"]] == [
        ("credit", "plan:starter"),
        ("charge", "plan:pro"),
    ]
    assert preview["dueNow"] == _net(preview) > 0
    assert (preview["credit"], preview["currency"]) == (0, "USD")
    assert preview["nextRenewal"]["amount"] == 4900
    assert server.get(path).json()["planId"] == "starter"
    assert server.get(path).json()["revision"] == 1


def test_upgrade_now_then_downgrade_at_period_end(server, create_customer):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/subscription"

    upgraded = server.patch(path, json={"planId": "pro"})
    assert upgraded.status_code == 200, upgraded.text
    assert upgraded.json()["subscription"]["planId"] == "pro"
    assert upgraded.json()["change"]["dueNow"] == _net(upgraded.json()["change"]) > 0
    assert server.get(f"/v1/customers/{customer}/entitlements/sso").json()["hasAccess"]

    downgraded = server.patch(path, json={"planId": "starter"})
    assert downgraded.json()["change"]["timing"] == "period_end"
    assert downgraded.json()["change"]["lines"] == []
    current = server.get(path).json()
    assert current["planId"] == "pro"
    assert current["scheduledChange"]["planId"] == "starter"
    assert current["scheduledChange"]["effectiveAt"] == current["currentPeriodEnd"]


def test_add_ons_are_added_and_charged_for_the_rest_of_the_period(server, create_customer):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/subscription"

    changed = server.patch(path, json={"addons": [{"addonId": "extra-seats", "quantity": 3}]})

    assert changed.status_code == 200, changed.text
    [line] = changed.json()["change"]["lines"]
    assert (line["kind"], line["key"], line["quantity"], line["unitAmount"]) == (
        "charge",
        "addon:extra-seats",
        3,
        800,
    )
    assert 0 < line["amount"] <= 3 * 800
    assert server.get(path).json()["addons"][0]["quantity"] == 3
    seats = server.get(f"/v1/customers/{customer}/entitlements/seats").json()
    assert seats["limit"] == 5 + 3


def test_monthly_to_annual_restarts_the_cycle(server, create_customer):
    customer = _subscribed(server, create_customer)

    changed = server.patch(
        f"/v1/customers/{customer}/subscription", json={"billingPeriod": "annual"}
    )

    body = changed.json()
    assert body["change"]["timing"] == "now"
    assert body["subscription"]["billingPeriod"] == "annual"
    assert body["subscription"]["currentPeriodStart"] == body["change"]["effectiveAt"]
    assert body["change"]["lines"][-1]["amount"] == 19_000


def test_bad_changes_get_a_4xx_naming_the_field(server, create_customer, uid):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/subscription"

    assert_error(server.patch(path, json={}), 400, "invalid_request")
    assert_error(server.patch(path, json={"planId": "pro", "x": 1}), 400, "invalid_request", "x")
    assert_error(
        server.patch(path, json={"billingPeriod": "weekly"}),
        400,
        "invalid_request",
        "billingPeriod",
    )
    assert_error(
        server.post(
            f"{path}/preview", json={"addons": [{"addonId": "extra-seats", "quantity": 0}]}
        ),
        400,
        "invalid_request",
        "addons.0.quantity",
    )
    assert_error(server.patch(path, json={"planId": f"nope-{uid}"}), 400, "unknown_plan", "planId")
    assert_error(
        server.patch(path, json={"addons": [{"addonId": "priority-support"}]}),
        422,
        "addon_not_allowed",
        "addons.0.addonId",
    )
    assert server.get(path).json()["revision"] == 1
    fresh = create_customer()["id"]
    assert_error(
        server.patch(f"/v1/customers/{fresh}/subscription", json={"planId": "pro"}),
        404,
        "no_subscription",
    )
    assert_error(
        server.post(f"/v1/customers/nobody-{uid}/subscription/preview", json={"planId": "pro"}),
        404,
        "customer_not_found",
    )


def test_a_portal_token_changes_only_its_own_subscription(
    server, create_customer, client_with, portal_token
):
    mine, theirs = _subscribed(server, create_customer), _subscribed(server, create_customer)
    portal = client_with(portal_token(mine))

    preview = portal.post(f"/v1/customers/{mine}/subscription/preview", json={"planId": "pro"})
    assert preview.status_code == 200, preview.text
    assert portal.patch(f"/v1/customers/{mine}/subscription", json={"planId": "pro"}).ok

    other = portal.patch(f"/v1/customers/{theirs}/subscription", json={"planId": "pro"})
    assert other.status_code in (403, 404)
    assert server.get(f"/v1/customers/{theirs}/subscription").json()["planId"] == "starter"
