"""The table wrapper against the real DynamoDB API (moto server)."""

import pytest

from billfold.errors import InvalidInput
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Put, attribute_is


def test_transaction_with_one_failing_condition_writes_nothing(table, uid):
    table.put({"pk": f"T#{uid}", "sk": "existing", "n": 1})
    puts = [
        Put({"pk": f"T#{uid}", "sk": "new-a", "n": 2}, ITEM_IS_NEW),
        Put({"pk": f"T#{uid}", "sk": "existing", "n": 3}, ITEM_IS_NEW),
        Put({"pk": f"T#{uid}", "sk": "new-b", "n": 4}),
    ]

    with pytest.raises(ConditionFailed) as raised:
        table.transact(puts)

    assert raised.value.failed_indexes == (1,)
    assert table.get({"pk": f"T#{uid}", "sk": "new-a"}, consistent=True) is None
    assert table.get({"pk": f"T#{uid}", "sk": "new-b"}, consistent=True) is None
    assert table.get({"pk": f"T#{uid}", "sk": "existing"}, consistent=True)["n"] == 1


def test_transaction_names_every_failing_operation(table, uid):
    table.put({"pk": f"T#{uid}", "sk": "a", "v": 1})
    table.put({"pk": f"T#{uid}", "sk": "c", "v": 1})
    puts = [
        Put({"pk": f"T#{uid}", "sk": "a", "v": 2}, attribute_is("v", 99)),
        Put({"pk": f"T#{uid}", "sk": "b", "v": 2}, ITEM_IS_NEW),
        Put({"pk": f"T#{uid}", "sk": "c", "v": 2}, ITEM_IS_NEW),
    ]

    with pytest.raises(ConditionFailed) as raised:
        table.transact(puts)

    assert raised.value.failed_indexes == (0, 2)
    assert table.get({"pk": f"T#{uid}", "sk": "b"}, consistent=True) is None


def test_transaction_whose_conditions_hold_writes_every_item(table, uid):
    table.put({"pk": f"T#{uid}", "sk": "a", "v": 1})

    table.transact(
        [
            Put({"pk": f"T#{uid}", "sk": "a", "v": 2}, attribute_is("v", 1)),
            Put({"pk": f"T#{uid}", "sk": "b", "v": 2, "nested": {"n": [1, 2]}}, ITEM_IS_NEW),
        ]
    )

    assert table.get({"pk": f"T#{uid}", "sk": "a"}, consistent=True)["v"] == 2
    assert table.get({"pk": f"T#{uid}", "sk": "b"}, consistent=True)["nested"] == {"n": [1, 2]}


def test_conditional_put_that_fails_leaves_the_item_alone(table, uid):
    table.put({"pk": f"T#{uid}", "sk": "a", "v": 1})

    with pytest.raises(ConditionFailed):
        table.put({"pk": f"T#{uid}", "sk": "a", "v": 2}, ITEM_IS_NEW)

    assert table.get({"pk": f"T#{uid}", "sk": "a"}, consistent=True)["v"] == 1


def test_query_pages_follow_each_other_without_gaps_or_repeats(table, uid):
    for n in range(7):
        table.put({"pk": f"Q#{uid}", "sk": f"item#{n}"})

    seen: list[str] = []
    cursor = None
    while True:
        page = table.query(f"Q#{uid}", limit=3, cursor=cursor)
        seen += [item["sk"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [f"item#{n}" for n in range(7)]


def test_query_refuses_a_cursor_it_did_not_issue(table, uid):
    with pytest.raises(InvalidInput) as raised:
        table.query(f"Q#{uid}", cursor="not-a-cursor!")

    assert raised.value.field == "cursor"


def test_a_cursor_pages_its_own_partition_and_no_other(table, uid):
    for n in range(3):
        table.put({"pk": f"A#{uid}", "sk": f"item#{n}"})
        table.put({"pk": f"B#{uid}", "sk": f"item#{n}"})
    cursor = table.query(f"A#{uid}", limit=1).next_cursor

    page = table.query(f"A#{uid}", limit=5, cursor=cursor)

    assert [item["sk"] for item in page.items] == ["item#1", "item#2"]
    with pytest.raises(InvalidInput) as caught:
        table.query(f"B#{uid}", limit=5, cursor=cursor)
    assert caught.value.code == "invalid_cursor"
