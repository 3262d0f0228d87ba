"""The route table: the one list of operations that the CDK API, the local gateway and the
OpenAPI document are all built from. Each operation is one Lambda in `functions/<operation>/`.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Access(StrEnum):
    """Which credentials may call a route (the authorizer enforces it)."""

    SERVER = "server"
    """The user's backend, with a server API key."""
    SERVER_OR_PORTAL = "server_or_portal"
    """Also a customer's portal token, confined to that token's own customer."""
    STRIPE_SIGNATURE = "stripe_signature"
    """No key: Stripe's webhook signature is the credential (checked by the handler)."""
    EMAIL_LINK = "email_link"
    """No key: the signed link in the path is the credential (checked by the handler)."""
    PUBLISHABLE = "publishable"
    """Also a publishable key (bf_pk_, safe in a browser): the public catalog, read only, and
    rate limited by the API's usage plan."""
    CHECKOUT = "checkout"
    """Also a checkout token, confined to that token's own session."""


class Needs(StrEnum):
    """What a function may touch in AWS: the CDK stack grants exactly these, nothing more."""

    TABLE_READ = "table_read"
    TABLE_WRITE = "table_write"
    STRIPE_SECRET = "stripe_secret"
    INVOICE_BUCKET = "invoice_bucket"
    """Read and write invoice documents (and presign downloads)."""
    BILLING_QUEUE = "billing_queue"
    """Ask the billing worker to settle a customer now (after a change that bills)."""
    WEBHOOK_SECRET = "webhook_secret"
    WEBHOOK_QUEUE = "webhook_queue"
    PORTAL_SECRET = "portal_secret"
    """Sign portal tokens."""
    EVENT_BUS = "event_bus"
    """Publish on the event bus."""
    DELIVERY_QUEUE = "delivery_queue"
    """Queue webhook deliveries for the delivery worker."""
    SEND_EMAIL = "send_email"
    """Send email through SES from the seller's address."""


@dataclass(frozen=True)
class Route:
    """One operation of the HTTP API."""

    operation: str
    method: str
    path: str
    summary: str
    tag: str
    needs: frozenset[Needs]
    access: Access = Access.SERVER
    status: int = 200
    """The status of a successful response (201 for creates)."""

    @property
    def path_parameters(self) -> tuple[str, ...]:
        """The names of the `{parameters}` in the path, in order."""
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def resolver_path(self) -> str:
        """The path in Powertools' `<parameter>` syntax."""
        return re.sub(r"{(\w+)}", r"<\1>", self.path)

    def resource_path(self, **bound: str) -> str:
        """The path as an execute-api resource: parameters named in `bound` take those values,
        the others become the wildcard `*`."""
        path = self.path
        for name in self.path_parameters:
            path = path.replace("{" + name + "}", bound.get(name, "*"))
        return path

    @property
    def public(self) -> bool:
        """Whether the route takes no key (its own credential is checked by its handler)."""
        return self.access in (Access.STRIPE_SIGNATURE, Access.EMAIL_LINK)

    @property
    def metered(self) -> bool:
        """Whether API Gateway's usage plan counts and throttles calls (publishable routes)."""
        return self.access is Access.PUBLISHABLE

    @property
    def customer_scoped(self) -> bool:
        """Whether the route acts on one customer named in its path."""
        return self.path.startswith("/v1/customers/{customerId}")


_READ = frozenset({Needs.TABLE_READ})
_WRITE = frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE})
_WRITE_WITH_STRIPE = frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.STRIPE_SECRET})

_READ_WITH_STRIPE = frozenset({Needs.TABLE_READ, Needs.STRIPE_SECRET})
_INVOICE_READ = frozenset({Needs.TABLE_READ, Needs.INVOICE_BUCKET})

