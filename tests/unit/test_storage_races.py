"""Lost races reach the domain as ConditionFailed (a 409), whichever way DynamoDB reports them."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from billfold.storage.table import ConditionFailed, Put, Table


class _RefusingClient:
    """A DynamoDB client stand-in whose writes fail with one given AWS error."""

    def __init__(self, error: ClientError) -> None:
        self.error = error

    def put_item(self, **_: Any) -> None:
        raise self.error

    def transact_write_items(self, **_: Any) -> None:
        raise self.error


def _error(code: str, reasons: list[dict[str, str]] | None = None) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": code}}
    if reasons is not None:
        response["CancellationReasons"] = reasons
    return ClientError(response, "Write")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "code", ["ConditionalCheckFailedException", "TransactionConflictException"]
)
def test_a_put_that_lost_a_race_raises_condition_failed(code):
    table = Table("t", client=_RefusingClient(_error(code)))  # type: ignore[arg-type]
    with pytest.raises(ConditionFailed):
        table.put({"pk": "a", "sk": "b"})


@pytest.mark.parametrize("reason", ["ConditionalCheckFailed", "TransactionConflict"])
def test_a_transaction_that_lost_a_race_names_the_operation(reason):
    error = _error("TransactionCanceledException", [{"Code": "None"}, {"Code": reason}])
    table = Table("t", client=_RefusingClient(error))  # type: ignore[arg-type]
    with pytest.raises(ConditionFailed) as caught:
        table.transact([Put({"pk": "a", "sk": "1"}), Put({"pk": "a", "sk": "2"})])
    assert caught.value.failed_indexes == (1,)


def test_other_aws_errors_are_not_mistaken_for_a_race():
    table = Table("t", client=_RefusingClient(_error("ValidationException")))  # type: ignore[arg-type]
    with pytest.raises(ClientError):
        table.put({"pk": "a", "sk": "b"})
