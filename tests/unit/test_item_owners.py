"""One owner per stored item: each key of `billfold.storage.keys` is built by the module that
owns its item (docs/data-model.md names them), so a new reader or writer of an item goes
through that module instead of reaching for its keys."""

import re
from collections import defaultdict
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "layers" / "shared" / "billfold"

OWNERS: dict[str, set[str]] = {
    # catalog
    "FEATURES_PARTITION": {"catalog/features.py"},
    "feature": {"catalog/features.py"},
    "PLANS_PARTITION": {"catalog/plans.py"},
    "ADDONS_PARTITION": {"catalog/addons.py"},
    "catalog_item": {"catalog/versions.py"},
    "catalog_version": {"catalog/versions.py"},
    "COUPONS_PARTITION": {"catalog/coupons.py"},
    "coupon": {"catalog/coupons.py"},
    "PROMOTION_CODES_PARTITION": {"catalog/promotion_codes.py"},
    "promotion_code": {"catalog/promotion_codes.py"},
    "promotion_code_redemption": {"catalog/promotion_codes.py"},
    # customers and credentials
    "CUSTOMER_LIST_PARTITION": {"customers/service.py"},
    "customer": {"customers/service.py"},
    "stripe_customer": {"customers/service.py"},
    "trial_taken": {"customers/service.py"},
    "api_key": {"auth/api_keys.py"},
    # entitlements
    "entitlements": {"entitlements/materialized.py"},
    "PROMOTION_PREFIX": {"entitlements/promotions_store.py"},
    "promotion": {"entitlements/promotions_store.py"},
    # subscriptions
    "subscription": {"subscriptions/store.py"},
    "billing_record": {"subscriptions/store.py"},
    "BILLING_PREFIX": {"subscriptions/store.py"},
    # usage: counters read what writes plans (the usage store is these two modules)
    "ENTITLEMENTS_AND_USAGE_PREFIX": {"usage/counters.py"},
    "USAGE_COUNTER_PREFIX": {"usage/counters.py", "usage/thresholds.py"},
    "usage_threshold": {"usage/thresholds.py"},
    "usage_history_prefix": {"usage/counters.py"},
    "usage_counter": {"usage/counters.py", "usage/writes.py"},
    "usage_period": {"usage/counters.py", "usage/writes.py"},
    "usage_dedupe": {"usage/writes.py"},
    # invoices and credit
    "INVOICE_PREFIX": {"invoicing/service.py"},
    "invoice": {"invoicing/service.py"},
    "invoice_owner": {"invoicing/service.py"},
    "INVOICE_NUMBER_COUNTER": {"invoicing/issuing.py"},
    "CREDIT_PREFIX": {"credits/ledger.py"},
    "credit_balance": {"credits/ledger.py"},
    # webhooks
    "webhook_event": {"webhooks/receiving.py"},
    # events: the outbox and its notices, webhook endpoints and their deliveries, emails
    "SELLER_EVENTS": {"outbox.py"},
    "EVENT_PREFIX": {"outbox.py"},
    "events_partition": {"outbox.py"},
    "outbox_event": {"outbox.py"},
    "event_sequence": {"outbox.py"},
    "NOTICE_PREFIX": {"notices.py"},
    "notice": {"notices.py"},
    "card": {"customers/cards.py"},
    "WEBHOOK_ENDPOINTS_PARTITION": {"endpoints/service.py"},
    "webhook_endpoint": {"endpoints/service.py"},
    "DELIVERY_PREFIX": {"endpoints/deliveries.py"},
    "webhook_delivery": {"endpoints/deliveries.py"},
    "email_sent": {"emails/sending.py"},
    # prepaid credits: credit types, wallets (read by the check with the counters), the
    # ledger and its idempotency records, purchases
    "CREDIT_TYPES_PARTITION": {"catalog/credit_types.py"},
    "credit_type": {"catalog/credit_types.py"},
    "CREDIT_WALLET_PREFIX": {"prepaid/ledger.py", "usage/counters.py"},
    "credit_wallet": {"prepaid/ledger.py"},
    "credit_ledger_prefix": {"prepaid/ledger.py"},
    "credit_ledger_entry": {"prepaid/ledger.py"},
    "credit_request": {"prepaid/ledger.py"},
    "CREDIT_PURCHASE_PREFIX": {"purchases/service.py"},
    "credit_purchase": {"purchases/service.py"},
    # spend limits: read by the check with the counters
    "SPEND_LIMIT_SORT_KEY": {"usage/counters.py"},
    "spend_limit": {"spending/limits.py"},
    "spend_limit_marker": {"spending/reached.py"},
    "checkout_session": {"checkout/sessions.py", "checkout/completion.py"},
}
SHARED = {"Key", "customer_partition"}
"""The key type, and the customer's partition: a partition, not an item."""


def _uses() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in DOMAIN.rglob("*.py"):
        module = str(path.relative_to(DOMAIN))
        if module == "storage/keys.py":
            continue
        for name in re.findall(r"\bkeys\.([A-Za-z_]+)", path.read_text()):
            found[name].add(module)
    return found


def test_every_key_is_used_by_its_items_owner_only() -> None:
    strays = {
        name: sorted(modules - OWNERS.get(name, set()))
        for name, modules in _uses().items()
        if name not in SHARED and modules - OWNERS.get(name, set())
    }

    assert strays == {}


def test_every_item_has_an_owner_named() -> None:
    keys_module = (DOMAIN / "storage" / "keys.py").read_text()
    defined = set(re.findall(r"^def ([a-z_]+)\(", keys_module, re.M))
    defined |= set(re.findall(r"^([A-Z_]+): ?\w* ?=", keys_module, re.M))

    assert defined - SHARED <= set(OWNERS)
