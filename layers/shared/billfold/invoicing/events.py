"""What an invoice change tells the seller's app: the events read off the invoice before and
after the change, written in the change's own write (`service.save_invoice`, `issuing`)."""

from datetime import datetime

from billfold.invoicing.models import Invoice
from billfold.outbox import EventType, event_put
from billfold.storage.table import Put


def change_types(before: Invoice | None, after: Invoice) -> list[EventType]:
    """The invoice events of the change from `before` (None: just issued) to `after`."""
    found: list[EventType] = []
    if before is None:
        found.append(EventType.INVOICE_FINALIZED)
    was = before.status if before else "open"
    if after.status != was:
        found += {
            "paid": [EventType.INVOICE_PAID],
            "void": [EventType.INVOICE_VOIDED],
            "uncollectible": [EventType.INVOICE_UNCOLLECTIBLE],
        }.get(after.status, [])
    attempt_before = (before.payment.attempts, before.payment.status) if before else (0, "none")
    attempt_after = (after.payment.attempts, after.payment.status)
    if attempt_after != attempt_before:
        found += {
            "failed": [EventType.INVOICE_PAYMENT_FAILED],
            "requires_action": [EventType.INVOICE_PAYMENT_ACTION_REQUIRED],
        }.get(after.payment.status, [])
    return found


def change_events(before: Invoice | None, after: Invoice, now: datetime) -> list[Put]:
    """The outbox items of an invoice change."""
    data = after.model_dump(mode="json", by_alias=True)
    return [
        event_put(event_type, after.customer_id, data, now)
        for event_type in change_types(before, after)
    ]
