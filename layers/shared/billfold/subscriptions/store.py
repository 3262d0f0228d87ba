"""How subscriptions, materialized entitlements and billing records are written."""

import zlib

from billfold.clock import sortable_timestamp
from billfold.entitlements.models import MaterializedEntitlements
from billfold.storage import keys
from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import Item
from billfold.subscriptions.models import BillingRecord, Subscription

DUE_SHARDS = 16
"""The due-work index spreads subscriptions over this many partitions (see data-model.md)."""


def next_transition(subscription: Subscription) -> str | None:
    """When the billing run must next look at the subscription (trial end or period end)."""
    if subscription.status == "canceled":
        return None
    moment = subscription.trial_end if subscription.status == "trialing" else None
    return sortable_timestamp(moment or subscription.current_period_end)


def subscription_item(subscription: Subscription) -> Item:
    """The subscription, indexed by when it is next due (not at all once canceled)."""
    item: Item = {
        **keys.subscription(subscription.customer_id),
        "kind": "subscription",
        **subscription.model_dump(mode="json"),
    }
    due = next_transition(subscription)
    if due is not None:
        shard = zlib.crc32(subscription.customer_id.encode()) % DUE_SHARDS
        item[DUE_WORK_INDEX.partition_key] = f"DUE#{shard:02d}"
        item[DUE_WORK_INDEX.sort_key] = f"{due}#{subscription.customer_id}"
    return item


def entitlements_item(materialized: MaterializedEntitlements) -> Item:
    """The materialized entitlements item a check reads."""
    return {
        **keys.entitlements(materialized.customer_id),
        "kind": "entitlements",
        **materialized.model_dump(mode="json"),
    }


def billing_record_item(record: BillingRecord) -> Item:
    """A billing record, waiting for invoicing."""
    created = sortable_timestamp(record.created_at)
    return {
        **keys.billing_record(record.customer_id, created, record.id),
        "kind": "billing_record",
        "status": "pending",
        **record.model_dump(mode="json"),
    }
