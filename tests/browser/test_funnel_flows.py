"""The sign-up funnel in Chromium: the demo seller app's pricing table, the checkout it opens
and the portal that follows; the paywall."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from local.dev import LocalApi
from tests.browser.conftest import ARTIFACTS
from tests.conftest import ApiClient

SCREENSHOTS = ARTIFACTS / "funnel"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab that records page errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def fill_card(page: Page, number: str) -> None:
    """Type a card into localstripe's stand-in card element in the checkout."""
    form = page.locator('billfold-checkout [slot="card-form"]')
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "94105"),
    ):
        form.get_by_placeholder(placeholder, exact=True).fill(value)


def test_pricing_table_to_checkout_to_portal(
    page: Page, local_api: LocalApi, server: ApiClient
) -> None:
    page.goto(local_api.demo_app_url)
    table = page.locator("billfold-pricing-table")
    expect(table.locator("[data-plan=pro]").first).to_contain_text("Everything in Starter, plus")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pricing-table.png", full_page=True)

    table.get_by_role("button", name="Choose Starter").click()
    checkout = page.locator("billfold-checkout")
    expect(checkout.locator("[data-role=due]")).to_contain_text("$")
    fill_card(page, "4242424242424242")
    checkout.get_by_role("button", name="subscribe").click()

    expect(page.locator("billfold-portal [data-section=subscription]")).to_contain_text(
        "Starter", timeout=30_000
    )
