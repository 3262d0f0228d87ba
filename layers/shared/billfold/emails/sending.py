"""Sending an event's email once: the event claims its email (a lease, in case the sender dies
before it is done), SES sends it, and the claim becomes `sent`. A redelivered event finds it
sent and sends nothing; a claim whose lease ran out is taken over, so no email is lost."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from billfold.customers.service import find_customer
from billfold.emails.branding import Branding, EmailKind
from billfold.emails.links import View, mint_link
from billfold.emails.messages import Email, compose
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import Condition, ConditionFailed, Delete, Table

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient

LEASE = timedelta(minutes=5)
KEPT_FOR = timedelta(days=30)


class Mailer(Protocol):
    """Sends one email (`SesMailer`)."""

    def send(self, email: Email, branding: Branding) -> None: ...


class SesMailer:
    """Sends through Amazon SES, as one MIME message with a plain-text and an HTML part."""

    def __init__(self, client: "SESClient") -> None:
        self._client = client

    def send(self, email: Email, branding: Branding) -> None:
        """Send `email` from the seller's address (reply-to theirs, when set)."""
        from email.message import EmailMessage  # MIME: loaded with the first email to send
        from email.utils import formataddr

        message = EmailMessage()
        message["Subject"] = email.subject
        message["From"] = formataddr((branding.product_name, branding.from_address))
        message["To"] = email.to
        if branding.reply_to:
            message["Reply-To"] = branding.reply_to
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        self._client.send_raw_email(
            Source=branding.from_address,
            Destinations=[email.to],
            RawMessage={"Data": message.as_bytes()},
        )


def _claim(table: Table, once: str, now: datetime) -> bool:
    """Take the email for sending; False if it was sent, or another sender holds it."""
    key = keys.email_sent(once)
    try:
        table.put(
            {
                **key,
                "kind": "email_sent",
                "status": "sending",
                "lease_until": (now + LEASE).isoformat(),
                TTL_ATTRIBUTE: int((now + KEPT_FOR).timestamp()),
            },
            Condition(
                "attribute_not_exists(pk) OR (#status = :sending AND lease_until < :now)",
                {"#status": "status"},
                {":sending": "sending", ":now": now.isoformat()},
            ),
        )
    except ConditionFailed:
        return False
    return True


def _settle_claim(table: Table, once: str, sent: bool) -> None:
    """Mark the claim sent, or drop it so that the retried event sends the email."""
    key = keys.email_sent(once)
    if sent:
        table.update(
            key, "SET #status = :sent", names={"#status": "status"}, values={":sent": "sent"}
        )
    else:
        table.transact([Delete(key)])


def send_event_email(
    table: Table,
    mailer: Mailer,
    branding: Branding,
    event: dict[str, Any],
    link_to: "LinkMaker",
    now: datetime,
) -> Email | None:
    """Send the email the event calls for, once; the email sent (None: none was due)."""
    customer_id = event.get("customerId")
    customer = find_customer(table, customer_id) if customer_id else None
    if customer is None:
        return None
    email = compose(event, customer, branding, lambda view: link_to(customer.id, view))
    if email is None:
        return None
    once = once_key(email, event)
    if not _claim(table, once, now):
        return None
    try:
        mailer.send(email, branding)
    except Exception:
        _settle_claim(table, once, sent=False)
        raise
    _settle_claim(table, once, sent=True)
    return email


def once_key(email: Email, event: dict[str, Any]) -> str:
    """What an email is sent once for: its event; a cancellation notice, once per
    subscription period (a downgrade scheduled while a cancel is pending is another
    `scheduled_change_created`, but no second "your subscription ends" email)."""
    if email.kind is EmailKind.CANCELLATION_SCHEDULED:
        data = event["data"]
        return f"{email.kind.value}#{data['id']}#{data['currentPeriodEnd']}"
    return str(event["id"])


class LinkMaker:
    """Builds email links: `<api>/v1/links/<token>`, the token signed with the portal secret."""

    def __init__(self, api_url: str, portal_secret: bytes, now: datetime) -> None:
        self._api_url = api_url.rstrip("/")
        self._secret = portal_secret
        self._now = now

    def __call__(self, customer_id: str, view: View) -> str:
        return f"{self._api_url}/v1/links/{mint_link(self._secret, customer_id, view, self._now)}"
