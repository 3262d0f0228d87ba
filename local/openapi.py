"""The OpenAPI document, built from the route table and the handlers' own pydantic types."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from billfold_lambda.routes import ROUTES
from local.functions import FunctionLoader

TITLE = "billfold"
VERSION = "0.1.0"


def build_openapi(functions: FunctionLoader) -> dict[str, Any]:
    """Every route's operation, request and response schemas (errors included), and security."""
    resolver = APIGatewayRestResolver(enable_validation=True)
    for route in ROUTES:
        resolver.include_router(functions.module(route.operation).api.router)
    document: dict[str, Any] = json.loads(
        resolver.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description="Subscription billing and entitlements. Bearer: a server key "
            "(bf_sk_...) or a customer's portal token (bf_pt_...).",
            security_schemes={"bearer": HTTPBearer(description="server key or portal token")},
            security=[{"bearer": []}],
        )
    )
    return document
