"""The glue every HTTP handler uses: one operation, one route, taken from the route table.

api = Api("create_feature")

@api.route
def create_feature(body: FeatureCreate) -> Feature: ...

handler = api.handler
"""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_args, get_origin, get_type_hints

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from billfold_lambda.entry import caller_of, lambda_entry, refuse_what_the_caller_may_not_set
from billfold_lambda.error_bodies import ErrorBody
from billfold_lambda.errors import install_error_handlers
from billfold_lambda.params import Param
from billfold_lambda.routes import ROUTES_BY_OPERATION, Route

from billfold.grants import Caller

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

_ERROR_STATUSES = {
    400: "Invalid request: `error.field` names the offending input",
    401: "Missing or invalid credential",
    403: "This credential may not call this route, or set a field it names",
    404: "No such resource",
    409: "Conflict with the resource's state or a concurrent change",
    422: "A valid request that the rules refuse",
}
_CHECKOUT_STATUSES = {
    402: "The bank declined the card: `error.message` is its reason",
    410: "The checkout session expired",
}


def _error_responses(tag: str) -> dict[int, OpenAPIResponse]:
    statuses = {**_ERROR_STATUSES, **(_CHECKOUT_STATUSES if tag == "checkout" else {})}
    return {
        status: {"description": text, "content": {"application/json": {"model": ErrorBody}}}
        for status, text in sorted(statuses.items())
    }


def _as_powertools(hint: Any) -> Any:
    """`Annotated[T, Param(...)]` as `Annotated[T, Path(...)]` or `Query(...)`; other hints as
    they are."""
    if get_origin(hint) is not Annotated:
        return hint
    base, *metadata = get_args(hint)
    params = [m for m in metadata if isinstance(m, Param)]
    if not params:
        return hint
    (param,) = params
    kind = Path if param.location == "path" else Query
    marker = kind(description=param.description, alias=param.alias, **param.constraints())
    others = [m for m in metadata if not isinstance(m, Param)]
    return Annotated[(base, *others, marker)]


def _for_powertools(endpoint: Callable[..., Any]) -> inspect.Signature:
    """The endpoint's signature with its parameters' hints as Powertools reads them."""
    hints = get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    return signature.replace(
        parameters=[
            parameter.replace(annotation=_as_powertools(hints.get(name, parameter.annotation)))
            for name, parameter in signature.parameters.items()
        ]
    )


def _body_of(endpoint: Callable[..., Any]) -> Any:
    """The model of what the endpoint answers (of `Response[T]`: T, e.g. a redirect's str)."""
    returned = get_type_hints(endpoint)["return"]
    return get_args(returned)[0] if get_origin(returned) is Response else returned


class Api:
    """One operation's Lambda: its route (from the table), its resolver and its handler."""

    def __init__(self, operation: str) -> None:
        self.spec: Route = ROUTES_BY_OPERATION[operation]
        self.router = Router()  # type: ignore[no-untyped-call]
        self.resolver = APIGatewayRestResolver(enable_validation=True)
        install_error_handlers(self.resolver)
        self.handler = lambda_entry(self.resolver.resolve)
        """The Lambda entry point."""

    def _guarded(self, endpoint: Endpoint) -> Endpoint:
        """The endpoint as the resolver sees it: its parameters' `Param`s as Powertools' Path
        and Query, and refusing (403) any seller-only term a customer set in its request."""

        @functools.wraps(endpoint)
        def guarded(**arguments: Any) -> Any:
            refuse_what_the_caller_may_not_set(self.resolver.current_event.raw_event, arguments)
            return endpoint(**arguments)

        guarded.__signature__ = _for_powertools(endpoint)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    def caller(self) -> Caller:
        """Who sent the request being handled: the seller (server key) or a customer."""
        return caller_of(self.resolver.current_event.raw_event)

    def route(self, endpoint: Endpoint) -> Endpoint:
        """Register the endpoint function under this operation's method and path; every
        request model it takes is checked against what the caller may set
        (`billfold.grants`)."""
        self.router.route(
            rule=self.spec.resolver_path,
            method=self.spec.method,
            summary=self.spec.summary,
            tags=[self.spec.tag],
            operation_id=self.spec.operation,
            status_code=self.spec.status,
            responses={
                self.spec.status: {
                    "description": self.spec.summary,
                    "content": {"application/json": {"model": _body_of(endpoint)}},
                },
                **_error_responses(self.spec.tag),
            },
        )(self._guarded(endpoint))
        self.resolver.include_router(self.router)
        return endpoint
