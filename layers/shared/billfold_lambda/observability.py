"""One Logger and Metrics for every function (service name and namespace from env), and the
X-Ray SDK only where the deployment asks for it.

Lambda's active tracing (on in the stack) records every invocation, cold start included, with
no SDK in the function. Powertools' Tracer adds the SDK's subsegments (each AWS and Stripe call,
annotations), but importing the SDK costs a cold start about 180 ms, so `traced` loads it only
when BILLFOLD_XRAY_SDK is "true" (`cdk deploy -c xraySdk=true`).
"""

import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics

from billfold.config import ENV_XRAY_SDK

# Handlers publish the cold-start metric only; that is not a mistake worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics()

Handler = TypeVar("Handler", bound=Callable[..., Any])


def traced(handler: Handler) -> Handler:
    """The handler, captured by the X-Ray SDK (with AWS calls patched) when it is asked for."""
    if os.environ.get(ENV_XRAY_SDK, "").lower() != "true":
        return handler
    from aws_lambda_powertools import Tracer

    return cast(Handler, Tracer().capture_lambda_handler(handler))
