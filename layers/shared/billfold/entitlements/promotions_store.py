"""Where promotions are kept: one item per customer and feature, next to the customer."""

from billfold.entitlements.models import Promotion
from billfold.storage import keys
from billfold.storage.table import Delete, Item, Table


def promotion_item(customer_id: str, promotion: Promotion) -> Item:
    """A promotion as stored."""
    return {
        **keys.promotion(customer_id, promotion.feature_id),
        "kind": "promotion",
        "customer_id": customer_id,
        **promotion.model_dump(mode="json"),
    }


def promotion_delete(customer_id: str, feature_id: str) -> Delete:
    """The removal of the customer's promotion for a feature (for a transaction)."""
    return Delete(keys.promotion(customer_id, feature_id))


def customer_promotions(table: Table, customer_id: str) -> list[Promotion]:
    """Every promotion the customer holds, expired ones included (one Query)."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.PROMOTION_PREFIX,
        limit=1000,
    )
    return [Promotion.model_validate(item) for item in page.items]
