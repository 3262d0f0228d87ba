"""The hot path's glue: what `Api` does for an operation (its route from the table, parameters
and body validated, the caller's grants, the one error shape) without Powertools' REST
resolver, which costs every cold start about 40 ms. The functions the seller's app calls on
every request use it; their OpenAPI operations still come from the same endpoint, through an
`Api` built only when the document is.

api = LeanApi("check_entitlement")

@api.route
def check(customerId: CustomerIdPath, featureId: CatalogIdPath, requested: Requested = 1)
    -> EntitlementCheck: ...

handler = api.handler
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_args, get_origin, get_type_hints

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from billfold_lambda.entry import lambda_entry, refuse_what_the_caller_may_not_set
from billfold_lambda.error_bodies import (
    INTERNAL,
    THROTTLED,
    invalid_request,
    is_throttling,
    proxy_error,
    status_of,
)
from billfold_lambda.observability import logger
from billfold_lambda.params import Param
from billfold_lambda.routes import ROUTES_BY_OPERATION

from billfold.errors import BillfoldError, ErrorCode, InvalidInput

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import Router

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_ABSENT = object()


@dataclass(frozen=True)
class _Argument:
    """Where one of the endpoint's arguments comes from, and how it is checked."""

    name: str
    location: str
    """path, query or body"""
    wire_name: str
    adapter: TypeAdapter[Any]
    default: Any

    def read(self, event: dict[str, Any]) -> Any:
        """The argument from the event, validated (InvalidInput naming it otherwise)."""
        try:
            return self._read(event)
        except ValidationError as error:
            located = [
                {**e, "loc": (self.location, *self._wire_loc(e["loc"]))} for e in error.errors()
            ]
            code, message, field = invalid_request(located)  # type: ignore[arg-type]
            raise InvalidInput(message, field=field, code=code) from None

    def _wire_loc(self, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
        return loc if self.location == "body" else (self.wire_name, *loc)

    def _read(self, event: dict[str, Any]) -> Any:
        if self.location == "body":
            if not event.get("body"):
                raise InvalidInput("This request needs a JSON body.", code=ErrorCode.MISSING_BODY)
            return self.adapter.validate_json(event["body"])
        source = event.get("pathParameters" if self.location == "path" else "queryStringParameters")
        raw = (source or {}).get(self.wire_name, _ABSENT)
        if raw is _ABSENT and self.default is not inspect.Parameter.empty:
            return self.default
        return self.adapter.validate_python(None if raw is _ABSENT else raw)


def _argument(name: str, hint: Any, default: Any, path_parameters: tuple[str, ...]) -> _Argument:
    if inspect.isclass(hint) and issubclass(hint, BaseModel):
        return _Argument(name, "body", name, TypeAdapter(hint), default)
    base, *metadata = get_args(hint) if get_origin(hint) is Annotated else (hint,)
    params = [m for m in metadata if isinstance(m, Param)]
    if len(params) != 1:
        raise TypeError(f"argument {name!r} needs one Param (billfold_lambda.params) or a model")
    (param,) = params
    others = [m for m in metadata if not isinstance(m, Param)]
    checked = Annotated[(base, *others, Field(**param.constraints()))]  # type: ignore[valid-type]
    location = "path" if name in path_parameters else "query"
    return _Argument(name, location, param.alias or name, TypeAdapter(checked), default)


def _error(error: Exception) -> dict[str, Any]:
    """An exception as the error response `Api`'s resolver would give."""
    if isinstance(error, BillfoldError):
        return proxy_error(status_of(error), ErrorCode(error.code), error.message, error.field)
    if isinstance(error, ClientError) and is_throttling(error):
        return proxy_error(429, ErrorCode.THROTTLED, THROTTLED)
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return proxy_error(500, ErrorCode.INTERNAL_ERROR, INTERNAL)


class LeanApi:
    """One hot-path operation's Lambda: its route (from the table), its handler."""

    def __init__(self, operation: str) -> None:
        self.spec = ROUTES_BY_OPERATION[operation]
        self.handler = lambda_entry(self._resolve)
        """The Lambda entry point."""
        self._endpoint: Callable[..., BaseModel] | None = None
        self._arguments: list[_Argument] = []

    def route(self, endpoint: Endpoint) -> Endpoint:
        """Take the endpoint: its arguments' hints say where each comes from."""
        hints = get_type_hints(endpoint, include_extras=True)
        self._arguments = [
            _argument(name, hints[name], parameter.default, self.spec.path_parameters)
            for name, parameter in inspect.signature(endpoint).parameters.items()
        ]
        self._endpoint = endpoint
        return endpoint

    @property
    def router(self) -> "Router":
        """The endpoint on a Powertools router, for the OpenAPI document (never on Lambda)."""
        from billfold_lambda.api import Api

        if self._endpoint is None:
            raise RuntimeError(f"{self.spec.operation} has no endpoint")
        described = Api(self.spec.operation)
        described.route(self._endpoint)
        return described.router

    def _resolve(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        if self._endpoint is None:
            raise RuntimeError(f"{self.spec.operation} has no endpoint")
        try:
            arguments = {argument.name: argument.read(event) for argument in self._arguments}
            refuse_what_the_caller_may_not_set(event, arguments)
            result = self._endpoint(**arguments)
        except Exception as error:
            return _error(error)
        return {
            "statusCode": self.spec.status,
            "headers": {"Content-Type": "application/json"},
            "body": result.model_dump_json(by_alias=True),
            "isBase64Encoded": False,
        }
