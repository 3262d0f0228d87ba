"""API Gateway REST (v1) events, built from an HTTP request the way API Gateway builds them."""

import base64
import time
import uuid
from dataclasses import dataclass
from typing import Any

from billfold_lambda.routes import Route

ACCOUNT_ID = "000000000000"
API_ID = "local"
REGION = "us-east-1"


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as the gateway received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, list[str]]
    body: bytes
    source_ip: str


def method_arn(stage: str, method: str, path: str) -> str:
    """The execute-api ARN of a request, which authorizer policies are written against."""
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{stage}/{method}{path}"


def _single(values: dict[str, list[str]]) -> dict[str, str] | None:
    return {k: v[-1] for k, v in values.items()} or None


def _request_context(request: HttpRequest, route: Route, stage: str) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "stage": stage,
        "requestId": str(uuid.uuid4()),
        "resourcePath": route.path,
        "httpMethod": request.method,
        "path": f"/{stage}{request.path}",
        "protocol": "HTTP/1.1",
        "requestTimeEpoch": int(time.time() * 1000),
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": (request.headers.get("User-Agent") or [""])[-1],
        },
    }


def authorizer_event(
    request: HttpRequest, route: Route, path_parameters: dict[str, str], stage: str
) -> dict[str, Any]:
    """The REQUEST authorizer event for a request."""
    return {
        "type": "REQUEST",
        "methodArn": method_arn(stage, request.method, request.path),
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": _single(request.headers) or {},
        "multiValueHeaders": request.headers,
        "queryStringParameters": _single(request.query) or {},
        "multiValueQueryStringParameters": request.query,
        "pathParameters": path_parameters,
        "stageVariables": {},
        "requestContext": _request_context(request, route, stage),
    }


def proxy_event(
    request: HttpRequest,
    route: Route,
    path_parameters: dict[str, str],
    stage: str,
    authorizer_context: dict[str, Any],
) -> dict[str, Any]:
    """The Lambda proxy integration event for a request the authorizer allowed."""
    try:
        body: str | None = request.body.decode() if request.body else None
        encoded = False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(request.body).decode(), True
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": _single(request.headers),
        "multiValueHeaders": request.headers or None,
        "queryStringParameters": _single(request.query),
        "multiValueQueryStringParameters": request.query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            **_request_context(request, route, stage),
            "authorizer": authorizer_context,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
