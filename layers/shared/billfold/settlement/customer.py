"""Settling one customer: every notice and transition due, every expired credit grant written
off, every billing record invoiced, every charge due.

Safe to run twice, or concurrently with itself: transitions are conditional on the
subscription's revision, a billing record is invoiced once, and a charge attempt has its own
idempotency key.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from billfold.errors import UpstreamError
from billfold.invoicing.collection import collect_invoice
from billfold.invoicing.documents import InvoiceDocuments
from billfold.invoicing.issuing import invoice_pending
from billfold.invoicing.models import Invoice, Party
from billfold.invoicing.service import open_invoices
from billfold.payments.charges import Charger
from billfold.prepaid.ledger import expire_due
from billfold.purchases.auto_recharge import run_auto_recharges
from billfold.purchases.models import CreditPurchase
from billfold.purchases.service import pending_purchases, settle_purchase
from billfold.settlement.allowances import grant_allowances
from billfold.settlement.notices import publish_due_notices
from billfold.storage.table import Table
from billfold.subscriptions.transitions import PaymentMethods, advance_subscription

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BillingServices:
    """What settling needs besides the table: Stripe, the invoice bucket, the seller, dunning."""

    payment_methods: PaymentMethods
    charges: Charger
    documents: InvoiceDocuments
    seller: Party
    dunning: tuple[int, ...]


@dataclass
class Settlement:
    """What settling one customer did."""

    transitions: int = 0
    notices: int = 0
    expired_grants: int = 0
    allowances: int = 0
    recharges: list[CreditPurchase] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    charged: list[Invoice] = field(default_factory=list)


def settle_customer(
    table: Table, customer_id: str, now: datetime, services: BillingServices
) -> Settlement:
    """Run the customer's due transitions, invoice its billing records and charge what is due.

    Stripe being down postpones the charges (the next run retries them); the invoices stand.
    """
    done = Settlement()
    done.notices = publish_due_notices(table, customer_id, now)
    done.expired_grants = expire_due(table, customer_id, now)
    done.transitions = advance_subscription(table, customer_id, now, services.payment_methods)
    done.allowances = grant_allowances(table, customer_id, now)
    done.invoices = invoice_pending(table, customer_id, services.seller)
    touched = {invoice.id: invoice for invoice in done.invoices}
    for purchase in pending_purchases(table, customer_id):
        _, invoice = settle_purchase(
            table, purchase, services.charges, services.seller, services.dunning, now
        )
        if invoice is not None:
            touched[invoice.id] = invoice
    for purchase, invoice in run_auto_recharges(
        table, customer_id, services.charges, services.seller, services.dunning, now
    ):
        done.recharges.append(purchase)
        if invoice is not None:
            touched[invoice.id] = invoice
    for invoice in open_invoices(table, customer_id):
        try:
            after = collect_invoice(table, services.charges, invoice, now, services.dunning)
        except UpstreamError:
            logger.warning("charge postponed", extra={"invoice_id": invoice.id})
            continue
        if after.revision != invoice.revision:
            done.charged.append(after)
            touched[after.id] = after
    for invoice in touched.values():
        services.documents.store(invoice)
    return done
