"""Cancel a subscription (at period end by default, or now) and resume a scheduled cancel.

Both are safe to repeat: cancelling what is already cancelling (or canceled) and resuming what
is not cancelling change nothing. An immediate cancel credits nothing (as Stripe without
`prorate`); access ends at once. Either way, a plan that names a fallback plan moves the
subscription there instead of canceling it (`ending.ended`).
"""

from billfold.clock import Clock
from billfold.models import RequestModel
from billfold.storage.table import Table
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.ending import ended
from billfold.subscriptions.models import SubscriptionView
from billfold.subscriptions.reads import current_view, live_subscription, stored_subscription


class CancelRequest(RequestModel):
    """`atPeriodEnd` (default): keep access until the period ends; false: cancel now."""

    at_period_end: bool = True


def cancel_subscription(
    table: Table, customer_id: str, request: CancelRequest, clock: Clock
) -> SubscriptionView:
    """Cancel at period end (a scheduled cancel, undone by resume) or immediately. A pending
    scheduled change is dropped with an immediate cancel and kept (for a resume) otherwise."""
    current = stored_subscription(table, customer_id)
    if current.status == "canceled":
        return current_view(table, current)
    now = clock.now()
    if request.at_period_end:
        if current.cancel_at_period_end:
            return current_view(table, current)
        after = current.model_copy(update={"cancel_at_period_end": True})
    else:
        after = ended(table, current, now)
    return current_view(table, save_change(table, current, after, now))


def resume_subscription(table: Table, customer_id: str, clock: Clock) -> SubscriptionView:
    """Undo a scheduled cancel; a subscription already canceled cannot be resumed (409)."""
    current = live_subscription(table, customer_id)
    if not current.cancel_at_period_end:
        return current_view(table, current)
    after = current.model_copy(update={"cancel_at_period_end": False})
    return current_view(table, save_change(table, current, after, clock.now()))
