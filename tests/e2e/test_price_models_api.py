"""Tiered and package prices over HTTP: add-ons priced in graduated or volume tiers or by the
package, refused tier definitions, tiered overage prices, and what tiers do to subscriptions,
invoices, PDFs and quantity changes.

The demo catalog's `extra-storage` add-on (USD monthly, graduated): units 1-10 at $2.00,
11-50 at $1.50, 51 and up at $1.00; Starter is $19.00 a month. Every expected amount below is
hand arithmetic on those prices, worked out in a comment beside it.
"""

import re
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error, eventually

STARTER = 1900
STORAGE_TIERS = [
    {"upTo": 10, "unitAmount": 200},
    {"upTo": 50, "unitAmount": 150},
    {"unitAmount": 100},
]

CreateCustomer = Callable[..., dict[str, Any]]


# --- helpers ------------------------------------------------------------------------------------


def _path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/subscription"


def _now(server: ApiClient) -> datetime:
    return datetime.fromisoformat(server.get("/_local/clock").json()["now"])


def _subscribe(
    server: ApiClient, customer_id: str, addons: list[dict[str, Any]], **order: Any
) -> dict[str, Any]:
    body = {"planId": "starter", "currency": "USD", "trialDays": 0, "addons": addons, **order}
    response = server.post(_path(customer_id), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _invoices(server: ApiClient, customer_id: str) -> list[dict[str, Any]]:
    response = server.get(f"/v1/customers/{customer_id}/invoices")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _invoice_for(server: ApiClient, customer_id: str, reason: str) -> dict[str, Any]:
    """The customer's paid invoice for `reason`, once the billing worker has issued it."""
    found = eventually(
        lambda: [
            i
            for i in _invoices(server, customer_id)
            if i["reason"] == reason and i["status"] == "paid"
        ]
    )
    assert found, _invoices(server, customer_id)
    [invoice] = found
    return invoice


def _tier(
    tier: int, first: int, last: int | None, quantity: int, unit: int, flat: int = 0
) -> dict[str, Any]:
    """A tier charge as the API shows it; its amount is quantity x unit + flat."""
    return {
        "tier": tier,
        "firstUnit": first,
        "lastUnit": last,
        "quantity": quantity,
        "unitAmount": unit,
        "flatAmount": flat,
        "amount": quantity * unit + flat,
    }


def _stored_price(sent: dict[str, Any]) -> dict[str, Any]:
    """A price as the API stores and serves it: what was sent, with the defaults filled in."""
    tiers = sent.get("tiers")
    return {
        "model": "per_unit",
        "amount": None,
        "packageSize": None,
        **sent,
        "tiers": None
        if tiers is None
        else [{"upTo": None, "unitAmount": 0, "flatAmount": 0, **t} for t in tiers],
    }


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes, its backslash escapes undone."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def undo(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return simple.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", undo, literal, flags=re.S)


