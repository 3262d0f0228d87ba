"""Webhook endpoints: create, read, list, change, delete and roll the signing secret.

The seller names each endpoint (`id`), so a repeated create returns what the first made,
secret included. Every change is conditional on the revision read. The secret is stored with
the endpoint (the table is encrypted at rest) and answered only by create and roll.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from billfold.clock import Clock
from billfold.endpoints.addresses import target_of
from billfold.endpoints.models import (
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    EndpointWithSecret,
    SecretRoll,
)
from billfold.endpoints.signing import new_secret
from billfold.errors import (
    ErrorCode,
    InvalidInput,
    NotFound,
    already_exists,
    changed_concurrently,
)
from billfold.outbox import EventType, event_put
from billfold.patching import merge_patch
from billfold.storage import keys
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Delete,
    Item,
    Put,
    Table,
    Update,
    attribute_is,
)

DISABLE_AFTER = timedelta(days=5)
"""An endpoint whose deliveries have all failed this long is disabled."""
PREVIOUS_SECRET_VALID = timedelta(hours=24)
"""How long a rolled secret keeps signing beside the new one."""
_EXISTS = Condition("attribute_exists(pk)")
_STORED_ONLY = ("secret", "previous_secret", "previous_secret_until", "revision", "request")


def _not_found(endpoint_id: str) -> NotFound:
    return NotFound(
        f"webhook endpoint '{endpoint_id}' does not exist",
        code=ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    )


def _item(endpoint: Endpoint, stored: Mapping[str, Any]) -> Item:
    """The endpoint's item: its document, with the stored-only fields of `stored` kept."""
    kept = {name: stored[name] for name in _STORED_ONLY if name in stored}
    return {
        **keys.webhook_endpoint(endpoint.id),
        "kind": "webhook_endpoint",
        **kept,
        **endpoint.model_dump(mode="json"),
    }


def endpoint_of(stored: Mapping[str, Any]) -> Endpoint:
    """The endpoint an item holds (without its secrets)."""
    return Endpoint.model_validate({k: v for k, v in stored.items() if k not in _STORED_ONLY})


def signing_secrets(stored: Mapping[str, Any], now: datetime) -> list[str]:
    """The secrets a delivery is signed with: the current one, and the one rolled from while
    it is still valid."""
    found = [str(stored["secret"])]
    until = stored.get("previous_secret_until")
    if stored.get("previous_secret") and until and datetime.fromisoformat(until) > now:
        found.append(str(stored["previous_secret"]))
    return found


def read_endpoint(table: Table, endpoint_id: str) -> Item:
    """The endpoint's item as stored (read consistently), or NotFound."""
    stored = table.get(keys.webhook_endpoint(endpoint_id), consistent=True)
    if stored is None:
        raise _not_found(endpoint_id)
    return stored


def find_endpoint(table: Table, endpoint_id: str) -> Item | None:
    """The endpoint's item as stored (read consistently), or None."""
    return table.get(keys.webhook_endpoint(endpoint_id), consistent=True)


def health_writes(
    endpoint: Mapping[str, Any], succeeded: bool, now: datetime
) -> list[Update | Put]:
    """The writes of the endpoint's health after an attempt: failing since the first failure
    after a success; disabled (with its `webhook_endpoint.disabled` event) once that is 5 days
    ago."""
    key = keys.webhook_endpoint(str(endpoint["id"]))
    since = endpoint.get("failing_since")
    if succeeded:
        if since is None:
            return []
        return [Update(key, "REMOVE failing_since", Condition("attribute_exists(pk)"))]
    if since is None:
        return [
            Update(
                key,
                "SET failing_since = :now",
                Condition("attribute_exists(pk) AND attribute_not_exists(failing_since)"),
                values={":now": now.isoformat()},
            )
        ]
    if endpoint.get("status") != "enabled" or datetime.fromisoformat(since) > now - DISABLE_AFTER:
        return []
    disabled = endpoint_of(
        {**endpoint, "status": "disabled", "disabled_reason": "failing", "updated_at": now}
    )
    return [
        Update(
            key,
            "SET #status = :disabled, disabled_reason = :failing, updated_at = :now",
            Condition("#status = :enabled"),
            {"#status": "status"},
            {
                ":disabled": "disabled",
                ":failing": "failing",
                ":now": now.isoformat(),
                ":enabled": "enabled",
            },
        ),
        event_put(EventType.WEBHOOK_ENDPOINT_DISABLED, None, disabled, now),
    ]


def _with_secret(stored: Mapping[str, Any]) -> EndpointWithSecret:
    return EndpointWithSecret(**endpoint_of(stored).model_dump(), secret=str(stored["secret"]))


