"""What a subscription change tells the seller's app: the events read off the subscription
before and after the change, written in the change's own transaction (`changes.py`).

Reading them off the two states, in the one function every change goes through, means no
write path can forget an event, and a change that writes nothing publishes nothing.
"""

from datetime import datetime, timedelta

from billfold.entitlements import materialized
from billfold.notices import notice_delete, notice_put
from billfold.outbox import EventType, event_put
from billfold.storage.table import Delete, Put
from billfold.subscriptions.models import Subscription

TRIAL_NOTICE_AHEAD = timedelta(days=3)
"""`subscription.trial_will_end` is published this long before the trial ends."""
TRIAL_NOTICE = "trial_will_end"


def _terms(subscription: Subscription) -> tuple[object, ...]:
    """What the subscription sells: a change to any of it is `subscription.updated`."""
    held = sorted((a.addon_id, a.version, a.quantity) for a in subscription.addons)
    coupon = subscription.coupon.model_dump() if subscription.coupon else None
    return (
        subscription.plan_id,
        subscription.plan_version,
        subscription.billing_period,
        subscription.price,
        tuple(held),
        coupon,
    )


def _entitling(subscription: Subscription) -> tuple[object, ...]:
    """What the customer's entitlements are computed from."""
    held = sorted((a.addon_id, a.version, a.quantity) for a in subscription.addons)
    return (subscription.plan_id, subscription.plan_version, tuple(held), subscription.status)


def change_types(before: Subscription | None, after: Subscription) -> list[EventType]:
    """The subscription events of the change from `before` (None: created) to `after`."""
    if before is None:
        return [EventType.SUBSCRIPTION_CREATED]
    found: list[EventType] = []
    rolled = after.current_period_start >= before.current_period_end
    """The period ended: what was scheduled for its end (a change, a cancel) took effect."""
    ended_trial = before.status == "trialing" and after.status != "trialing"
    if ended_trial and after.status != "canceled":
        found.append(EventType.SUBSCRIPTION_TRIAL_ENDED)
    elif rolled and after.status != "canceled":
        found.append(EventType.SUBSCRIPTION_RENEWED)  # not a cycle an upgrade restarted
    if _terms(before) != _terms(after):
        found.append(EventType.SUBSCRIPTION_UPDATED)
    if after.status == "past_due" and before.status != "past_due":
        found.append(EventType.SUBSCRIPTION_PAST_DUE)
    if after.status == "canceled" and before.status != "canceled":
        found.append(EventType.SUBSCRIPTION_CANCELED)
    elif (
        before.cancel_at_period_end
        and not after.cancel_at_period_end
        and not rolled
        and after.plan_id == before.plan_id  # not moved to the fallback plan by a cancel now
    ):
        found.append(EventType.SUBSCRIPTION_RESUMED)  # undone, not carried out (a fallback)
    elif after.cancel_at_period_end and not before.cancel_at_period_end:
        found.append(EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED)
    if after.scheduled_change is not None and after.scheduled_change != before.scheduled_change:
        found.append(EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED)
    if before.scheduled_change is not None and after.scheduled_change is None and not rolled:
        found.append(EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CANCELED)
    if before.status == "past_due" and after.status == "active" and not found:
        found.append(EventType.SUBSCRIPTION_UPDATED)
    return list(dict.fromkeys(found))


def entitlements_changed(before: Subscription | None, after: Subscription) -> bool:
    """Whether the change alters what the customer's entitlements are computed from."""
    return before is None or _entitling(before) != _entitling(after)


def change_events(
    before: Subscription | None, after: Subscription, now: datetime, entitlements: Put | None
) -> list[Put | Delete]:
    """The outbox items of a subscription change (and its rewritten entitlements, if they
    changed), with the trial notice kept in step with the trial."""
    data = after.model_dump(mode="json", by_alias=True)
    writes: list[Put | Delete] = [
        event_put(event_type, after.customer_id, data, now)
        for event_type in change_types(before, after)
    ]
    if entitlements is not None and entitlements_changed(before, after):
        document = materialized.parse(entitlements.item)
        writes.append(event_put(EventType.ENTITLEMENTS_UPDATED, after.customer_id, document, now))
    return writes + _trial_notice(before, after)


def _trial_notice(before: Subscription | None, after: Subscription) -> list[Put | Delete]:
    """The notice that publishes `subscription.trial_will_end`, written when a trial starts
    (or moves) and dropped when it stops; the billing run publishes it when it falls due."""
    trial_before = before.trial_end if before and before.status == "trialing" else None
    trial_after = after.trial_end if after.status == "trialing" else None
    if trial_before == trial_after:
        return []
    if trial_after is None:
        return [notice_delete(after.customer_id, TRIAL_NOTICE)]
    due = trial_after - TRIAL_NOTICE_AHEAD
    event_type = EventType.SUBSCRIPTION_TRIAL_WILL_END
    return [notice_put(after.customer_id, TRIAL_NOTICE, event_type, due, {})]
