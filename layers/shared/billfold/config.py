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
ENV_BILLING_QUEUE_URL = "BILLFOLD_BILLING_QUEUE_URL"
ENV_WEBHOOK_QUEUE_URL = "BILLFOLD_WEBHOOK_QUEUE_URL"
ENV_DUNNING_DAYS = "BILLFOLD_DUNNING_DAYS"
ENV_SELLER_NAME = "BILLFOLD_SELLER_NAME"
ENV_SELLER_EMAIL = "BILLFOLD_SELLER_EMAIL"
ENV_SELLER_ADDRESS = "BILLFOLD_SELLER_ADDRESS"
ENV_PORTAL_URL = "BILLFOLD_PORTAL_URL"
ENV_PORTAL_SESSION_MINUTES = "BILLFOLD_PORTAL_SESSION_MINUTES"
ENV_CORS_ORIGINS = "BILLFOLD_CORS_ORIGINS"
ENV_XRAY_SDK = "BILLFOLD_XRAY_SDK"
ENV_EVENT_BUS_NAME = "BILLFOLD_EVENT_BUS_NAME"
ENV_DELIVERY_QUEUE_URL = "BILLFOLD_DELIVERY_QUEUE_URL"
ENV_WEBHOOKS_ALLOW_LOOPBACK = "BILLFOLD_WEBHOOKS_ALLOW_LOOPBACK"
ENV_API_URL = "BILLFOLD_API_URL"
ENV_CUSTOMER_SPEND_LIMITS = "BILLFOLD_CUSTOMER_SPEND_LIMITS"
ENV_BRAND_NAME = "BILLFOLD_BRAND_NAME"
ENV_BRAND_LOGO_URL = "BILLFOLD_BRAND_LOGO_URL"
ENV_BRAND_ACCENT = "BILLFOLD_BRAND_ACCENT"
ENV_EMAIL_FROM = "BILLFOLD_EMAIL_FROM"
ENV_EMAIL_REPLY_TO = "BILLFOLD_EMAIL_REPLY_TO"
ENV_EMAILS = "BILLFOLD_EMAILS"
ENV_USAGE_PLAN_KEY = "BILLFOLD_USAGE_PLAN_KEY"


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
    billing_queue_url: str | None = None
    webhook_queue_url: str | None = None
    dunning_days: tuple[int, ...] = (1, 3, 5)
    """Days after a failed charge to try again; after the last failure the invoice is
    uncollectible and the subscription ends (fallback plan, or canceled)."""
    seller_name: str = "Your company"
    seller_email: str = ""
    seller_address: tuple[str, ...] = ()
    portal_url: str = ""
    """The portal page a portal session links to (the token follows in the URL fragment)."""
    portal_session_minutes: int = 60
    event_bus_name: str = ""
    delivery_queue_url: str | None = None
    webhooks_allow_loopback: bool = False
    """Plain-http webhooks to loopback addresses: the local stack only."""
    api_url: str = ""
    """The API's public base URL (email links open through it)."""
    customer_spend_limits: bool = False
    """Whether customers may set their own spend limit in the portal."""

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
            billing_queue_url=env.get(ENV_BILLING_QUEUE_URL),
            webhook_queue_url=env.get(ENV_WEBHOOK_QUEUE_URL),
            dunning_days=_days(env.get(ENV_DUNNING_DAYS, "1,3,5")),
            seller_name=env.get(ENV_SELLER_NAME, "Your company"),
            seller_email=env.get(ENV_SELLER_EMAIL, ""),
            seller_address=tuple(
                line.strip() for line in env.get(ENV_SELLER_ADDRESS, "").split("|") if line.strip()
            ),
            portal_url=env.get(ENV_PORTAL_URL, ""),
            portal_session_minutes=_minutes(env.get(ENV_PORTAL_SESSION_MINUTES, "60")),
            event_bus_name=env.get(ENV_EVENT_BUS_NAME, ""),
            delivery_queue_url=env.get(ENV_DELIVERY_QUEUE_URL),
            webhooks_allow_loopback=env.get(ENV_WEBHOOKS_ALLOW_LOOPBACK, "") == "true",
            api_url=env.get(ENV_API_URL, "").rstrip("/"),
            customer_spend_limits=env.get(ENV_CUSTOMER_SPEND_LIMITS, "") == "true",
        )


def _days(text: str) -> tuple[int, ...]:
    """A dunning schedule: comma-separated whole days, each at least 1, increasing."""
    days = tuple(int(part) for part in text.split(",") if part.strip())
    if any(day < 1 for day in days) or list(days) != sorted(set(days)):
        raise ValueError(f"{ENV_DUNNING_DAYS} is increasing whole days, e.g. 1,3,5")
    return days


def _minutes(text: str) -> int:
    """A portal session's lifetime: 5 minutes to a day."""
    minutes = int(text)
    if not 5 <= minutes <= 24 * 60:
        raise ValueError(f"{ENV_PORTAL_SESSION_MINUTES} is whole minutes from 5 to 1440")
    return minutes


def cors_origins(env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """Origins whose pages may call the API from a browser (comma-separated): the portal's and
    the user's app that embeds it. `*` is the default: every credential is a bearer header,
    never a cookie, so another origin can do no more than the token it holds allows."""
    origins = tuple(o.strip() for o in env.get(ENV_CORS_ORIGINS, "*").split(",") if o.strip())
    return origins or ("*",)
