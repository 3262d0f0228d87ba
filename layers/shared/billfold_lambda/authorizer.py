"""The API Gateway authorizer: who is calling, and which routes that credential may reach.

The policy it returns depends only on the credential, never on the route being called, so
API Gateway may cache it per credential. A portal token's policy lists exactly the portal
routes with its own customer's id filled in: API Gateway itself refuses everything else.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from billfold_lambda import dependencies as deps
from billfold_lambda.routes import ROUTES, Access, Route

from billfold.auth.api_keys import SERVER_KEY_PREFIX, verify_server_key
from billfold.auth.portal_tokens import PORTAL_TOKEN_PREFIX, verify_portal_token

UNAUTHORIZED = "Unauthorized"
"""The exact message that makes API Gateway answer 401."""


def bearer_credential(headers: dict[str, str]) -> str | None:
    """The credential in `Authorization: Bearer <credential>`, if any."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, credential = value.partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


def portal_resource(route: Route, customer_id: str) -> str:
    """The route's path as a policy resource, bound to one customer."""
    return route.resource_path(customerId=customer_id)


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """Allow a server key everything and a portal token its own customer's portal routes.

    Raises Exception("Unauthorized") (API Gateway's 401) for anything else.
    """
    request = APIGatewayAuthorizerRequestEvent(event)
    credential = bearer_credential(dict(request.headers or {}))
    arn = request.parsed_arn

    def response(principal: str, context: dict[str, str]) -> APIGatewayAuthorizerResponse:
        return APIGatewayAuthorizerResponse(
            principal_id=principal,
            region=arn.region,
            aws_account_id=arn.aws_account_id,
            api_id=arn.api_id,
            stage=arn.stage,
            context=context,
        )

    if credential and credential.startswith(SERVER_KEY_PREFIX):
        key = verify_server_key(deps.table(), credential)
        if key is not None:
            policy = response(f"server:{key.key_id}", {"credential": "server", "keyId": key.key_id})
            policy.allow_all_routes()
            return policy.asdict()

    if credential and credential.startswith(PORTAL_TOKEN_PREFIX):
        claims = verify_portal_token(deps.portal_signing_secret(), credential, deps.clock().now())
        if claims is not None:
            customer = claims.customer_id
            policy = response(
                f"portal:{customer}", {"credential": "portal", "customerId": customer}
            )
            for route in ROUTES:
                if route.access is Access.SERVER_OR_PORTAL:
                    policy.allow_route(route.method, portal_resource(route, customer))
            return policy.asdict()

    raise Exception(UNAUTHORIZED)
