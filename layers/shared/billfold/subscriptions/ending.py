"""How a subscription ends: on its plan's fallback plan when it names a usable one, else
canceled. Used by an immediate cancel, a scheduled cancel at period end, and a trial that ends
without a payment method."""

import logging
from datetime import datetime

from billfold.billing.periods import billing_period_at
from billfold.catalog.models import Plan
from billfold.catalog.plans import plan_store
from billfold.storage.table import Table
from billfold.subscriptions.models import Subscription

logger = logging.getLogger(__name__)


def _usable_fallback(table: Table, plan: Plan) -> Plan | None:
    """The plan's fallback, while it is still on sale and free (the catalog checks both when
    the plan is published, but the fallback plan may have changed since)."""
    if plan.fallback_plan_id is None:
        return None
    fallback = plan_store(table).current(plan.fallback_plan_id, consistent=True)
    if fallback is None or fallback.status != "active" or fallback.prices:
        logger.warning(
            "fallback plan unusable, canceling instead",
            extra={"plan_id": plan.id, "fallback_plan_id": plan.fallback_plan_id},
        )
        return None
    return fallback


def ended(table: Table, subscription: Subscription, at: datetime) -> Subscription:
    """The subscription once it ends at `at`: moved to the fallback plan (active, no add-ons, a
    new free cycle from `at`), or canceled."""
    plan = plan_store(table).version(subscription.plan_id, subscription.plan_version)
    fallback = _usable_fallback(table, plan)
    if fallback is None:
        return subscription.model_copy(
            update={
                "status": "canceled",
                "canceled_at": at,
                "cancel_at_period_end": False,
                "scheduled_change": None,
            }
        )
    period = billing_period_at(at, subscription.billing_period, at)
    return subscription.model_copy(
        update={
            "status": "active",
            "plan_id": fallback.id,
            "plan_version": fallback.version,
            "plan_name": fallback.name,
            "price": 0,
            "addons": [],
            "billing_anchor": at,
            "usage_anchor": at if fallback.reset_usage_on_change else subscription.usage_anchor,
            "current_period_start": period.start,
            "current_period_end": period.end,
            "trial_end": None,
            "cancel_at_period_end": False,
            "scheduled_change": None,
        }
    )