def create_endpoint(
    table: Table, request: EndpointCreate, clock: Clock, allow_loopback: bool
) -> EndpointWithSecret:
    """Save a new endpoint and answer its signing secret (the same request again answers the
    same; another request under the id is a 409)."""
    target_of(request.url, allow_loopback)
    asked = request.model_dump(mode="json")
    existing = table.get(keys.webhook_endpoint(request.id), consistent=True)
    if existing is None:
        now = clock.now()
        endpoint = Endpoint(
            id=request.id,
            url=request.url,
            event_types=request.event_types,
            description=request.description,
            status="enabled",
            secret_version=1,
            created_at=now,
            updated_at=now,
        )
        stored = {"secret": new_secret(), "revision": 1, "request": asked}
        item = _item(endpoint, stored)
        try:
            table.put(item, ITEM_IS_NEW)
            return _with_secret(item)
        except ConditionFailed:
            existing = table.get(keys.webhook_endpoint(request.id), consistent=True)
    if existing and existing.get("request") == asked and existing.get("secret_version") == 1:
        return _with_secret(existing)  # a retried create (before any roll: then it is a 409)
    raise already_exists("webhook endpoint", request.id)


def get_endpoint(table: Table, endpoint_id: str) -> Endpoint:
    """One endpoint (no secret)."""
    stored = table.get(keys.webhook_endpoint(endpoint_id))
    if stored is None:
        raise _not_found(endpoint_id)
    return endpoint_of(stored)


def list_endpoints(
    table: Table, *, limit: int, cursor: str | None
) -> tuple[list[Endpoint], str | None]:
    """One page of endpoints, by id."""
    page = table.query(
        keys.WEBHOOK_ENDPOINTS_PARTITION,
        sort_key_prefix="WEBHOOKENDPOINT#",
        limit=limit,
        cursor=cursor,
    )
    return [endpoint_of(item) for item in page.items], page.next_cursor


def stored_endpoints(table: Table) -> list[Item]:
    """Every endpoint as stored (a deployment has a handful): what the fan-out reads."""
    found: list[Item] = []
    cursor = None
    while True:
        page = table.query(
            keys.WEBHOOK_ENDPOINTS_PARTITION,
            sort_key_prefix="WEBHOOKENDPOINT#",
            limit=100,
            cursor=cursor,
        )
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            return found


def save_endpoint(table: Table, stored: Mapping[str, Any], after: Item) -> None:
    """Write `after` over `stored`, its revision moved on, if nobody changed it meanwhile."""
    revision = int(stored.get("revision", 1))
    try:
        table.put({**after, "revision": revision + 1}, attribute_is("revision", revision))
    except ConditionFailed:
        raise changed_concurrently("webhook endpoint", str(stored["id"])) from None


def update_endpoint(
    table: Table, endpoint_id: str, patch: EndpointUpdate, clock: Clock, allow_loopback: bool
) -> Endpoint:
    """Change an endpoint's url, event types, description or status."""
    stored = read_endpoint(table, endpoint_id)
    current = endpoint_of(stored)
    changes = patch.model_dump(exclude_unset=True)
    if "status" in changes and changes["status"] is None:
        raise InvalidInput("status is enabled or disabled", field="status")
    request = merge_patch(current, patch.model_copy(update={"status": None}), EndpointCreate)
    if patch.url is not None:
        target_of(request.url, allow_loopback)
    status = patch.status or current.status
    after = current.model_copy(
        update={
            "url": request.url,
            "event_types": request.event_types,
            "description": request.description,
            "status": status,
            "disabled_reason": "requested" if status == "disabled" else None,
            # re-enabled: its failures start over (else the next one disables it again)
            "failing_since": current.failing_since if current.status == status else None,
            "updated_at": clock.now(),
        }
    )
    if after.model_dump(exclude={"updated_at"}) == current.model_dump(exclude={"updated_at"}):
        return current
    save_endpoint(table, stored, _item(after, stored))
    return after


def delete_endpoint(table: Table, endpoint_id: str) -> Endpoint:
    """Delete an endpoint: its deliveries stop (deleting it again is a 404); the endpoint as
    it was."""
    endpoint = endpoint_of(read_endpoint(table, endpoint_id))
    try:
        table.transact([Delete(keys.webhook_endpoint(endpoint_id), _EXISTS)])
    except ConditionFailed:
        raise _not_found(endpoint_id) from None
    return endpoint


def roll_secret(
    table: Table, endpoint_id: str, request: SecretRoll, clock: Clock
) -> EndpointWithSecret:
    """A new signing secret, the old one valid beside it for 24 hours; rolling from the
    version before the current one again answers the current secret (a retried roll)."""
    stored = read_endpoint(table, endpoint_id)
    current = endpoint_of(stored)
    if request.from_version == current.secret_version - 1:
        return _with_secret(stored)
    if request.from_version != current.secret_version:
        raise InvalidInput(
            f"the secret is at version {current.secret_version}", field="fromVersion"
        )
    now = clock.now()
    after = current.model_copy(
        update={"secret_version": current.secret_version + 1, "updated_at": now}
    )
    rolled = {
        **stored,
        "secret": new_secret(),
        "previous_secret": stored["secret"],
        "previous_secret_until": (now + PREVIOUS_SECRET_VALID).isoformat(),
    }
    item = _item(after, rolled)
    save_endpoint(table, stored, item)
    return _with_secret(item)
