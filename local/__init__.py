"""The local stack: moto (DynamoDB, S3, Secrets Manager) and localstripe on loopback, with a
local API gateway that calls the very handlers Lambda runs.

Handlers run in this process, and Powertools reads its settings when its objects are created
(at import), so the local defaults are set here, before anything imports the handlers.
"""

import os

POWERTOOLS_LOCAL_DEFAULTS = {
    "POWERTOOLS_SERVICE_NAME": "billfold",
    "POWERTOOLS_METRICS_NAMESPACE": "Billfold",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}

for _name, _value in POWERTOOLS_LOCAL_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
