"""The seller's branding and email settings, from the deployment's environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from billfold import config


class EmailKind(StrEnum):
    """Each kind of email; the seller switches each on or off (`BILLFOLD_EMAILS`)."""

    INVOICE_FINALIZED = "invoice_finalized"
    INVOICE_PAID = "invoice_paid"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_ACTION_REQUIRED = "payment_action_required"
    TRIAL_WILL_END = "trial_will_end"
    CARD_EXPIRING = "card_expiring"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"


@dataclass(frozen=True)
class Branding:
    """How emails look and who they come from."""

    product_name: str
    from_address: str
    reply_to: str = ""
    logo_url: str = ""
    accent: str = "#4f46e5"
    default_locale: str = "en-US"
    kinds: frozenset[EmailKind] = frozenset(EmailKind)
    """The kinds of email sent (all by default)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Branding":
        """Read the branding: the product name defaults to the seller's name, the sender to the
        seller's email; `BILLFOLD_EMAILS` lists the kinds to send (`all`, `none`, or names)."""
        listed = env.get(config.ENV_EMAILS, "all").strip()
        if listed == "all":
            kinds = frozenset(EmailKind)
        elif listed == "none":
            kinds = frozenset()
        else:
            kinds = frozenset(EmailKind(name.strip()) for name in listed.split(",") if name.strip())
        accent = env.get(config.ENV_BRAND_ACCENT, "#4f46e5")
        if not _is_colour(accent):
            raise ValueError(f"{config.ENV_BRAND_ACCENT} is a #rrggbb colour")
        return cls(
            product_name=env.get(config.ENV_BRAND_NAME) or env.get(config.ENV_SELLER_NAME, ""),
            from_address=env.get(config.ENV_EMAIL_FROM) or env.get(config.ENV_SELLER_EMAIL, ""),
            reply_to=env.get(config.ENV_EMAIL_REPLY_TO, ""),
            logo_url=env.get(config.ENV_BRAND_LOGO_URL, ""),
            accent=accent,
            kinds=kinds,
        )


def _is_colour(text: str) -> bool:
    digits = text.removeprefix("#")
    return (
        text.startswith("#")
        and len(digits) == 6
        and all(c in "0123456789abcdefABCDEF" for c in digits)
    )
