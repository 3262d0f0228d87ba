"""The billing run's notices: each event due by now is published (a trial ending in 3 days
with the subscription as it is now; a card expiring with the card as recorded)."""

from datetime import datetime

from billfold.notices import due_notices, publish
from billfold.outbox import EventType
from billfold.storage.table import Table
from billfold.subscriptions.models import Subscription
from billfold.subscriptions.store import read_subscription


def publish_due_notices(table: Table, customer_id: str, now: datetime) -> int:
    """Publish the customer's notices due by `now`; how many this run published."""
    published = 0
    for notice in due_notices(table, customer_id, now):
        data = dict(notice.get("data") or {})
        if notice["event_type"] == EventType.SUBSCRIPTION_TRIAL_WILL_END:
            stored = read_subscription(table, customer_id, consistent=True)
            if stored is not None:
                subscription = Subscription.model_validate(stored)
                data = subscription.model_dump(mode="json", by_alias=True)
        published += publish(table, notice, data, now)
    return published
