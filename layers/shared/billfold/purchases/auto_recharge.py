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

from billfold.invoicing.models import Invoice, Party
from billfold.outbox import EventType, event_put
from billfold.payments.charges import Charger
from billfold.prepaid import wallet
from billfold.prepaid.ledger import Wallet, save_auto_recharge, wallets
from billfold.prepaid.models import AutoRecharge
from billfold.purchases.models import CreditPurchase, CreditPurchaseCreate
from billfold.purchases.service import quote, settle_purchase, start_purchase
from billfold.spending.reached import publish_reached
from billfold.storage.table import Table
from billfold.usage.spending import spend_against_limit


def _this_month(recharge: AutoRecharge, now: datetime) -> AutoRecharge:
    """The state with its monthly counts restarted when a new month began."""
    month = now.strftime("%Y-%m")
    if recharge.month == month:
        return recharge
    return recharge.model_copy(
        update={"month": month, "purchases_this_month": 0, "spent_this_month": 0}
    )


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


def _settled_state(recharge: AutoRecharge, purchase: CreditPurchase) -> AutoRecharge:
    """The state after the month's purchase: counted when credited, switched off otherwise."""
    if purchase.status == "granted":
        return recharge.model_copy(
            update={
                "purchases_this_month": recharge.purchases_this_month + 1,
                "spent_this_month": recharge.spent_this_month + purchase.amount,
                "due": False,
            }
        )
    reason = purchase.failure_message or "the bank asked the customer to authenticate"
    return recharge.model_copy(update={"enabled": False, "due": False, "disabled_reason": reason})


def _recharge(
    table: Table,
    held: Wallet,
    charges: Charger,
    seller: Party,
    dunning: Sequence[int],
    now: datetime,
) -> tuple[CreditPurchase, Invoice | None] | None:
    """Buy the wallet's pack if auto-recharge is due and the caps allow it: the purchase and
    its invoice."""
    recharge = held.auto_recharge
    if recharge is None or not recharge.due:
        return None
    state = _this_month(recharge, now)
    _, _, currency, price = quote(table, held.customer_id, held.credit_type_id, state.pack_id, None)
    below = wallet.balance(held.grants, now) < state.threshold
    allowed = _within_spend_limit(table, held.customer_id, currency, price, now)
    if not (state.enabled and below and allowed and _within_caps(state, price)):
        done = state.model_copy(update={"due": False})
        save_auto_recharge(table, held.customer_id, held.credit_type_id, lambda _: done, now)
        return None
    request = CreditPurchaseCreate(
        credit_type_id=held.credit_type_id,
        pack_id=state.pack_id,
        # the wallet's revision: a run that died midway resumes the same purchase (nothing
        # moved the wallet since), and any purchase after a settled one is a new one
        idempotency_key=f"auto-recharge:{held.credit_type_id}:{held.revision}",
    )
    purchase = start_purchase(table, held.customer_id, request, now, source="auto_recharge")
    settled, invoice = settle_purchase(table, purchase, charges, seller, dunning, now)
    after = _settled_state(state, settled)
    failed = (
        []
        if settled.status == "granted"
        else [event_put(EventType.CREDITS_AUTO_RECHARGE_FAILED, held.customer_id, settled, now)]
    )
    save_auto_recharge(
        table, held.customer_id, held.credit_type_id, lambda _: after, now, also=failed
    )
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
