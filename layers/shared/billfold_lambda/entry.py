"""The Lambda side of every HTTP function, before any routing: the body read as JSON (one key
twice is refused), structured logs, tracing, the cold-start metric and CORS headers; and who
is calling. Light on purpose: the hot path's `LeanApi` and the resolver's `Api` share it."""

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from billfold_lambda.cors import with_cors
from billfold_lambda.error_bodies import proxy_error
from billfold_lambda.observability import logger, metrics, traced
from billfold_lambda.snapstart import register as register_snapstart_hooks

from billfold.errors import ErrorCode, InvalidInput
from billfold.grants import Caller, refuse_seller_terms

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

register_snapstart_hooks()


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: `{"value": 1, "value": 999}` is ambiguous
    (parsers disagree on which one wins), so it is refused rather than read either way."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InvalidInput(
                f"the key '{key}' appears twice in one JSON object",
                field=key,
                code=ErrorCode.MALFORMED_JSON,
            )
        document[key] = value
    return document


def as_json_request(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its body as JSON text: billfold reads every body as JSON, whatever
    Content-Type the client sent (curl's -d sends a form type), and a base64 body is decoded.

    Raises InvalidInput (malformed_json) for a body that is not UTF-8 JSON, including JSON too
    deep, with numbers too long for Python's parser, or with one key twice in an object.
    """
    body = event.get("body")
    if not body:
        return event
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise InvalidInput(
                "The request body is not valid JSON (it is not UTF-8 text).",
                code=ErrorCode.MALFORMED_JSON,
            ) from error
    try:
        json.loads(body, object_pairs_hook=_unique_keys)
    except InvalidInput:
        raise
    except (ValueError, RecursionError):
        raise InvalidInput(
            "The request body is not valid JSON.", code=ErrorCode.MALFORMED_JSON
        ) from None
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {
        k: v
        for k, v in (event.get("multiValueHeaders") or {}).items()
        if k.lower() != "content-type"
    }
    json_type = "application/json"
    return {
        **event,
        "body": body,
        "isBase64Encoded": False,
        "headers": {**headers, "Content-Type": json_type},
        "multiValueHeaders": {**multi, "Content-Type": [json_type]},
    }


def caller_of(event: dict[str, Any]) -> Caller:
    """Who sent the request, as the authorizer said: the seller only for a server key (its
    context's `credential`); anything else is treated as a customer."""
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    return Caller.SELLER if context.get("credential") == "server" else Caller.CUSTOMER


def lambda_entry(resolve: LambdaHandler) -> LambdaHandler:
    """Wrap a function's work with structured logging, tracing and the cold-start metric, and
    answer a browser's request with the CORS headers its origin gets."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @traced
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            request = as_json_request(event)
        except InvalidInput as error:
            return with_cors(event, proxy_error(400, error.code, error.message, error.field))
        return with_cors(event, resolve(request, context))

    return cast(LambdaHandler, handler)


def refuse_what_the_caller_may_not_set(event: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Refuse (403) any seller-only term a customer set in a request model (`billfold.grants`)."""
    caller = caller_of(event)
    for argument in arguments.values():
        if isinstance(argument, BaseModel):
            refuse_seller_terms(argument, caller)
