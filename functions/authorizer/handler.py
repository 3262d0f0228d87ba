"""API Gateway REQUEST authorizer for server keys and portal tokens."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda.authorizer import authorize

logger = Logger()
"""The authorizer runs before every uncached request: a Logger only, no Tracer (X-Ray) import."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer API Gateway with a policy for the caller's credential."""
    return authorize(event)
