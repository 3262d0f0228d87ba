"""The Lambda side of billfold: the route table, the API Gateway glue and the authorizer.

The domain package `billfold` knows nothing of this one.

Importing it prepares a cold start. Every function loads the AWS SDK, pydantic and Powertools'
logger; once they are loaded, `gc.freeze()` moves their objects out of the garbage collector's
way, so that each collection the rest of the init triggers (the domain's modules allocate a
lot while their models are created) scans only what was created since, not the SDK's
thousands of long-lived objects. Handlers import this package before the domain (the import
order in `pyproject.toml` puts it first). On CPython 3.11 this is about a quarter of a
handler's import time; `make bench` measures it.
"""

import gc

import boto3  # noqa: F401 - loaded before the freeze on purpose
import pydantic  # noqa: F401
from aws_lambda_powertools import Logger  # noqa: F401

gc.freeze()
