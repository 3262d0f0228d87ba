"""Which event sends which email, and what it says: the figures each template shows, rendered
from the templates in `templates/` (an HTML and a plain-text part each)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from billfold.customers.models import Customer
from billfold.emails.branding import Branding, EmailKind
from billfold.emails.links import View
from billfold.outbox import EventType

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"

LinkTo = Callable[[View], str]
"""The URL that opens a section of the customer's portal."""


@dataclass(frozen=True)
class Email:
    """One email, ready to send."""

    kind: EmailKind
    to: str
    subject: str
    html: str
    text: str


@cache
def _environment() -> "Environment":
    """The templates' environment, loaded on the first email (an event that sends none, or a
    cold start, does not pay for Jinja2)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def kind_of(event: Mapping[str, Any]) -> EmailKind | None:
    """The email an event sends, if any (an invoice with nothing to pay sends none)."""
    event_type, data = event["type"], event["data"]
    if event_type == EventType.INVOICE_FINALIZED:
        return EmailKind.INVOICE_FINALIZED if data["amountDue"] > 0 else None
    if event_type == EventType.INVOICE_PAID:
        return EmailKind.INVOICE_PAID if data["amountPaid"] > 0 else None
    if event_type == EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED:
        return EmailKind.CANCELLATION_SCHEDULED if data["cancelAtPeriodEnd"] else None
    return {
        EventType.INVOICE_PAYMENT_FAILED: EmailKind.PAYMENT_FAILED,
        EventType.INVOICE_PAYMENT_ACTION_REQUIRED: EmailKind.PAYMENT_ACTION_REQUIRED,
        EventType.SUBSCRIPTION_TRIAL_WILL_END: EmailKind.TRIAL_WILL_END,
        EventType.PAYMENT_METHOD_EXPIRING: EmailKind.CARD_EXPIRING,
        EventType.SUBSCRIPTION_CANCELED: EmailKind.SUBSCRIPTION_CANCELED,
    }.get(event_type)


def _figures(kind: EmailKind, data: Mapping[str, Any], fmt: "_Formats") -> dict[str, Any]:
    """What the kind's template shows, formatted for the customer."""
    if kind in (
        EmailKind.INVOICE_FINALIZED,
        EmailKind.INVOICE_PAID,
        EmailKind.PAYMENT_FAILED,
        EmailKind.PAYMENT_ACTION_REQUIRED,
    ):
        currency = data["currency"]
        payment = data["payment"]
        retry = _when(payment.get("nextAttemptAt"))
        return {
            "number": data["number"],
            "date": fmt.day(_when(data["createdAt"])),
            "lines": [
                {"description": line["description"], "amount": fmt.money(line["amount"], currency)}
                for line in data["lines"]
            ],
            "total": fmt.money(data["total"], currency),
            "amount_due": fmt.money(data["amountDue"], currency),
            "amount_paid": fmt.money(data["amountPaid"], currency),
            "reason": payment.get("failureMessage") or "",
            "next_attempt": fmt.day(retry) if retry else "",
        }
    if kind is EmailKind.CARD_EXPIRING:
        return {
            "brand_name": str(data["brand"]).title(),
            "last4": data["last4"],
            "expiry": f"{int(data['expMonth']):02d}/{data['expYear']}",
        }
    period_total = data["price"] + sum(a["unitAmount"] * a["quantity"] for a in data["addons"])
    return {
        "plan": data["planName"],
        "trial_end": fmt.day(_when(data.get("trialEnd"))),
        "period_end": fmt.day(_when(data["currentPeriodEnd"])),
        "canceled_at": fmt.day(_when(data.get("canceledAt")) or _when(data["updatedAt"])),
        "price": fmt.money(period_total, data["currency"]),
        "billing_period": "year" if data["billingPeriod"] == "annual" else "month",
    }


@dataclass(frozen=True)
class _Formats:
    locale_tag: str | None
    default: str

    def money(self, amount: int, currency: str) -> str:
        from billfold.emails import formatting  # Babel: loaded on the first email

        locale = formatting.locale_of(self.locale_tag, self.default)
        return formatting.money(amount, currency, locale)

    def day(self, moment: datetime | None) -> str:
        from billfold.emails import formatting

        locale = formatting.locale_of(self.locale_tag, self.default)
        return formatting.day(moment, locale) if moment else ""


SUBJECTS: dict[EmailKind, str] = {
    EmailKind.INVOICE_FINALIZED: "Your {product} invoice {number}",
    EmailKind.INVOICE_PAID: "Your {product} receipt for {number}",
    EmailKind.PAYMENT_FAILED: "Your payment to {product} failed",
    EmailKind.PAYMENT_ACTION_REQUIRED: "Confirm your payment to {product}",
    EmailKind.TRIAL_WILL_END: "Your {product} trial ends on {trial_end}",
    EmailKind.CARD_EXPIRING: "Your card for {product} expires soon",
    EmailKind.SUBSCRIPTION_CANCELED: "Your {product} subscription is canceled",
    EmailKind.CANCELLATION_SCHEDULED: "Your {product} subscription ends on {period_end}",
}

VIEW_OF: dict[EmailKind, View] = {
    EmailKind.INVOICE_FINALIZED: "invoices",
    EmailKind.INVOICE_PAID: "invoices",
    EmailKind.PAYMENT_FAILED: "payment",
    EmailKind.PAYMENT_ACTION_REQUIRED: "invoices",
    EmailKind.TRIAL_WILL_END: "payment",
    EmailKind.CARD_EXPIRING: "payment",
    EmailKind.SUBSCRIPTION_CANCELED: "subscription",
    EmailKind.CANCELLATION_SCHEDULED: "subscription",
}
"""The portal section each email's button opens."""


def compose(
    event: Mapping[str, Any], customer: Customer, branding: Branding, link_to: LinkTo
) -> Email | None:
    """The email an event sends the customer, or None (no such email, or switched off)."""
    kind = kind_of(event)
    if kind is None or kind not in branding.kinds:
        return None
    figures = _figures(kind, event["data"], _Formats(customer.locale, branding.default_locale))
    context = {
        **figures,
        "kind": kind.value,
        "brand": branding,
        "customer_name": customer.name,
        "link": link_to(VIEW_OF[kind]),
    }
    subject = SUBJECTS[kind].format(product=branding.product_name, **figures)
    environment = _environment()
    return Email(
        kind=kind,
        to=customer.email,
        subject=subject,
        html=environment.get_template(f"{kind.value}.html").render(subject=subject, **context),
        text=environment.get_template(f"{kind.value}.txt").render(subject=subject, **context),
    )
