"""Every key billfold writes, built in one place (see docs/data-model.md)."""

from typing import TypedDict


class Key(TypedDict):
    """A primary key of the table."""

    pk: str
    sk: str


FEATURES_PARTITION = "FEATURE"
PLANS_PARTITION = "PLAN"
ADDONS_PARTITION = "ADDON"
CUSTOMER_LIST_PARTITION = "CUSTOMERS"


def feature(feature_id: str) -> Key:
    """A feature; all features share one partition, so listing them is one Query."""
    return {"pk": FEATURES_PARTITION, "sk": f"FEATURE#{feature_id}"}


def catalog_item(partition: str, item_id: str) -> Key:
    """The current (latest) version of a plan or add-on, in its kind's partition."""
    return {"pk": partition, "sk": f"{partition}#{item_id}"}


def catalog_version(partition: str, item_id: str, version: int) -> Key:
    """One immutable published version of a plan or add-on."""
    return {"pk": f"{partition}#{item_id}", "sk": f"VERSION#{version:06d}"}


def customer(customer_id: str) -> Key:
    """A customer's profile, the head of the customer's item collection."""
    return {"pk": f"CUSTOMER#{customer_id}", "sk": "PROFILE"}


def stripe_customer(stripe_customer_id: str) -> Key:
    """The Stripe customer id → billfold customer id mapping (webhooks arrive with Stripe ids)."""
    return {"pk": f"STRIPE_CUSTOMER#{stripe_customer_id}", "sk": "CUSTOMER"}


def api_key(key_hash: str) -> Key:
    """A server API key, stored by the SHA-256 of the key: the key itself is never stored."""
    return {"pk": f"API_KEY#{key_hash}", "sk": "API_KEY"}
