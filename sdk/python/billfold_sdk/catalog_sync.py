"""Pricing as code: the catalog billfold holds, the one a pricing file describes, and the
changes that make the first the second.

A field the file leaves out of an item takes the API's default; inside a field (an
entitlement, a price), what the file leaves out keeps the value billfold filled in.

A plan or add-on that changes is published as a new version (its subscribers keep theirs); one
left out of its section is archived, never deleted (a section left out of the file is not
managed by it); features change in place (never their type);
coupons and promotion codes' terms never change (give a new id), a code left out is turned
off. Applying is idempotent, and safe to run twice at once: a write that loses a race (409) is
planned again from what won.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from billfold_sdk import _generated
from billfold_sdk._generated import CREATE_DEFAULTS, Operations
from billfold_sdk.errors import BillfoldError, Conflict
from billfold_sdk.pricing_file import SECTIONS, PricingFile, PricingFileError, Section

Action = Literal["create", "update", "publish", "archive", "deactivate"]
MAX_ROUNDS = 5
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Change:
    """One write that brings billfold to the file."""

    action: Action
    section: Section
    item_id: str
    body: dict[str, Any] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    version: int | None = None
    """The version a publish replaces."""

    def describe(self) -> str:
        """What the change does, for a person."""
        noun = f"{self.section.noun} '{self.item_id}'"
        changed = f": {', '.join(self.fields)}" if self.fields else ""
        if self.action == "create":
            return f"+ create {noun}"
        if self.action == "publish":
            return (
                f"~ publish {noun} as version {(self.version or 0) + 1} (its subscribers keep "
                f"version {self.version}){changed}"
            )
        if self.action == "update":
            return f"~ update {noun}{changed}"
        if self.action == "archive":
            return f"- archive {noun} (never deleted: its subscribers keep it)"
        return f"- turn off {noun}"


@dataclass
class Catalog:
    """What billfold holds: each section's items (as create requests) by id, which of them are
    archived, and each plan's and add-on's current version."""

    items: dict[str, dict[str, dict[str, Any]]]
    archived: dict[str, set[str]]
    versions: dict[tuple[str, str], int]


def _every(api: Operations, section: Section) -> Iterator[Any]:
    listers: dict[str, Callable[[], Iterator[Any]]] = {
        "features": lambda: api.iter_list_features(include_archived=True),
        "creditTypes": lambda: api.iter_list_credit_types(),
        "coupons": lambda: api.iter_list_coupons(),
        "plans": lambda: api.iter_list_plans(include_archived=True),
        "addons": lambda: api.iter_list_addons(include_archived=True),
        "promotionCodes": lambda: api.iter_list_promotion_codes(),
    }
    return listers[section.key]()


def read_catalog(api: Operations) -> Catalog:
    """The catalog billfold holds now."""
    catalog = Catalog({}, {}, {})
    for section in SECTIONS:
        catalog.items[section.key], catalog.archived[section.key] = {}, set()
        for item in _every(api, section):
            item_id = str(item[section.id_field])
            catalog.items[section.key][item_id] = {
                k: v for k, v in item.items() if k in section.fields
            }
            if item.get("status") == "archived":
                catalog.archived[section.key].add(item_id)
            if "version" in item:
                catalog.versions[(section.key, item_id)] = int(item["version"])
    return catalog


def export(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """The catalog as a pricing file's sections: what is sold now (archived items left out),
    each item complete, plans after the plans they build on."""
    exported: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        items = catalog.items[section.key]
        live = [i for i in items if i not in catalog.archived[section.key]]
        if section.key == "plans":
            live = _parents_first(live, items)
        exported[section.key] = [_compact(section, items[i]) for i in live]
    return exported


def _parents_first(ids: list[str], plans: dict[str, dict[str, Any]]) -> list[str]:
    ordered: list[str] = []

    def visit(plan_id: str) -> None:
        if plan_id in ordered or plan_id not in ids:
            return
        for ref in ("parentPlanId", "fallbackPlanId"):
            if plans[plan_id].get(ref):
                visit(plans[plan_id][ref])
        ordered.append(plan_id)

    for plan_id in ids:
        visit(plan_id)
    return ordered


def _compact(section: Section, item: dict[str, Any]) -> dict[str, Any]:
    """An item without the fields it leaves at their defaults."""
    defaults = CREATE_DEFAULTS.get(section.schema, {})
    return {
        k: v
        for k, v in item.items()
        if v not in _EMPTY and not (k in defaults and defaults[k] == v)
    }


def _normal(section: Section, item: dict[str, Any]) -> dict[str, Any]:
    """An item with its defaults filled in and its empty values left out, for comparing."""
    filled = {**CREATE_DEFAULTS.get(section.schema, {}), **item}
    return {k: v for k, v in filled.items() if v not in _EMPTY}


def _matches(wanted: Any, held: Any) -> bool:
    """Whether billfold's value is the file's: inside a field, what the file leaves out of a
    mapping keeps billfold's value (billfold fills in e.g. an entitlement's enforcement)."""
    if isinstance(wanted, dict) and isinstance(held, dict):
        return all(_matches(value, held.get(key)) for key, value in wanted.items())
    if isinstance(wanted, list) and isinstance(held, list):
        return len(wanted) == len(held) and all(map(_matches, wanted, held))
    return bool(wanted == held)


def _update_fields(section: Section) -> frozenset[str]:
    update = section.schema.replace("Create", "Update")
    return (
        frozenset(getattr(_generated, update).__annotations__)
        if hasattr(_generated, update)
        else frozenset()
    )


def plan_changes(pricing: PricingFile, catalog: Catalog) -> list[Change]:
    """The changes that make billfold's catalog the file's (PricingFileError for one the rules
    forbid: a feature's type, a coupon's terms, reviving an archived id)."""
    writes: list[Change] = []
    for section in SECTIONS:
        current = catalog.items[section.key]
        wanted = pricing.items[section.key]
        ordered = _parents_first(list(wanted), wanted) if section.key == "plans" else list(wanted)
        for item_id in ordered:
            index = pricing.order[section.key].index(item_id)
            change = _change(section, item_id, wanted[item_id], current.get(item_id), catalog)
            if change is None:
                continue
            if isinstance(change, str):
                raise pricing.error((section.key, index), change)
            writes.append(change)
    for section in reversed(SECTIONS):
        if section.key not in pricing.given:
            continue
        for item_id in catalog.items[section.key]:
            if item_id in pricing.items[section.key] or item_id in catalog.archived[section.key]:
                continue
            if section.key in ("features", "plans", "addons"):
                writes.append(Change("archive", section, item_id))
            elif section.key == "promotionCodes" and catalog.items[section.key][item_id].get(
                "active"
            ):
                writes.append(
                    Change("deactivate", section, item_id, {"active": False}, ("active",))
                )
    return writes


def _change(
    section: Section,
    item_id: str,
    wanted: dict[str, Any],
    current: dict[str, Any] | None,
    catalog: Catalog,
) -> Change | str | None:
    """The change one item needs, None when it has none, or why the rules forbid it."""
    if current is None:
        return Change("create", section, item_id, dict(wanted))
    if item_id in catalog.archived[section.key]:
        return f"{section.noun} '{item_id}' is archived on billfold: give it a new id"
    desired, held = _normal(section, wanted), _normal(section, current)
    changed = tuple(
        k for k in sorted(set(desired) | set(held)) if not _matches(desired.get(k), held.get(k))
    )
    if not changed:
        return None
    updatable = _update_fields(section)
    if not set(changed) <= updatable:
        fixed = ", ".join(sorted(set(changed) - updatable))
        return f"{section.noun} '{item_id}' cannot change {fixed}: give it a new id"
    body = {k: desired.get(k) for k in changed}  # left out: null resets it to its default
    if section.key in ("plans", "addons"):
        version = catalog.versions.get((section.key, item_id))
        return Change("publish", section, item_id, body, changed, version)
    return Change("update", section, item_id, body, changed)


def _write(api: Operations, change: Change) -> None:
    """The API call a change makes: `create_<resource>`, `archive_…` or `update_…`."""
    resource = change.section.resource
    if change.action == "create":
        getattr(api, f"create_{resource}")(change.body)
    elif change.action == "archive":
        getattr(api, f"archive_{resource}")(change.item_id)
    else:
        getattr(api, f"update_{resource}")(change.item_id, change.body)


def apply_changes(
    api: Operations, pricing: PricingFile, report: Callable[[Change], None] = lambda _: None
) -> list[Change]:
    """Make billfold's catalog the file's; the changes made. A write that loses a race to
    another apply (409) is planned again from what billfold then holds."""
    made: list[Change] = []
    for _ in range(MAX_ROUNDS):
        try:
            for change in plan_changes(pricing, read_catalog(api)):
                _write_located(api, pricing, change)
                made.append(change)
                report(change)
        except Conflict:
            continue
        return made
    raise RuntimeError("the catalog kept changing under this apply; run it again")


def _write_located(api: Operations, pricing: PricingFile, change: Change) -> None:
    try:
        _write(api, change)
    except Conflict:
        raise
    except BillfoldError as error:
        section = change.section.key
        if change.item_id in pricing.items[section]:
            raise pricing.locate(section, change.item_id, error.field, error.message) from error
        raise PricingFileError(
            pricing.source, 1, f"{section}.{change.item_id}", error.message
        ) from error
