"""Pagination cursors: opaque, round-tripping, and unable to leave the queried partition."""

import base64
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.errors import InvalidInput
from billfold.storage.table import decode_cursor, encode_cursor

TABLE_KEYS = frozenset({"pk", "sk"})
INDEX_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def _cursor_of(position: object) -> str:
    """A cursor carrying any JSON document, as a client could forge one."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _wire(**attributes: str) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in attributes.items()}


@given(sort_key=st.text())
def test_table_cursor_round_trips_to_the_last_evaluated_key(sort_key: str) -> None:
    last_key = _wire(pk="PLAN", sk=sort_key)

    cursor = encode_cursor(last_key, "pk")

    assert re.fullmatch(r"[A-Za-z0-9_-]*", cursor)
    assert decode_cursor(cursor, "pk", "PLAN", key_attributes=TABLE_KEYS) == last_key


@given(table_sort_key=st.text(), index_sort_key=st.text(), customer=st.text(min_size=1))
def test_index_cursor_round_trips_with_the_table_keys_too(
    table_sort_key: str, index_sort_key: str, customer: str
) -> None:
    last_key = _wire(
        pk=f"CUSTOMER#{customer}", sk=table_sort_key, gsi1pk="CUSTOMERS", gsi1sk=index_sort_key
    )

    cursor = encode_cursor(last_key, "gsi1pk")

    assert decode_cursor(cursor, "gsi1pk", "CUSTOMERS", key_attributes=INDEX_KEYS) == last_key


def test_cursor_leaves_the_partition_out() -> None:
    cursor = encode_cursor(_wire(pk="PLAN", sk="PLAN#pro"), "pk")

    position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))

    assert position == {"sk": "PLAN#pro"}


def test_forged_cursor_cannot_move_the_query_into_another_partition() -> None:
    forged = _cursor_of({"pk": "CUSTOMER#victim", "sk": "PROFILE"})

    start = decode_cursor(forged, "pk", "PLAN", key_attributes=TABLE_KEYS)

    assert start == {"pk": {"S": "PLAN"}, "sk": {"S": "PROFILE"}}


@given(
    position=st.dictionaries(
        st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk"]) | st.text(), st.text(), max_size=5
    ),
    partition=st.text(min_size=1),
)
def test_decoded_start_key_always_carries_the_querys_own_partition(
    position: dict[str, str], partition: str
) -> None:
    if set(position) - {"pk"} != {"sk"}:
        with pytest.raises(InvalidInput):
            decode_cursor(_cursor_of(position), "pk", partition, key_attributes=TABLE_KEYS)
        return

    start = decode_cursor(_cursor_of(position), "pk", partition, key_attributes=TABLE_KEYS)
    assert start["pk"] == {"S": partition}
    assert {k: v["S"] for k, v in start.items() if k != "pk"} == {
        k: v for k, v in position.items() if k != "pk"
    }


def test_cursor_naming_other_attributes_than_the_querys_keys_is_invalid_input() -> None:
    for position in ({"foo": "bar"}, {"sk": "a", "gsi1sk": "b"}, {}):
        with pytest.raises(InvalidInput):
            decode_cursor(_cursor_of(position), "pk", "PLAN", key_attributes=TABLE_KEYS)
    index_start = {"sk": "PROFILE", "pk": "CUSTOMER#c", "gsi1sk": "x"}
    assert decode_cursor(_cursor_of(index_start), "gsi1pk", "CUSTOMERS", key_attributes=INDEX_KEYS)[
        "gsi1pk"
    ] == {"S": "CUSTOMERS"}


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
        _cursor_of({"sk": 1}),
        _cursor_of({"sk": None}),
        _cursor_of({"sk": {"S": "PLAN#pro"}}),
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
        "number-value",
        "null-value",
        "nested-value",
    ],
)
def test_garbage_cursor_is_invalid_input_naming_the_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, "pk", "PLAN", key_attributes=TABLE_KEYS)

    assert caught.value.field == "cursor"
    assert caught.value.code == "invalid_input"


@given(cursor=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="))
def test_any_cursor_either_decodes_into_the_partition_or_is_invalid_input(cursor: str) -> None:
    outcome: dict[str, object] | InvalidInput
    try:
        outcome = decode_cursor(cursor, "pk", "PLAN", key_attributes=TABLE_KEYS)
    except InvalidInput as error:
        outcome = error

    if isinstance(outcome, InvalidInput):
        assert outcome.field == "cursor"
    else:
        assert outcome["pk"] == {"S": "PLAN"}


def test_deeply_nested_cursor_is_invalid_input() -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 1536).decode().rstrip("=")
    assert len(cursor) <= 2048

    with pytest.raises(InvalidInput):
        decode_cursor(cursor, "pk", "PLAN", key_attributes=TABLE_KEYS)
