"""The pricing file's reading and planning, without a server: YAML read as JSON's types, codes
in any case, a section left out of the file left alone, and mistakes at their line."""

from typing import Any

import pytest
from billfold_sdk.catalog_sync import Catalog, plan_changes
from billfold_sdk.pricing_file import PricingFileError, parse


def _catalog(**sections: dict[str, dict[str, Any]]) -> Catalog:
    keys = ("features", "creditTypes", "coupons", "plans", "addons", "promotionCodes")
    return Catalog({key: sections.get(key, {}) for key in keys}, {key: set() for key in keys}, {})


def test_dates_and_yes_no_words_stay_text() -> None:
    pricing = parse(
        "promotionCodes:\n  - code: on\n    couponId: launch\n    expiresAt: 2027-01-01T00:00:00Z\n"
    )

    [code] = pricing.items["promotionCodes"].values()
    assert code == {"code": "ON", "couponId": "launch", "expiresAt": "2027-01-01T00:00:00Z"}


def test_a_lowercase_code_is_the_stored_uppercase_one() -> None:
    held = {"WELCOME10": {"code": "WELCOME10", "couponId": "c", "active": True}}
    pricing = parse("promotionCodes:\n  - code: welcome10\n    couponId: c\n")

    assert plan_changes(pricing, _catalog(promotionCodes=held)) == []


def test_a_section_left_out_is_not_managed_and_an_empty_one_archives_all() -> None:
    held = {"sso": {"id": "sso", "name": "SSO", "type": "boolean"}}

    left_out = plan_changes(parse("plans: []\n"), _catalog(features=held))
    emptied = plan_changes(parse("features: []\n"), _catalog(features=held))

    assert left_out == []
    assert [(c.action, c.item_id) for c in emptied] == [("archive", "sso")]


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("plans:\n  - id: a\n    name: A\n    prise: 5\n", 4, "plans[0].prise"),
        ("plans:\n  - id: a\n", 2, "plans[0]"),
        (
            "features:\n  - id: a\n    name: A\n    type: boolean\n    name: B\n",
            5,
            "features[0].name",
        ),
        ("plan:\n  - id: a\n", 1, "plan"),
        ("plans:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", 4, "plans[1].id"),
        ("plans: [\n", 2, "(file)"),
    ],
    ids=["unknown-field", "missing-field", "key-twice", "unknown-section", "id-twice", "bad-yaml"],
)
def test_a_mistake_names_its_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(PricingFileError) as raised:
        parse(text)

    assert (raised.value.line, raised.value.field) == (line, field)
