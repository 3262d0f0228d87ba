"""Server API keys: random, prefixed, stored and looked up only by their SHA-256."""

import base64
import hashlib
import re
from typing import Any

import pytest

from billfold.auth.api_keys import (
    SERVER_KEY_PREFIX,
    ApiKey,
    new_server_key,
    store_server_key,
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
