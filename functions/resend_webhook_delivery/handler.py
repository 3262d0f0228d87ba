"""POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend — deliver again now."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import DeliveryIdPath, EndpointIdPath

from billfold.endpoints.deliveries import Delivery, resend

api = Api("resend_webhook_delivery")


@api.route
def resend_now(endpointId: EndpointIdPath, deliveryId: DeliveryIdPath) -> Delivery:
    """The delivery with the attempt just made (a failure is retried like any other)."""
    now = deps.clock().now()
    return resend(deps.table(), deps.webhook_sender(), endpointId, deliveryId, now)


handler = api.handler
