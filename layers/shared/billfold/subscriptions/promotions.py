"""Promotions: a feature, extra limit or unlimited use granted to one customer, until a date.

A grant or revoke writes the promotion and the customer's re-materialized entitlements in one
transaction, conditional on the entitlements item's version read first; a subscription change
does the same (`subscriptions.service.entitlements_write`), so whichever commits second sees
the other's work or fails and is tried again — a promotion is never lost from the item a check
reads. A customer without a subscription keeps its promotions; they count from its first one.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from billfold.catalog.addons import addon_store
from billfold.catalog.features import get_feature
from billfold.catalog.plans import plan_store
from billfold.clock import Clock
from billfold.entitlements import materialized
from billfold.entitlements.models import MaterializedEntitlements, Promotion
from billfold.entitlements.promotions_store import (
    customer_promotions,
    promotion_delete,
    promotion_item,
)
from billfold.errors import ErrorCode, InvalidInput, NotFound, RuleViolation, changed_concurrently
from billfold.identifiers import CatalogId
from billfold.models import RequestModel
from billfold.outbox import EventType, event_put
from billfold.retries import attempts
from billfold.storage.table import ConditionFailed, Delete, Put, Table, Update
from billfold.subscriptions.models import Subscription
from billfold.subscriptions.store import read_subscription

MAX_ATTEMPTS = 5


class PromotionGrant(RequestModel):
    """`amount` more limit (metered) or value (numeric), or `unlimited`; neither turns a
    boolean feature on. `expiresAt` (optional) ends it."""

    feature_id: CatalogId
    amount: Annotated[StrictInt, Field(ge=1, le=10**15)] | None = None
    unlimited: StrictBool = False
    expires_at: datetime | None = None


def _checked(table: Table, request: PromotionGrant, now: datetime) -> Promotion:
    feature = get_feature(table, request.feature_id)
    if feature.status != "active":
        raise RuleViolation(
            f"feature '{feature.id}' is archived",
            field="featureId",
            code=ErrorCode.FEATURE_ARCHIVED,
        )
    if feature.type == "boolean" and (request.amount is not None or request.unlimited):
        raise InvalidInput(
            "a boolean feature is granted as is: no amount, not unlimited", field="amount"
        )
    if feature.type != "boolean" and request.amount is None and not request.unlimited:
        raise InvalidInput(f"a {feature.type} feature needs an amount or unlimited", field="amount")
    if request.expires_at is not None:
        if request.expires_at.tzinfo is None:
            raise InvalidInput("expiresAt needs a timezone (e.g. Z)", field="expiresAt")
        if request.expires_at <= now:
            raise InvalidInput("expiresAt must be in the future", field="expiresAt")
    try:
        return Promotion(
            feature_id=feature.id,
            amount=request.amount,
            unlimited=request.unlimited,
            expires_at=request.expires_at,
        )
    except ValueError as error:
        raise InvalidInput(str(error), field="amount") from None


def _entitlements_write(
    table: Table,
    customer_id: str,
    now: datetime,
    promotions_after: Callable[[list[Promotion]], list[Promotion]] = list,
) -> Put | Update:
    """The customer's re-materialized entitlements, with the stored promotions as
    `promotions_after` changes them (without a subscription, only the item's version moves on,
    so a subscription created meanwhile is computed again). The version is read first, so a
    subscription change or another grant committed after any read below makes this fail."""
    version = materialized.read_version(table, customer_id)
    stored = read_subscription(table, customer_id, consistent=True)
    if stored is None:
        return materialized.bump(customer_id, version)
    subscription = Subscription.model_validate(stored)
    plan = plan_store(table).version(subscription.plan_id, subscription.plan_version)
    addons = [
        (addon_store(table).version(held.addon_id, held.version), held.quantity)
        for held in subscription.addons
    ]
    terms = materialized.Terms(plan, addons, subscription.status, subscription.usage_anchor)
    promotions = promotions_after(customer_promotions(table, customer_id))
    document = materialized.compute(table, customer_id, terms, now, promotions)
    return materialized.put(document, version)


def _commit(
    table: Table,
    customer_id: str,
    change: Put | Delete,
    promotions_after: Callable[[list[Promotion]], list[Promotion]],
    now: datetime,
) -> None:
    """Write the promotion change and the entitlements computed with it, retrying lost races."""
    for _ in attempts(MAX_ATTEMPTS):
        entitlements = _entitlements_write(table, customer_id, now, promotions_after)
        try:
            table.transact([change, entitlements, *_updated_event(entitlements, now)])
            return
        except ConditionFailed:
            continue
    raise changed_concurrently("entitlements of customer", customer_id)


def _known_customer(table: Table, customer_id: str) -> None:
    """NotFound `customer_not_found` unless the customer exists (its entitlements item is
    written with it)."""
    if materialized.read_version(table, customer_id) is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )


def grant_promotion(
    table: Table, customer_id: str, request: PromotionGrant, clock: Clock
) -> Promotion:
    """Grant (or replace) the customer's promotion for a feature."""
    now = clock.now()
    _known_customer(table, customer_id)
    promotion = _checked(table, request, now)

    def with_grant(held: list[Promotion]) -> list[Promotion]:
        return [p for p in held if p.feature_id != promotion.feature_id] + [promotion]

    _commit(table, customer_id, Put(promotion_item(customer_id, promotion)), with_grant, now)
    return promotion


def revoke_promotion(table: Table, customer_id: str, feature_id: str, clock: Clock) -> Promotion:
    """Take back the customer's promotion for a feature (404 `promotion_not_found` if none)."""
    held = {p.feature_id: p for p in customer_promotions(table, customer_id)}
    if feature_id not in held:
        _known_customer(table, customer_id)
        raise NotFound(
            f"customer '{customer_id}' has no promotion for '{feature_id}'",
            code=ErrorCode.PROMOTION_NOT_FOUND,
        )

    def without(held: list[Promotion]) -> list[Promotion]:
        return [p for p in held if p.feature_id != feature_id]

    _commit(table, customer_id, promotion_delete(customer_id, feature_id), without, clock.now())
    return held[feature_id]


def refreshed(table: Table, customer_id: str, now: datetime) -> MaterializedEntitlements | None:
    """Re-materialize the customer's entitlements once a promotion has expired (a check found
    the item stale); None when another writer got there first (read the item again)."""
    write = _entitlements_write(table, customer_id, now)
    if not isinstance(write, Put):
        return None
    try:
        table.transact([write, *_updated_event(write, now)])
    except ConditionFailed:
        return None
    return materialized.parse(write.item)


def _updated_event(entitlements: Put | Update, now: datetime) -> list[Put]:
    """`entitlements.updated`, when the entitlements were recomputed (not for a customer
    without a subscription, whose item only moves its version on)."""
    if not isinstance(entitlements, Put):
        return []
    document = materialized.parse(entitlements.item)
    return [event_put(EventType.ENTITLEMENTS_UPDATED, document.customer_id, document, now)]
