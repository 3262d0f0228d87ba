"""Deployment settings, read from the environment that the CDK stack (or the local stack) sets."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_TABLE_NAME = "BILLFOLD_TABLE_NAME"
ENV_STAGE = "BILLFOLD_STAGE"
ENV_STRIPE_SECRET_ID = "BILLFOLD_STRIPE_SECRET_ID"
ENV_STRIPE_API_BASE = "BILLFOLD_STRIPE_API_BASE"
ENV_STRIPE_WEBHOOK_SECRET_ID = "BILLFOLD_STRIPE_WEBHOOK_SECRET_ID"
ENV_PORTAL_SECRET_ID = "BILLFOLD_PORTAL_SECRET_ID"
ENV_INVOICE_BUCKET = "BILLFOLD_INVOICE_BUCKET"


@dataclass(frozen=True)
class Settings:
    """Where billfold's state and secrets live."""

    table_name: str
    stage: str = "dev"
    stripe_secret_id: str | None = None
    stripe_api_base: str | None = None
    stripe_webhook_secret_id: str | None = None
    portal_secret_id: str | None = None
    invoice_bucket: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        """Read the settings; only the table name is required of every function."""
        return cls(
            table_name=env[ENV_TABLE_NAME],
            stage=env.get(ENV_STAGE, "dev"),
            stripe_secret_id=env.get(ENV_STRIPE_SECRET_ID),
            stripe_api_base=env.get(ENV_STRIPE_API_BASE),
            stripe_webhook_secret_id=env.get(ENV_STRIPE_WEBHOOK_SECRET_ID),
            portal_secret_id=env.get(ENV_PORTAL_SECRET_ID),
            invoice_bucket=env.get(ENV_INVOICE_BUCKET),
        )
