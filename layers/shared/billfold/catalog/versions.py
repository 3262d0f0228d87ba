"""Versioned catalog items (plans, add-ons): a current head plus immutable published versions.

Publishing writes the new version and moves the head in one transaction, conditional on the
head still being at the version the change was based on, so two concurrent changes can never
both win. A subscription points at (id, version) and keeps what it was sold.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from billfold.catalog.models import Addon, Plan
from billfold.clock import Clock
from billfold.errors import Conflict, ErrorCode, NotFound, already_exists, changed_concurrently
from billfold.models import RequestModel
from billfold.patching import merge_patch
from billfold.storage import keys
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Item,
    Put,
    Table,
)

Published = TypeVar("Published", Plan, Addon)
Request = TypeVar("Request", bound=RequestModel)


@dataclass(frozen=True)
class Publication(Generic[Published]):
    """Where a new version stands: its number, when its item was created, when it is
    published, and the version it replaces (None for version 1)."""

    version: int
    created_at: datetime
    published_at: datetime
    previous: Published | None

    @property
    def granted_before(self) -> set[str]:
        """The features the replaced version granted."""
        return {e.feature_id for e in self.previous.entitlements} if self.previous else set()


Build = Callable[[Request, Publication[Published]], Published]
"""Turns a create-request into the version it publishes, checking it against the catalog."""


def _active_at(version: int) -> Condition:
    """The head is still active and at `version`: nobody published or archived meanwhile."""
    return Condition(
        "#version = :version AND #status = :active",
        {"#version": "version", "#status": "status"},
        {":version": version, ":active": "active"},
    )


ACTIVE_ONLY = Condition("#status = :active", {"#status": "status"}, {":active": "active"})
"""Filters a catalog listing down to what is still sold."""


@dataclass(frozen=True)
class Snapshot(Generic[Published]):
    """Catalog items read together (`VersionedStore.many`)."""

    heads: Mapping[str, Published]
    versions: Mapping[tuple[str, int], Published]
    noun: str

    def current(self, item_id: str) -> Published | None:
        """The head read, if the item exists."""
        return self.heads.get(item_id)

    def version(self, item_id: str, version: int) -> Published:
        """A version read (with the item's current status), or NotFound."""
        found = self.versions.get((item_id, version))
        if found is None:
            raise NotFound(
                f"{self.noun} '{item_id}' has no version {version}",
                field="version",
                code=ErrorCode.VERSION_NOT_FOUND,
            )
        return found


class VersionedStore(Generic[Published]):
    """Reads and publishes one kind of versioned catalog item."""

    def __init__(self, table: Table, partition: str, model: type[Published], noun: str) -> None:
        self._table = table
        self._partition = partition
        self._model: type[Published] = model
        self._noun = noun

    def _document(self, item: Published) -> Item:
        return {"kind": self._noun, **item.model_dump(mode="json")}

    def current(self, item_id: str, *, consistent: bool = False) -> Published | None:
        """The head: the latest published version, with the item's status."""
        stored = self._table.get(keys.catalog_item(self._partition, item_id), consistent=consistent)
        return self._model.model_validate(stored) if stored else None

    def require_current(self, item_id: str, *, consistent: bool = False) -> Published:
        """The head, or NotFound."""
        found = self.current(item_id, consistent=consistent)
        if found is None:
            raise NotFound(
                f"{self._noun} '{item_id}' does not exist",
                code=ErrorCode(f"{self._noun}_not_found"),
            )
        return found

    def get(self, item_id: str, version: int | None = None) -> Published:
        """The current version, or the version asked for."""
        return self.require_current(item_id) if version is None else self.version(item_id, version)

    def version(self, item_id: str, version: int) -> Published:
        """One published version, carrying the item's current status; NotFound if none."""
        head = self.require_current(item_id)
        if version == head.version:
            return head
        stored = self._table.get(keys.catalog_version(self._partition, item_id, version))
        if stored is None:
            raise NotFound(
                f"{self._noun} '{item_id}' has no version {version}",
                field="version",
                code=ErrorCode.VERSION_NOT_FOUND,
            )
        return self._model.model_validate({**stored, "status": head.status})

    def many(
        self, heads: Iterable[str], versions: Iterable[tuple[str, int]] = ()
    ) -> "Snapshot[Published]":
        """The heads of `heads` and the published `versions` (id, version), read consistently
        in one batch: what one change needs of the catalog, read once."""
        wanted = list(versions)
        ids = sorted(set(heads) | {item_id for item_id, _ in wanted})
        item_keys = [keys.catalog_item(self._partition, i) for i in ids]
        item_keys += [keys.catalog_version(self._partition, i, v) for i, v in sorted(set(wanted))]
        found = self._table.get_many(item_keys, consistent=True)
        heads_by_id = {
            item["id"]: self._model.model_validate(item)
            for item in found
            if item["pk"] == self._partition
        }
        stored_versions = {(i["id"], i["version"]): i for i in found if i["pk"] != self._partition}
        versions_found: dict[tuple[str, int], Published] = {}
        for item_id, version in wanted:
            head = heads_by_id.get(item_id)
            stored = stored_versions.get((item_id, version))
            if head is not None and head.version == version:
                versions_found[(item_id, version)] = head
            elif head is not None and stored is not None:
                versions_found[(item_id, version)] = self._model.model_validate(
                    {**stored, "status": head.status}
                )
        return Snapshot(heads_by_id, versions_found, self._noun)

    def list(
        self, *, limit: int, cursor: str | None, include_archived: bool
    ) -> tuple[list[Published], str | None]:
        """One page of heads, by id."""
        page = self._table.query(
            self._partition,
            sort_key_prefix=f"{self._partition}#",
            limit=limit,
            cursor=cursor,
            where=None if include_archived else ACTIVE_ONLY,
        )
        return [self._model.model_validate(i) for i in page.items], page.next_cursor

    def publish_new(
        self, request: Request, clock: Clock, build: "Build[Request, Published]"
    ) -> Published:
        """Create the item and publish it as version 1."""
        now = clock.now()
        return self.create(build(request, Publication(1, now, now, None)))

    def publish_patch(
        self,
        item_id: str,
        patch: RequestModel,
        request_type: type[Request],
        clock: Clock,
        build: "Build[Request, Published]",
    ) -> Published:
        """Publish the next version with the patch applied (nothing, if nothing changes)."""
        current = self.require_current(item_id, consistent=True)
        request = merge_patch(current, patch, request_type)
        publication = Publication(current.version + 1, current.created_at, clock.now(), current)
        return self.update(current, build(request, publication))

    def create(self, item: Published) -> Published:
        """Publish version 1; repeating the same create returns what it created (safe to retry)."""
        try:
            self.publish(item)
        except Conflict:
            existing = self.require_current(item.id, consistent=True)
            if same_terms(existing, item):
                return existing
            raise already_exists(self._noun, item.id) from None
        return item

    def update(self, current: Published, candidate: Published) -> Published:
        """Publish `candidate` as the next version, unless it changes nothing."""
        if current.status == "archived":
            raise Conflict(
                f"{self._noun} '{current.id}' is archived and cannot change",
                code=ErrorCode(f"{self._noun}_archived"),
            )
        if same_terms(current, candidate):
            return current
        self.publish(candidate)
        return candidate

    def archive(self, item_id: str) -> Published:
        """Stop selling the item; subscriptions keep their versions. Archiving twice is a no-op."""
        current = self.require_current(item_id, consistent=True)
        if current.status == "archived":
            return current
        archived = current.model_copy(update={"status": "archived"})
        self.replace_head(archived)
        return archived

    def publish(self, item: Published) -> None:
        """Publish `item` as its version: the first creates the head, later ones move it.

        Raises Conflict if the head has moved (or, for version 1, already exists).
        """
        head_key = keys.catalog_item(self._partition, item.id)
        version_key = keys.catalog_version(self._partition, item.id, item.version)
        head_condition = ITEM_IS_NEW if item.version == 1 else _active_at(item.version - 1)
        try:
            self._table.transact(
                [
                    Put({**head_key, **self._document(item)}, head_condition),
                    Put({**version_key, **self._document(item)}, ITEM_IS_NEW),
                ]
            )
        except ConditionFailed as error:
            raise changed_concurrently(self._noun, item.id) from error

    def replace_head(self, item: Published) -> None:
        """Rewrite the head in place (a status change), if nobody published meanwhile."""
        try:
            self._table.put(
                {**keys.catalog_item(self._partition, item.id), **self._document(item)},
                _active_at(item.version),
            )
        except ConditionFailed as error:
            raise changed_concurrently(self._noun, item.id) from error


_BOOKKEEPING = {"version", "status", "created_at", "published_at"}


def same_terms(a: Published, b: Published) -> bool:
    """Whether two versions sell the same thing (ignoring version numbers and timestamps)."""
    return a.model_dump(exclude=_BOOKKEEPING) == b.model_dump(exclude=_BOOKKEEPING)
