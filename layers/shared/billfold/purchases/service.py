"""Buying credits: one pack purchase is a billing record, its invoice, a charge at once, and,
once the invoice is paid, a `purchased` grant.

The purchase item is written with its billing record (one transaction, keyed by the request's
idempotency key), so a retry resumes the same purchase. It sits in the due-work index until it
is settled, so the billing run finishes a purchase whose Lambda died midway. The grant marks
the purchase `granted` in its own transaction: credits are added exactly once. A declined
charge voids the invoice and marks the purchase `failed` with Stripe's reason: the balance is
unchanged. A charge that needs authentication leaves the purchase `pending` with the next
action; Stripe's webhook settles it (`complete_purchase`).
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime

from billfold.billing.lines import BillingLine
from billfold.catalog.credit_types import CreditPack, CreditType, get_credit_type
from billfold.clock import sortable_timestamp
from billfold.customers.service import get_customer
from billfold.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    NotFound,
    RuleViolation,
    idempotency_key_reused,
)
from billfold.invoicing.collection import collect_invoice
from billfold.invoicing.issuing import issue_invoice
from billfold.invoicing.models import Invoice, Party
from billfold.invoicing.service import get_invoice, void
from billfold.payments.charges import Charger
from billfold.prepaid.ledger import Wallet, save_auto_recharge
from billfold.prepaid.models import PURCHASED_PRIORITY, AutoRecharge
from billfold.prepaid.service import add_grant, new_grant
from billfold.purchases.models import CreditPurchase, CreditPurchaseCreate, PurchaseSource
from billfold.storage import keys
from billfold.storage.due_work import due_work_entry
from billfold.storage.table import ITEM_IS_NEW, Condition, ConditionFailed, Item, Put, Table
from billfold.subscriptions.models import BillingRecord
from billfold.subscriptions.reads import stored_subscription
from billfold.subscriptions.store import billing_record_item, billing_record_key, invoiced_as

_STILL_PENDING = Condition("#status = :pending", {"#status": "status"}, {":pending": "pending"})


def _item(purchase: CreditPurchase, fingerprint: str, *, due: bool) -> Item:
    """The purchase as stored, with the request it answers (`fingerprint`), in the due-work
    index when the billing run should settle it."""
    visit = due_work_entry(purchase.customer_id, sortable_timestamp(purchase.updated_at))
    return {
        **keys.credit_purchase(purchase.customer_id, purchase.id),
        "kind": "credit_purchase",
        "fingerprint": fingerprint,
        **purchase.model_dump(mode="json"),
        **(visit if due else {}),
    }


def _currency(table: Table, customer_id: str, asked: str | None) -> str:
    if asked is not None:
        return asked
    try:
        return stored_subscription(table, customer_id).currency
    except NotFound as missing:
        if missing.code != ErrorCode.NO_SUBSCRIPTION:
            raise
        raise InvalidInput(
            "name the currency: the customer has no subscription to take it from",
            field="currency",
        ) from None


def quote(
    table: Table, customer_id: str, credit_type_id: str, pack_id: str, currency: str | None
) -> tuple[CreditType, CreditPack, str, int]:
    """The credit type, its pack, the currency (default: the subscription's) and the pack's
    price in it; 422 when the pack is not sold in that currency."""
    get_customer(table, customer_id)
    credit_type = get_credit_type(table, credit_type_id)
    pack = credit_type.pack(pack_id)
    chosen = _currency(table, customer_id, currency)
    price = pack.price_in(chosen)
    if price is None:
        raise RuleViolation(
            f"pack '{pack.id}' is not sold in {chosen}",
            field="currency",
            code=ErrorCode.PRICE_NOT_AVAILABLE,
        )
    return credit_type, pack, chosen, price


def _record(
    purchase: CreditPurchase, credit_type: CreditType, pack: CreditPack, now: datetime
) -> BillingRecord:
    unit = pack.price_in(purchase.currency) or 0
    line = BillingLine(
        key=f"credits:{credit_type.id}:{pack.id}",
        description=f"{pack.name}: {pack.credits:,} {credit_type.unit.plural}",
        kind="charge",
        amount=unit * purchase.quantity,
        currency=purchase.currency,
        quantity=purchase.quantity,
        unit_amount=unit,
        period_start=now,
        period_end=now,
    )
    return BillingRecord(
        id=purchase.billing_record_id,
        customer_id=purchase.customer_id,
        subscription_id=None,
        reason="credit_purchase",
        currency=purchase.currency,
        lines=[line],
        created_at=now,
    )


def _purchase_id(customer_id: str, source: PurchaseSource, idempotency_key: str) -> str:
    """The purchase's id, from who started it and their key: a customer's key can never name
    a purchase auto-recharge started."""
    seed = f"{customer_id}\x1f{source}\x1f{idempotency_key}"
    return "cp_" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def start_purchase(
    table: Table,
    customer_id: str,
    request: CreditPurchaseCreate,
    now: datetime,
    source: PurchaseSource = "customer",
) -> CreditPurchase:
    """Write the purchase and its billing record (or find the one this key started)."""
    credit_type, pack, currency, price = quote(
        table, customer_id, request.credit_type_id, request.pack_id, request.currency
    )
    purchase_id = _purchase_id(customer_id, source, request.idempotency_key)
    purchase = CreditPurchase(
        id=purchase_id,
        customer_id=customer_id,
        credit_type_id=credit_type.id,
        pack_id=pack.id,
        quantity=request.quantity,
        credits=pack.credits * request.quantity,
        amount=price * request.quantity,
        currency=currency,
        source=source,
        status="pending",
        billing_record_id=f"br_{purchase_id}",
        created_at=now,
        updated_at=now,
    )
    fingerprint = request.model_dump_json(exclude={"idempotency_key"})
    record = _record(purchase, credit_type, pack, now)
    try:
        table.transact(
            [
                Put(_item(purchase, fingerprint, due=True), ITEM_IS_NEW),
                Put(billing_record_item(record), ITEM_IS_NEW),
            ]
        )
    except ConditionFailed:
        stored = table.get(keys.credit_purchase(customer_id, purchase_id), consistent=True)
        if stored is None or stored["fingerprint"] != fingerprint:
            raise idempotency_key_reused("credit purchase") from None
        return CreditPurchase.model_validate(stored)
    return purchase


def buy_credits(
    table: Table,
    customer_id: str,
    request: CreditPurchaseCreate,
    charges: Charger,
    seller: Party,
    dunning: Sequence[int],
    now: datetime,
) -> tuple[CreditPurchase, Invoice | None]:
    """A customer's purchase, started (or resumed by its key) and taken as far as it goes now:
    the purchase, and its invoice when this call issued or charged it."""
    purchase = start_purchase(table, customer_id, request, now)
    return settle_purchase(table, purchase, charges, seller, dunning, now)


def _invoice_of(table: Table, purchase: CreditPurchase, seller: Party) -> Invoice | None:
    """The purchase's invoice: issued now, or as issued before."""
    record_key = billing_record_key(
        purchase.customer_id, purchase.created_at, purchase.billing_record_id
    )
    issued = issue_invoice(table, record_key, seller)
    if issued is not None:
        return issued
    invoice_id = invoiced_as(table, record_key)
    if invoice_id is None:
        return None
    return get_invoice(table, purchase.customer_id, invoice_id, consistent=True)


def settle_purchase(
    table: Table,
    purchase: CreditPurchase,
    charges: Charger,
    seller: Party,
    dunning: Sequence[int],
    now: datetime,
) -> tuple[CreditPurchase, Invoice | None]:
    """Take a pending purchase as far as it goes now: invoice, charge once, credit or fail."""
    if purchase.status != "pending":
        return purchase, None
    invoice = _invoice_of(table, purchase, seller)
    if invoice is None:
        return purchase, None
    if invoice.status == "open" and invoice.payment.status == "none":
        invoice = collect_invoice(table, charges, invoice, now, dunning, on_request=True)
    return complete_purchase(table, purchase, invoice, now), invoice


def _stored(table: Table, purchase: CreditPurchase) -> tuple[CreditPurchase, str] | None:
    """The purchase as stored, with the fingerprint of the request that made it."""
    stored = table.get(keys.credit_purchase(purchase.customer_id, purchase.id), consistent=True)
    if stored is None:
        return None
    return CreditPurchase.model_validate(stored), str(stored["fingerprint"])


def complete_purchase(
    table: Table, purchase: CreditPurchase, invoice: Invoice, now: datetime
) -> CreditPurchase:
    """Apply the invoice's outcome to a pending purchase: paid → credited (once); declined →
    the invoice voided and the purchase failed; waiting for authentication → still pending,
    with the next action (and out of the due-work index: Stripe's webhook finishes it). When
    the webhook and the request settle it at once, the loser answers what the winner stored."""
    found = _stored(table, purchase)
    if found is None:
        return purchase
    current, fingerprint = found
    if current.status != "pending":
        return current
    try:
        return _complete(table, current, fingerprint, invoice, now)
    except (ConditionFailed, Conflict):
        settled = _stored(table, current)
        return settled[0] if settled else current


def _complete(
    table: Table, current: CreditPurchase, fingerprint: str, invoice: Invoice, now: datetime
) -> CreditPurchase:
    base = {"invoice_id": invoice.id}
    if invoice.status == "paid":
        granted = current.model_copy(update={**base, "status": "granted", "updated_at": now})
        mark = Put(_item(granted, fingerprint, due=False), _STILL_PENDING)
        grant = new_grant("purchased", current.credits, now, PURCHASED_PRIORITY)
        entry = add_grant(
            table,
            current.customer_id,
            current.credit_type_id,
            grant,
            now,
            idempotency_key=f"purchase:{current.id}",
            once_ever=True,
            fingerprint=current.id,
            reference=f"purchase:{current.id}",
            also=[mark],
        )
        if entry.draws[0].grant_id == grant.id and current.source == "auto_recharge":
            _count_recharge(table, current, now)
        return granted
    payment = invoice.payment
    if invoice.status == "open" and payment.status == "failed":
        invoice = void(table, invoice, now)
    if invoice.status in ("void", "uncollectible"):
        failed = current.model_copy(
            update={
                **base,
                "status": "failed",
                "failure_code": payment.failure_code,
                "failure_message": payment.failure_message or "the payment did not go through",
                "updated_at": now,
            }
        )
        table.put(_item(failed, fingerprint, due=False), _STILL_PENDING)
        return failed
    waiting = current.model_copy(
        update={**base, "next_action_url": payment.next_action_url, "updated_at": now}
    )
    table.put(_item(waiting, fingerprint, due=False), _STILL_PENDING)
    return waiting


def _count_recharge(table: Table, purchase: CreditPurchase, now: datetime) -> None:
    """Count a credited auto-recharge purchase toward the month's caps (whichever run or
    webhook credited it)."""

    def counted(fresh: Wallet) -> AutoRecharge:
        if fresh.auto_recharge is None:
            raise NotFound("auto-recharge was removed", code=ErrorCode.NOT_FOUND)
        return fresh.auto_recharge.counted(purchase.amount, now)

    try:
        save_auto_recharge(table, purchase.customer_id, purchase.credit_type_id, counted, now)
    except NotFound:
        return


def purchase_of_invoice(table: Table, invoice: Invoice) -> CreditPurchase | None:
    """The pending purchase an invoice bills, if it bills one."""
    if invoice.reason != "credit_purchase" or invoice.billing_record_id is None:
        return None
    purchase_id = invoice.billing_record_id.removeprefix("br_")
    stored = table.get(keys.credit_purchase(invoice.customer_id, purchase_id), consistent=True)
    return CreditPurchase.model_validate(stored) if stored else None


def pending_purchases(table: Table, customer_id: str) -> list[CreditPurchase]:
    """The customer's purchases still waiting to be settled."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.CREDIT_PURCHASE_PREFIX,
        where=_STILL_PENDING,
        limit=100,
        consistent=True,
    )
    return [CreditPurchase.model_validate(item) for item in page.items]
