"""Browser fixtures: Debian's Chromium, headless, driven by Playwright, on the local stack.

Playwright's own browser downloads are never used: `make test` installs the `chromium` Debian
package and Playwright launches `/usr/bin/chromium`.
"""

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from local.dev import LocalApi
from tests.conftest import ARTIFACTS, ApiClient

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Headless in a sandbox without a network: no calls home, no GPU."""
SCREENSHOTS = ARTIFACTS / "portal"
SECTIONS = ("subscription", "usage", "plans", "addons", "credits", "payment", "invoices")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@dataclass
class PortalPage:
    """The portal opened in a browser tab for one customer, and what the page logged."""

    page: Page
    customer_id: str
    console: list[str] = field(default_factory=list)

    @property
    def portal(self) -> Locator:
        """The <billfold-portal> element (Playwright's locators pierce its shadow root)."""
        return self.page.locator("billfold-portal")

    def section(self, name: str) -> Locator:
        """One section of the portal: subscription, usage, plans, addons, credits, payment,
        invoices."""
        return self.portal.locator(f"[data-section={name}]")

    @property
    def dialog(self) -> Locator:
        """The open confirmation dialog."""
        return self.portal.locator("dialog[open]")

    def screenshot(self, name: str, target: Locator | None = None) -> Path:
        """Save a screenshot of the page, or of one part of it, as a test artifact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if target is None:
            self.page.screenshot(path=path, animations="disabled", full_page=True)
        else:
            target.screenshot(path=path, animations="disabled")
        return path

    def csp_violations(self) -> list[str]:
        """Console messages that report a Content-Security-Policy violation."""
        return [line for line in self.console if "Content Security Policy" in line]


@pytest.fixture
def open_portal(
    browser: Browser, server: ApiClient, local_api: LocalApi
) -> Iterator[Callable[..., PortalPage]]:
    """Open the portal for a customer the way the user's app does: ask for a portal session
    with the server key, then follow its URL (`url=""` opens a blank tab instead)."""
    pages: list[PortalPage] = []

    def open_for(
        customer_id: str, *, width: int = 1100, url: str | None = None, locale: str = "en-US"
    ) -> PortalPage:
        if url is None:
            session = server.post("/v1/portal-sessions", json={"customerId": customer_id})
            assert session.status_code == 201, session.text
            url = session.json()["url"]
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=locale, accept_downloads=True
        )
        opened = PortalPage(context.new_page(), customer_id)
        opened.page.on("console", lambda message: opened.console.append(message.text))
        opened.page.on("pageerror", lambda error: opened.console.append(f"pageerror: {error}"))
        pages.append(opened)
        if url:
            opened.page.goto(url)
        return opened

    yield open_for
    for opened in pages:
        opened.page.context.close()


@pytest.fixture
def subscribed_customer(
    create_customer: Callable[..., dict[str, Any]], server: ApiClient, local_api: LocalApi
) -> Callable[..., str]:
    """A customer with a card and a subscription (billed, so it has its first invoice)."""

    def subscribe(
        plan: str = "starter", card: str | None = "4242424242424242", **order: Any
    ) -> str:
        customer = create_customer("portal", card=card)
        body = {"planId": plan, "billingPeriod": "monthly", "currency": "USD", "trialDays": 0}
        response = server.post(
            f"/v1/customers/{customer['id']}/subscription", json={**body, **order}
        )
        assert response.status_code == 201, response.text
        local_api.queues.drain("billing_worker")
        return str(customer["id"])

    return subscribe
