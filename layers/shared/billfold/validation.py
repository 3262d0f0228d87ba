"""Turning pydantic's validation errors into billfold's one error shape."""

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from billfold.errors import InvalidInput


def field_path(location: Sequence[int | str]) -> str | None:
    """`('body', 'prices', 0, 'amount')` → `prices.0.amount`, `('query', 'limit')` → `limit`;
    None for the body as a whole."""
    parts = (
        [str(part) for part in location[1:]]
        if location[:1] in (("body",), ("query",), ("path",))
        else [str(part) for part in location]
    )
    return ".".join(parts) or None


def first_error(errors: Sequence[ErrorDetails]) -> InvalidInput:
    """The first of pydantic's errors, as an InvalidInput naming its field."""
    error = errors[0]
    location = error["loc"]
    message = error["msg"].removeprefix("Value error, ")
    path = field_path(location)
    return InvalidInput(f"{path}: {message}" if path else message, field=path)


def as_invalid_input(error: ValidationError) -> InvalidInput:
    """A pydantic ValidationError raised inside the domain, as an InvalidInput."""
    return first_error(error.errors())
