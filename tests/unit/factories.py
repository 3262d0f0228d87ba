"""Small builders for the domain documents that unit tests need (no storage involved)."""

from datetime import UTC, datetime
from typing import Any

from billfold.catalog.models import Addon, Entitlement, Feature, FeatureType, FeatureUnit, Plan

NOW = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)
"""A fixed moment that every builder stamps documents with."""


class ExplodingTable:
    """A stand-in Table that fails the test if anything reads or writes it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the table was touched: {name}")


def make_feature(feature_id: str, feature_type: FeatureType) -> Feature:
    """A stored feature of the given type (metered and numeric ones get a unit)."""
    unit = None if feature_type == "boolean" else FeatureUnit(singular="call", plural="calls")
    return Feature(
        id=feature_id,
        name=feature_id.title(),
        description="",
        type=feature_type,
        unit=unit,
        metadata={},
        created_at=NOW,
        updated_at=NOW,
    )


def make_plan(
    plan_id: str,
    parent_plan_id: str | None = None,
    *,
    entitlements: list[Entitlement] | None = None,
    effective_entitlements: list[Entitlement] | None = None,
    **overrides: Any,
) -> Plan:
    """A published plan version 1 (its effective entitlements default to its own)."""
    own = entitlements or []
    fields: dict[str, Any] = {
        "id": plan_id,
        "version": 1,
        "status": "active",
        "name": plan_id.title(),
        "description": "",
        "prices": [{"billing_period": "monthly", "currency": "USD", "amount": 1900}],
        "entitlements": own,
        "effective_entitlements": own if effective_entitlements is None else effective_entitlements,
        "display_order": 0,
        "metadata": {},
        "created_at": NOW,
        "published_at": NOW,
        "trial_days": 0,
        "parent_plan_id": parent_plan_id,
    }
    fields.update(overrides)
    return Plan.model_validate(fields)


def make_addon(addon_id: str, **overrides: Any) -> Addon:
    """A published add-on version 1."""
    fields: dict[str, Any] = {
        "id": addon_id,
        "version": 1,
        "status": "active",
        "name": addon_id.title(),
        "description": "",
        "prices": [{"billing_period": "monthly", "currency": "EUR", "amount": 500}],
        "entitlements": [{"feature_id": "seats", "value": 5}],
        "display_order": 0,
        "metadata": {},
        "created_at": NOW,
        "published_at": NOW,
        "max_quantity": 10,
        "plan_ids": ["pro"],
    }
    fields.update(overrides)
    return Addon.model_validate(fields)
