"""`usage.spend_limit_reached`: published once a month (UTC), when what counts toward the spend
limit reaches it (usage past a soft limit, or an auto-recharge it stopped). It is written with
a marker item, on the condition that the marker is new."""

from datetime import datetime, timedelta

from billfold.models import ApiModel
from billfold.outbox import EventType, event_put
from billfold.spending.cost import Spend
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Put, Table

MARKER_KEPT = timedelta(days=40)


class SpendLimitReached(ApiModel):
    """`data` of `usage.spend_limit_reached`: the limit, and what counts toward it."""

    monthly_limit: int
    currency: str
    overage: int
    auto_recharge: int
    month: str


def publish_reached(
    table: Table, customer_id: str, limit: int, spent: Spend, now: datetime
) -> bool:
    """Publish the event unless it was published this month already; whether it was new."""
    month = now.strftime("%Y-%m")
    marker = {
        **keys.spend_limit_marker(customer_id, month),
        "kind": "spend_limit_reached",
        TTL_ATTRIBUTE: int((now + MARKER_KEPT).timestamp()),
    }
    data = SpendLimitReached(
        monthly_limit=limit,
        currency=spent.currency,
        overage=spent.overage,
        auto_recharge=spent.auto_recharge,
        month=month,
    )
    event = event_put(EventType.USAGE_SPEND_LIMIT_REACHED, customer_id, data, now)
    try:
        table.transact([Put(marker, ITEM_IS_NEW), event])
    except ConditionFailed:
        return False
    return True
