"""The API Gateway authorizer: who is calling, and which routes that credential may reach.

The policy it returns depends only on the credential, never on the route being called, so
API Gateway may cache it per credential:
- a server key: every route;
- a portal token: the portal routes, with its own customer's id filled in;
- a checkout token: the checkout routes, with its own session's id filled in;
- a publishable key: the public pricing routes, nothing else.
API Gateway itself refuses everything else. Every policy names the usage plan's key, which the
publishable routes require, so the usage plan counts and throttles them.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from billfold_lambda import dependencies as deps
from billfold_lambda.routes import ROUTES, Access

from billfold.auth.api_keys import PUBLISHABLE_KEY_PREFIX, SERVER_KEY_PREFIX, verify_key
from billfold.auth.portal_tokens import PORTAL_TOKEN_PREFIX, verify_portal_token
from billfold.checkout.tokens import CHECKOUT_TOKEN_PREFIX, verify_checkout_token

UNAUTHORIZED = "Unauthorized"
"""The exact message that makes API Gateway answer 401."""


def bearer_credential(headers: dict[str, str]) -> str | None:
    """The credential in `Authorization: Bearer <credential>`, if any."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, credential = value.partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


def _allow(policy: APIGatewayAuthorizerResponse, access: Access, **bound: str) -> None:
    for route in ROUTES:
        if route.access is access:
            policy.allow_route(route.method, route.resource_path(**bound))


def _policy(
    credential: str, event: APIGatewayAuthorizerRequestEvent
) -> APIGatewayAuthorizerResponse:
    arn = event.parsed_arn
    now = deps.clock().now()

    def response(principal: str, context: dict[str, str]) -> APIGatewayAuthorizerResponse:
        return APIGatewayAuthorizerResponse(
            principal_id=principal,
            region=arn.region,
            aws_account_id=arn.aws_account_id,
            api_id=arn.api_id,
            stage=arn.stage,
            context=context,
            usage_identifier_key=deps.usage_plan_key(),
        )

    if credential.startswith(SERVER_KEY_PREFIX):
        if key := verify_key(deps.table(), credential, "server"):
            policy = response(f"server:{key.key_id}", {"credential": "server", "keyId": key.key_id})
            policy.allow_all_routes()
            return policy
    elif credential.startswith(PORTAL_TOKEN_PREFIX):
        if claims := verify_portal_token(deps.portal_signing_secret(), credential, now):
            customer = claims.customer_id
            policy = response(
                f"portal:{customer}", {"credential": "portal", "customerId": customer}
            )
            _allow(policy, Access.SERVER_OR_PORTAL, customerId=customer)
            return policy
    elif credential.startswith(CHECKOUT_TOKEN_PREFIX):
        if checkout := verify_checkout_token(deps.portal_signing_secret(), credential, now):
            policy = response(
                f"checkout:{checkout.session_id}",
                {"credential": "checkout", "customerId": checkout.customer_id},
            )
            _allow(policy, Access.CHECKOUT, sessionId=checkout.session_id)
            return policy
    elif credential.startswith(PUBLISHABLE_KEY_PREFIX) and (
        key := verify_key(deps.table(), credential, "publishable")
    ):
        policy = response(f"publishable:{key.key_id}", {"credential": "publishable"})
        _allow(policy, Access.PUBLISHABLE)
        return policy
    raise Exception(UNAUTHORIZED)


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The policy of the request's bearer credential.

    Raises Exception("Unauthorized") (API Gateway's 401) for anything else.
    """
    credential = bearer_credential(dict(APIGatewayAuthorizerRequestEvent(event).headers or {}))
    if not credential:
        raise Exception(UNAUTHORIZED)
    return _policy(credential, APIGatewayAuthorizerRequestEvent(event)).asdict()
