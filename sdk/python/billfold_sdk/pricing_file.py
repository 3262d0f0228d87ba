"""The pricing file: the catalog as YAML, read with the line of every value so that a mistake
is reported at its line and field, whether the file's shape or billfold's validation finds it.

    features:        - {id, name, type, unit, ...}        (FeatureCreate)
    creditTypes:     - {id, name, unit, packs, ...}       (CreditTypeCreate)
    coupons:         - {id, name, percentOff, ...}        (CouponCreate)
    plans:           - {id, name, prices, entitlements, public, ...}   (PlanCreate)
    addons:          - {id, name, prices, planIds, ...}   (AddonCreate)
    promotionCodes:  - {code, couponId, ...}              (PromotionCodeCreate)
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from billfold_sdk import _generated

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Section:
    """One kind of catalog item: its file key, its name for a person and in the API's
    operations (`create_<resource>`, …), the create schema and the field naming it."""

    key: str
    noun: str
    resource: str
    schema: str
    id_field: str = "id"

    @property
    def fields(self) -> frozenset[str]:
        """The fields its create request takes."""
        return frozenset(getattr(_generated, self.schema).__annotations__)

    @property
    def required(self) -> frozenset[str]:
        """The fields its create request needs."""
        return frozenset(getattr(_generated, self.schema).__required_keys__)


SECTIONS = (
    Section("features", "feature", "feature", "FeatureCreate"),
    Section("creditTypes", "credit type", "credit_type", "CreditTypeCreate"),
    Section("coupons", "coupon", "coupon", "CouponCreate"),
    Section("plans", "plan", "plan", "PlanCreate"),
    Section("addons", "add-on", "addon", "AddonCreate"),
    Section("promotionCodes", "promotion code", "promotion_code", "PromotionCodeCreate", "code"),
)
"""In the order they are created: what an item refers to exists before it."""
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


class _Loader(yaml.SafeLoader):
    """YAML with JSON's scalars: `true`/`false` only (`on`, `no` stay text, as ids and codes
    may be), and dates stay text (the API takes ISO 8601 strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


class PricingFileError(Exception):
    """A mistake in the pricing file, at `line` (1-based) and `field` (e.g.
    `plans[1].prices[0].amount`)."""

    def __init__(self, source: str, line: int, field: str, message: str) -> None:
        super().__init__(f"{source}:{line}: {field}: {message}")
        self.line = line
        self.field = field


@dataclass
class PricingFile:
    """The catalog a file describes, each section's items by id, and where each value is."""

    source: str
    items: dict[str, dict[str, dict[str, Any]]]
    lines: dict[Path_, int] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)
    """Each section's ids in file order."""
    given: set[str] = field(default_factory=set)
    """The sections the file has: a section it leaves out is not managed by it (nothing in
    it is archived); an empty list archives everything in it."""

    def line_of(self, path: Path_) -> int:
        """The line of the value at `path`, or of the nearest enclosing value."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: Path_, message: str) -> PricingFileError:
        """An error at the value at `path`."""
        return PricingFileError(self.source, self.line_of(path), dotted(path), message)

    def locate(
        self, section: str, item_id: str, api_field: str | None, message: str
    ) -> PricingFileError:
        """An error billfold reported for one item (its `field`, e.g. `prices.0.amount`), at
        that field's line."""
        index = self.order[section].index(item_id)
        path: Path_ = (section, index)
        for part in (api_field or "").split(".") if api_field else []:
            path += (int(part),) if part.isdigit() else (part,)
        return self.error(path, message)


def dotted(path: Path_) -> str:
    """`("plans", 1, "prices", 0)` as `plans[1].prices[0]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(file)"


def _value(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str) -> Any:
    """The Python value of a YAML node, recording the line of it and of everything in it."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in mapping:
                line = key_node.start_mark.line + 1
                raise PricingFileError(source, line, dotted((*path, key)), "given twice")
            mapping[key] = _value(value_node, (*path, key), lines, source)
            lines[(*path, key)] = key_node.start_mark.line + 1  # a field is where its name is
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, (*path, i), lines, source) for i, item in enumerate(node.value)]
    return _Loader("").construct_object(node, deep=True)


def parse(text: str, source: str = "pricing.yaml") -> PricingFile:
    """Read a pricing file, checking its shape: known sections, lists of mappings with their id,
    only the fields each create request takes and every field it needs."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise PricingFileError(
            source, (mark.line + 1) if mark else 1, "(file)", str(error.problem)
        ) from None
    lines: dict[Path_, int] = {}
    document = _value(root, (), lines, source) if root is not None else {}
    pricing = PricingFile(source, {}, lines)
    if not isinstance(document, dict):
        raise pricing.error((), "the file is a mapping of sections: " + ", ".join(SECTIONS_BY_KEY))
    for key in document:
        if key not in SECTIONS_BY_KEY:
            raise pricing.error((key,), f"unknown section (known: {', '.join(SECTIONS_BY_KEY)})")
    pricing.given = set(document)
    for section in SECTIONS:
        entries = document.get(section.key) or []
        if not isinstance(entries, list):
            raise pricing.error((section.key,), f"a list of {section.noun}s")
        pricing.items[section.key] = {}
        pricing.order[section.key] = []
        for index, entry in enumerate(entries):
            path: Path_ = (section.key, index)
            if not isinstance(entry, dict):
                raise pricing.error(path, f"each {section.noun} is a mapping")
            for name in entry:
                if name not in section.fields:
                    raise pricing.error((*path, name), f"a {section.noun} has no field '{name}'")
            for name in sorted(section.required - set(entry)):
                raise pricing.error(path, f"a {section.noun} needs '{name}'")
            if section.key == "promotionCodes":  # codes are answered upper case, in any case
                entry[section.id_field] = str(entry[section.id_field]).upper()
            item_id = str(entry[section.id_field])
            if item_id in pricing.items[section.key]:
                raise pricing.error(
                    (*path, section.id_field), f"{section.noun} '{item_id}' is listed twice"
                )
            pricing.items[section.key][item_id] = entry
            pricing.order[section.key].append(item_id)
    return pricing


def load(path: Path) -> PricingFile:
    """Read and check the pricing file at `path`."""
    return parse(path.read_text(), str(path))


def dump(catalog: dict[str, list[dict[str, Any]]]) -> str:
    """A catalog as a pricing file."""
    header = "# billfold pricing: `billfold catalog plan` shows what `apply` would change.\n"
    body = {section.key: catalog.get(section.key, []) for section in SECTIONS}
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
