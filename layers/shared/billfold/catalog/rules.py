"""The catalog's rules: what an entitlement may say for each kind of feature, and inheritance."""

from collections.abc import Callable, Collection, Mapping, Sequence

from billfold.catalog.models import Entitlement, Feature, Plan
from billfold.errors import ErrorCode, InvalidInput, RuleViolation

MAX_PARENT_DEPTH = 10
_METERED_ONLY = ("limit", "reset_period", "reset_anchor", "enforcement")


def _alias(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def normalize_entitlement(
    entitlement: Entitlement, feature: Feature | None, field: str, *, granted_before: bool = False
) -> Entitlement:
    """Check an entitlement against its feature's type and fill in the defaults.

    An archived feature may stay in a new version that already granted it (`granted_before`),
    but cannot be newly granted. Raises InvalidInput naming the offending field
    (e.g. `entitlements.2.limit`).
    """
    if feature is None:
        raise InvalidInput(
            f"feature '{entitlement.feature_id}' does not exist",
            field=f"{field}.featureId",
            code=ErrorCode.UNKNOWN_FEATURE,
        )

    if feature.status == "archived" and not granted_before:
        raise InvalidInput(
            f"feature '{feature.id}' is archived: new versions cannot grant it",
            field=f"{field}.featureId",
            code=ErrorCode.FEATURE_ARCHIVED,
        )

    def refuse(attribute: str, why: str) -> InvalidInput:
        return InvalidInput(
            f"{why} (feature '{feature.id}' is {feature.type})",
            field=f"{field}.{_alias(attribute)}",
            code=ErrorCode.INVALID_ENTITLEMENT,
        )

    given = entitlement.model_fields_set - {"feature_id"}
    if feature.type == "boolean":
        for attribute in sorted(given):
            value = getattr(entitlement, attribute)
            if value is not None and value is not False:
                raise refuse(attribute, "a boolean feature is granted or not: no amounts")
        return Entitlement(feature_id=feature.id)

    amount = "limit" if feature.type == "metered" else "value"
    other = "value" if feature.type == "metered" else "limit"
    if getattr(entitlement, other) is not None:
        raise refuse(other, f"use '{_alias(amount)}' for this feature")
    if feature.type == "numeric":
        for attribute in _METERED_ONLY[1:]:
            if getattr(entitlement, attribute) is not None:
                raise refuse(attribute, "only metered features reset or enforce")
    if entitlement.unlimited == (getattr(entitlement, amount) is not None):
        raise refuse(amount, f"give either '{_alias(amount)}' or 'unlimited: true'")
    if feature.type == "numeric":
        if entitlement.overage_prices:
            raise refuse("overage_prices", "only metered features bill overage")
        if entitlement.credits:
            raise refuse("credits", "only metered features draw credits")
        return entitlement
    if entitlement.credits:
        if not entitlement.unlimited and entitlement.enforcement != "soft":
            raise refuse(
                "credits",
                "the balance limits a feature that draws credits: make it unlimited "
                "or its limit soft",
            )
        if entitlement.overage_prices:
            raise refuse("credits", "a feature that draws credits bills no overage")
    if entitlement.overage_prices:
        if entitlement.unlimited or entitlement.enforcement != "soft":
            raise refuse("overage_prices", "overage needs a limit with 'enforcement: soft'")
        currencies = [price.currency for price in entitlement.overage_prices]
        if len(set(currencies)) != len(currencies):
            raise refuse("overage_prices", "one overage price per currency")
    return entitlement.model_copy(
        update={
            "reset_period": entitlement.reset_period or "monthly",
            "reset_anchor": entitlement.reset_anchor or "subscription",
            "enforcement": entitlement.enforcement or "hard",
        }
    )


def normalize_entitlements(
    entitlements: Sequence[Entitlement],
    features: Mapping[str, Feature],
    granted_before: Collection[str] = (),
) -> list[Entitlement]:
    """Every entitlement checked and completed, in the order given. `granted_before` names
    the features the previous version granted."""
    return [
        normalize_entitlement(
            e,
            features.get(e.feature_id),
            f"entitlements.{i}",
            granted_before=e.feature_id in granted_before,
        )
        for i, e in enumerate(entitlements)
    ]


def check_overage_currencies(
    entitlements: Sequence[Entitlement], currencies: Collection[str]
) -> None:
    """Each overage price is in a currency the plan or add-on is sold in (any, when free)."""
    for i, entitlement in enumerate(entitlements):
        for j, price in enumerate(entitlement.overage_prices):
            if currencies and price.currency not in currencies:
                raise InvalidInput(
                    f"overage is priced in {price.currency}, which is not among the prices' "
                    f"currencies ({', '.join(sorted(currencies))})",
                    field=f"entitlements.{i}.overagePrices.{j}.currency",
                    code=ErrorCode.INVALID_ENTITLEMENT,
                )


def inherit(own: Sequence[Entitlement], parent: Plan | None) -> list[Entitlement]:
    """The parent's effective entitlements overlaid with the plan's own (own wins per feature)."""
    merged = {e.feature_id: e for e in (parent.effective_entitlements if parent else [])}
    merged.update({e.feature_id: e for e in own})
    return list(merged.values())


def check_parent_chain(plan_id: str, parent_id: str, load: Callable[[str], Plan | None]) -> Plan:
    """The parent plan, after proving it exists and that the chain neither loops nor runs deep."""
    parent = load(parent_id)
    if parent is None:
        raise InvalidInput(
            f"parent plan '{parent_id}' does not exist",
            field="parentPlanId",
            code=ErrorCode.UNKNOWN_PLAN,
        )
    ancestor: Plan | None = parent
    for _ in range(MAX_PARENT_DEPTH):
        if ancestor is None:
            return parent
        if ancestor.id == plan_id:
            raise RuleViolation(
                f"plan '{plan_id}' cannot inherit from its own descendant '{parent_id}'",
                field="parentPlanId",
                code=ErrorCode.PARENT_CYCLE,
            )
        ancestor = load(ancestor.parent_plan_id) if ancestor.parent_plan_id else None
    raise RuleViolation(
        f"parent chains are at most {MAX_PARENT_DEPTH} plans deep",
        field="parentPlanId",
        code=ErrorCode.PARENT_CHAIN_TOO_DEEP,
    )
