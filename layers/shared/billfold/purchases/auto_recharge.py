"""Auto-recharge: the billing run buys the configured pack for each wallet whose balance fell
below its threshold, within the month's count and spend caps.

A purchase is keyed by the wallet's revision, so a run that dies midway and a run racing it
resume the same purchase instead of buying twice. A declined charge switches
auto-recharge off, with Stripe's reason, and publishes `credits.auto_recharge_failed` in the
same transaction; so does a charge waiting for the customer's authentication (an off-session
top-up cannot ask for it).
"""

from collections.abc import Sequence
from datetime import datetime

from billfold.clock import Clock
from billfold.errors import BillfoldError
from billfold.invoicing.models import Invoice, Party
from billfold.outbox import EventType, event_put
from billfold.payments.charges import Charger
from billfold.prepaid import wallet
from billfold.prepaid.ledger import Wallet, save_auto_recharge, wallets
from billfold.prepaid.models import AutoRecharge, AutoRechargeSettings
from billfold.purchases.models import AutoRechargeFailure, CreditPurchase, CreditPurchaseCreate
from billfold.purchases.service import quote, settle_purchase, start_purchase
from billfold.spending.reached import publish_reached
from billfold.storage.table import Put, Table
from billfold.usage.spending import spend_against_limit


def _within_caps(recharge: AutoRecharge, price: int) -> bool:
    cap = recharge.monthly_spend_cap
    if recharge.purchases_this_month >= recharge.max_per_month:
        return False
    return cap is None or recharge.spent_this_month + price <= cap


def _within_spend_limit(
    table: Table, customer_id: str, currency: str, price: int, now: datetime
) -> bool:
    """Whether buying for `price` stays within the customer's spend limit (when it would not,
    `usage.spend_limit_reached` is published, once a month)."""
    against = spend_against_limit(table, customer_id, now)
    if against is None or against.spent.currency != currency or against.allows(price):
        return True
    publish_reached(table, customer_id, against.limit, against.spent, now)
    return False


def _update(
    table: Table,
    held: Wallet,
    read: AutoRecharge,
    now: datetime,
    also: Sequence[Put] = (),
    **changes: object,
) -> None:
    """Change the wallet's auto-recharge state as it stands now (settings changed meanwhile are
    kept: only the named fields move)."""

    def change(fresh: Wallet) -> AutoRecharge:
        return (fresh.auto_recharge or read).in_month(now).model_copy(update=changes)

    save_auto_recharge(table, held.customer_id, held.credit_type_id, change, now, also)


def _switch_off(
    table: Table,
    held: Wallet,
    read: AutoRecharge,
    now: datetime,
    reason: str,
    purchase: CreditPurchase | None = None,
) -> None:
    """Switch auto-recharge off with its reason, publishing `credits.auto_recharge_failed`."""
    failure = AutoRechargeFailure(
        credit_type_id=held.credit_type_id, reason=reason, purchase=purchase
    )
    event = event_put(EventType.CREDITS_AUTO_RECHARGE_FAILED, held.customer_id, failure, now)
    _update(table, held, read, now, [event], enabled=False, due=False, disabled_reason=reason)


def _recharge(
    table: Table,
    held: Wallet,
    charges: Charger,
    seller: Party,
    dunning: Sequence[int],
    now: datetime,
) -> tuple[CreditPurchase, Invoice | None] | None:
    """Buy the wallet's pack if auto-recharge is due and the caps allow it: the purchase and
    its invoice. The purchase counts toward the month's caps when it is credited
    (`purchases.service.complete_purchase`), whichever run completes it."""
    recharge = held.auto_recharge
    if recharge is None or not recharge.due:
        return None
    state = recharge.in_month(now)
    try:
        _, _, currency, price = quote(
            table, held.customer_id, held.credit_type_id, state.pack_id, None
        )
    except BillfoldError as refused:  # the pack is no longer sold to this customer
        _switch_off(table, held, recharge, now, refused.message)
        return None
    below = wallet.balance(held.grants, now) < state.threshold
    allowed = _within_spend_limit(table, held.customer_id, currency, price, now)
    if not (state.enabled and below and allowed and _within_caps(state, price)):
        _update(table, held, recharge, now, due=False)
        return None
    request = CreditPurchaseCreate(
        credit_type_id=held.credit_type_id,
        pack_id=state.pack_id,
        # the wallet's revision: a run that died midway resumes the same purchase (nothing
        # moved the wallet since), and any purchase after a settled one is a new one
        idempotency_key=f"{held.credit_type_id}:{held.revision}",
    )
    purchase = start_purchase(table, held.customer_id, request, now, source="auto_recharge")
    settled, invoice = settle_purchase(table, purchase, charges, seller, dunning, now)
    if settled.status == "failed" or settled.next_action_url:
        reason = settled.failure_message or "the bank asked the customer to authenticate"
        _switch_off(table, held, recharge, now, reason, settled)
    else:  # credited, or processing: Stripe's webhook credits it
        _update(table, held, recharge, now, due=False)
    return settled, invoice


def run_auto_recharges(
    table: Table,
    customer_id: str,
    charges: Charger,
    seller: Party,
    dunning: Sequence[int],
    now: datetime,
) -> list[tuple[CreditPurchase, Invoice | None]]:
    """Buy a pack for every wallet of the customer whose auto-recharge is due: each purchase,
    with its invoice."""
    bought = []
    for held in wallets(table, customer_id):
        done = _recharge(table, held, charges, seller, dunning, now)
        if done is not None:
            bought.append(done)
    return bought


def set_auto_recharge(
    table: Table,
    customer_id: str,
    credit_type_id: str,
    settings: AutoRechargeSettings,
    clock: Clock,
) -> AutoRecharge:
    """Configure auto-recharge for one credit type (switching it back on clears the reason it
    was switched off); due at once when the balance is already below the threshold. The pack
    must be sold in the subscription's currency (so the billing run can always buy it)."""
    now = clock.now()
    quote(table, customer_id, credit_type_id, settings.pack_id, None)  # sold to this customer

    def configured(held: Wallet) -> AutoRecharge:
        before = held.auto_recharge
        spent = {}
        if before is not None:
            spent = before.model_dump(include={"month", "purchases_this_month", "spent_this_month"})
        below = wallet.balance(held.grants, now) < settings.threshold
        return AutoRecharge(**settings.model_dump(), **spent, due=settings.enabled and below)

    return save_auto_recharge(table, customer_id, credit_type_id, configured, now)
