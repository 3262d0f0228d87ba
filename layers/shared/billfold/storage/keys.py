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
COUPONS_PARTITION = "COUPON"
PROMOTION_CODES_PARTITION = "PROMOCODE"


def feature(feature_id: str) -> Key:
    """A feature; all features share one partition, so listing them is one Query."""
    return {"pk": FEATURES_PARTITION, "sk": f"FEATURE#{feature_id}"}


def coupon(coupon_id: str) -> Key:
    """A coupon; all coupons share one partition, like features."""
    return {"pk": COUPONS_PARTITION, "sk": f"COUPON#{coupon_id}"}


def promotion_code(code: str) -> Key:
    """A promotion code (upper case); all codes share one partition, like coupons."""
    return {"pk": PROMOTION_CODES_PARTITION, "sk": f"PROMOCODE#{code}"}


def promotion_code_redemption(customer_id: str, code: str) -> Key:
    """That the customer redeemed a promotion code (each customer redeems a code once)."""
    return {"pk": customer_partition(customer_id), "sk": f"REDEEMED#{code}"}


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


def trial_taken(customer_id: str) -> Key:
    """That the customer has had a trial (the plan's trial is given once per customer)."""
    return {"pk": customer_partition(customer_id), "sk": "TRIAL"}


def subscription(customer_id: str) -> Key:
    """The customer's live (or last) subscription."""
    return {"pk": f"CUSTOMER#{customer_id}", "sk": "SUBSCRIPTION"}


def entitlements(customer_id: str) -> Key:
    """The customer's materialized entitlements: what a check reads (with the usage counters)."""
    return {"pk": f"CUSTOMER#{customer_id}", "sk": "ENT"}


BILLING_PREFIX = "BILLING#"


def billing_record(customer_id: str, created: str, record_id: str) -> Key:
    """A billing record waiting for invoicing, in creation order."""
    return {"pk": f"CUSTOMER#{customer_id}", "sk": f"{BILLING_PREFIX}{created}#{record_id}"}


ENTITLEMENTS_AND_USAGE_PREFIX = "ENT"
"""Sort keys of the materialized entitlements item (`ENT`) and of every usage counter
(`ENT#USAGE#…`): an entitlement check reads them all with one Query on this prefix."""

USAGE_COUNTER_PREFIX = "ENT#USAGE#"


def customer_partition(customer_id: str) -> str:
    """The partition holding a customer's item collection."""
    return f"CUSTOMER#{customer_id}"


def usage_counter(customer_id: str, feature_id: str) -> Key:
    """A feature's usage counter for its current period (next to `ENT`, read with it)."""
    return {"pk": customer_partition(customer_id), "sk": f"{USAGE_COUNTER_PREFIX}{feature_id}"}


def usage_history_prefix(feature_id: str) -> str:
    """The sort-key prefix of a feature's closed usage periods."""
    return f"USAGE#{feature_id}#"


def usage_period(customer_id: str, feature_id: str, period_start: str) -> Key:
    """A closed usage period of a feature, by its start (a sortable timestamp; "" for a counter
    that never reset), so history sorts by time."""
    return {
        "pk": customer_partition(customer_id),
        "sk": f"{usage_history_prefix(feature_id)}{period_start}",
    }


def usage_dedupe(customer_id: str, idempotency_key: str) -> Key:
    """The record that usage with this idempotency key was counted (expires by TTL). One
    namespace per customer: a key means one report whether `/v1/usage`, `/v1/events` or a
    consume carried it."""
    return {"pk": customer_partition(customer_id), "sk": f"DEDUPE#{idempotency_key}"}


def usage_threshold(customer_id: str, feature_id: str, period_end: str, mark: str) -> Key:
    """That the feature's usage reached a threshold (`80%`, `100%`, `soft`) in the period ending
    `period_end` ("" for a counter that never resets): its event is published once."""
    return {
        "pk": customer_partition(customer_id),
        "sk": f"THRESHOLD#{feature_id}#{period_end}#{mark}",
    }


INVOICE_PREFIX = "INVOICE#"
INVOICE_NUMBER_COUNTER: Key = {"pk": "COUNTER", "sk": "INVOICE_NUMBER"}
"""The deployment's last invoice number: every invoice takes the next one in the transaction
that writes it, so numbers have no gaps and no duplicates."""


def invoice(customer_id: str, invoice_id: str) -> Key:
    """An invoice; ids start with their creation time, so the customer's invoices sort by it."""
    return {"pk": customer_partition(customer_id), "sk": f"{INVOICE_PREFIX}{invoice_id}"}


def invoice_owner(invoice_id: str) -> Key:
    """Which customer an invoice belongs to (for routes and events that name only the invoice)."""
    return {"pk": f"{INVOICE_PREFIX}{invoice_id}", "sk": "OWNER"}


CREDIT_PREFIX = "CREDIT#"


def credit_balance(customer_id: str, currency: str) -> Key:
    """The customer's credit balance in one currency (credits from downgrades and cancels)."""
    return {"pk": customer_partition(customer_id), "sk": f"{CREDIT_PREFIX}{currency}"}


def card(customer_id: str, payment_method_id: str) -> Key:
    """A card attached through billfold (Stripe keeps the card; this records its expiry)."""
    return {"pk": customer_partition(customer_id), "sk": f"CARD#{payment_method_id}"}


def webhook_event(event_id: str) -> Key:
    """That a Stripe event was accepted (expires by TTL): redeliveries are skipped."""
    return {"pk": f"WEBHOOK#{event_id}", "sk": "EVENT"}


