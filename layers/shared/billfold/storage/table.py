"""A thin, typed wrapper over the DynamoDB client for billfold's single table.

Items go in and come out as plain dicts of str, int, bool, None, list and dict: numbers are
integers only (money is integer minor units), so DynamoDB's Decimals never leak out.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from billfold.errors import ErrorCode, InvalidInput
from billfold.storage.keys import Key
from billfold.storage.schema import PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, Any]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConditionFailed(Exception):
    """A conditional write found the item not as expected; nothing was written.

    For a transaction, `failed_indexes` says which of its operations' conditions failed.
    """

    def __init__(self, failed_indexes: Sequence[int] = ()) -> None:
        super().__init__("conditional check failed")
        self.failed_indexes = tuple(failed_indexes)


@dataclass(frozen=True)
class Condition:
    """A DynamoDB condition expression with its placeholders."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


ITEM_IS_NEW = Condition("attribute_not_exists(pk)")


def attribute_is(name: str, value: Any) -> Condition:
    """The item's attribute still has the value it was read with (optimistic locking)."""
    return Condition("#expected = :expected", {"#expected": name}, {":expected": value})


_LOST_RACE = {"ConditionalCheckFailedException", "TransactionConflictException"}
"""A write that lost to another: its condition failed, or a transaction held the item."""
_LOST_RACE_REASONS = {"ConditionalCheckFailed", "TransactionConflict"}


@dataclass(frozen=True)
class Put:
    """One put in a transaction."""

    item: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class Delete:
    """One delete in a transaction."""

    key: Key
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    """One update (in a transaction, or alone with `Table.update`): `expression` is a DynamoDB
    update expression (SET, ADD, REMOVE) whose placeholders are in `names` and `values`; the
    condition's own placeholders are merged with them (a placeholder may not mean two things)."""

    key: Key
    expression: str
    condition: Condition | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


ReturnValues = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]


@dataclass(frozen=True)
class Page:
    """One page of a query: its items and the cursor for the next page, if any."""

    items: list[Item]
    next_cursor: str | None


def _to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items() if value is not None}


def integers_only(value: Any) -> Any:
    """A deserialized value with DynamoDB's Decimals as integers (billfold stores no fractions)."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: integers_only(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [integers_only(v) for v in value]
    return value


def _from_wire(item: Mapping[str, Any]) -> Item:
    return {name: integers_only(_deserializer.deserialize(value)) for name, value in item.items()}


def _condition_args(condition: Condition | None) -> dict[str, Any]:
    if condition is None:
        return {}
    args: dict[str, Any] = {"ConditionExpression": condition.expression}
    if condition.names:
        args["ExpressionAttributeNames"] = dict(condition.names)
    if condition.values:
        args["ExpressionAttributeValues"] = _to_wire(condition.values)
    return args


def _merged(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(mine)
    for placeholder, value in theirs.items():
        if placeholder in merged and merged[placeholder] != value:
            raise ValueError(f"placeholder {placeholder} means two things in one update")
        merged[placeholder] = value
    return merged


def _update_args(update: Update) -> dict[str, Any]:
    condition = update.condition
    names = _merged(update.names, condition.names if condition else {})
    values = _merged(update.values, condition.values if condition else {})
    args: dict[str, Any] = {"Key": _to_wire(update.key), "UpdateExpression": update.expression}
    if condition is not None:
        args["ConditionExpression"] = condition.expression
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = _to_wire(values)
    return args


@dataclass(frozen=True)
class Listing:
    """What one query pages through: a partition of the table or of an index, perhaps narrowed
    by its sort key. A cursor is bound to the listing it came from."""

    partition: str
    index: tuple[str, str, str] | None = None
    """An index as (name, partition attribute, sort attribute); None for the table."""
    sort_key_prefix: str | None = None
    sort_key_at_most: str | None = None

    @property
    def partition_attribute(self) -> str:
        return self.index[1] if self.index else PARTITION_KEY

    @property
    def sort_attribute(self) -> str:
        return self.index[2] if self.index else SORT_KEY

    @property
    def position_attributes(self) -> frozenset[str]:
        """The key attributes a cursor carries: all but the partition, which the query pins."""
        every = {PARTITION_KEY, SORT_KEY, self.partition_attribute, self.sort_attribute}
        return frozenset(every - {self.partition_attribute})

    def fingerprint(self) -> str:
        """A short digest naming this listing (index, partition and sort-key bounds)."""
        named = json.dumps(
            [self.index, self.partition, self.sort_key_prefix, self.sort_key_at_most]
        )
        return hashlib.sha256(named.encode()).hexdigest()[:16]

    def admits(self, sort_key: str) -> bool:
        """Whether a sort key lies inside this listing's bounds."""
        if self.sort_key_prefix is not None and not sort_key.startswith(self.sort_key_prefix):
            return False
        return self.sort_key_at_most is None or sort_key <= self.sort_key_at_most