def _pdf_texts(document: bytes) -> list[str]:
    """Every text string a PDF shows, decoded through each embedded font's ToUnicode map.

    fpdf2 writes two-byte glyph ids in (compressed) content streams; each font's ToUnicode
    CMap turns them back into text. Decoding every string with every map also yields some
    nonsense, but the text a test looks for only appears where the right map was used.
    """
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    maps = []
    for stream in (s for s in streams if b"begincmap" in s):
        glyphs: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for cid, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[int(cid, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for low, high, start in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for offset in range(int(high, 16) - int(low, 16) + 1):
                    glyphs[int(low, 16) + offset] = chr(int(start, 16) + offset)
        maps.append(glyphs)
    texts = []
    for stream in (s for s in streams if b" Tj" in s):
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = _unescape(literal)
            ids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            texts += ["".join(glyphs.get(i, "\ufffd") for i in ids) for glyphs in maps]
    return texts


def _addon(server: ApiClient, body: dict[str, Any]) -> requests.Response:
    return server.post("/v1/addons", json=body)


# --- the catalog --------------------------------------------------------------------------------

GRADUATED = {
    "billingPeriod": "monthly",
    "currency": "USD",
    "model": "graduated",
    "tiers": [
        {"upTo": 10, "unitAmount": 200},
        {"upTo": 50, "unitAmount": 150},
        {"unitAmount": 100},
    ],
}
VOLUME = {
    "billingPeriod": "monthly",
    "currency": "EUR",
    "model": "volume",
    "tiers": [
        {"upTo": 5, "unitAmount": 500, "flatAmount": 1000},
        {"unitAmount": 400, "flatAmount": 0},
    ],
}
PACKAGE = {
    "billingPeriod": "annual",
    "currency": "USD",
    "model": "package",
    "amount": 2500,
    "packageSize": 100,
}


def test_addons_with_graduated_volume_and_package_prices_read_back_as_stored(
    server: ApiClient, uid: str
) -> None:
    for name, price in (("graduated", GRADUATED), ("volume", VOLUME), ("package", PACKAGE)):
        addon_id = f"{name}-{uid}"
        body = {"id": addon_id, "name": name, "planIds": ["starter"], "prices": [price]}

        created = _addon(server, body)

        assert created.status_code == 201, created.text
        assert created.json()["prices"] == [_stored_price(price)], name
        read = server.get(f"/v1/addons/{addon_id}")
        assert read.status_code == 200, read.text
        assert read.json()["prices"] == [_stored_price(price)], name


def _graduated(*tiers: dict[str, Any], **price: Any) -> dict[str, Any]:
    return {"billingPeriod": "monthly", "currency": "USD", "model": "graduated", **price} | (
        {"tiers": list(tiers)} if tiers else {}
    )


BAD_PRICES = [
    (
        "bounds-not-increasing",
        _graduated({"upTo": 10, "unitAmount": 200}, {"upTo": 10, "unitAmount": 150}, {}),
        "prices.0.tiers.1.upTo",
    ),
    (
        "bounds-decreasing",
        _graduated({"upTo": 10, "unitAmount": 200}, {"upTo": 5, "unitAmount": 150}, {}),
        "prices.0.tiers.1.upTo",
    ),
    (
        "unbounded-tier-not-last",
        _graduated({"unitAmount": 200}, {"upTo": 50, "unitAmount": 150}, {"unitAmount": 100}),
        "prices.0.tiers.0.upTo",
    ),
    (
        "bounded-last-tier",
        _graduated({"upTo": 10, "unitAmount": 200}, {"upTo": 50, "unitAmount": 150}),
        "prices.0.tiers.1.upTo",
    ),
    (
        "negative-unit-amount",
        _graduated({"upTo": 10, "unitAmount": 200}, {"unitAmount": -1}),
        "prices.0.tiers.1.unitAmount",
    ),
    (
        "negative-flat-amount",
        _graduated({"upTo": 10, "flatAmount": -5}, {"unitAmount": 1}),
        "prices.0.tiers.0.flatAmount",
    ),
    (
        "tiers-on-per-unit",
        {
            "billingPeriod": "monthly",
            "currency": "USD",
            "model": "per_unit",
            "amount": 100,
            "tiers": [{"upTo": 10, "unitAmount": 200}, {"unitAmount": 100}],
        },
        "prices.0.tiers",
    ),
    ("graduated-without-tiers", _graduated(), "prices.0.tiers"),
    (
        "package-without-package-size",
        {"billingPeriod": "monthly", "currency": "USD", "model": "package", "amount": 100},
        "prices.0.packageSize",
    ),
    (
        "zero-package-size",
        {
            "billingPeriod": "monthly",
            "currency": "USD",
            "model": "package",
            "amount": 100,
            "packageSize": 0,
        },
        "prices.0.packageSize",
    ),
]


@pytest.mark.parametrize(
    ("price", "field"),
    [bad[1:] for bad in BAD_PRICES],
    ids=[bad[0] for bad in BAD_PRICES],
)
def test_bad_tier_definitions_are_refused_naming_the_field(
    server: ApiClient, uid: str, price: dict[str, Any], field: str
) -> None:
    addon_id = f"bad-{uid}"
    body = {"id": addon_id, "name": "Bad", "planIds": ["starter"], "prices": [price]}

    assert_error(_addon(server, body), 400, "invalid_request", field)
    assert_error(server.get(f"/v1/addons/{addon_id}"), 404, "addon_not_found")


def _metered_plan(uid: str, overage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"metered-{uid}",
        "name": "Metered",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 1000}],
        "entitlements": [
            {
                "featureId": f"calls-{uid}",
                "limit": 1000,
                "enforcement": "soft",
                "overagePrices": [overage],
            }
        ],
    }


def _calls_feature(server: ApiClient, uid: str) -> None:
    unit = {"singular": "call", "plural": "calls"}
    feature = {"id": f"calls-{uid}", "name": "Calls", "type": "metered", "unit": unit}
    response = server.post("/v1/features", json=feature)
    assert response.status_code == 201, response.text


