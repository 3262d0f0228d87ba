"""Entitlements: what a customer holds of each feature, and whether they may use it."""

from billfold.entitlements.check import (
    DenialReason,
    EntitlementCheck,
    check_all,
    check_entitlement,
)
from billfold.entitlements.models import (
    MaterializedEntitlements,
    Promotion,
    ResolvedEntitlement,
    SubscriptionStatus,
)
from billfold.entitlements.resolve import (
    materialize,
    next_promotion_expiry,
    resolve_entitlements,
)

__all__ = [
    "DenialReason",
    "EntitlementCheck",
    "MaterializedEntitlements",
    "Promotion",
    "ResolvedEntitlement",
    "SubscriptionStatus",
    "check_all",
    "check_entitlement",
    "materialize",
    "next_promotion_expiry",
    "resolve_entitlements",
]