PROMOTION_PREFIX = "PROMO#"


def promotion(customer_id: str, feature_id: str) -> Key:
    """A promotional grant of one feature to one customer (one per feature)."""
    return {"pk": customer_partition(customer_id), "sk": f"{PROMOTION_PREFIX}{feature_id}"}


SELLER_EVENTS = "~seller"
"""The event stream of events about the deployment itself (no customer), e.g. an endpoint
disabled."""
EVENT_PREFIX = "EVENT#"


def events_partition(customer_id: str | None) -> str:
    """The partition of one customer's outbox: its events in the order they were written."""
    return f"EVENTS#{customer_id or SELLER_EVENTS}"


def outbox_event(customer_id: str | None, created: str, event_id: str) -> Key:
    """An event in its customer's outbox, by creation time (sortable) and id."""
    return {"pk": events_partition(customer_id), "sk": f"{EVENT_PREFIX}{created}#{event_id}"}


def event_sequence(customer_id: str | None) -> Key:
    """The last `sequence` number given to one of the customer's events."""
    return {"pk": events_partition(customer_id), "sk": "SEQUENCE"}


NOTICE_PREFIX = "NOTICE#"


def notice(customer_id: str, name: str) -> Key:
    """An event due at a later moment (a trial ending in 3 days, a card expiring next month):
    in the due-work index until the billing run publishes it."""
    return {"pk": customer_partition(customer_id), "sk": f"{NOTICE_PREFIX}{name}"}


WEBHOOK_ENDPOINTS_PARTITION = "WEBHOOKENDPOINT"


def webhook_endpoint(endpoint_id: str) -> Key:
    """A webhook endpoint; all share one partition (a deployment has a handful)."""
    return {"pk": WEBHOOK_ENDPOINTS_PARTITION, "sk": f"WEBHOOKENDPOINT#{endpoint_id}"}


DELIVERY_PREFIX = "DELIVERY#"


def webhook_delivery(endpoint_id: str, delivery_id: str) -> Key:
    """One event's delivery to one endpoint, with its attempts (ids start with their creation
    time, so an endpoint's deliveries sort by it)."""
    return {"pk": f"WEBHOOKENDPOINT#{endpoint_id}", "sk": f"{DELIVERY_PREFIX}{delivery_id}"}


def email_sent(once: str) -> Key:
    """That an email was sent (expires by TTL), by what it is sent once for (its event, or a
    subscription period for a cancellation notice): a redelivered event sends none."""
    return {"pk": f"EMAIL#{once}", "sk": "SENT"}


CREDIT_TYPES_PARTITION = "CREDITTYPE"
CREDIT_WALLET_PREFIX = f"{ENTITLEMENTS_AND_USAGE_PREFIX}#CREDITS#"


def credit_type(credit_type_id: str) -> Key:
    """A kind of prepaid credit; all share one partition, like features."""
    return {"pk": CREDIT_TYPES_PARTITION, "sk": f"CREDITTYPE#{credit_type_id}"}


def credit_wallet(customer_id: str, credit_type_id: str) -> Key:
    """The customer's grants of one credit type, with what is left of each: under the `ENT`
    prefix, so an entitlement check reads it with the entitlements and counters."""
    return {
        "pk": customer_partition(customer_id),
        "sk": f"{CREDIT_WALLET_PREFIX}{credit_type_id}",
    }


def credit_ledger_prefix(credit_type_id: str) -> str:
    """The sort-key prefix of a credit type's ledger entries, which sort by time."""
    return f"CREDITLEDGER#{credit_type_id}#"


def credit_ledger_entry(customer_id: str, credit_type_id: str, at: str, entry_id: str) -> Key:
    """One ledger entry of a credit type, at `at` (a sortable timestamp)."""
    return {
        "pk": customer_partition(customer_id),
        "sk": f"{credit_ledger_prefix(credit_type_id)}{at}#{entry_id}",
    }


def credit_request(customer_id: str, credit_type_id: str, key_digest: str) -> Key:
    """That a grant or consume with this idempotency key (its digest) was made: a retry finds
    it and answers with the entry it made."""
    return {
        "pk": customer_partition(customer_id),
        "sk": f"CREDITKEY#{credit_type_id}#{key_digest}",
    }


CREDIT_PURCHASE_PREFIX = "CREDITPURCHASE#"


def credit_purchase(customer_id: str, purchase_id: str) -> Key:
    """A purchase of prepaid credits: in the due-work index while it waits to be settled."""
    return {"pk": customer_partition(customer_id), "sk": f"{CREDIT_PURCHASE_PREFIX}{purchase_id}"}


SPEND_LIMIT_SORT_KEY = f"{ENTITLEMENTS_AND_USAGE_PREFIX}#SPEND"


def spend_limit(customer_id: str) -> Key:
    """The customer's spend limit: under the `ENT` prefix, read by every entitlement check."""
    return {"pk": customer_partition(customer_id), "sk": SPEND_LIMIT_SORT_KEY}


def spend_limit_marker(customer_id: str, month: str) -> Key:
    """That `usage.spend_limit_reached` was published for the customer in a month."""
    return {"pk": customer_partition(customer_id), "sk": f"SPENDREACHED#{month}"}


def checkout_session(session_id: str) -> Key:
    """A checkout session (kept a month past its expiry, then removed by TTL)."""
    return {"pk": f"CHECKOUT#{session_id}", "sk": "CHECKOUT"}