def test_an_overage_price_in_a_currency_the_plan_is_not_sold_in_is_refused(
    server: ApiClient, uid: str
) -> None:
    _calls_feature(server, uid)
    eur = {"currency": "EUR", "model": "package", "amount": 100, "packageSize": 1000}

    assert_error(
        server.post("/v1/plans", json=_metered_plan(uid, eur)),
        400,
        "invalid_entitlement",
        "entitlements.0.overagePrices.0.currency",
    )
    assert_error(server.get(f"/v1/plans/metered-{uid}"), 404, "plan_not_found")


def test_tiered_overage_prices_are_stored_and_bad_ones_name_the_field(
    server: ApiClient, uid: str
) -> None:
    _calls_feature(server, uid)
    bounded_last = {
        "currency": "USD",
        "model": "graduated",
        "tiers": [{"upTo": 100, "unitAmount": 5}, {"upTo": 200, "unitAmount": 3}],
    }
    assert_error(
        server.post("/v1/plans", json=_metered_plan(uid, bounded_last)),
        400,
        "invalid_request",
        "entitlements.0.overagePrices.0.tiers.1.upTo",
    )
    graduated = {
        "currency": "USD",
        "model": "graduated",
        "tiers": [{"upTo": 100, "unitAmount": 5}, {"unitAmount": 3, "flatAmount": 50}],
    }

    created = server.post("/v1/plans", json=_metered_plan(uid, graduated))

    assert created.status_code == 201, created.text
    [entitlement] = created.json()["entitlements"]
    assert entitlement["overagePrices"] == [
        {
            "currency": "USD",
            "model": "graduated",
            "amount": None,
            "packageSize": None,
            "tiers": [
                {"upTo": 100, "unitAmount": 5, "flatAmount": 0},
                {"upTo": None, "unitAmount": 3, "flatAmount": 50},
            ],
        }
    ]


# --- subscriptions, invoices and PDFs -----------------------------------------------------------


def test_twelve_units_of_extra_storage_are_priced_and_invoiced_tier_by_tier(
    server: ApiClient, create_customer: CreateCustomer
) -> None:
    customer_id = create_customer("tiers")["id"]

    subscription = _subscribe(server, customer_id, [{"addonId": "extra-storage", "quantity": 12}])

    # 10 units x $2.00 = $20.00, then units 11-12: 2 x $1.50 = $3.00; $23.00 in all
    [storage] = subscription["addons"]
    assert (storage["addonId"], storage["quantity"], storage["amount"]) == (
        "extra-storage",
        12,
        2300,
    )
    assert storage["priceModel"]["model"] == "graduated"
    assert subscription["nextInvoice"]["amount"] == STARTER + 2300
    invoice = _invoice_for(server, customer_id, "subscription_created")
    assert invoice["total"] == STARTER + 2300
    [line] = [line for line in invoice["lines"] if line["quantity"] == 12]
    assert line["amount"] == 2300
    assert [(t["tier"], t["quantity"], t["amount"]) for t in line["tiers"]] == [
        (1, 10, 2000),
        (2, 2, 300),
    ]
    assert line["tiers"] == [_tier(1, 1, 10, 10, 200), _tier(2, 11, 50, 2, 150)]
    [plan_line] = [line for line in invoice["lines"] if line["quantity"] != 12]
    assert (plan_line["amount"], plan_line["tiers"]) == (STARTER, [])

    link = server.get(f"/v1/customers/{customer_id}/invoices/{invoice['id']}/pdf")
    assert link.status_code == 200, link.text
    document = requests.get(link.json()["url"], timeout=10)
    assert document.status_code == 200
    texts = [text.strip() for text in _pdf_texts(document.content)]
    assert "Tier 1 (1\u201310)" in texts, texts
    assert "Tier 2 (11\u201350)" in texts, texts
    assert "$23.00" in texts
    assert "$3.00" in texts


def _net(change: dict[str, Any]) -> int:
    return sum(line["amount"] for line in change["lines"])


def _shape(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["kind"], line["key"], line["quantity"], line["tiers"])


def _billed(line: dict[str, Any]) -> tuple[Any, ...]:
    """What a change line and the invoice line it became share (invoice lines have no key)."""
    return (line["kind"], line["description"], line["quantity"], line["tiers"], line["amount"])


