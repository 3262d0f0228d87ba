"""The due-work index's entries: what makes the billing run visit a customer at a moment."""

import zlib

from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import Item

DUE_SHARDS = 16
"""The due-work index spreads its entries over this many partitions (see data-model.md)."""


def due_work_entry(customer_id: str, due: str) -> Item:
    """The due-work index attributes that make the billing run visit the customer at `due`
    (a sortable timestamp): its shard, and the moment with the customer id."""
    shard = zlib.crc32(customer_id.encode()) % DUE_SHARDS
    return {
        DUE_WORK_INDEX.partition_key: f"DUE#{shard:02d}",
        DUE_WORK_INDEX.sort_key: f"{due}#{customer_id}",
    }
