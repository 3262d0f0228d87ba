"""API keys, random, shown once and stored only as their SHA-256: server keys (`bf_sk_`) for
the seller's backend, and publishable keys (`bf_pk_`) that are safe in a browser and read only
the public catalog."""

import hashlib
import secrets
from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from billfold.clock import Clock, isoformat
from billfold.models import ApiModel, RequestModel
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Table

SERVER_KEY_PREFIX = "bf_sk_"
PUBLISHABLE_KEY_PREFIX = "bf_pk_"

KeyKind = Literal["server", "publishable"]
_PREFIX: dict[KeyKind, str] = {"server": SERVER_KEY_PREFIX, "publishable": PUBLISHABLE_KEY_PREFIX}
_STORED_KIND: dict[KeyKind, str] = {"server": "api_key", "publishable": "publishable_key"}


class ApiKey(ApiModel):
    """What billfold knows of a key: never the key itself."""

    key_id: str
    name: str
    created_at: datetime


class PublishableKeyCreate(RequestModel):
    """A new publishable key, and what it is for."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class PublishableKey(ApiKey):
    """A new publishable key: the key itself is answered this once."""

    key: str


def has_key_form(key: str, kind: KeyKind = "server") -> bool:
    """Whether `key` has the form of a `kind` key: its prefix and 32+ random characters."""
    prefix = _PREFIX[kind]
    return key.startswith(prefix) and len(key) >= len(prefix) + 32


def is_server_key(key: str) -> bool:
    """Whether `key` has a server key's form."""
    return has_key_form(key, "server")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(kind: KeyKind = "server") -> str:
    """A fresh key of `kind`: its prefix and 256 random bits."""
    return _PREFIX[kind] + secrets.token_urlsafe(32)


def new_server_key() -> str:
    """A fresh server key."""
    return new_key("server")


def store_key(table: Table, key: str, name: str, clock: Clock, kind: KeyKind = "server") -> ApiKey:
    """Record a key by its hash; storing the same key twice changes nothing."""
    if not has_key_form(key, kind):
        raise ValueError(f"a {kind} key starts with {_PREFIX[kind]} and has 32+ random characters")
    digest = _digest(key)
    record = ApiKey(key_id=digest[:12], name=name, created_at=clock.now())
    existing = table.get(keys.api_key(digest), consistent=True)
    if existing is None:
        table.put(
            {
                **keys.api_key(digest),
                "kind": _STORED_KIND[kind],
                "name": name,
                "key_id": record.key_id,
                "created_at": isoformat(record.created_at),
            },
            ITEM_IS_NEW,
        )
        return record
    return ApiKey.model_validate(existing)


def store_server_key(table: Table, key: str, name: str, clock: Clock) -> ApiKey:
    """Record a server key by its hash."""
    return store_key(table, key, name, clock, "server")


def create_publishable_key(table: Table, name: str, clock: Clock) -> PublishableKey:
    """A new publishable key, stored by its hash and answered once."""
    key = new_key("publishable")
    stored = store_key(table, key, name, clock, "publishable")
    return PublishableKey(**stored.model_dump(), key=key)


def verify_key(table: Table, key: str, kind: KeyKind = "server") -> ApiKey | None:
    """The stored key of `kind` that matches, or None: one GetItem by hash."""
    if not key.startswith(_PREFIX[kind]):
        return None
    stored = table.get(keys.api_key(_digest(key)))
    if stored is None or stored.get("kind") != _STORED_KIND[kind]:
        return None
    return ApiKey.model_validate(stored)


def verify_server_key(table: Table, key: str) -> ApiKey | None:
    """The stored server key that matches, or None."""
    return verify_key(table, key, "server")
