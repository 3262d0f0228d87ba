"""The resolver's error handlers: validation errors, domain errors and anything unexpected,
all in billfold's one error shape (`error_bodies`)."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import ClientError

from billfold_lambda.error_bodies import (
    INTERNAL,
    THROTTLED,
    error_json,
    invalid_request,
    is_throttling,
    status_of,
)
from billfold_lambda.observability import logger

from billfold import errors
from billfold.errors import ErrorCode


def error_response(
    status: int, code: ErrorCode, message: str, field: str | None = None
) -> Response[str]:
    """A response in billfold's error shape."""
    return Response(status, content_types.APPLICATION_JSON, error_json(code, message, field))


def _invalid_request(error: RequestValidationError) -> Response[str]:
    code, message, field = invalid_request(error.errors())
    return error_response(400, code, message, field)


def install_error_handlers(resolver: APIGatewayRestResolver) -> None:
    """Map validation errors, domain errors and anything unexpected to the one error shape."""

    @resolver.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def invalid_request(error: RequestValidationError) -> Response[str]:
        return _invalid_request(error)

    @resolver.exception_handler(errors.BillfoldError)  # type: ignore[untyped-decorator]
    def domain_error(error: errors.BillfoldError) -> Response[str]:
        return error_response(status_of(error), error.code, error.message, error.field)

    @resolver.not_found
    def route_not_found(_: NotFoundError) -> Response[str]:
        return error_response(404, ErrorCode.ROUTE_NOT_FOUND, "No such route.")

    @resolver.exception_handler(ClientError)  # type: ignore[untyped-decorator]
    def aws_error(error: ClientError) -> Response[str]:
        if is_throttling(error):
            return error_response(429, ErrorCode.THROTTLED, THROTTLED)
        return _internal_error(error)

    @resolver.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(error: Exception) -> Response[str]:
        return _internal_error(error)


def _internal_error(error: Exception) -> Response[str]:
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return error_response(500, ErrorCode.INTERNAL_ERROR, INTERNAL)
