"""Server API keys: random, shown once, stored only as their SHA-256."""

import hashlib
import secrets
from datetime import datetime

from billfold.clock import Clock, isoformat
from billfold.models import ApiModel
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Table

SERVER_KEY_PREFIX = "bf_sk_"


class ServerKey(ApiModel):
    """What billfold knows of a server key: never the key itself."""

    key_id: str
    name: str
    created_at: datetime


def is_server_key(key: str) -> bool:
    """Whether `key` has a server key's form: the prefix and 32+ random characters."""
    return key.startswith(SERVER_KEY_PREFIX) and len(key) >= len(SERVER_KEY_PREFIX) + 32


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_server_key() -> str:
    """A fresh server key: the prefix and 256 random bits."""
    return SERVER_KEY_PREFIX + secrets.token_urlsafe(32)


def store_server_key(table: Table, key: str, name: str, clock: Clock) -> ServerKey:
    """Record a server key by its hash; storing the same key twice changes nothing."""
    if not is_server_key(key):
        raise ValueError(
            f"a server key starts with {SERVER_KEY_PREFIX} and has 32+ random characters"
        )
    digest = _digest(key)
    record = ServerKey(key_id=digest[:12], name=name, created_at=clock.now())
    existing = table.get(keys.api_key(digest), consistent=True)
    if existing is None:
        table.put(
            {
                **keys.api_key(digest),
                "kind": "api_key",
                "name": name,
                "key_id": record.key_id,
                "created_at": isoformat(record.created_at),
            },
            ITEM_IS_NEW,
        )
        return record
    return ServerKey.model_validate(existing)


def verify_server_key(table: Table, key: str) -> ServerKey | None:
    """The stored key that matches, or None: one GetItem by hash."""
    if not key.startswith(SERVER_KEY_PREFIX):
        return None
    stored = table.get(keys.api_key(_digest(key)))
    return ServerKey.model_validate(stored) if stored else None