def test_a_mid_period_quantity_change_invoices_what_its_preview_showed(
    server: ApiClient, create_customer: CreateCustomer
) -> None:
    customer_id = create_customer("tiers")["id"]
    started = (_now(server) - timedelta(days=10)).isoformat().replace("+00:00", "Z")
    _subscribe(server, customer_id, [{"addonId": "extra-storage", "quantity": 12}], startAt=started)
    _invoice_for(server, customer_id, "subscription_created")
    change = {"addons": [{"addonId": "extra-storage", "quantity": 60}]}

    preview = server.post(f"{_path(customer_id)}/preview", json=change)
    changed = server.patch(_path(customer_id), json=change)

    assert preview.status_code == 200, preview.text
    assert changed.status_code == 200, changed.text
    shown, made = preview.json(), changed.json()["change"]
    # the old 12 units cost $23.00 a period (see above); the new 60:
    # 10 x $2.00 = $20.00, units 11-50: 40 x $1.50 = $60.00, units 51-60: 10 x $1.00 = $10.00
    old_tiers = [_tier(1, 1, 10, 10, 200), _tier(2, 11, 50, 2, 150)]
    new_tiers = [_tier(1, 1, 10, 10, 200), _tier(2, 11, 50, 40, 150), _tier(3, 51, None, 10, 100)]
    assert sum(t["amount"] for t in new_tiers) == 9000
    assert [_shape(line) for line in shown["lines"]] == [
        ("credit", "addon:extra-storage", 12, old_tiers),
        ("charge", "addon:extra-storage", 60, new_tiers),
    ]
    credit, charge = (line["amount"] for line in shown["lines"])
    # 10 days into a month of 28-31 days, 18-21 days remain: a share of 58-75 % of each amount
    assert -2300 * 75 // 100 <= credit <= -2300 * 58 // 100
    assert 9000 * 58 // 100 <= charge <= 9000 * 75 // 100
    # both are the same share: charge / 9000 = -credit / 2300, give or take rounding
    assert abs(charge * 2300 + credit * 9000) <= (2300 + 9000) // 2
    assert shown["dueNow"] == _net(shown) == credit + charge
    # the shared clock moves a moment between the two requests: at most a cent apart
    assert [_shape(line) for line in made["lines"]] == [_shape(line) for line in shown["lines"]]
    for before, after in zip(shown["lines"], made["lines"], strict=True):
        assert abs(before["amount"] - after["amount"]) <= 1
    assert made["dueNow"] == _net(made)

    invoice = _invoice_for(server, customer_id, "change")
    assert [_billed(line) for line in invoice["lines"]] == [_billed(line) for line in made["lines"]]
    assert invoice["total"] == made["dueNow"]
    assert abs(invoice["total"] - shown["dueNow"]) <= 2
    [storage] = server.get(_path(customer_id)).json()["addons"]
    assert (storage["quantity"], storage["amount"]) == (60, 9000)


def test_a_volume_tier_change_that_costs_more_for_fewer_units_is_refused(
    server: ApiClient, create_customer: CreateCustomer, uid: str
) -> None:
    addon_id = f"bulk-{uid}"
    price = {
        "billingPeriod": "monthly",
        "currency": "USD",
        "model": "volume",
        "tiers": [{"upTo": 10, "unitAmount": 1000}, {"unitAmount": 500}],
    }
    body = {
        "id": addon_id,
        "name": "Bulk",
        "maxQuantity": 100,
        "planIds": ["starter"],
        "prices": [price],
    }
    assert _addon(server, body).status_code == 201
    customer_id = create_customer("tiers")["id"]
    subscription = _subscribe(server, customer_id, [{"addonId": addon_id, "quantity": 11}])
    # 11 units fall in the second tier, all at $5.00: $55.00; 10 units: 10 x $10.00 = $100.00
    assert subscription["addons"][0]["amount"] == 5500
    fewer = {"addons": [{"addonId": addon_id, "quantity": 10}]}

    assert_error(
        server.post(f"{_path(customer_id)}/preview", json=fewer),
        422,
        "proration_refused",
        "addons",
    )
    assert_error(server.patch(_path(customer_id), json=fewer), 422, "proration_refused", "addons")

    after = server.get(_path(customer_id)).json()
    assert (after["revision"], after["addons"][0]["quantity"]) == (1, 11)
    # 20 units: 20 x $5.00 = $100.00, more units for more money, so that change prorates
    more = server.post(
        f"{_path(customer_id)}/preview",
        json={"addons": [{"addonId": addon_id, "quantity": 20}]},
    )
    assert more.status_code == 200, more.text
    assert more.json()["lines"][-1]["tiers"] == [_tier(2, 11, None, 20, 500)]
