"""Writing a changed subscription: the subscription (conditional on the revision read), its
re-materialized entitlements, any billing record and the change's events, in one transaction."""

from collections.abc import Sequence
from datetime import datetime

from billfold.catalog.addons import addon_store
from billfold.catalog.models import Addon, Plan
from billfold.catalog.plans import plan_store
from billfold.catalog.promotion_codes import Redemption, invalid_promotion_code
from billfold.entitlements import materialized
from billfold.errors import changed_concurrently
from billfold.storage.table import ConditionFailed, Delete, Put, Table, Update, attribute_is
from billfold.subscriptions.events import change_events
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
    writes: list[Put | Update | Delete] = [
        Put(subscription_item(changed), attribute_is("revision", before.revision)),
    ]
    if entitlements is not None:
        writes.append(entitlements)
    if record is not None:
        writes.append(Put(billing_record_item(record)))
    writes += change_events(before, changed, now, entitlements)
    try:
        transact_redeeming(table, writes, redeemed)
    except ConditionFailed:
        raise changed_concurrently("subscription of customer", before.customer_id) from None
    return changed


def transact_redeeming(
    table: Table, writes: list[Put | Update | Delete], redeemed: Redemption | None
) -> None:
    """Write the subscription's transaction (its first write the subscription itself) with the
    redemption of a promotion code, if any: 422 `invalid_promotion_code` when only the code
    lost its race (turned off, used up); ConditionFailed for anything else."""
    everything = writes + list(redeemed.writes if redeemed else ())
    try:
        table.transact(everything)
    except ConditionFailed as error:
        if 0 not in error.failed_indexes and redeemed and redeemed.lost(error, len(everything)):
            raise invalid_promotion_code() from None
        raise


def entitlement_terms(
    subscription: Subscription, plan: Plan, addons: Sequence[tuple[Addon, SubscribedAddon]]
) -> materialized.Terms:
    """What the customer's entitlements are computed from under `subscription`."""
    held = [(addon, subscribed.quantity) for addon, subscribed in addons]
    return materialized.Terms(plan, held, subscription.status, subscription.usage_anchor)


def entitlements_write(
    table: Table,
    subscription: Subscription,
    plan: Plan,
    addons: Sequence[tuple[Addon, SubscribedAddon]],
    now: datetime,
) -> Put:
    """The rewrite of the customer's materialized entitlements under `subscription`."""
    terms = entitlement_terms(subscription, plan, addons)
    return materialized.rewrite(table, subscription.customer_id, terms, now)
