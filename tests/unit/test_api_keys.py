"""API keys, server (bf_sk_) and publishable (bf_pk_): random, prefixed, stored and looked up
only by their SHA-256, each kind accepted only as itself."""

import base64
import hashlib
import re
from typing import Any

import pytest

from billfold.auth.api_keys import (
    PUBLISHABLE_KEY_PREFIX,
    SERVER_KEY_PREFIX,
    ApiKey,
    PublishableKey,
    create_publishable_key,
    has_key_form,
    is_server_key,
    new_key,
    new_server_key,
    store_key,
    store_server_key,
    verify_key,
    verify_server_key,
)
from billfold.clock import FixedClock
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Condition
from tests.unit.factories import NOW, ExplodingTable


class DictTable:
    """Just enough of a Table for the key functions: get and put by (pk, sk)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.reads: list[keys.Key] = []
        self.puts: list[tuple[dict[str, Any], Condition | None]] = []

    def get(self, key: keys.Key, *, consistent: bool = False) -> dict[str, Any] | None:
        self.reads.append(key)
        return self.items.get((key["pk"], key["sk"]))

    def put(self, item: dict[str, Any], condition: Condition | None = None) -> None:
        self.puts.append((item, condition))
        self.items[(item["pk"], item["sk"])] = item


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def test_new_server_key_is_prefixed_url_safe_and_carries_256_random_bits() -> None:
    key = new_server_key()

    assert key.startswith(SERVER_KEY_PREFIX)
    secret = key.removeprefix(SERVER_KEY_PREFIX)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32


def test_new_server_keys_never_repeat() -> None:
    generated = {new_server_key() for _ in range(200)}

    assert len(generated) == 200


def test_verify_refuses_a_key_without_the_prefix_without_touching_the_table() -> None:
    table: Any = ExplodingTable()

    for key in ["", "bf_pt_abc.def", "sk_live_123", "BF_SK_" + "a" * 43, " bf_sk_" + "a" * 43]:
        assert verify_server_key(table, key) is None


def test_verify_looks_the_key_up_by_its_hash_never_by_the_key_itself() -> None:
    table = DictTable()
    key = new_server_key()

    assert verify_server_key(table, key) is None  # type: ignore[arg-type]

    assert table.reads == [keys.api_key(_digest(key))]
    assert key not in repr(table.reads)


def test_store_then_verify_returns_the_stored_key_record() -> None:
    table = DictTable()
    key = new_server_key()

    stored = store_server_key(table, key, "backend", FixedClock(NOW))  # type: ignore[arg-type]
    found = verify_server_key(table, key)  # type: ignore[arg-type]

    assert found == ApiKey(key_id=_digest(key)[:12], name="backend", created_at=NOW)
    assert stored == found
    assert verify_server_key(table, new_server_key()) is None  # type: ignore[arg-type]


def test_store_keeps_only_the_hash_and_writes_only_new_items() -> None:
    table = DictTable()
    key = new_server_key()

    store_server_key(table, key, "backend", FixedClock(NOW))  # type: ignore[arg-type]

    [(item, condition)] = table.puts
    assert key not in repr(item)
    assert (item["pk"], item["sk"]) == ("API_KEY#" + _digest(key), "API_KEY")
    assert condition == ITEM_IS_NEW


def test_storing_the_same_key_twice_changes_nothing() -> None:
    table = DictTable()
    key = new_server_key()
    first = store_server_key(table, key, "backend", FixedClock(NOW))  # type: ignore[arg-type]

    again = store_server_key(table, key, "renamed", FixedClock(NOW))  # type: ignore[arg-type]

    assert again == first
    assert len(table.puts) == 1


@pytest.mark.parametrize(
    "key", ["", "bf_sk_short", "bf_sk_" + "a" * 31, "bf_pt_" + "a" * 43, "a" * 49]
)
def test_store_refuses_keys_that_are_not_prefixed_or_too_short(key: str) -> None:
    table: Any = ExplodingTable()

    with pytest.raises(ValueError, match="starts with bf_sk_"):
        store_server_key(table, key, "backend", FixedClock(NOW))


# --- publishable keys -------------------------------------------------------------------------


def test_new_publishable_key_is_prefixed_url_safe_and_carries_256_random_bits() -> None:
    key = new_key("publishable")

    assert key.startswith(PUBLISHABLE_KEY_PREFIX)
    secret = key.removeprefix(PUBLISHABLE_KEY_PREFIX)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert has_key_form(key, "publishable")
    assert not has_key_form(key, "server")
    assert not is_server_key(key)


def test_create_publishable_key_answers_the_key_once_and_stores_only_its_hash() -> None:
    table = DictTable()

    created = create_publishable_key(table, "pricing page", FixedClock(NOW))  # type: ignore[arg-type]

    assert isinstance(created, PublishableKey)
    assert created.key.startswith(PUBLISHABLE_KEY_PREFIX)
    [(item, condition)] = table.puts
    assert created.key not in repr(item)
    assert (item["pk"], item["sk"]) == ("API_KEY#" + _digest(created.key), "API_KEY")
    assert item["kind"] == "publishable_key"
    assert condition == ITEM_IS_NEW
    assert (created.key_id, created.name, created.created_at) == (
        _digest(created.key)[:12],
        "pricing page",
        NOW,
    )


def test_server_keys_are_stored_with_the_server_kind() -> None:
    table = DictTable()
    key = new_server_key()

    store_server_key(table, key, "backend", FixedClock(NOW))  # type: ignore[arg-type]

    [(item, _)] = table.puts
    assert item["kind"] == "api_key"


def test_a_publishable_key_verifies_only_as_a_publishable_key() -> None:
    table = DictTable()
    created = create_publishable_key(table, "pricing page", FixedClock(NOW))  # type: ignore[arg-type]

    found = verify_key(table, created.key, "publishable")  # type: ignore[arg-type]

    assert found == ApiKey(key_id=created.key_id, name="pricing page", created_at=NOW)
    assert verify_key(table, created.key, "server") is None  # type: ignore[arg-type]
    assert verify_server_key(table, created.key) is None  # type: ignore[arg-type]


def test_a_server_key_verifies_only_as_a_server_key() -> None:
    table = DictTable()
    key = new_server_key()
    store_server_key(table, key, "backend", FixedClock(NOW))  # type: ignore[arg-type]

    assert verify_key(table, key, "server") is not None  # type: ignore[arg-type]
    assert verify_key(table, key, "publishable") is None  # type: ignore[arg-type]


def test_the_stored_kind_decides_even_when_the_prefix_matches() -> None:
    """A record of the other kind under a key's hash (or one with no kind) is never
    accepted: the prefix alone does not make a key a server key."""
    table = DictTable()
    server, publishable = new_server_key(), new_key("publishable")
    for key, kind in [(server, "publishable_key"), (publishable, "api_key")]:
        table.put(
            {
                **keys.api_key(_digest(key)),
                "kind": kind,
                "name": "x",
                "key_id": "k",
                "created_at": "2030-01-01T00:00:00Z",
            }
        )
    legacy = new_server_key()
    table.put(
        {
            **keys.api_key(_digest(legacy)),
            "name": "x",
            "key_id": "k",
            "created_at": "2030-01-01T00:00:00Z",
        }
    )

    assert verify_key(table, server, "server") is None  # type: ignore[arg-type]
    assert verify_key(table, publishable, "publishable") is None  # type: ignore[arg-type]
    assert verify_key(table, legacy, "server") is None  # type: ignore[arg-type]


def test_the_same_secret_behind_the_other_prefix_is_another_key() -> None:
    table = DictTable()
    created = create_publishable_key(table, "pricing page", FixedClock(NOW))  # type: ignore[arg-type]
    as_server = SERVER_KEY_PREFIX + created.key.removeprefix(PUBLISHABLE_KEY_PREFIX)

    assert verify_key(table, as_server, "server") is None  # type: ignore[arg-type]
    assert verify_key(table, as_server, "publishable") is None  # type: ignore[arg-type]


def test_verify_refuses_the_other_prefix_without_touching_the_table() -> None:
    table: Any = ExplodingTable()

    assert verify_key(table, new_server_key(), "publishable") is None
    assert verify_key(table, new_key("publishable"), "server") is None


@pytest.mark.parametrize(
    "key",
    ["", "bf_pk_short", "bf_pk_" + "a" * 31, "bf_sk_" + "a" * 43, "BF_PK_" + "a" * 43],
)
def test_store_refuses_publishable_keys_that_are_not_prefixed_or_too_short(key: str) -> None:
    table: Any = ExplodingTable()

    with pytest.raises(ValueError, match="starts with bf_pk_"):
        store_key(table, key, "pricing page", FixedClock(NOW), "publishable")
