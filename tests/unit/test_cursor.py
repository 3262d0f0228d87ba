"""Pagination cursors: opaque, round-tripping, bound to the list they came from, and never a key
DynamoDB would reject (which would be a 500 in AWS, where moto is lenient)."""

import base64
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.errors import InvalidInput
from billfold.storage.table import Listing, decode_cursor, encode_cursor

PLANS = Listing("PLAN")
INVOICES = Listing("CUSTOMER#acme", sort_key_prefix="INVOICE#")
CUSTOMERS = Listing("CUSTOMERS", index=("gsi1", "gsi1pk", "gsi1sk"))


def _cursor_of(document: object) -> str:
    """A cursor carrying any JSON document, as a client could forge one."""
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def _forged(listing: Listing, position: object) -> str:
    """A forged cursor that names the right listing, with any position."""
    return _cursor_of({"l": listing.fingerprint(), "k": position})


def _wire(**attributes: str) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in attributes.items()}


@given(sort_key=st.text(min_size=1, max_size=200))
def test_table_cursor_round_trips_to_the_last_evaluated_key(sort_key: str) -> None:
    last_key = _wire(pk="PLAN", sk=sort_key)

    cursor = encode_cursor(last_key, PLANS)

    assert re.fullmatch(r"[A-Za-z0-9_-]*", cursor)
    assert decode_cursor(cursor, PLANS) == last_key


@given(
    table_sort_key=st.text(min_size=1, max_size=100),
    index_sort_key=st.text(min_size=1, max_size=100),
    customer=st.text(min_size=1, max_size=50),
)
def test_index_cursor_round_trips_with_the_table_keys_too(
    table_sort_key: str, index_sort_key: str, customer: str
) -> None:
    last_key = _wire(
        pk=f"CUSTOMER#{customer}", sk=table_sort_key, gsi1pk="CUSTOMERS", gsi1sk=index_sort_key
    )

    assert decode_cursor(encode_cursor(last_key, CUSTOMERS), CUSTOMERS) == last_key


def test_cursor_leaves_the_partition_out() -> None:
    cursor = encode_cursor(_wire(pk="PLAN", sk="PLAN#pro"), PLANS)

    document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))

    assert document["k"] == {"sk": "PLAN#pro"}


def test_a_cursor_from_another_customers_list_is_refused() -> None:
    theirs = Listing("CUSTOMER#victim", sort_key_prefix="INVOICE#")
    cursor = encode_cursor(_wire(pk="CUSTOMER#victim", sk="INVOICE#in_1"), theirs)

    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, INVOICES)

    assert caught.value.code == "invalid_cursor"


def test_a_cursor_from_another_list_of_the_same_customer_is_refused() -> None:
    history = Listing("CUSTOMER#acme", sort_key_prefix="USAGE#api#")
    cursor = encode_cursor(_wire(pk="CUSTOMER#acme", sk="USAGE#api#2026"), history)

    with pytest.raises(InvalidInput):
        decode_cursor(cursor, INVOICES)


def test_a_forged_position_outside_the_lists_sort_key_bounds_is_refused() -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(_forged(INVOICES, {"sk": "PROFILE"}), INVOICES)


def test_a_forged_partition_in_the_position_is_refused_not_followed() -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(_forged(PLANS, {"pk": "CUSTOMER#victim", "sk": "PROFILE"}), PLANS)


@pytest.mark.parametrize(
    "position",
    [{"sk": ""}, {"sk": "x" * 1025}, {"sk": "é" * 513}],
    ids=["empty", "over-1024-chars", "over-1024-bytes"],
)
def test_a_key_dynamodb_would_reject_is_refused(position: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(_forged(PLANS, position), PLANS)

    assert (caught.value.code, caught.value.field) == ("invalid_cursor", "cursor")


def test_an_index_cursor_with_an_empty_table_key_is_refused() -> None:
    position = {"pk": "", "sk": "PROFILE", "gsi1sk": "2026"}

    with pytest.raises(InvalidInput):
        decode_cursor(_forged(CUSTOMERS, position), CUSTOMERS)


def test_cursor_naming_other_attributes_than_the_querys_keys_is_invalid() -> None:
    for position in ({"foo": "bar"}, {"sk": "a", "gsi1sk": "b"}, {}):
        with pytest.raises(InvalidInput):
            decode_cursor(_forged(PLANS, position), PLANS)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!!",
        "not a cursor",
        "eyJzayI6",  # truncated JSON
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
        _cursor_of([]),
        _cursor_of("PLAN#pro"),
        _cursor_of(42),
        _cursor_of(None),
        _cursor_of({"sk": "PLAN#pro"}),  # the old, unbound form
        _forged(PLANS, {"sk": 1}),
        _forged(PLANS, {"sk": None}),
        _forged(PLANS, {"sk": {"S": "PLAN#pro"}}),
        _forged(PLANS, ["PLAN#pro"]),
    ],
    ids=[
        "empty",
        "punctuation",
        "words",
        "truncated-json",
        "binary",
        "list",
        "string",
        "number",
        "null",
        "unbound",
        "number-value",
        "null-value",
        "nested-value",
        "list-position",
    ],
)
def test_garbage_cursor_is_invalid_cursor_naming_the_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, PLANS)

    assert caught.value.field == "cursor"
    assert caught.value.code == "invalid_cursor"


@given(cursor=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="))
def test_any_cursor_either_decodes_into_the_partition_or_is_invalid_cursor(cursor: str) -> None:
    outcome: dict[str, object] | InvalidInput
    try:
        outcome = decode_cursor(cursor, INVOICES)
    except InvalidInput as error:
        outcome = error

    if isinstance(outcome, InvalidInput):
        assert outcome.code == "invalid_cursor"
    else:
        assert outcome["pk"] == {"S": "CUSTOMER#acme"}
        assert str(outcome["sk"]["S"]).startswith("INVOICE#")  # type: ignore[index]


def test_deeply_nested_cursor_is_invalid() -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 1536).decode().rstrip("=")
    assert len(cursor) <= 2048

    with pytest.raises(InvalidInput):
        decode_cursor(cursor, PLANS)
