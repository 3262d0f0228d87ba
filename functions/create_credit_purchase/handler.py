"""POST /v1/customers/{customerId}/credit-purchases — buy a pack of prepaid credits now."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.purchases.models import CreditPurchase, CreditPurchaseCreate
from billfold.purchases.service import buy_credits

api = Api("create_credit_purchase")


@api.route
def buy(customerId: CustomerIdPath, body: CreditPurchaseCreate) -> CreditPurchase:
    """The purchase: `granted` (paid and credited), `failed` (declined: nothing credited, the
    reason given) or `pending` (the bank wants authentication: `nextActionUrl`)."""
    services = deps.billing_services()
    purchase, invoice = buy_credits(
        deps.table(),
        customerId,
        body,
        services.charges,
        services.seller,
        services.dunning,
        deps.clock().now(),
    )
    if invoice is not None:
        services.documents.store(invoice)
    return purchase


handler = api.handler
