"""The OpenAPI document, built from the route table and the handlers' own pydantic types."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from billfold_lambda.routes import ROUTES, Access

from local.functions import FunctionLoader

TITLE = "billfold"
VERSION = "0.1.0"


DESCRIPTION = (
    "Subscription billing and entitlements. Bearer: a server key (bf_sk_...), a customer's "
    "portal token (bf_pt_...), a checkout token (bf_ct_..., its own session's routes) or a "
    "publishable key (bf_pk_..., GET /v1/pricing only); Stripe's webhook route takes Stripe's "
    "signature instead. "
    "Integers are JSON integers: 2805.0 is refused for an integer field, as are strings. "
    "Currencies are ISO 4217 codes in any case, answered upper case. In a PATCH, a field left "
    "out keeps its value and null resets it to its default (a required field cannot be reset). "
    "Fields marked x-billfold-seller-only are refused (403 seller_only_field) with a portal token."
)

STRIPE_SIGNATURE_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Stripe-Signature",
    "description": "Stripe's signature of the payload with the webhook signing secret",
}


def build_openapi(functions: FunctionLoader) -> dict[str, Any]:
    """Every route's operation, request and response schemas (errors included), and security:
    a bearer credential, except where the route table says Stripe's signature is the one."""
    resolver = APIGatewayRestResolver(enable_validation=True)
    for route in ROUTES:
        resolver.include_router(functions.module(route.operation).api.router)
    document: dict[str, Any] = json.loads(
        resolver.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            security_schemes={
                "bearer": HTTPBearer(
                    description="server key, portal token, checkout token or publishable key"
                )
            },
            security=[{"bearer": []}],
        )
    )
    document["components"]["securitySchemes"]["stripeSignature"] = STRIPE_SIGNATURE_SCHEME
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        if route.access is Access.STRIPE_SIGNATURE:
            operation["security"] = [{"stripeSignature": []}]
        elif route.access is Access.EMAIL_LINK:
            operation["security"] = []  # the signed link in the path is the credential
    return document