MAX_CURSOR_KEY_LENGTH = 1024
"""DynamoDB's limit for a sort key, in bytes: no valid position is longer."""


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this list returned", field="cursor", code=ErrorCode.INVALID_CURSOR
    )


def encode_cursor(last_key: Mapping[str, Any], listing: Listing) -> str:
    """An opaque cursor: the listing it pages through and the last key read in it."""
    position = {k: v["S"] for k, v in last_key.items() if k != listing.partition_attribute}
    document = {"l": listing.fingerprint(), "k": position}
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, listing: Listing) -> dict[str, Any]:
    """The ExclusiveStartKey for a cursor, or InvalidInput `invalid_cursor`.

    Only a cursor this listing returned is taken: one from another list or customer, one whose
    key attributes are not exactly the listing's, empty or too long (which DynamoDB would
    reject as a 500), or outside the listing's sort-key bounds is refused.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as error:
        raise _invalid_cursor() from error
    if not isinstance(document, dict) or document.get("l") != listing.fingerprint():
        raise _invalid_cursor()
    position = document.get("k")
    if not isinstance(position, dict) or set(position) != listing.position_attributes:
        raise _invalid_cursor()
    for value in position.values():
        if not isinstance(value, str) or not 0 < len(value.encode()) <= MAX_CURSOR_KEY_LENGTH:
            raise _invalid_cursor()
    sort_key = position.get(listing.sort_attribute)
    if not isinstance(sort_key, str) or not listing.admits(sort_key):
        raise _invalid_cursor()
    start = {k: {"S": v} for k, v in position.items()}
    start[listing.partition_attribute] = {"S": listing.partition}
    return start


class Table:
    """billfold's table: get, put, query and transactions with integer-only items."""

    def __init__(self, name: str, client: "DynamoDBClient | None" = None) -> None:
        self.name = name
        self._client: DynamoDBClient = client or boto3.client("dynamodb")

    def get(self, key: Key, *, consistent: bool = False) -> Item | None:
        """One item by key, or None."""
        response = self._client.get_item(
            TableName=self.name, Key=_to_wire(key), ConsistentRead=consistent
        )
        wire = response.get("Item")
        return _from_wire(wire) if wire else None

    def get_many(self, item_keys: Sequence[Key], *, consistent: bool = False) -> list[Item]:
        """The items that exist among the keys: one BatchGetItem per 100 keys (plus retries)."""
        found: list[Item] = []
        for start in range(0, len(item_keys), 100):
            chunk = [_to_wire(k) for k in item_keys[start : start + 100]]
            pending: dict[str, Any] = {self.name: {"Keys": chunk, "ConsistentRead": consistent}}
            while pending:
                response = self._client.batch_get_item(RequestItems=pending)
                found += [_from_wire(i) for i in response.get("Responses", {}).get(self.name, [])]
                pending = dict(response.get("UnprocessedKeys") or {})
        return found

    def put(self, item: Item, condition: Condition | None = None) -> None:
        """Write one item, raising ConditionFailed if the condition does not hold."""
        try:
            self._client.put_item(
                TableName=self.name, Item=_to_wire(item), **_condition_args(condition)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in _LOST_RACE:
                raise ConditionFailed((0,)) from error
            raise

    def update(
        self,
        key: Key,
        expression: str,
        condition: Condition | None = None,
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        return_values: ReturnValues = "ALL_NEW",
    ) -> Item:
        """Update one item (creating it if absent), raising ConditionFailed if the condition does
        not hold; returns the attributes `return_values` asks for ({} for NONE)."""
        update = Update(key, expression, condition, names or {}, values or {})
        try:
            response = self._client.update_item(
                TableName=self.name, ReturnValues=return_values, **_update_args(update)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in _LOST_RACE:
                raise ConditionFailed((0,)) from error
            raise
        return _from_wire(response.get("Attributes", {}))

    def transact(self, puts: Sequence[Put | Update | Delete]) -> None:
        """Write all puts, updates and deletes or none, raising ConditionFailed naming the
        operations that failed."""
        operations: list[dict[str, Any]] = []
        for write in puts:
            if isinstance(write, Update):
                operations.append({"Update": {"TableName": self.name, **_update_args(write)}})
            elif isinstance(write, Delete):
                operations.append(
                    {
                        "Delete": {
                            "TableName": self.name,
                            "Key": _to_wire(write.key),
                            **_condition_args(write.condition),
                        }
                    }
                )
            else:
                operations.append(
                    {
                        "Put": {
                            "TableName": self.name,
                            "Item": _to_wire(write.item),
                            **_condition_args(write.condition),
                        }
                    }
                )
        try:
            self._client.transact_write_items(TransactItems=operations)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            failed = [i for i, r in enumerate(reasons) if r.get("Code") in _LOST_RACE_REASONS]
            if not failed:
                raise
            raise ConditionFailed(failed) from error

    def query(
        self,
        partition: str,
        *,
        sort_key_prefix: str | None = None,
        sort_key_at_most: str | None = None,
        index: tuple[str, str, str] | None = None,
        limit: int = 20,
        cursor: str | None = None,
        newest_first: bool = False,
        where: Condition | None = None,
        consistent: bool = False,
    ) -> Page:
        """One page of a partition (of the table, or of an index given as (name, pk, sk)).

        `where` filters items after they are read; reading goes on until the page is full or
        the partition ends, so a page is short only when it is the last.
        """
        listing = Listing(partition, index, sort_key_prefix, sort_key_at_most)
        index_name, partition_attribute, sort_attribute = index or (None, PARTITION_KEY, SORT_KEY)
        expression = "#p = :p"
        names = {"#p": partition_attribute}
        values: dict[str, Any] = {":p": {"S": partition}}
        if sort_key_prefix is not None:
            expression += " AND begins_with(#s, :s)"
            names["#s"] = sort_attribute
            values[":s"] = {"S": sort_key_prefix}
        elif sort_key_at_most is not None:
            expression += " AND #s <= :s"
            names["#s"] = sort_attribute
            values[":s"] = {"S": sort_key_at_most}
        args: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "Limit": limit,
            "ScanIndexForward": not newest_first,
        }
        if consistent:
            args["ConsistentRead"] = True
        if where is not None:
            args["FilterExpression"] = where.expression
            names.update(where.names)
            values.update(_to_wire(where.values))
        if index_name:
            args["IndexName"] = index_name
        if cursor:
            args["ExclusiveStartKey"] = decode_cursor(cursor, listing)
        items: list[Item] = []
        while True:
            try:
                response = self._client.query(**args)
            except ClientError as error:
                if cursor and error.response["Error"]["Code"] == "ValidationException":
                    raise _invalid_cursor() from error
                raise
            items += [_from_wire(item) for item in response.get("Items", [])]
            last_key = response.get("LastEvaluatedKey")
            if not last_key or len(items) >= limit:
                break
            args["ExclusiveStartKey"], args["Limit"] = last_key, limit - len(items)
        return Page(
            items=items,
            next_cursor=encode_cursor(last_key, listing) if last_key else None,
        )
