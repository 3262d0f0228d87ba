"""The table wrapper's updates, alone and in transactions: the requests they send."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from billfold.storage.table import Condition, ConditionFailed, Put, Table, Update


class _RecordingClient:
    """A DynamoDB client stand-in that records calls and answers with a fixed response."""

    def __init__(self, response: dict[str, Any] | None = None, error: Exception | None = None):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.response = response or {}
        self.error = error

    def _call(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, kwargs))
        if self.error:
            raise self.error
        return self.response

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("update_item", kwargs)

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("transact_write_items", kwargs)


KEY = {"pk": "A", "sk": "B"}


def test_an_update_sends_its_expression_condition_and_merged_placeholders():
    client = _RecordingClient({"Attributes": {"pk": {"S": "A"}, "n": {"N": "3"}}})
    table = Table("t", client=client)  # type: ignore[arg-type]

    item = table.update(
        KEY,
        "ADD #n :one",
        Condition("#n < :max", {"#n": "n"}, {":max": 10}),
        names={"#n": "n"},
        values={":one": 1},
    )

    assert item == {"pk": "A", "n": 3}
    name, request = client.calls[0]
    assert name == "update_item"
    assert request == {
        "TableName": "t",
        "ReturnValues": "ALL_NEW",
        "Key": {"pk": {"S": "A"}, "sk": {"S": "B"}},
        "UpdateExpression": "ADD #n :one",
        "ConditionExpression": "#n < :max",
        "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": "10"}},
    }


def test_an_update_without_return_values_returns_an_empty_item():
    client = _RecordingClient()
    table = Table("t", client=client)  # type: ignore[arg-type]

    assert table.update(KEY, "REMOVE gone", return_values="NONE") == {}
    assert "ExpressionAttributeNames" not in client.calls[0][1]


def test_a_placeholder_may_not_mean_two_things():
    table = Table("t", client=_RecordingClient())  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="two things"):
        table.update(KEY, "SET #a = :v", Condition("#a = :v", {}, {":v": 2}), values={":v": 1})


@pytest.mark.parametrize(
    "code", ["ConditionalCheckFailedException", "TransactionConflictException"]
)
def test_an_update_that_lost_a_race_raises_condition_failed(code):
    error = ClientError({"Error": {"Code": code, "Message": code}}, "UpdateItem")
    table = Table("t", client=_RecordingClient(error=error))  # type: ignore[arg-type]

    with pytest.raises(ConditionFailed):
        table.update(KEY, "ADD n :one", values={":one": 1})


def test_a_transaction_mixes_puts_and_updates_in_order():
    client = _RecordingClient()
    table = Table("t", client=client)  # type: ignore[arg-type]

    table.transact(
        [
            Update(KEY, "ADD #n :one", Condition("attribute_exists(pk)"), {"#n": "n"}, {":one": 1}),
            Put({"pk": "A", "sk": "C"}, Condition("attribute_not_exists(pk)")),
        ]
    )

    operations = client.calls[0][1]["TransactItems"]
    assert operations == [
        {
            "Update": {
                "TableName": "t",
                "Key": {"pk": {"S": "A"}, "sk": {"S": "B"}},
                "UpdateExpression": "ADD #n :one",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {
            "Put": {
                "TableName": "t",
                "Item": {"pk": {"S": "A"}, "sk": {"S": "C"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]


def test_a_canceled_transaction_names_the_failed_update():
    error = ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "canceled"},
            "CancellationReasons": [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}],
        },  # type: ignore[typeddict-item]
        "TransactWriteItems",
    )
    table = Table("t", client=_RecordingClient(error=error))  # type: ignore[arg-type]

    with pytest.raises(ConditionFailed) as raised:
        table.transact([Update(KEY, "ADD n :one", values={":one": 1}), Put({"pk": "A", "sk": "C"})])

    assert raised.value.failed_indexes == (0,)
