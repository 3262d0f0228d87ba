"""Writing a changed subscription: the subscription (conditional on the revision read), its
re-materialized entitlements and any billing record, in one transaction."""

from collections.abc import Sequence
from datetime import datetime

from billfold.catalog.addons import addon_store
from billfold.catalog.models import Addon, Plan
from billfold.catalog.plans import plan_store
from billfold.catalog.promotion_codes import Redemption, invalid_promotion_code
from billfold.entitlements import materialized
from billfold.errors import changed_concurrently
from billfold.storage.table import ConditionFailed, Put, Table, Update, attribute_is
from billfold.subscriptions.models import BillingRecord, SubscribedAddon, Subscription
from billfold.subscriptions.store import billing_record_item, subscription_item


def save_change(
    table: Table,
    before: Subscription,
    after: Subscription,
    now: datetime,
    record: BillingRecord | None = None,
) -> Subscription:
    """Write `after` over `before` if nobody changed the subscription since it was read, with
    the customer's entitlements recomputed under it."""
    plan = plan_store(table).version(after.plan_id, after.plan_version)
    addons = [
        (addon_store(table).version(held.addon_id, held.version), held) for held in after.addons
    ]
    entitlements = entitlements_write(table, after, plan, addons, now)
    return write_change(table, before, after, now, record, None, entitlements)


def write_change(
    table: Table,
    before: Subscription,
    after: Subscription,
    now: datetime,
    record: BillingRecord | None,
    redeemed: Redemption | None,
    entitlements: Put | None,
) -> Subscription:
    """Write `after` over `before` if nobody changed the subscription since it was read, in one
    transaction with what the change worked out: the entitlements' rewrite (None: they stay
    as they are), its billing record, and the redemption of the promotion code it applies
    (422 if that lost its race)."""
    changed = after.model_copy(update={"revision": before.revision + 1, "updated_at": now})
    writes: list[Put | Update] = [
        Put(subscription_item(changed), attribute_is("revision", before.revision)),
    ]
    if entitlements is not None:
        writes.append(entitlements)
    if record is not None:
        writes.append(Put(billing_record_item(record)))
    if redeemed is not None:
        writes += redeemed.writes
    try:
        table.transact(writes)
    except ConditionFailed as error:
        if 0 not in error.failed_indexes and redeemed and redeemed.lost(error, len(writes)):
            raise invalid_promotion_code() from None
        raise changed_concurrently("subscription of customer", before.customer_id) from None
    return changed


def held_addons(addons: Sequence[tuple[Addon, SubscribedAddon]]) -> list[tuple[Addon, int]]:
    """The add-ons as entitlements count them: each version with the quantity held."""
    return [(addon, held.quantity) for addon, held in addons]


def entitlements_write(
    table: Table,
    subscription: Subscription,
    plan: Plan,
    addons: Sequence[tuple[Addon, SubscribedAddon]],
    now: datetime,
) -> Put:
    """The rewrite of the customer's materialized entitlements under `subscription`."""
    return materialized.rewrite(
        table,
        subscription.customer_id,
        plan=plan,
        addons=held_addons(addons),
        status=subscription.status,
        anchor=subscription.usage_anchor,
        now=now,
    )
