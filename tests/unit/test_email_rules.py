"""Emails without SES: which event sends which email, what it says in the customer's locale,
the links in it, and the seller's branding."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from billfold import config
from billfold.auth.portal_tokens import mint_portal_token, verify_portal_token
from billfold.customers.models import Customer
from billfold.emails.branding import Branding, EmailKind
from billfold.emails.links import LINK_PREFIX, LinkClaims, mint_link, verify_link
from billfold.emails.messages import SUBJECTS, Email, compose
from billfold.outbox import EventType
from billfold.payments.payment_methods import Card
from tests.builders import NOW, PERIOD_END, invoice, subscription

SECRET = b"portal-signing-secret-for-unit-tests"
BRANDING = Branding(product_name="Acme Cloud", from_address="billing@acme.test")
LINK_BASE = "https://api.acme.test/v1/links/"


def _link_to(view: str) -> str:
    return f"{LINK_BASE}bf_ln_{view}"


def _customer(locale: str | None = "en-US", name: str = "Eve Example") -> Customer:
    return Customer(
        id="eve",
        email="eve@example.test",
        name=name,
        metadata={},
        locale=locale,
        stripe_customer_id="cus_123",
        created_at=NOW,
        updated_at=NOW,
    )


def _invoice(**overrides: Any) -> dict[str, Any]:
    fields = {"customer_id": "eve", **overrides}
    return invoice(**fields).model_dump(mode="json", by_alias=True)


def _subscription(**overrides: Any) -> dict[str, Any]:
    fields = {"customer_id": "eve", "updated_at": NOW, **overrides}
    return subscription(**fields).model_dump(mode="json", by_alias=True)


def _card() -> dict[str, Any]:
    card = Card(id="pm_1", brand="visa", last4="4242", exp_month=2, exp_year=2030, is_default=True)
    return card.model_dump(mode="json", by_alias=True)


def _event(event_type: EventType, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "type": event_type.value,
        "apiVersion": "2030-01-01",
        "createdAt": "2030-01-15T12:00:00Z",
        "customerId": "eve",
        "sequence": 1,
        "data": data,
    }


def _compose(
    event_type: EventType,
    data: dict[str, Any],
    customer: Customer | None = None,
    branding: Branding = BRANDING,
) -> Email | None:
    return compose(_event(event_type, data), customer or _customer(), branding, _link_to)


def _sent(event_type: EventType, data: dict[str, Any], **options: Any) -> Email:
    email = _compose(event_type, data, **options)
    assert email is not None
    return email


EVERY_KIND: list[tuple[EmailKind, EventType, dict[str, Any]]] = [
    (EmailKind.INVOICE_FINALIZED, EventType.INVOICE_FINALIZED, _invoice()),
    (
        EmailKind.INVOICE_PAID,
        EventType.INVOICE_PAID,
        _invoice(status="paid", amount_due=0, amount_paid=1900, paid_at=NOW),
    ),
    (
        EmailKind.PAYMENT_FAILED,
        EventType.INVOICE_PAYMENT_FAILED,
        _invoice(payment={"status": "failed", "attempts": 1, "failure_message": "Card declined"}),
    ),
    (
        EmailKind.PAYMENT_ACTION_REQUIRED,
        EventType.INVOICE_PAYMENT_ACTION_REQUIRED,
        _invoice(payment={"status": "requires_action", "attempts": 1}),
    ),
    (
        EmailKind.TRIAL_WILL_END,
        EventType.SUBSCRIPTION_TRIAL_WILL_END,
        _subscription(status="trialing", trial_end=PERIOD_END),
    ),
    (EmailKind.CARD_EXPIRING, EventType.PAYMENT_METHOD_EXPIRING, _card()),
    (
        EmailKind.SUBSCRIPTION_CANCELED,
        EventType.SUBSCRIPTION_CANCELED,
        _subscription(status="canceled", canceled_at=NOW),
    ),
    (
        EmailKind.CANCELLATION_SCHEDULED,
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED,
        _subscription(cancel_at_period_end=True),
    ),
]
KIND_IDS = [kind.value for kind, _, _ in EVERY_KIND]


def test_every_kind_of_email_has_an_event_here() -> None:
    assert {kind for kind, _, _ in EVERY_KIND} == set(EmailKind)


# Which event sends which email -----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "event_type", "data"), EVERY_KIND, ids=KIND_IDS)
def test_each_kind_renders_both_parts_to_the_customer(
    kind: EmailKind, event_type: EventType, data: dict[str, Any]
) -> None:
    email = _sent(event_type, data)

    assert email.kind is kind
    assert email.to == "eve@example.test"
    assert email.html.lstrip().startswith("<!doctype html>")
    assert "Hello Eve Example," in email.text
    assert "Acme Cloud" in email.html
    assert "Acme Cloud" in email.text
    assert "<" not in email.text


@pytest.mark.parametrize(("kind", "event_type", "data"), EVERY_KIND, ids=KIND_IDS)
def test_each_kind_links_to_its_portal_section_in_both_parts(
    kind: EmailKind, event_type: EventType, data: dict[str, Any]
) -> None:
    email = _sent(event_type, data)
    views = {"payment", "invoices", "subscription"}
    linked = {view for view in views if _link_to(view) in email.html}

    assert len(linked) == 1
    assert f'href="{_link_to(linked.pop())}"' in email.html
    assert sum(_link_to(view) in email.text for view in views) == 1


@pytest.mark.parametrize(
    ("event_type", "data", "view"),
    [
        (EventType.INVOICE_FINALIZED, _invoice(), "invoices"),
        (EventType.INVOICE_PAYMENT_FAILED, _invoice(payment={"status": "failed"}), "payment"),
        (EventType.PAYMENT_METHOD_EXPIRING, _card(), "payment"),
        (EventType.SUBSCRIPTION_CANCELED, _subscription(status="canceled"), "subscription"),
    ],
)
def test_the_button_opens_the_section_the_email_is_about(
    event_type: EventType, data: dict[str, Any], view: str
) -> None:
    email = _sent(event_type, data)

    assert _link_to(view) in email.html
    assert _link_to(view) in email.text


@pytest.mark.parametrize(("kind", "event_type", "data"), EVERY_KIND, ids=KIND_IDS)
def test_a_kind_switched_off_sends_nothing(
    kind: EmailKind, event_type: EventType, data: dict[str, Any]
) -> None:
    branding = Branding("Acme Cloud", "billing@acme.test", kinds=frozenset(EmailKind) - {kind})

    assert _compose(event_type, data, branding=branding) is None


def test_with_every_kind_switched_off_nothing_is_sent() -> None:
    branding = Branding("Acme Cloud", "billing@acme.test", kinds=frozenset())

    assert _compose(EventType.INVOICE_FINALIZED, _invoice(), branding=branding) is None


def test_an_invoice_with_nothing_due_sends_no_finalized_email() -> None:
    data = _invoice(status="paid", amount_due=0, credit_applied=1900, paid_at=NOW)

    assert _compose(EventType.INVOICE_FINALIZED, data) is None


def test_an_invoice_paid_with_nothing_charged_sends_no_receipt() -> None:
    data = _invoice(status="paid", amount_due=0, amount_paid=0, credit_applied=1900, paid_at=NOW)

    assert _compose(EventType.INVOICE_PAID, data) is None


def test_a_scheduled_downgrade_sends_no_cancellation_email() -> None:
    scheduled = {
        "effective_at": PERIOD_END,
        "plan_id": "basic",
        "plan_version": 1,
        "plan_name": "Basic",
        "billing_period": "monthly",
        "price": 900,
        "addons": [],
    }

    assert (
        _compose(
            EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED,
            _subscription(scheduled_change=scheduled),
        )
        is None
    )


@pytest.mark.parametrize(
    "event_type",
    [EventType.SUBSCRIPTION_UPDATED, EventType.SUBSCRIPTION_RENEWED, EventType.INVOICE_VOIDED],
)
def test_events_without_an_email_send_none(event_type: EventType) -> None:
    data = _invoice() if event_type.value.startswith("invoice.") else _subscription()

    assert _compose(event_type, data) is None


# Subjects --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "data", "subject"),
    [
        (EventType.INVOICE_FINALIZED, _invoice(), "Your Acme Cloud invoice ACME-0042"),
        (
            EventType.INVOICE_PAID,
            _invoice(status="paid", amount_paid=1900),
            "Your Acme Cloud receipt for ACME-0042",
        ),
        (
            EventType.INVOICE_PAYMENT_FAILED,
            _invoice(payment={"status": "failed"}),
            "Your payment to Acme Cloud failed",
        ),
        (
            EventType.SUBSCRIPTION_TRIAL_WILL_END,
            _subscription(status="trialing", trial_end=PERIOD_END),
            "Your Acme Cloud trial ends on February 1, 2030",
        ),
        (
            EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED,
            _subscription(cancel_at_period_end=True),
            "Your Acme Cloud subscription ends on February 1, 2030",
        ),
    ],
)
def test_the_subject_names_the_product_and_what_happened(
    event_type: EventType, data: dict[str, Any], subject: str
) -> None:
    email = _sent(event_type, data)

    assert email.subject == subject
    assert f"<title>{subject}</title>" in email.html


def test_every_kind_has_a_subject_naming_the_product() -> None:
    assert set(SUBJECTS) == set(EmailKind)
    assert all("{product}" in subject for subject in SUBJECTS.values())


def test_a_subject_date_follows_the_customer_locale() -> None:
    data = _subscription(status="trialing", trial_end=PERIOD_END)

    email = _sent(EventType.SUBSCRIPTION_TRIAL_WILL_END, data, customer=_customer("de-DE"))

    assert email.subject == "Your Acme Cloud trial ends on 1. Februar 2030"


# Figures ---------------------------------------------------------------------------------------


def test_an_invoice_in_euros_for_a_german_customer_uses_german_figures() -> None:
    lines = [
        {
            "kind": "charge",
            "description": "Team",
            "quantity": 1,
            "unit_amount": 123456,
            "amount": 123456,
        },
    ]
    data = _invoice(currency="EUR", lines=lines, subtotal=123456, total=123456, amount_due=123456)

    email = _sent(EventType.INVOICE_FINALIZED, data, customer=_customer("de-DE"))

    assert "1.234,56" in email.html
    assert "1.234,56" in email.text
    assert "€" in email.text
    assert "15. Januar 2030" in email.text


def test_an_invoice_in_dollars_for_an_american_customer_shows_dollars_and_cents() -> None:
    email = _sent(EventType.INVOICE_FINALIZED, _invoice())

    assert "$19.00 will be charged" in email.text
    assert "<strong>$19.00</strong> will be charged" in email.html
    assert "Pro (monthly): $19.00" in email.text
    assert "Total: $19.00" in email.text
    assert "January 15, 2030" in email.text


def test_yen_have_no_decimals() -> None:
    lines = [
        {
            "kind": "charge",
            "description": "Pro",
            "quantity": 1,
            "unit_amount": 1900,
            "amount": 1900,
        },
    ]
    data = _invoice(currency="JPY", lines=lines)

    email = _sent(EventType.INVOICE_FINALIZED, data)

    assert "¥1,900" in email.text
    assert "19.00" not in email.text
    assert "1,900.00" not in email.text


def test_a_customer_without_a_locale_gets_the_deployment_default() -> None:
    branding = Branding("Acme Cloud", "billing@acme.test", default_locale="de-DE")
    data = _invoice(currency="EUR", amount_due=123456)

    email = _sent(EventType.INVOICE_FINALIZED, data, customer=_customer(None), branding=branding)

    assert "1.234,56\xa0€ will be charged" in email.text


def test_a_credit_line_is_shown_negative() -> None:
    lines = [
        {
            "kind": "charge",
            "description": "Team",
            "quantity": 1,
            "unit_amount": 4900,
            "amount": 4900,
        },
        {
            "kind": "credit",
            "description": "Unused Pro",
            "quantity": 1,
            "unit_amount": -1000,
            "amount": -1000,
        },
    ]
    data = _invoice(lines=lines, subtotal=3900, total=3900, amount_due=3900)

    email = _sent(EventType.INVOICE_FINALIZED, data)

    assert "Unused Pro: -$10.00" in email.text
    assert "Total: $39.00" in email.text


def test_a_receipt_shows_what_was_paid() -> None:
    data = _invoice(status="paid", amount_due=1900, amount_paid=1900, paid_at=NOW)

    email = _sent(EventType.INVOICE_PAID, data)

    assert "we received $19.00 for invoice ACME-0042" in email.text


def test_a_failed_payment_gives_the_reason_and_the_next_attempt() -> None:
    payment = {
        "status": "failed",
        "attempts": 1,
        "failure_message": "Your card was declined.",
        "next_attempt_at": datetime(2030, 1, 18, tzinfo=UTC),
    }

    email = _sent(EventType.INVOICE_PAYMENT_FAILED, _invoice(payment=payment))

    assert "We could not charge $19.00 for invoice ACME-0042: Your card was declined.." in (
        email.text
    )
    assert "We will try again on January 18, 2030." in email.text


def test_a_failed_payment_without_a_retry_does_not_promise_one() -> None:
    email = _sent(EventType.INVOICE_PAYMENT_FAILED, _invoice(payment={"status": "failed"}))

    assert "try again" not in email.text
    assert "Please update your card" in email.text


def test_a_payment_needing_confirmation_shows_the_amount() -> None:
    data = _invoice(payment={"status": "requires_action", "attempts": 1})

    email = _sent(EventType.INVOICE_PAYMENT_ACTION_REQUIRED, data)

    assert "confirm the payment of $19.00 for invoice ACME-0042" in email.text


def test_a_trial_ending_shows_the_price_of_a_period_with_addons() -> None:
    addons = [
        {"addon_id": "seats", "version": 1, "name": "Seats", "quantity": 3, "unit_amount": 500}
    ]
    data = _subscription(
        status="trialing",
        trial_end=PERIOD_END,
        billing_period="annual",
        price=19000,
        addons=addons,
    )

    email = _sent(EventType.SUBSCRIPTION_TRIAL_WILL_END, data)

    assert "Your trial of Pro ends on February 1, 2030" in email.text
    assert "Then it costs $205.00 a year." in email.text


def test_an_expiring_card_shows_brand_last_digits_and_expiry() -> None:
    email = _sent(EventType.PAYMENT_METHOD_EXPIRING, _card())

    assert "Your Visa card ending in 4242 expires at the end of 02/2030" in email.text
    assert "<strong>4242</strong>" in email.html


def test_a_cancellation_shows_the_day_it_happened() -> None:
    data = _subscription(status="canceled", canceled_at=datetime(2030, 1, 20, tzinfo=UTC))

    email = _sent(EventType.SUBSCRIPTION_CANCELED, data)

    assert "Your Pro subscription was canceled on January 20, 2030" in email.text


def test_a_scheduled_cancellation_shows_the_end_of_the_period() -> None:
    email = _sent(
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED, _subscription(cancel_at_period_end=True)
    )

    assert "Your Pro subscription ends on February 1, 2030" in email.text


# Escaping and branding -------------------------------------------------------------------------


def test_html_escapes_the_customer_name_and_text_keeps_it() -> None:
    customer = _customer(name="<b>Eve</b>")

    email = _sent(EventType.INVOICE_FINALIZED, _invoice(), customer=customer)

    assert "<b>Eve</b>" not in email.html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in email.html
    assert "Hello <b>Eve</b>," in email.text


def test_html_escapes_invoice_line_descriptions() -> None:
    lines = [
        {
            "kind": "charge",
            "description": "<script>x()</script>",
            "quantity": 1,
            "unit_amount": 1900,
            "amount": 1900,
        },
    ]

    email = _sent(EventType.INVOICE_FINALIZED, _invoice(lines=lines))

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_the_brand_accent_logo_and_reply_to_are_used() -> None:
    branding = Branding(
        "Acme Cloud",
        "billing@acme.test",
        reply_to="help@acme.test",
        logo_url="https://acme.test/logo.png",
        accent="#ff6600",
    )

    email = _sent(EventType.INVOICE_FINALIZED, _invoice(), branding=branding)

    assert "#ff6600" in email.html
    assert '<img src="https://acme.test/logo.png" alt="Acme Cloud"' in email.html
    assert "questions: help@acme.test" in email.text


# Links -----------------------------------------------------------------------------------------


def test_a_minted_link_verifies_to_its_customer_and_view() -> None:
    token = mint_link(SECRET, "eve", "invoices", NOW)

    assert token.startswith(LINK_PREFIX)
    assert verify_link(SECRET, token, NOW) == LinkClaims("eve", "invoices")


def test_a_link_is_valid_for_30_days() -> None:
    token = mint_link(SECRET, "eve", "payment", NOW)

    assert verify_link(SECRET, token, NOW + timedelta(days=30) - timedelta(seconds=1))
    assert verify_link(SECRET, token, NOW + timedelta(days=30)) is None


def test_a_link_under_another_secret_is_refused() -> None:
    token = mint_link(SECRET, "eve", "payment", NOW)

    assert verify_link(b"another-secret", token, NOW) is None


def _tampered(token: str, **claims: Any) -> str:
    payload, _, signature = token.removeprefix(LINK_PREFIX).partition(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw = json.dumps({**decoded, **claims}, separators=(",", ":")).encode()
    forged = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{LINK_PREFIX}{forged}.{signature}"


@pytest.mark.parametrize(
    "claims",
    [{"sub": "mallory"}, {"view": "subscription"}, {"exp": 4_102_444_800}],
    ids=["customer", "view", "expiry"],
)
def test_a_link_with_tampered_claims_is_refused(claims: dict[str, Any]) -> None:
    token = mint_link(SECRET, "eve", "payment", NOW)

    assert verify_link(SECRET, _tampered(token, **claims), NOW) is None


def test_a_link_with_a_tampered_signature_is_refused() -> None:
    token = mint_link(SECRET, "eve", "payment", NOW)
    last = "A" if token[-1] != "A" else "B"

    assert verify_link(SECRET, token[:-1] + last, NOW) is None


@pytest.mark.parametrize("token", ["", "bf_ln_", "bf_ln_abc", "bf_ln_abc.def", "not a link"])
def test_garbage_is_not_a_link(token: str) -> None:
    assert verify_link(SECRET, token, NOW) is None


def test_a_portal_token_is_not_a_link() -> None:
    portal_token = mint_portal_token(SECRET, "eve", NOW + timedelta(hours=1))

    assert portal_token.startswith("bf_pt_")
    assert verify_link(SECRET, portal_token, NOW) is None
    assert verify_link(SECRET, LINK_PREFIX + portal_token.removeprefix("bf_pt_"), NOW) is None


def test_a_link_is_not_a_portal_token() -> None:
    link = mint_link(SECRET, "eve", "payment", NOW)

    assert verify_portal_token(SECRET, link, NOW) is None
    assert verify_portal_token(SECRET, "bf_pt_" + link.removeprefix(LINK_PREFIX), NOW) is None


# Branding from the environment -----------------------------------------------------------------

SELLER = {config.ENV_SELLER_NAME: "Acme Inc.", config.ENV_SELLER_EMAIL: "billing@acme.test"}


def test_branding_defaults_to_the_seller_and_every_kind() -> None:
    branding = Branding.from_env(SELLER)

    assert branding.product_name == "Acme Inc."
    assert branding.from_address == "billing@acme.test"
    assert branding.accent == "#4f46e5"
    assert branding.kinds == frozenset(EmailKind)


def test_branding_settings_override_the_seller() -> None:
    branding = Branding.from_env(
        {
            **SELLER,
            config.ENV_BRAND_NAME: "Acme Cloud",
            config.ENV_EMAIL_FROM: "no-reply@acme.test",
            config.ENV_EMAIL_REPLY_TO: "help@acme.test",
            config.ENV_BRAND_LOGO_URL: "https://acme.test/logo.png",
            config.ENV_BRAND_ACCENT: "#FF6600",
        }
    )

    assert branding == Branding(
        product_name="Acme Cloud",
        from_address="no-reply@acme.test",
        reply_to="help@acme.test",
        logo_url="https://acme.test/logo.png",
        accent="#FF6600",
    )


def test_emails_none_switches_every_kind_off() -> None:
    assert Branding.from_env({**SELLER, config.ENV_EMAILS: "none"}).kinds == frozenset()


def test_emails_all_switches_every_kind_on() -> None:
    assert Branding.from_env({**SELLER, config.ENV_EMAILS: " all "}).kinds == frozenset(EmailKind)


def test_emails_may_list_the_kinds_to_send() -> None:
    env = {**SELLER, config.ENV_EMAILS: "invoice_paid, payment_failed,"}

    assert Branding.from_env(env).kinds == {EmailKind.INVOICE_PAID, EmailKind.PAYMENT_FAILED}


def test_an_unknown_kind_of_email_is_refused() -> None:
    with pytest.raises(ValueError, match="invoice_payed"):
        Branding.from_env({**SELLER, config.ENV_EMAILS: "invoice_payed"})


@pytest.mark.parametrize("accent", ["red", "#fff", "4f46e5", "#4f46e5aa", "#gggggg", ""])
def test_an_accent_that_is_not_a_hex_colour_is_refused(accent: str) -> None:
    with pytest.raises(ValueError, match=config.ENV_BRAND_ACCENT):
        Branding.from_env({**SELLER, config.ENV_BRAND_ACCENT: accent})


def test_a_sender_name_with_a_comma_is_one_mailbox():
    from email import message_from_bytes, policy

    from billfold.emails.sending import SesMailer

    class RecordingSes:
        def __init__(self) -> None:
            self.sent: list[bytes] = []

        def send_raw_email(self, **request: Any) -> None:
            self.sent.append(request["RawMessage"]["Data"])

    ses = RecordingSes()
    email = Email(EmailKind.INVOICE_PAID, "eve@example.com", "Receipt", "<p>hi</p>", "hi")
    branding = Branding(product_name="Acme, Inc.", from_address="billing@acme.example")

    SesMailer(ses).send(email, branding)  # type: ignore[arg-type]

    sender = message_from_bytes(ses.sent[0], policy=policy.default)["From"]
    [mailbox] = sender.addresses
    assert (mailbox.display_name, mailbox.addr_spec) == ("Acme, Inc.", "billing@acme.example")


def test_a_cancellation_notice_is_sent_once_per_subscription_period():
    from billfold.emails.sending import once_key

    notice = Email(EmailKind.CANCELLATION_SCHEDULED, "eve@example.com", "Ends", "", "")
    receipt = Email(EmailKind.INVOICE_PAID, "eve@example.com", "Receipt", "", "")
    data = {"id": "sub_1", "currentPeriodEnd": "2030-02-01T00:00:00Z"}
    first = {"id": "evt_1", "data": data}
    second = {"id": "evt_2", "data": data}  # a downgrade scheduled while the cancel is pending

    assert once_key(notice, first) == once_key(notice, second)
    assert once_key(receipt, first) != once_key(receipt, second)
