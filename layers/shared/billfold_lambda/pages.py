"""The paginated list shape every list route returns."""

from typing import Generic, TypeVar

from billfold.models import ApiModel

Item = TypeVar("Item")


class Page(ApiModel, Generic[Item]):
    """One page of a list; pass `nextCursor` back as `cursor` for the next (null: no more)."""

    items: list[Item]
    next_cursor: str | None
