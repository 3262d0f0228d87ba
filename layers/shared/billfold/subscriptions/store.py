"""How subscriptions, materialized entitlements and billing records are written."""

import zlib

from billfold.clock import sortable_timestamp
from billfold.entitlements.models import MaterializedEntitlements
from billfold.storage import keys
from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    Item,
    Put,
    Table,
    Update,
    attribute_is,
)
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
        item.update(due_work_entry(subscription.customer_id, due))
    return item


def due_work_entry(customer_id: str, due: str) -> Item:
    """The due-work index attributes that make the billing run visit the customer at `due`
    (a sortable timestamp): its shard, and the moment with the customer id."""
    shard = zlib.crc32(customer_id.encode()) % DUE_SHARDS
    return {
        DUE_WORK_INDEX.partition_key: f"DUE#{shard:02d}",
        DUE_WORK_INDEX.sort_key: f"{due}#{customer_id}",
    }


ENTITLEMENTS_VERSION = "version"
"""Bumped by every rewrite of a customer's materialized entitlements: each rewrite is
conditional on the version it read."""


def entitlements_item(materialized: MaterializedEntitlements, version: int) -> Item:
    """The materialized entitlements item a check reads."""
    return {
        **keys.entitlements(materialized.customer_id),
        "kind": "entitlements",
        **materialized.model_dump(mode="json"),
        ENTITLEMENTS_VERSION: version,
    }


def entitlements_version(table: Table, customer_id: str) -> int | None:
    """The version of the customer's entitlements item (None: none written with one yet)."""
    item = table.get(keys.entitlements(customer_id), consistent=True)
    return None if item is None else item.get(ENTITLEMENTS_VERSION, 0)


def _version_condition(read: int | None) -> Condition:
    if read is None:
        return ITEM_IS_NEW
    if read == 0:
        return Condition(f"attribute_not_exists({ENTITLEMENTS_VERSION})")
    return attribute_is(ENTITLEMENTS_VERSION, read)


def bump_entitlements_version(customer_id: str, read: int | None) -> Update:
    """Move the item's version on from `read` without changing what it holds."""
    return Update(
        keys.entitlements(customer_id),
        "SET #version = :next",
        _version_condition(read),
        {"#version": ENTITLEMENTS_VERSION},
        {":next": (read or 0) + 1},
    )


def versioned_entitlements_put(materialized: MaterializedEntitlements, read: int | None) -> Put:
    """Put the item as the version after `read`, only if it is still at `read`."""
    return Put(entitlements_item(materialized, (read or 0) + 1), _version_condition(read))


def billing_record_item(record: BillingRecord) -> Item:
    """A billing record, waiting for invoicing."""
    created = sortable_timestamp(record.created_at)
    return {
        **keys.billing_record(record.customer_id, created, record.id),
        "kind": "billing_record",
        "status": "pending",
        **record.model_dump(mode="json"),
    }
