"""A Lambda context object for handlers invoked in-process."""

import uuid
from dataclasses import dataclass, field


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        """The function's ARN, as if deployed."""
        return f"arn:aws:lambda:us-east-1:000000000000:function:billfold-{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Local invocations have no deadline; report the deployed timeout."""
        return 10_000
