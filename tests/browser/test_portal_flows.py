"""The customer portal in a real browser: each flow a customer can do, end to end through the
local API, with a screenshot of each section saved under test-artifacts/portal/."""

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Route, expect

from local.dev import LocalApi
from tests.browser.conftest import SECTIONS, PortalPage
from tests.conftest import ApiClient
from tests.e2e.helpers import eventually

OpenPortal = Callable[..., PortalPage]
TIMES = "\N{MULTIPLICATION SIGN}"


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def _subscription(server: ApiClient, customer_id: str) -> dict[str, Any]:
    response = server.get(f"/v1/customers/{customer_id}/subscription")
    assert response.status_code == 200, response.text
    subscription: dict[str, Any] = response.json()
    return subscription


def _fill_card(portal: PortalPage, number: str) -> None:
    """Type a card into the card form (localstripe's stand-in for Stripe's card element)."""
    form = portal.page.locator('billfold-portal [slot="card-form"]')
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "94105"),
    ):
        form.get_by_placeholder(placeholder, exact=True).fill(value)


def test_view_shows_the_subscription_usage_cards_and_invoices(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter", addons=[{"addonId": "extra-seats", "quantity": 2}])
    server.post(
        "/v1/usage",
        json={
            "customerId": customer_id,
            "featureId": "api-calls",
            "value": 1234,
            "idempotencyKey": "browser-view",
        },
    )
    portal = open_portal(customer_id)

    subscription = portal.section("subscription")
    expect(subscription).to_contain_text("Starter")
    expect(subscription).to_contain_text("$19.00 / month")
    expect(subscription).to_contain_text(f"2 {TIMES} Extra seats")
    renews = _subscription(server, customer_id)["nextInvoice"]
    expect(subscription).to_contain_text(f"for {_dollars(renews['amount'])}")
    expect(portal.section("usage")).to_contain_text("1,234 of 50,000 API calls")
    expect(portal.portal.get_by_role("progressbar", name="API calls used")).to_have_attribute(
        "aria-valuenow", "1234"
    )
    expect(portal.section("payment")).to_contain_text("Visa •••• 4242")
    invoices = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"]
    assert len(invoices) == 1
    row = portal.section("invoices").get_by_role("row").filter(has_text=invoices[0]["number"])
    expect(row).to_contain_text(_dollars(invoices[0]["total"]))
    expect(row).to_contain_text("Paid")

    portal.screenshot("portal-full")
    for name in SECTIONS:
        portal.screenshot(f"section-{name}", portal.section(name))
    assert portal.csp_violations() == []


def test_upgrade_shows_the_preview_then_charges_what_it_showed(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    server: ApiClient,
    local_api: LocalApi,
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("button", name="Upgrade to Pro").click()
    expect(portal.dialog).to_contain_text("You pay")
    shown = re.search(r"You pay (\$[\d,.]+) today", portal.dialog.inner_text())
    assert shown is not None
    preview = server.post(
        f"/v1/customers/{customer_id}/subscription/preview", json={"planId": "pro"}
    ).json()
    assert preview["timing"] == "now"
    # the page asked a moment earlier: at most a cent of proration apart
    near = {_dollars(preview["dueNow"] + delta) for delta in (-1, 0, 1)}
    assert shown.group(1) in near
    portal.screenshot("upgrade-preview", portal.dialog)
    portal.dialog.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    expect(portal.section("subscription")).to_contain_text("Pro")
    expect(portal.portal.locator(".notice")).to_contain_text("updated")
    assert _subscription(server, customer_id)["planId"] == "pro"
    local_api.queues.drain("billing_worker")  # the change queued its proration's invoice
    invoices = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"]
    assert [invoice["reason"] for invoice in invoices] == ["change", "subscription_created"]
    assert _dollars(invoices[0]["total"]) in near
    assert portal.csp_violations() == []


def test_downgrade_is_scheduled_for_the_period_end_and_can_be_dropped(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("pro")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("button", name="Downgrade to Starter").click()
    expect(portal.dialog).to_contain_text("Nothing to pay today")
    portal.screenshot("downgrade-preview", portal.dialog)
    portal.dialog.get_by_role("button", name="Confirm change").click()

    expect(portal.section("subscription")).to_contain_text("your plan changes to Starter")
    expect(portal.section("plans")).to_contain_text("Starts")
    subscription = _subscription(server, customer_id)
    assert subscription["planId"] == "pro"
    assert subscription["scheduledChange"]["planId"] == "starter"

    portal.portal.get_by_role("button", name="Keep Pro").click()
    expect(portal.dialog).to_contain_text("is dropped: you keep Pro")
    portal.dialog.get_by_role("button", name="Confirm change").click()
    expect(portal.section("subscription")).not_to_contain_text("your plan changes to")
    assert _subscription(server, customer_id)["scheduledChange"] is None


def test_switching_to_annual_billing(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("radio", name="Annual").check()
    portal.portal.get_by_role("button", name="Switch to annual billing").click()
    expect(portal.dialog).to_contain_text("per year")
    portal.dialog.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    expect(portal.section("subscription")).to_contain_text("/ year")
    assert _subscription(server, customer_id)["billingPeriod"] == "annual"


def test_addon_quantity_change_with_preview(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter", addons=[{"addonId": "extra-seats", "quantity": 1}])
    portal = open_portal(customer_id)
    review = portal.portal.get_by_role("button", name="Review add-on changes")
    expect(review).to_be_disabled()

    portal.portal.get_by_label("Extra seats quantity").fill("3")
    portal.portal.get_by_label("Extra seats quantity").press("Tab")
    review.click()
    expect(portal.dialog).to_contain_text(f"3 {TIMES} Extra seats")
    portal.dialog.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    expect(portal.section("subscription")).to_contain_text(f"3 {TIMES} Extra seats")
    addons = _subscription(server, customer_id)["addons"]
    assert [(a["addonId"], a["quantity"]) for a in addons] == [("extra-seats", 3)]


def test_add_a_card_with_stripe_js(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("button", name="Add a card").click()
    _fill_card(portal, "4000056655665556")
    portal.screenshot("add-card", portal.section("payment"))
    portal.portal.get_by_role("button", name="Save card").click()

    expect(portal.portal.locator(".notice")).to_contain_text("Your card is saved")
    expect(portal.section("payment")).to_contain_text("Visa •••• 5556")
    cards = server.get(f"/v1/customers/{customer_id}/payment-methods").json()["items"]
    assert [(c["last4"], c["isDefault"]) for c in cards] == [("5556", True), ("4242", False)]
    assert portal.csp_violations() == []


def test_a_declined_card_shows_the_decline_reason_and_saves_nothing(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("button", name="Add a card").click()
    _fill_card(portal, "4000000000000002")
    portal.portal.get_by_role("button", name="Save card").click()

    error = portal.section("payment").get_by_role("alert")
    expect(error).to_have_text("Your card was declined.")
    portal.screenshot("card-declined", portal.section("payment"))
    cards = server.get(f"/v1/customers/{customer_id}/payment-methods").json()["items"]
    assert [c["last4"] for c in cards] == ["4242"]


def test_remove_a_card_and_make_another_the_default(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)
    portal.portal.get_by_role("button", name="Add a card").click()
    _fill_card(portal, "4000056655665556")
    portal.portal.get_by_label("Use this card for future payments").uncheck()
    portal.portal.get_by_role("button", name="Save card").click()
    expect(portal.section("payment")).to_contain_text("Visa •••• 5556")

    portal.portal.get_by_role("button", name="Make Visa ending 5556 the default").click()
    expect(portal.portal.locator(".notice")).to_contain_text("default card")
    portal.portal.get_by_role("button", name="Remove Visa ending 4242").click()
    portal.dialog.get_by_role("button", name="Remove card").click()

    expect(portal.section("payment")).not_to_contain_text("4242")
    cards = server.get(f"/v1/customers/{customer_id}/payment-methods").json()["items"]
    assert [(c["last4"], c["isDefault"]) for c in cards] == [("5556", True)]


def test_a_failed_payment_shows_why_and_a_new_card_pays_it(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter", card="4000000000000341")  # charges decline
    invoice = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"][0]
    assert invoice["status"] == "open"
    portal = open_portal(customer_id)
    expect(portal.section("subscription")).to_contain_text("Payment overdue")
    expect(portal.section("invoices")).to_contain_text(invoice["payment"]["failureMessage"])

    portal.portal.get_by_role("button", name=f"Pay {invoice['number']}").click()
    expect(portal.portal.locator(".toast")).to_contain_text(
        f"The payment did not go through: {invoice['payment']['failureMessage']}"
    )
    portal.screenshot("payment-declined")
    portal.portal.get_by_role("button", name="Add a card").click()
    _fill_card(portal, "4242424242424242")
    portal.portal.get_by_role("button", name="Save card").click()
    expect(portal.portal.locator(".notice")).to_contain_text("Your card is saved")
    portal.portal.get_by_role("button", name=f"Pay {invoice['number']}").click()

    expect(portal.portal.locator(".notice")).to_contain_text(f"{invoice['number']} is paid")
    paid = server.get(f"/v1/customers/{customer_id}/invoices/{invoice['id']}").json()
    assert paid["status"] == "paid"
    assert _subscription(server, customer_id)["status"] == "active"


def test_download_an_invoice_pdf(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    invoice = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"][0]
    portal = open_portal(customer_id)

    with portal.page.expect_download() as download_info:
        portal.portal.get_by_role("button", name=f"Download {invoice['number']} (PDF)").click()
    download = download_info.value

    assert download.suggested_filename == f"{invoice['number']}.pdf"
    path = download.path()
    assert path is not None
    assert path.read_bytes().startswith(b"%PDF-")


def test_cancel_at_period_end_then_resume(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("pro")
    portal = open_portal(customer_id)

    portal.portal.get_by_role("button", name="Cancel subscription").click()
    expect(portal.dialog).to_contain_text("After that you move to the Free plan")
    portal.screenshot("cancel-confirmation", portal.dialog)
    portal.dialog.get_by_role("button", name="Cancel subscription").click()

    expect(portal.section("subscription")).to_contain_text("Cancels on")
    assert _subscription(server, customer_id)["cancelAtPeriodEnd"] is True
    portal.portal.get_by_role("button", name="Resume subscription").click()
    expect(portal.section("subscription")).to_contain_text("Renews on")
    assert _subscription(server, customer_id)["cancelAtPeriodEnd"] is False


def test_going_back_from_a_dialog_changes_nothing(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)
    before = _subscription(server, customer_id)

    portal.portal.get_by_role("button", name="Cancel subscription").focus()
    portal.page.keyboard.press("Enter")
    expect(portal.dialog).to_be_visible()
    portal.page.keyboard.press("Escape")
    expect(portal.dialog).to_have_count(0)
    portal.portal.get_by_role("button", name="Upgrade to Pro").click()
    portal.dialog.get_by_role("button", name="Go back").click()

    assert _subscription(server, customer_id)["revision"] == before["revision"]


def test_an_expired_session_says_so(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    portal_token: Callable[..., str],
    local_api: Any,
) -> None:
    customer_id = subscribed_customer("starter")
    token = portal_token(customer_id, expires_in=timedelta(seconds=-1))
    portal = open_portal(customer_id, url=f"{local_api.portal_url}#token={token}")

    expect(portal.portal.get_by_role("alert")).to_contain_text("Your billing session has expired")
    portal.screenshot("expired-session")


def test_a_customer_without_invoices_sees_the_empty_state(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str]
) -> None:
    customer_id = subscribed_customer("free", card=None)
    portal = open_portal(customer_id)

    expect(portal.section("invoices")).to_contain_text("No invoices yet")
    expect(portal.section("payment")).to_contain_text("No card on file yet")


def test_fits_a_phone_screen(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str]
) -> None:
    customer_id = subscribed_customer("pro", addons=[{"addonId": "extra-seats", "quantity": 2}])
    portal = open_portal(customer_id, width=375)

    expect(portal.section("invoices")).to_be_visible()
    overflow = portal.page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375
    portal.screenshot("phone")


def test_money_and_dates_follow_the_browser_locale_and_the_currency(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("pro", currency="EUR")
    portal = open_portal(customer_id, locale="de-DE")

    subscription = portal.section("subscription")
    expect(subscription).to_contain_text(re.compile(r"45,00\s€ / month"))
    period_end = _subscription(server, customer_id)["currentPeriodEnd"]
    day, month, year = period_end[8:10], period_end[5:7], period_end[:4]
    expect(subscription).to_contain_text(f"{day}.{month}.{year}")
    expect(portal.section("plans")).to_contain_text(re.compile(r"45,00\s€\s+/ month"))


def test_a_trial_shows_when_it_ends_and_what_follows(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("pro", trialDays=14)
    portal = open_portal(customer_id)

    trial_end = datetime.fromisoformat(_subscription(server, customer_id)["trialEnd"])
    shown = f"{trial_end:%b} {trial_end.day}, {trial_end.year}"  # en-US, medium
    expect(portal.section("subscription")).to_contain_text("Free trial")
    expect(portal.section("subscription")).to_contain_text(
        f"Your free trial ends on {shown}; then $49.00 per month"
    )
    expect(portal.section("invoices")).to_contain_text("No invoices yet")


def test_an_unreachable_api_shows_an_error_with_a_retry(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], local_api: Any
) -> None:
    portal = open_portal(subscribed_customer("starter"))
    expect(portal.section("invoices")).to_be_visible()

    api_url = local_api.url
    portal.portal.evaluate("(el) => el.setAttribute('api-url', 'http://127.0.0.1:9')")
    expect(portal.portal.get_by_role("alert")).to_contain_text(
        "We could not load your billing details"
    )
    portal.screenshot("api-unreachable")
    portal.portal.evaluate(f"(el) => el.setAttribute('api-url', '{api_url}')")
    expect(portal.section("invoices")).to_be_visible()


def test_embedded_in_another_page_and_themed_with_css_variables(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    server: ApiClient,
    local_api: Any,
) -> None:
    customer_id = subscribed_customer("starter")
    token = server.post("/v1/portal-sessions", json={"customerId": customer_id}).json()["token"]
    portal = open_portal(customer_id, url="")

    portal.page.set_content(
        f"""<!doctype html><html><head>
        <style>billfold-portal {{ --bf-color-primary: rgb(200, 0, 0); --bf-radius: 0px;
          --bf-font-family: monospace; }}
        button {{ background: lime; }}</style>
        <script src="{local_api.portal_url}billfold-core.js"></script>
        <script src="{local_api.portal_url}billfold-portal.js"></script></head>
        <body><h1>Acme: Account / Billing</h1>
        <billfold-portal api-url="{local_api.url}" token="{token}"></billfold-portal>
        </body></html>"""
    )

    upgrade = portal.portal.get_by_role("button", name="Upgrade to Pro")
    expect(upgrade).to_have_css("background-color", "rgb(200, 0, 0)")
    expect(upgrade).to_have_css("border-radius", "0px")
    expect(upgrade).to_have_css("font-family", "monospace")
    expect(portal.section("subscription")).to_contain_text("Starter")
    portal.screenshot("embedded-themed")


def test_add_one_addon_and_remove_another_in_one_change(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    server: ApiClient,
    local_api: LocalApi,
) -> None:
    customer_id = subscribed_customer("pro", addons=[{"addonId": "extra-seats", "quantity": 2}])
    portal = open_portal(customer_id)

    portal.portal.get_by_label("Extra seats quantity").fill("0")
    portal.portal.get_by_label("Extra seats quantity").press("Tab")
    portal.portal.get_by_label("Priority support quantity").fill("1")
    portal.portal.get_by_label("Priority support quantity").press("Tab")
    portal.portal.get_by_role("button", name="Review add-on changes").click()
    expect(portal.dialog).to_contain_text("Unused time on 2")
    expect(portal.dialog).to_contain_text("Priority support")
    portal.dialog.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    expect(portal.section("subscription")).to_contain_text(f"1 {TIMES} Priority support")
    expect(portal.section("subscription")).not_to_contain_text("Extra seats")
    addons = _subscription(server, customer_id)["addons"]
    assert [(a["addonId"], a["quantity"]) for a in addons] == [("priority-support", 1)]


def test_shows_loading_until_the_api_answers(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    url = server.post("/v1/portal-sessions", json={"customerId": customer_id}).json()["url"]
    portal = open_portal(customer_id, url="")
    held: list[Route] = []
    customer_calls = re.compile(r".*/v1/customers/.*")

    def hold(route: Route) -> None:
        held.append(route)

    portal.page.route(customer_calls, hold)

    portal.page.goto(url)
    expect(portal.portal.get_by_role("status")).to_have_text("Loading your billing details…")
    portal.screenshot("loading")
    for _ in range(100):  # the route callbacks reach Python a moment after the page renders
        if held:
            break
        portal.page.wait_for_timeout(50)
    assert held  # the page is waiting on these
    portal.page.unroute(customer_calls)  # lets the held requests through

    expect(portal.section("invoices")).to_be_visible()
    expect(portal.portal.get_by_role("status")).to_have_count(0)


def test_axe_finds_no_accessibility_violations(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str]
) -> None:
    customer_id = subscribed_customer("starter", addons=[{"addonId": "extra-seats", "quantity": 1}])
    portal = open_portal(customer_id)
    expect(portal.section("invoices")).to_be_visible()

    page = Axe().run(portal.page)
    portal.portal.get_by_role("button", name="Upgrade to Pro").click()
    expect(portal.dialog).to_contain_text("You pay")
    dialog = Axe().run(portal.page)

    assert page.generate_snapshot() == ""
    assert dialog.generate_snapshot() == ""
    # control: axe does look inside the portal's shadow root
    portal.portal.evaluate(
        "(el) => el.shadowRoot.querySelector('.portal').append(document.createElement('input'))"
    )
    assert "label" in Axe().run(portal.page).generate_snapshot()


def test_older_invoices_load_page_by_page(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    server: ApiClient,
    local_api: LocalApi,
) -> None:
    customer_id = subscribed_customer("starter")
    upgrade = server.patch(f"/v1/customers/{customer_id}/subscription", json={"planId": "pro"})
    assert upgrade.status_code == 200, upgrade.text
    local_api.queues.drain("billing_worker")
    newest, oldest = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"]
    token = server.post("/v1/portal-sessions", json={"customerId": customer_id}).json()["token"]
    portal = open_portal(customer_id, url="")
    portal.page.set_content(
        f"""<!doctype html><script src="{local_api.portal_url}billfold-core.js"></script>
        <script src="{local_api.portal_url}billfold-portal.js"></script>
        <billfold-portal api-url="{local_api.url}" token="{token}" invoice-page-size="1">
        </billfold-portal>"""
    )

    invoices = portal.section("invoices")
    expect(invoices).to_contain_text(newest["number"])
    expect(invoices).not_to_contain_text(oldest["number"])
    invoices.get_by_role("button", name="Show older invoices").click()

    expect(invoices).to_contain_text(oldest["number"])
    expect(
        portal.portal.get_by_role("button", name=f"Download {oldest['number']} (PDF)")
    ).to_be_focused()
    invoices.get_by_role("button", name="Show older invoices").click()  # an empty last page
    expect(invoices.get_by_role("button", name="Show older invoices")).to_have_count(0)
    expect(invoices.get_by_role("row")).to_have_count(3)  # the header and two invoices


def test_the_credit_balance_and_what_it_takes_off_the_renewal_are_shown(
    open_portal: OpenPortal,
    subscribed_customer: Callable[..., str],
    server: ApiClient,
    local_api: LocalApi,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    plans = [(f"big-{suffix}", 3000, "immediate"), (f"small-{suffix}", 2000, "period_end")]
    for plan_id, amount, timing in plans:
        server.post(
            "/v1/plans",
            json={
                "id": plan_id,
                "name": plan_id,
                "downgradeTiming": timing,
                "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": amount}],
            },
        )
    customer_id = subscribed_customer(plans[0][0])
    path = f"/v1/customers/{customer_id}/subscription"
    credit = server.patch(path, json={"planId": plans[1][0]}).json()["change"]["credit"]
    local_api.queues.drain("billing_worker")
    portal = open_portal(customer_id)

    subscription = portal.section("subscription")
    expect(subscription).to_contain_text(f"Credit balance: {_dollars(credit)}")
    expect(subscription).to_contain_text(f"for {_dollars(2000 - credit)}")
    expect(subscription).to_contain_text(f"less {_dollars(credit)} credit")
    portal.screenshot("section-subscription-credit", subscription)
    assert portal.csp_violations() == []


def test_a_customer_applies_a_promotion_code_after_seeing_what_it_takes_off(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    suffix = uuid.uuid4().hex[:8]
    coupon = {
        "id": f"spring-{suffix}",
        "name": "Spring sale",
        "percentOff": 20,
        "duration": "forever",
    }
    server.post("/v1/coupons", json=coupon)
    code = f"SPRING{suffix}".upper()
    server.post("/v1/promotion-codes", json={"code": code, "couponId": coupon["id"]})
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)
    subscription = portal.section("subscription")

    subscription.get_by_label("Promotion code").fill("NOT-A-CODE")
    subscription.get_by_role("button", name="Apply").click()
    expect(portal.portal.get_by_role("alert")).to_contain_text("This promotion code is not valid.")
    subscription.get_by_label("Promotion code").fill(code.lower())
    subscription.get_by_role("button", name="Apply").click()
    expect(portal.dialog).to_contain_text(f"you pay {_dollars(1900 - 380)}")
    expect(portal.dialog).to_contain_text(f"({_dollars(380)} off)")
    portal.screenshot("promotion-code-preview", portal.dialog)
    portal.dialog.get_by_role("button", name="Apply code").click()

    expect(subscription).to_contain_text(f"Discount: Spring sale (code {code})")
    expect(subscription).to_contain_text(f"for {_dollars(1900 - 380)}")
    applied = _subscription(server, customer_id)
    assert applied["coupon"]["promotionCode"] == code
    assert applied["nextInvoice"]["amount"] == 1900 - 380
    assert portal.csp_violations() == []


def test_an_emails_link_opens_the_portal_at_its_section(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer()

    def receipt_link() -> str | None:
        for email in server.get("/_local/emails").json()["items"]:
            if email["to"] == [f"{customer_id}@example.com"] and "receipt" in email["subject"]:
                return next(w for w in email["text"].split() if "/v1/links/" in w)
        return None

    link = eventually(receipt_link, 60)
    assert link
    portal = open_portal(customer_id, url=link)

    invoices = portal.section("invoices")
    expect(invoices).to_be_focused()
    expect(invoices).to_contain_text("Paid")
    assert "token=" not in portal.page.url
    portal.screenshot("email-link-invoices")


def test_the_local_events_page_shows_events_and_emails_as_they_happen(
    browser, local_api: LocalApi, create_customer: Callable[..., dict[str, Any]]
) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{local_api.url}/_local")
        customer = create_customer("watch")["id"]

        events = page.locator("#events")
        expect(events).to_contain_text(f"customer.created · {customer}", timeout=15000)
        expect(page.locator("h1")).to_have_text("billfold local: events and emails")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        page.close()


def test_a_tiered_addon_change_preview_shows_each_tier(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer(
        "starter", addons=[{"addonId": "extra-storage", "quantity": 12}]
    )
    portal = open_portal(customer_id)
    # 12 units of extra storage: 10 x $2.00 + 2 x $1.50 = $23.00 a month
    expect(portal.section("subscription")).to_contain_text(f"12 {TIMES} Extra storage")
    expect(portal.section("subscription")).to_contain_text("$23.00 / month")
    # the add-on held is offered for a quantity change like any other
    expect(portal.section("addons")).to_contain_text("Extra storage")

    portal.portal.get_by_label("Extra storage quantity").fill("60")
    portal.portal.get_by_label("Extra storage quantity").press("Tab")
    portal.portal.get_by_role("button", name="Review add-on changes").click()

    # the credit for the 12 units held, then the charge for 60: 10 x $2.00 = $20.00,
    # 40 x $1.50 = $60.00 (units 11-50) and 10 x $1.00 = $10.00 (units 51 and up)
    rows = portal.dialog.locator("tr.tier")
    expect(rows).to_have_count(5)
    whole = "(, whole period)?"  # a prorated line shows its tiers for the whole period
    dash = "\N{EN DASH}"
    expected = [
        (rf"Tier 1 \(1{dash}10\){whole}: 10 {TIMES} \$2\.00", "$20.00"),
        (rf"Tier 2 \(11{dash}50\){whole}: 2 {TIMES} \$1\.50", "$3.00"),
        (rf"Tier 1 \(1{dash}10\){whole}: 10 {TIMES} \$2\.00", "$20.00"),
        (rf"Tier 2 \(11{dash}50\){whole}: 40 {TIMES} \$1\.50", "$60.00"),
        (rf"Tier 3 \(51\+\){whole}: 10 {TIMES} \$1\.00", "$10.00"),
    ]
    for index, (label, amount) in enumerate(expected):
        expect(rows.nth(index).locator("td").first).to_have_text(re.compile(rf"^{label}$"))
        expect(rows.nth(index).locator("td.amount")).to_have_text(amount)
    portal.screenshot("tiered-addon-preview", portal.dialog)
    portal.dialog.get_by_role("button", name="Go back").click()
    assert _subscription(server, customer_id)["addons"][0]["quantity"] == 12
    assert portal.csp_violations() == []


def test_the_usage_section_shows_a_soft_limits_overage_price(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str]
) -> None:
    portal = open_portal(subscribed_customer("pro"))

    # Pro includes 500,000 API calls, then bills $1.00 for each started 1,000 past them
    calls = portal.section("usage").locator("li").filter(has_text="API calls")
    expect(calls.locator("p.overage")).to_have_text(
        re.compile(r"Past the included amount: \$1\.00\s+per 1,000")
    )
    portal.screenshot("section-usage-overage", portal.section("usage"))
    assert portal.csp_violations() == []


def test_credits_show_balance_expiry_and_ledger_and_a_pack_is_bought_after_confirming(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    expires = datetime.fromisoformat(server.get("/_local/clock").json()["now"]) + timedelta(days=9)
    grant = {
        "creditTypeId": "ai-credits",
        "amount": 120,
        "expiresAt": expires.isoformat(),
        "idempotencyKey": f"browser-{uuid.uuid4().hex}",
    }
    assert server.post(f"/v1/customers/{customer_id}/credit-grants", json=grant).status_code == 201
    portal = open_portal(customer_id)
    credits = portal.section("credits")

    expect(credits).to_contain_text("120 AI credits")
    expect(credits.locator(".expiring")).to_contain_text("120 expire on")
    expect(credits.locator(".ledger tbody tr")).to_have_count(1)
    expect(credits.locator(".ledger")).to_contain_text("Added")
    portal.screenshot("credits", credits)

    credits.get_by_role("button", name="Buy 500 AI credits for $10.00").click()
    expect(portal.dialog).to_contain_text("You pay $10.00 now")
    portal.dialog.get_by_role("button", name="Pay $10.00").click()

    expect(portal.portal.locator(".notice")).to_have_text("500 AI credits were added.")
    expect(portal.section("credits")).to_contain_text("620 AI credits")
    balance = server.get(f"/v1/customers/{customer_id}/credits/ai-credits").json()
    assert balance["balance"] == 620  # 120 granted + 500 bought


def test_a_customer_sets_a_monthly_spend_limit_where_the_seller_allows_it(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    customer_id = subscribed_customer("starter")
    portal = open_portal(customer_id)
    spending = portal.section("spending")
    expect(spending).to_contain_text("No monthly spend limit.")

    spending.get_by_label("Monthly limit (USD)").fill("49.50")
    spending.get_by_role("button", name="Save limit").click()

    expect(portal.portal.locator(".notice")).to_have_text("Your spend limit is saved.")
    expect(portal.section("spending")).to_contain_text("Monthly spend limit: $49.50, $0.00 used")
    saved = server.get(f"/v1/customers/{customer_id}/spend-limit").json()
    assert (saved["monthlyLimit"], saved["currency"]) == (4950, "USD")

    portal.section("spending").get_by_label("Monthly limit (USD)").fill("49.505")
    portal.section("spending").get_by_role("button", name="Save limit").click()
    expect(portal.portal.locator(".toast")).to_have_text("Enter an amount such as 50 or 49.50.")
    assert server.get(f"/v1/customers/{customer_id}/spend-limit").json()["monthlyLimit"] == 4950


def test_the_usage_section_names_the_overage_tier_and_the_next_units_price(
    open_portal: OpenPortal, subscribed_customer: Callable[..., str], server: ApiClient
) -> None:
    uid = uuid.uuid4().hex[:8]
    feature = {
        "id": f"renders-{uid}",
        "name": "Renders",
        "type": "metered",
        "unit": {"singular": "render", "plural": "renders"},
    }
    assert server.post("/v1/features", json=feature).status_code == 201
    tiers = [{"upTo": 5, "unitAmount": 100}, {"unitAmount": 50}]
    entitlement = {
        "featureId": feature["id"],
        "limit": 10,
        "enforcement": "soft",
        "overagePrices": [{"currency": "USD", "model": "graduated", "tiers": tiers}],
    }
    plan = {
        "id": f"tiered-{uid}",
        "name": "Tiered",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 500}],
        "entitlements": [entitlement],
    }
    assert server.post("/v1/plans", json=plan).status_code == 201
    customer_id = subscribed_customer(plan["id"])
    usage = {
        "customerId": customer_id,
        "featureId": feature["id"],
        "value": 17,
        "idempotencyKey": f"tiered-{uid}",
    }
    assert server.post("/v1/usage", json=usage).status_code == 200

    portal = open_portal(customer_id)

    # 17 used, 10 included: 7 over, in tier 2 (units 6 and up); the 8th costs tier 2's $0.50
    renders = portal.section("usage").locator("li").filter(has_text="Renders")
    expect(renders.locator("p.overage")).to_have_text(
        re.compile(r"Overage in Tier 2 \(6\+\)\s+· next unit \$0\.50")
    )
