"""Where promotions are kept: one item per customer and feature, next to the customer."""

from datetime import datetime

from billfold.entitlements.models import Promotion
from billfold.storage import keys
from billfold.storage.table import Item, Table


def promotion_item(customer_id: str, promotion: Promotion) -> Item:
    """A promotion as stored."""
    return {
        **keys.promotion(customer_id, promotion.feature_id),
        "kind": "promotion",
        "customer_id": customer_id,
        **promotion.model_dump(mode="json"),
    }


def customer_promotions(table: Table, customer_id: str) -> list[Promotion]:
    """Every promotion the customer holds, expired ones included (one Query)."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.PROMOTION_PREFIX,
        limit=1000,
    )
    return [Promotion.model_validate(item) for item in page.items]


def live_promotions(table: Table, customer_id: str, now: datetime) -> list[Promotion]:
    """The customer's promotions that still count at `now`."""
    return [p for p in customer_promotions(table, customer_id) if p.is_live(now)]
