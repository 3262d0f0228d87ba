"""PATCH semantics shared by every resource: merge the fields given, then validate the whole."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from billfold.models import RequestModel
from billfold.validation import as_invalid_input

Request = TypeVar("Request", bound=RequestModel)


def merge_patch(current: BaseModel, patch: RequestModel, request_type: type[Request]) -> Request:
    """The create-request that `current` plus the patch amount to, validated as a whole.

    Fields the patch does not mention keep their values; a field sent as null goes back to its
    default, as if it had never been set (a required field cannot: that is a 400).
    """
    names = set(request_type.model_fields)
    fields = current.model_dump(include=names, by_alias=True)
    for name, value in patch.model_dump(exclude_unset=True, by_alias=True).items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    try:
        return request_type.model_validate(fields)
    except ValidationError as error:
        raise as_invalid_input(error) from error


def unchanged(current: BaseModel, proposed: BaseModel) -> bool:
    """Whether every field of `proposed` already has that value in `current`."""
    return all(getattr(current, name) == value for name, value in _fields(proposed).items())


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}
