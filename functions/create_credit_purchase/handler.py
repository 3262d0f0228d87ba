"""POST /v1/customers/{customerId}/credit-purchases — buy a pack of prepaid credits now."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.purchases.models import CreditPurchase, CreditPurchaseCreate
from billfold.purchases.service import settle_purchase, start_purchase

api = Api("create_credit_purchase")


@api.route
def buy(customerId: CustomerIdPath, body: CreditPurchaseCreate) -> CreditPurchase:
    """The purchase: `granted` (paid and credited), `failed` (declined: nothing credited, the
    reason given) or `pending` (the bank wants authentication: `nextActionUrl`)."""
    table, services, now = deps.table(), deps.billing_services(), deps.clock().now()
    purchase = start_purchase(table, customerId, body, now)
    settled, invoice = settle_purchase(
        table, purchase, services.charges, services.seller, services.dunning, now
    )
    if invoice is not None:
        services.documents.store(invoice)
    return settled


handler = api.handler
