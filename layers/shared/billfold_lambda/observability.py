"""One Logger, Tracer and Metrics for every function (service name and namespace from env)."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Handlers publish the cold-start metric only; that is not a mistake worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer()
metrics = Metrics()