ROUTES: tuple[Route, ...] = (
    # Catalog: features
    Route(
        "create_feature", "POST", "/v1/features", "Create a feature", "catalog", _WRITE, status=201
    ),
    Route(
        "list_features",
        "GET",
        "/v1/features",
        "List features",
        "catalog",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route("get_feature", "GET", "/v1/features/{featureId}", "Get a feature", "catalog", _READ),
    Route(
        "update_feature", "PATCH", "/v1/features/{featureId}", "Update a feature", "catalog", _WRITE
    ),
    Route(
        "archive_feature",
        "POST",
        "/v1/features/{featureId}/archive",
        "Archive a feature: new plan versions can no longer grant it",
        "catalog",
        _WRITE,
    ),
    # Catalog: plans
    Route(
        "create_plan",
        "POST",
        "/v1/plans",
        "Create and publish a plan",
        "catalog",
        _WRITE,
        status=201,
    ),
    Route(
        "list_plans", "GET", "/v1/plans", "List plans", "catalog", _READ, Access.SERVER_OR_PORTAL
    ),
    Route(
        "get_plan",
        "GET",
        "/v1/plans/{planId}",
        "Get a plan (any published version)",
        "catalog",
        _READ,
    ),
    Route(
        "update_plan",
        "PATCH",
        "/v1/plans/{planId}",
        "Change a plan: publishes a new version",
        "catalog",
        _WRITE,
    ),
    Route(
        "archive_plan", "POST", "/v1/plans/{planId}/archive", "Archive a plan", "catalog", _WRITE
    ),
    # Catalog: add-ons
    Route(
        "create_addon",
        "POST",
        "/v1/addons",
        "Create and publish an add-on",
        "catalog",
        _WRITE,
        status=201,
    ),
    Route(
        "list_addons",
        "GET",
        "/v1/addons",
        "List add-ons",
        "catalog",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "get_addon",
        "GET",
        "/v1/addons/{addonId}",
        "Get an add-on (any published version)",
        "catalog",
        _READ,
    ),
    Route(
        "update_addon",
        "PATCH",
        "/v1/addons/{addonId}",
        "Change an add-on: publishes a new version",
        "catalog",
        _WRITE,
    ),
    Route(
        "archive_addon",
        "POST",
        "/v1/addons/{addonId}/archive",
        "Archive an add-on",
        "catalog",
        _WRITE,
    ),
    # Catalog: coupons
    Route(
        "create_coupon",
        "POST",
        "/v1/coupons",
        "Create a coupon (percent or amount off; once, repeating or forever)",
        "catalog",
        _WRITE,
        status=201,
    ),
    Route("list_coupons", "GET", "/v1/coupons", "List coupons", "catalog", _READ),
    Route("get_coupon", "GET", "/v1/coupons/{couponId}", "Get a coupon", "catalog", _READ),
    # Catalog: promotion codes
    Route(
        "create_promotion_code",
        "POST",
        "/v1/promotion-codes",
        "Create a customer-facing code for a coupon (expiry, redemption cap, first time only)",
        "catalog",
        _WRITE,
        status=201,
    ),
    Route(
        "list_promotion_codes",
        "GET",
        "/v1/promotion-codes",
        "List promotion codes",
        "catalog",
        _READ,
    ),
    Route(
        "get_promotion_code",
        "GET",
        "/v1/promotion-codes/{code}",
        "Get a promotion code and how often it was redeemed",
        "catalog",
        _READ,
    ),
    Route(
        "update_promotion_code",
        "PATCH",
        "/v1/promotion-codes/{code}",
        "Turn a promotion code off (or on again)",
        "catalog",
        _WRITE,
    ),
    # Customers
    Route(
        "create_customer",
        "POST",
        "/v1/customers",
        "Create a customer (and its Stripe customer)",
        "customers",
        _WRITE_WITH_STRIPE,
        status=201,
    ),
    Route(
        "list_customers", "GET", "/v1/customers", "List customers, newest first", "customers", _READ
    ),
    Route(
        "get_customer", "GET", "/v1/customers/{customerId}", "Get a customer", "customers", _READ
    ),
    Route(
        "update_customer",
        "PATCH",
        "/v1/customers/{customerId}",
        "Update a customer (and its Stripe customer)",
        "customers",
        _WRITE_WITH_STRIPE,
    ),
    # Subscriptions
    Route(
        "create_subscription",
        "POST",
        "/v1/customers/{customerId}/subscription",
        "Subscribe a customer to a plan",
        "subscriptions",
        _WRITE | {Needs.BILLING_QUEUE},
        Access.SERVER_OR_PORTAL,
        status=201,
    ),
    Route(
        "get_subscription",
        "GET",
        "/v1/customers/{customerId}/subscription",
        "The customer's current subscription, with its next invoice",
        "subscriptions",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "preview_subscription_change",
        "POST",
        "/v1/customers/{customerId}/subscription/preview",
        "What a change would charge or credit now and cost at renewal (changes nothing)",
        "subscriptions",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "change_subscription",
        "PATCH",
        "/v1/customers/{customerId}/subscription",
        "Change plan, billing period or add-ons (upgrades now, downgrades at period end)",
        "subscriptions",
        _WRITE | {Needs.BILLING_QUEUE},
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "cancel_subscription",
        "POST",
        "/v1/customers/{customerId}/subscription/cancel",
        "Cancel at period end (default) or now",
        "subscriptions",
        _WRITE,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "resume_subscription",
        "POST",
        "/v1/customers/{customerId}/subscription/resume",
        "Undo a scheduled cancel",
        "subscriptions",
        _WRITE,
        Access.SERVER_OR_PORTAL,
    ),
    # Entitlements
    Route(
        "list_entitlements",
        "GET",
        "/v1/customers/{customerId}/entitlements",
        "Every feature the customer holds, with usage against its limit",
        "entitlements",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "check_entitlement",
        "GET",
        "/v1/customers/{customerId}/entitlements/{featureId}",
        "May the customer use `requested` more of a feature? (one DynamoDB read)",
        "entitlements",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "grant_promotion",
        "POST",
        "/v1/customers/{customerId}/promotions",
        "Grant one customer a feature or extra limit, until a date",
        "entitlements",
        _WRITE,
        status=201,
    ),
    Route(
        "revoke_promotion",
        "DELETE",
        "/v1/customers/{customerId}/promotions/{featureId}",
        "Revoke a customer's promotion for a feature",
        "entitlements",
        _WRITE,
    ),
    # Usage
    Route(
        "report_usage",
        "POST",
        "/v1/usage",
        "Report usage of a metered feature (delta or set), counted once per idempotency key",
        "usage",
        _WRITE,
    ),
    Route(
        "ingest_events",
        "POST",
        "/v1/events",
        "Report raw usage events in batches of up to 1,000, each counted once",
        "usage",
        _WRITE,
    ),
    Route(
        "consume_usage",
        "POST",
        "/v1/customers/{customerId}/usage/{featureId}/consume",
        "Use more of a feature only if the limit allows it (atomic check-and-increment)",
        "usage",
        _WRITE,
    ),
    Route(
        "usage_history",
        "GET",
        "/v1/customers/{customerId}/usage/{featureId}/history",
        "Usage of a feature per period: the current one, then closed ones, newest first",
        "usage",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    # Invoices
    Route(
        "list_invoices",
        "GET",
        "/v1/customers/{customerId}/invoices",
        "The customer's invoices, newest first",
        "invoices",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "get_invoice",
        "GET",
        "/v1/customers/{customerId}/invoices/{invoiceId}",
        "One invoice, with its lines and payment",
        "invoices",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "get_invoice_pdf",
        "GET",
        "/v1/customers/{customerId}/invoices/{invoiceId}/pdf",
        "A short-lived download link for the invoice's PDF",
        "invoices",
        _INVOICE_READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "pay_invoice",
        "POST",
        "/v1/customers/{customerId}/invoices/{invoiceId}/pay",
        "Charge an open invoice now (the customer's retry)",
        "invoices",
        _WRITE | {Needs.STRIPE_SECRET, Needs.INVOICE_BUCKET},
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "void_invoice",
        "POST",
        "/v1/invoices/{invoiceId}/void",
        "Void an open invoice: nothing more is charged",
        "invoices",
        _WRITE | {Needs.INVOICE_BUCKET},
    ),
    # Credit balance
    Route(
        "get_credit_balance",
        "GET",
        "/v1/customers/{customerId}/credit-balance",
        "The customer's credit balance per currency, taken off their next invoices",
        "invoices",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "list_credit_transactions",
        "GET",
        "/v1/customers/{customerId}/credit-balance/transactions",
        "Every amount added to or drawn from the credit balance, newest first, with its invoice",
        "invoices",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    # Prepaid credits
    Route(
        "create_credit_type",
        "POST",
        "/v1/credit-types",
        "Create a kind of prepaid credit",
        "credits",
        _WRITE,
        status=201,
    ),
    Route(
        "list_credit_types",
        "GET",
        "/v1/credit-types",
        "List the kinds of prepaid credit",
        "credits",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "grant_credits",
        "POST",
        "/v1/customers/{customerId}/credit-grants",
        "Grant a customer prepaid credits (promotional), with a priority and an expiry",
        "credits",
        _WRITE,
        status=201,
    ),
    Route(
        "consume_credits",
        "POST",
        "/v1/customers/{customerId}/credits/{creditTypeId}/consume",
        "Draw prepaid credits, all or nothing (atomic; once per idempotency key)",
        "credits",
        _WRITE,
    ),
    Route(
        "create_credit_purchase",
        "POST",
        "/v1/customers/{customerId}/credit-purchases",
        "Buy a pack of prepaid credits: invoiced and charged at once, credited once paid",
        "credits",
        _WRITE_WITH_STRIPE | {Needs.INVOICE_BUCKET},
        Access.SERVER_OR_PORTAL,
        status=201,
    ),
    Route(
        "set_auto_recharge",
        "PUT",
        "/v1/customers/{customerId}/credits/{creditTypeId}/auto-recharge",
        "Buy a pack whenever the balance falls below a threshold, within monthly caps",
        "credits",
        _WRITE,
    ),
    Route(
        "void_credit_grant",
        "POST",
        "/v1/customers/{customerId}/credits/{creditTypeId}/grants/{grantId}/void",
        "Take back what is left of a grant (a void ledger entry)",
        "credits",
        _WRITE,
    ),
    Route(
        "refund_credits",
        "POST",
        "/v1/customers/{customerId}/credits/{creditTypeId}/refund",
        "Give back the credits one consume drew (a refund ledger entry), once",
        "credits",
        _WRITE,
    ),
    Route(
        "list_credits",
        "GET",
        "/v1/customers/{customerId}/credits",
        "The customer's prepaid credit balances, with their grants",
        "credits",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "get_credits",
        "GET",
        "/v1/customers/{customerId}/credits/{creditTypeId}",
        "One prepaid credit balance, now or at a past moment",
        "credits",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "list_credit_ledger",
        "GET",
        "/v1/customers/{customerId}/credits/{creditTypeId}/ledger",
        "Every grant, consume and expiry of a credit type, newest first",
        "credits",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    # Spend limits
    Route(
        "get_spend_limit",
        "GET",
        "/v1/customers/{customerId}/spend-limit",
        "The monthly spend limit and what overage and auto-recharge spent toward it",
        "credits",
        _READ,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "set_spend_limit",
        "PUT",
        "/v1/customers/{customerId}/spend-limit",
        "Cap what overage and auto-recharge may cost a month (customers too, if allowed)",
        "credits",
        _WRITE,
        Access.SERVER_OR_PORTAL,
    ),
    # Payment methods
    Route(
        "create_setup_intent",
        "POST",
        "/v1/customers/{customerId}/payment-methods/setup-intent",
        "Start adding a card: a SetupIntent's client secret for Stripe.js",
        "payments",
        _READ_WITH_STRIPE,
        Access.SERVER_OR_PORTAL,
        status=201,
    ),
    Route(
        "list_payment_methods",
        "GET",
        "/v1/customers/{customerId}/payment-methods",
        "The customer's cards (brand, last 4, expiry), the default first",
        "payments",
        _READ_WITH_STRIPE,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "save_payment_method",
        "POST",
        "/v1/customers/{customerId}/payment-methods",
        "Keep the card a confirmed SetupIntent collected (and make it the default)",
        "payments",
        _WRITE_WITH_STRIPE,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "set_default_payment_method",
        "POST",
        "/v1/customers/{customerId}/payment-methods/{paymentMethodId}/default",
        "Make a card the one invoices charge",
        "payments",
        _READ_WITH_STRIPE,
        Access.SERVER_OR_PORTAL,
    ),
    Route(
        "remove_payment_method",
        "DELETE",
        "/v1/customers/{customerId}/payment-methods/{paymentMethodId}",
        "Remove a card",
        "payments",
        _WRITE_WITH_STRIPE,
        Access.SERVER_OR_PORTAL,
    ),
    # Billing events: the event log and webhook endpoints
    Route(
        "list_customer_events",
        "GET",
        "/v1/customers/{customerId}/events",
        "The customer's billing events of the last 30 days, newest first",
        "events",
        _READ,
    ),
    Route(
        "create_webhook_endpoint",
        "POST",
        "/v1/webhook-endpoints",
        "Register an endpoint for billing events (answers its signing secret)",
        "events",
        _WRITE,
        status=201,
    ),
    Route(
        "list_webhook_endpoints",
        "GET",
        "/v1/webhook-endpoints",
        "List webhook endpoints",
        "events",
        _READ,
    ),
    Route(
        "get_webhook_endpoint",
        "GET",
        "/v1/webhook-endpoints/{endpointId}",
        "Get a webhook endpoint",
        "events",
        _READ,
    ),
    Route(
        "update_webhook_endpoint",
        "PATCH",
        "/v1/webhook-endpoints/{endpointId}",
        "Change a webhook endpoint's url, event types or description; disable or enable it",
        "events",
        _WRITE,
    ),
    Route(
        "delete_webhook_endpoint",
        "DELETE",
        "/v1/webhook-endpoints/{endpointId}",
        "Delete a webhook endpoint",
        "events",
        _WRITE,
    ),
    Route(
        "roll_webhook_secret",
        "POST",
        "/v1/webhook-endpoints/{endpointId}/roll-secret",
        "A new signing secret; the old one signs beside it for 24 hours",
        "events",
        _WRITE,
    ),
    Route(
        "list_webhook_deliveries",
        "GET",
        "/v1/webhook-endpoints/{endpointId}/deliveries",
        "The endpoint's deliveries, newest first, with every attempt",
        "events",
        _READ,
    ),
    Route(
        "resend_webhook_delivery",
        "POST",
        "/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend",
        "Deliver an event to the endpoint again, now",
        "events",
        _WRITE,
    ),
    # The customer portal
    Route(
        "open_email_link",
        "GET",
        "/v1/links/{linkToken}",
        "An email's link: opens the customer's portal in a fresh session (302)",
        "portal",
        frozenset({Needs.TABLE_READ, Needs.PORTAL_SECRET}),
        Access.EMAIL_LINK,
        status=302,
    ),
    Route(
        "create_portal_session",
        "POST",
        "/v1/portal-sessions",
        "A short-lived portal token for one customer, and the portal URL that carries it",
        "portal",
        frozenset({Needs.TABLE_READ, Needs.PORTAL_SECRET}),
        status=201,
    ),
    Route(
        "create_publishable_key",
        "POST",
        "/v1/publishable-keys",
        "A publishable key (bf_pk_): safe in a browser, it reads only the public pricing",
        "pricing",
        _WRITE,
        status=201,
    ),
    Route(
        "get_pricing",
        "GET",
        "/v1/pricing",
        "The public plans and add-ons with the features they grant (pricing table, paywall)",
        "pricing",
        _READ,
        Access.PUBLISHABLE,
    ),
    # Checkout
    Route(
        "create_checkout_session",
        "POST",
        "/v1/checkout-sessions",
        "Open a checkout for a new or existing customer: a token and URL for its page",
        "checkout",
        frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.STRIPE_SECRET, Needs.PORTAL_SECRET}),
        status=201,
    ),
    Route(
        "get_checkout_session",
        "GET",
        "/v1/checkout-sessions/{sessionId}",
        "A checkout session and what completing it charges (with a promotion code)",
        "checkout",
        _READ,
        Access.CHECKOUT,
    ),
    Route(
        "create_checkout_setup_intent",
        "POST",
        "/v1/checkout-sessions/{sessionId}/setup-intent",
        "A SetupIntent for the checkout's customer, for Stripe.js to confirm the card",
        "checkout",
        _READ_WITH_STRIPE,
        Access.CHECKOUT,
        status=201,
    ),
    Route(
        "complete_checkout",
        "POST",
        "/v1/checkout-sessions/{sessionId}/complete",
        "Save the confirmed card, start the subscription and close the session (once)",
        "checkout",
        frozenset(
            {
                Needs.TABLE_READ,
                Needs.TABLE_WRITE,
                Needs.STRIPE_SECRET,
                Needs.BILLING_QUEUE,
                Needs.PORTAL_SECRET,
            }
        ),
        Access.CHECKOUT,
    ),
    Route(
        "stripe_webhook",
        "POST",
        "/v1/webhooks/stripe",
        "Stripe's events: verified by signature, recorded once, processed from a queue",
        "payments",
        frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.WEBHOOK_SECRET, Needs.WEBHOOK_QUEUE}),
        Access.STRIPE_SIGNATURE,
    ),
)

BACKGROUND_FUNCTIONS = (
    "authorizer",
    "billing_scheduler",
    "billing_worker",
    "webhook_worker",
    "relay_events",
    "fan_out_webhooks",
    "deliver_webhooks",
    "retry_webhooks",
    "send_emails",
)
"""The functions that serve no route: the API's authorizer, the scheduled billing run and its
worker, the Stripe webhook worker, the event relay with the webhook fan-out, delivery and
retry sweep, and the email sender."""

ROUTES_BY_OPERATION: dict[str, Route] = {route.operation: route for route in ROUTES}
