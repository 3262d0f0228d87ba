"""The local API gateway: HTTP in, API Gateway events to the real handlers, HTTP out.

It does what API Gateway does for billfold: matches the route table, runs the same REQUEST
authorizer (caching its policy per credential for the same TTL), enforces the policy against
the method ARN, invokes the route's handler and returns API Gateway's own error bodies.
"""

import base64
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from billfold_lambda import dependencies as deps
from billfold_lambda import gateway_responses
from billfold_lambda.authorizer import UNAUTHORIZED
from billfold_lambda.cors import preflight_headers
from billfold_lambda.gateway_responses import GatewayResponse
from billfold_lambda.routes import ROUTES, Route

from local.events import HttpRequest, authorizer_event, method_arn, proxy_event
from local.functions import FunctionLoader
from local.lambda_context import LocalLambdaContext
from local.policy import allows
from local.usage_plan import UsagePlan

AUTHORIZER_CACHE_SECONDS = 300
"""The authorizer result cache TTL the CDK stack configures."""


@dataclass(frozen=True)
class HttpResponse:
    """What goes back to the HTTP client."""

    status: int
    headers: dict[str, list[str]]
    body: bytes

    @classmethod
    def json(cls, status: int, document: Any) -> "HttpResponse":
        """A JSON response."""
        return cls(status, {"Content-Type": ["application/json"]}, json.dumps(document).encode())


def gateway_error(response: GatewayResponse, status: int | None = None) -> HttpResponse:
    """One of API Gateway's own error responses, with billfold's body."""
    error = HttpResponse.json(response.status or status or 500, response.body())
    for name, value in gateway_responses.HEADERS.items():
        error.headers[name] = [value]
    return error


def preflight(origin: str | None) -> HttpResponse:
    """API Gateway's answer to a CORS preflight (OPTIONS), which needs no credential."""
    headers = {name: [value] for name, value in preflight_headers(origin).items()}
    return HttpResponse(204, headers, b"")


def _compile(route: Route) -> re.Pattern[str]:
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
    return re.compile(f"^{pattern}$")


class LocalGateway:
    """API Gateway's request path for billfold's routes, in-process."""

    def __init__(
        self,
        functions: FunctionLoader | None = None,
        stage: str = "local",
        usage_plan: UsagePlan | None = None,
    ) -> None:
        self._functions = functions or FunctionLoader()
        self._usage_plan = usage_plan or UsagePlan()
        self._stage = stage
        self._routes = [(_compile(route), route) for route in ROUTES]
        self._policies: dict[str, tuple[datetime, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def path_exists(self, path: str) -> bool:
        """Whether any route has this (still percent-encoded) path, whatever its method."""
        return any(pattern.match(path) for pattern, _ in self._routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a method and a path as sent (percent-encoded, so an encoded slash
        stays inside its segment), with its path parameters as sent."""
        for pattern, route in self._routes:
            found = pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Serve one request as API Gateway would."""
        if request.method == "OPTIONS" and self.path_exists(request.path):
            origin = next(
                (v[-1] for k, v in request.headers.items() if k.lower() == "origin"), None
            )
            return preflight(origin)
        matched = self.match(request.method, request.path)
        if matched is None:
            return gateway_error(gateway_responses.ROUTE_NOT_FOUND)
        route, encoded = matched
        path_parameters = {name: unquote(value) for name, value in encoded.items()}
        if route.public:  # no authorizer: the handler checks the request's own credential
            return self._invoke(
                route.operation, proxy_event(request, route, path_parameters, self._stage, {})
            )
        authorization = next(
            (v[-1] for k, v in request.headers.items() if k.lower() == "authorization"), ""
        )
        if not authorization:
            return gateway_error(gateway_responses.UNAUTHORIZED)
        try:
            decision = self._authorize(authorization, request, route, path_parameters)
        except Exception as error:
            if str(error) == UNAUTHORIZED:
                return gateway_error(gateway_responses.UNAUTHORIZED)
            return gateway_error(gateway_responses.DEFAULT_5XX, 500)
        if not allows(
            decision["policyDocument"], method_arn(self._stage, request.method, request.path)
        ):
            return gateway_error(gateway_responses.ACCESS_DENIED)
        if route.metered:
            if not self._usage_plan.admits(decision.get("usageIdentifierKey")):
                return gateway_error(gateway_responses.INVALID_API_KEY)
            if not self._usage_plan.take():
                return gateway_error(gateway_responses.THROTTLED)
        context = {"principalId": decision["principalId"], **decision.get("context", {})}
        event = proxy_event(request, route, path_parameters, self._stage, context)
        return self._invoke(route.operation, event)

    def _authorize(
        self,
        authorization: str,
        request: HttpRequest,
        route: Route,
        path_parameters: dict[str, str],
    ) -> dict[str, Any]:
        """The cached or fresh authorizer policy for a credential (cached by the test clock).

        Raises what the authorizer raised: Exception("Unauthorized") means 401.
        """
        with self._lock:
            cached = self._policies.get(authorization)
        if cached and cached[0] > deps.clock().now():
            return cached[1]
        event = authorizer_event(request, route, path_parameters, self._stage)
        with self._functions.container("authorizer") as authorizer:
            decision: dict[str, Any] = authorizer.handler(event, LocalLambdaContext("authorizer"))
        expires = deps.clock().now() + timedelta(seconds=AUTHORIZER_CACHE_SECONDS)
        with self._lock:
            self._policies[authorization] = (expires, decision)
        return decision

    def _invoke(self, operation: str, event: dict[str, Any]) -> HttpResponse:
        """Run the function in one of its containers (many requests run at once, as in Lambda)."""
        try:
            with self._functions.container(operation) as function:
                result: dict[str, Any] = function.handler(event, LocalLambdaContext(operation))
        except Exception:
            return gateway_error(gateway_responses.DEFAULT_5XX, 502)
        headers = {k: [v] for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = list(values)
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return HttpResponse(int(result["statusCode"]), headers, raw)
