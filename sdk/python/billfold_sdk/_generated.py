"""billfold's API as typed Python: generated from the OpenAPI document by
`python -m local.sdk_codegen`. Do not edit: `make test` fails when it is out of date."""

# ruff: noqa: E501

from collections.abc import Iterator
from typing import Any, Literal, NotRequired, TypedDict, cast
from urllib.parse import quote

from billfold_sdk.transport import Transport

ErrorCode = Literal[
    "addon_archived",
    "addon_not_allowed",
    "addon_not_found",
    "already_exists",
    "bad_request",
    "card_declined",
    "checkout_locked",
    "checkout_session_expired",
    "checkout_session_not_found",
    "concurrent_modification",
    "conflict",
    "coupon_currency_mismatch",
    "coupon_not_found",
    "credit_type_not_found",
    "customer_not_found",
    "fallback_not_free",
    "fallback_self",
    "feature_archived",
    "feature_not_found",
    "feature_not_in_plan",
    "feature_not_metered",
    "forbidden",
    "idempotency_key_reused",
    "grant_not_found",
    "insufficient_credits",
    "internal_error",
    "invalid_cursor",
    "invalid_entitlement",
    "invalid_event",
    "invalid_promotion_code",
    "invalid_request",
    "invalid_signature",
    "invoice_not_found",
    "invoice_not_open",
    "invoice_race",
    "ledger_entry_not_found",
    "limit_exceeded",
    "malformed_json",
    "missing_body",
    "no_subscription",
    "not_found",
    "parent_chain_too_deep",
    "parent_cycle",
    "payment_method_not_found",
    "payment_method_required",
    "plan_archived",
    "plan_not_found",
    "price_not_available",
    "promotion_codes_not_allowed",
    "proration_refused",
    "promotion_code_not_found",
    "promotion_not_found",
    "quote_changed",
    "quantity_above_max",
    "renewal_pending",
    "route_not_found",
    "rule_violation",
    "seller_only_field",
    "setup_intent_not_found",
    "setup_intent_not_succeeded",
    "spend_limit_reached",
    "subscription_canceled",
    "subscription_exists",
    "throttled",
    "unauthorized",
    "unknown_addon",
    "unknown_coupon",
    "unknown_credit_pack",
    "unknown_credit_type",
    "unknown_feature",
    "unknown_plan",
    "upstream_error",
    "uri_too_long",
    "usage_below_zero",
    "version_not_found",
    "webhook_delivery_not_found",
    "webhook_endpoint_not_found",
]

EventType = Literal[
    "customer.created",
    "customer.updated",
    "subscription.created",
    "subscription.updated",
    "subscription.trial_will_end",
    "subscription.trial_ended",
    "subscription.renewed",
    "subscription.past_due",
    "subscription.canceled",
    "subscription.resumed",
    "subscription.scheduled_change_created",
    "subscription.scheduled_change_canceled",
    "entitlements.updated",
    "usage.threshold_reached",
    "usage.soft_limit_exceeded",
    "usage.spend_limit_reached",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "invoice.voided",
    "invoice.uncollectible",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.expiring",
    "credit_balance.changed",
    "credits.balance_changed",
    "credits.auto_recharge_failed",
    "checkout.completed",
    "webhook_endpoint.disabled",
]


class Tier(TypedDict):
    """One tier: the units up to and including `upTo` (none: every unit beyond), priced at `unitAmount` each, plus `flatAmount` once."""

    upTo: NotRequired[int | None]
    unitAmount: NotRequired[int]
    flatAmount: NotRequired[int]


class AddonPrice(TypedDict):
    """What a quantity of an add-on costs for one billing period in one currency, in advance: `amount` per unit, graduated or volume `tiers`, or `amount` per started package."""

    model: NotRequired[Literal["per_unit", "graduated", "volume", "package"]]
    amount: NotRequired[int | None]
    packageSize: NotRequired[int | None]
    tiers: NotRequired[list[Tier] | None]
    billingPeriod: Literal["monthly", "annual"]
    currency: str


class CreditCost(TypedDict):
    """That using a metered feature draws prepaid credits: `perUnit` credits of `creditTypeId` for each unit (1 image = 4 AI credits)."""

    creditTypeId: str
    perUnit: int


class OveragePrice(TypedDict):
    """What the units used past a soft limit cost, in one currency, billed in arrears: per unit (`amount`), in graduated or volume `tiers` over the units past the limit, or by the package."""

    model: NotRequired[Literal["per_unit", "graduated", "volume", "package"]]
    amount: NotRequired[int | None]
    packageSize: NotRequired[int | None]
    tiers: NotRequired[list[Tier] | None]
    currency: str


class Entitlement(TypedDict):
    """What a plan or add-on grants of one feature. boolean features: only `featureId`. metered: `limit` or `unlimited`, with how the counter resets and whether the limit is hard (refuse) or soft (allow, flag, bill overage). numeric: `value` or `unlimited`."""

    featureId: str
    unlimited: NotRequired[bool]
    limit: NotRequired[int | None]
    value: NotRequired[int | None]
    resetPeriod: NotRequired[Literal["daily", "weekly", "monthly", "yearly", "never"] | None]
    resetAnchor: NotRequired[Literal["subscription", "calendar"] | None]
    enforcement: NotRequired[Literal["hard", "soft"] | None]
    overagePrices: NotRequired[list[OveragePrice]]
    credits: NotRequired[CreditCost | None]


class Addon(TypedDict):
    """An add-on version."""

    id: str
    version: int
    status: Literal["active", "archived"]
    name: str
    description: str
    entitlements: list[Entitlement]
    displayOrder: int
    public: NotRequired[bool]
    metadata: dict[str, str]
    createdAt: str
    publishedAt: str
    prices: list[AddonPrice]
    maxQuantity: int
    planIds: list[str]


class AddonCreate(TypedDict):
    """A new add-on, published as version 1. Its entitlements are per unit of quantity."""

    prices: NotRequired[list[AddonPrice]]
    entitlements: NotRequired[list[Entitlement]]
    id: str
    name: str
    description: NotRequired[str]
    maxQuantity: NotRequired[int]
    planIds: NotRequired[list[str]]
    displayOrder: NotRequired[int]
    public: NotRequired[bool]
    metadata: NotRequired[dict[str, str]]


class AddonQuantity(TypedDict):
    """An add-on and how many of it."""

    addonId: str
    quantity: NotRequired[int]


class AddonUpdate(TypedDict):
    """Changes to an add-on: any real change publishes a new version."""

    name: NotRequired[str | None]
    description: NotRequired[str | None]
    prices: NotRequired[list[AddonPrice] | None]
    entitlements: NotRequired[list[Entitlement] | None]
    maxQuantity: NotRequired[int | None]
    planIds: NotRequired[list[str] | None]
    displayOrder: NotRequired[int | None]
    public: NotRequired[bool | None]
    metadata: NotRequired[dict[str, str] | None]


class Discount(TypedDict):
    """A coupon's terms as applied to one invoice: `percentOff` (1-100) or `amountOff`."""

    couponId: str
    name: str
    percentOff: NotRequired[int | None]
    amountOff: NotRequired[int | None]


class AppliedCoupon(TypedDict):
    """A coupon on a subscription: its discount and how many more billed periods it covers (null: forever)."""

    discount: Discount
    duration: Literal["once", "repeating", "forever"]
    periodsLeft: int | None
    promotionCode: NotRequired[str | None]


class Attempt(TypedDict):
    """One attempt: when, its outcome, the endpoint's HTTP status (null: no answer) and how long it took."""

    at: str
    status: Literal["succeeded", "failed"]
    responseCode: int | None
    durationMs: int
    error: NotRequired[str | None]


class AutoRecharge(TypedDict):
    """Auto-recharge as configured, and what it did this month. `due`: the balance fell below the threshold and the billing run will buy a pack. A declined charge switches it off (`enabled: false`, `disabledReason` saying why)."""

    enabled: bool
    threshold: int
    packId: str
    maxPerMonth: int
    monthlySpendCap: NotRequired[int | None]
    month: NotRequired[str | None]
    purchasesThisMonth: NotRequired[int]
    spentThisMonth: NotRequired[int]
    due: NotRequired[bool]
    disabledReason: NotRequired[str | None]


class AutoRechargeSettings(TypedDict):
    """Buy `packId` whenever the balance falls below `threshold`: at most `maxPerMonth` times a calendar month (UTC), and never past `monthlySpendCap` (minor units of the purchase's currency) when one is set."""

    enabled: NotRequired[bool]
    threshold: int
    packId: str
    maxPerMonth: NotRequired[int]
    monthlySpendCap: NotRequired[int | None]


class TierCharge(TypedDict):
    """A tier's part of a price: the units it priced (from `firstUnit` to `lastUnit`, inclusive; none: unbounded), at `unitAmount` each, plus `flatAmount`: `amount` in all."""

    tier: int
    firstUnit: int
    lastUnit: int | None
    quantity: int
    unitAmount: int
    flatAmount: int
    amount: int


class BillingLine(TypedDict):
    """One line billed: a charge, or a credit (negative), for [periodStart, periodEnd): a change's proration, a whole period in advance, or overage in arrears."""

    key: str
    description: str
    kind: Literal["credit", "charge"]
    amount: int
    currency: str
    quantity: int
    unitAmount: int
    tiers: NotRequired[list[TierCharge]]
    periodStart: str
    periodEnd: str


class CancelRequest(TypedDict):
    """`atPeriodEnd` (default): keep access until the period ends; false: cancel now."""

    atPeriodEnd: NotRequired[bool]


class Card(TypedDict):
    """A card as the portal shows it."""

    id: str
    brand: str
    last4: str
    expMonth: int
    expYear: int
    isDefault: bool


class Cards(TypedDict):
    """A customer's cards, the default first."""

    items: list[Card]


class NextInvoice(TypedDict):
    """What the customer's next invoice will ask for, and when: `subtotal` (the period's price), less the coupon's `discount`, less `creditApplied` from the credit balance, leaves `amount` to pay."""

    amount: int
    subtotal: int
    discount: int
    creditApplied: int
    currency: str
    date: str


class OverLimit(TypedDict):
    """A metered feature whose usage this period already passes the limit a change gives."""

    featureId: str
    usage: int
    limit: int


class ChangePreview(TypedDict):
    """What a change does: the lines billed now (credits negative), what is due now after the customer's credit balance (`creditApplied`) or added to it (`credit`), and what the next renewal asks for and when (null: none)."""

    timing: Literal["now", "period_end", "nothing"]
    effectiveAt: str
    currency: str
    lines: list[BillingLine]
    dueNow: int
    creditApplied: int
    credit: int
    nextRenewal: NextInvoice | None
    resetsUsage: bool
    overLimit: list[OverLimit]


class PriceModel(TypedDict):
    """How a quantity is priced: `per_unit` (`amount` each), `graduated` or `volume` (`tiers`), or `package` (`amount` for every started block of `packageSize` units)."""

    model: NotRequired[Literal["per_unit", "graduated", "volume", "package"]]
    amount: NotRequired[int | None]
    packageSize: NotRequired[int | None]
    tiers: NotRequired[list[Tier] | None]


class SubscribedAddon(TypedDict):
    """An add-on held: the version sold, how many, and its price for the period: `unitAmount` per unit, or the `priceModel` sold (tiers, packages; `unitAmount` is then the package's price, or 0 under tiers). `amount` is what the quantity costs for one period."""

    addonId: str
    version: int
    name: str
    quantity: int
    unitAmount: int
    priceModel: NotRequired[PriceModel | None]
    amount: int


class ScheduledChange(TypedDict):
    """What the subscription becomes at `effectiveAt` (a downgrade at period end), priced when it was asked for."""

    effectiveAt: str
    planId: str
    planVersion: int
    planName: str
    billingPeriod: Literal["monthly", "annual"]
    price: int
    addons: list[SubscribedAddon]
    resetUsage: NotRequired[bool]


class SubscriptionView(TypedDict):
    """A subscription as the API shows it, with its next invoice (null when none is due)."""

    id: str
    customerId: str
    status: Literal["trialing", "active", "past_due", "canceled"]
    planId: str
    planVersion: int
    planName: str
    billingPeriod: Literal["monthly", "annual"]
    currency: str
    price: int
    addons: list[SubscribedAddon]
    billingAnchor: str
    usageAnchor: str
    currentPeriodStart: str
    currentPeriodEnd: str
    trialEnd: NotRequired[str | None]
    cancelAtPeriodEnd: NotRequired[bool]
    canceledAt: NotRequired[str | None]
    scheduledChange: NotRequired[ScheduledChange | None]
    coupon: NotRequired[AppliedCoupon | None]
    createdAt: str
    updatedAt: str
    revision: NotRequired[int]
    nextInvoice: NextInvoice | None


class ChangeResult(TypedDict):
    """An applied change: the subscription after it, and exactly what its preview said."""

    subscription: SubscriptionView
    change: ChangePreview


class CheckoutComplete(TypedDict):
    """The visitor's confirmation: the SetupIntent Stripe.js confirmed (none when nothing is ever charged), the promotion code, if the session allows one, and the amount due today the visitor was shown (409 `quote_changed` if it is no longer what completing charges)."""

    setupIntentId: NotRequired[str | None]
    promotionCode: NotRequired[str | None]
    expectedDueToday: NotRequired[int | None]


class CheckoutQuote(TypedDict):
    """What the visitor is shown before paying: today's amount, and what the first charge is (after the trial, when there is one) before and after the promotion code's discount."""

    currency: str
    billingPeriod: Literal["monthly", "annual"]
    lines: list[BillingLine]
    subtotal: int
    discount: int
    total: int
    dueToday: int
    needsPaymentMethod: bool
    trialDays: int
    trialEnd: NotRequired[str | None]
    firstChargeAt: str
    promotionCode: NotRequired[str | None]
    couponName: NotRequired[str | None]


class CheckoutSession(TypedDict):
    """A checkout session as stored."""

    id: str
    customerId: str
    planId: str
    billingPeriod: Literal["monthly", "annual"]
    currency: str
    addons: list[AddonQuantity]
    trialDays: NotRequired[int | None]
    allowPromotionCodes: bool
    allowedPromotionCodes: NotRequired[list[str] | None]
    status: Literal["open", "complete"]
    subscriptionId: NotRequired[str | None]
    promotionCode: NotRequired[str | None]
    declines: NotRequired[int]
    createdAt: str
    expiresAt: str
    completedAt: NotRequired[str | None]


class NewCustomer(TypedDict):
    """Who a checkout for a new customer creates (under the session's `customerId`)."""

    email: str
    name: str


class CheckoutSessionCreate(TypedDict):
    """A checkout the seller's backend opens: for an existing customer, or a new one described in `customer`. The plan, period, currency, add-ons and trial are fixed here; the visitor may only enter a promotion code, and only when `allowPromotionCodes` (one of `allowedPromotionCodes`, when given)."""

    customerId: str
    customer: NotRequired[NewCustomer | None]
    planId: str
    billingPeriod: NotRequired[Literal["monthly", "annual"]]
    currency: str
    addons: NotRequired[list[AddonQuantity]]
    trialDays: NotRequired[int | None]
    allowPromotionCodes: NotRequired[bool]
    allowedPromotionCodes: NotRequired[list[str] | None]
    expiresInMinutes: NotRequired[int]
    idempotencyKey: NotRequired[str | None]


class CheckoutView(TypedDict):
    """A session as its checkout page shows it."""

    session: CheckoutSession
    planName: str
    quote: CheckoutQuote


class CompletedCheckout(TypedDict):
    """The session once complete, and the subscription it started."""

    session: CheckoutSession
    subscription: SubscriptionView
    portalUrl: NotRequired[str | None]


class ConsumeCredits(TypedDict):
    """Draw `amount` credits, all or nothing: refused (422) when the balance is short."""

    amount: int
    reference: NotRequired[str]
    idempotencyKey: NotRequired[str]


class ConsumeRequest(TypedDict):
    """Use `amount` more of a feature, only if the limit allows it."""

    amount: NotRequired[int]
    idempotencyKey: NotRequired[str]


class Coupon(TypedDict):
    """A coupon, as created (coupons never change: create another instead)."""

    id: str
    name: str
    percentOff: NotRequired[int | None]
    amountOff: NotRequired[int | None]
    currency: NotRequired[str | None]
    duration: Literal["once", "repeating", "forever"]
    durationInMonths: NotRequired[int | None]
    metadata: dict[str, str]
    createdAt: str


class CouponCreate(TypedDict):
    """A new coupon: `percentOff` (1-100), or `amountOff` in `currency`."""

    id: str
    name: str
    percentOff: NotRequired[int | None]
    amountOff: NotRequired[int | None]
    currency: NotRequired[str | None]
    duration: NotRequired[Literal["once", "repeating", "forever"]]
    durationInMonths: NotRequired[int | None]
    metadata: NotRequired[dict[str, str]]


class CreditAllowance(TypedDict):
    """Credits a plan grants every billing period: they expire when the period ends, or, with `rolloverCap`, what is left rolls over into the next period, up to that many credits."""

    creditTypeId: str
    amount: int
    rolloverCap: NotRequired[int | None]


class CreditsCreditBalance(TypedDict):
    """What the customer holds in one currency, to be taken off their next invoices."""

    currency: str
    amount: int


class CreditBalances(TypedDict):
    """The customer's credit, per currency (a currency with none is left out)."""

    customerId: str
    balances: list[CreditsCreditBalance]


class CreditCheck(TypedDict):
    """For a feature that draws prepaid credits: the balance of its credit type, the credits `requested` units need (`perUnit` each), and whether the balance covers them."""

    creditTypeId: str
    perUnit: int
    balance: int
    required: int
    affordable: bool


class PackPrice(TypedDict):
    """What a pack costs in one currency, in minor units."""

    currency: str
    amount: int


class CreditPack(TypedDict):
    """A top-up customers can buy: `credits` for one of `prices`."""

    id: str
    name: str
    credits: int
    prices: list[PackPrice]


class CreditPurchase(TypedDict):
    """A purchase of credits and how far it got: its invoice, and why a charge failed."""

    id: str
    customerId: str
    creditTypeId: str
    packId: str
    quantity: int
    credits: int
    amount: int
    currency: str
    source: Literal["customer", "auto_recharge"]
    status: Literal["pending", "granted", "failed"]
    billingRecordId: str
    invoiceId: NotRequired[str | None]
    failureCode: NotRequired[str | None]
    failureMessage: NotRequired[str | None]
    nextActionUrl: NotRequired[str | None]
    createdAt: str
    updatedAt: str


class CreditPurchaseCreate(TypedDict):
    """Buy `quantity` packs of a credit type, paid at once with the saved card, in `currency` (default: the subscription's)."""

    creditTypeId: str
    packId: str
    quantity: NotRequired[int]
    currency: NotRequired[str | None]
    idempotencyKey: NotRequired[str]


class CreditTransaction(TypedDict):
    """One move of the balance: `amount` added (positive) or applied (negative), the balance after it, and the invoice (and the change or renewal behind it) that moved it."""

    id: str
    currency: str
    kind: Literal["added", "applied"]
    amount: int
    balanceAfter: int
    invoiceId: str
    invoiceNumber: str
    reason: str
    subscriptionId: NotRequired[str | None]
    billingRecordId: NotRequired[str | None]
    createdAt: str


class FeatureUnit(TypedDict):
    """How a metered or numeric feature's amounts are named: 1 'API call', 2 'API calls'."""

    singular: str
    plural: str


class CreditType(TypedDict):
    """A kind of credit that customers hold balances of, and buy in packs."""

    id: str
    name: str
    unit: FeatureUnit
    packs: NotRequired[list[CreditPack]]
    metadata: dict[str, str]
    createdAt: str


class CreditTypeCreate(TypedDict):
    """A new kind of credit, e.g. `ai-credits`, with the packs customers may buy."""

    id: str
    name: str
    unit: FeatureUnit
    packs: NotRequired[list[CreditPack]]
    metadata: NotRequired[dict[str, str]]


class Customer(TypedDict):
    """A customer of the user's product."""

    id: str
    email: str
    name: str
    metadata: dict[str, str]
    locale: NotRequired[str | None]
    stripeCustomerId: str
    createdAt: str
    updatedAt: str


class CustomerCreate(TypedDict):
    """A new customer, under the id the user's own system knows it by."""

    id: str
    email: str
    name: str
    metadata: NotRequired[dict[str, str]]
    locale: NotRequired[str | None]


class CustomerUpdate(TypedDict):
    """Changes to a customer; email and name are mirrored to Stripe."""

    email: NotRequired[str | None]
    name: NotRequired[str | None]
    metadata: NotRequired[dict[str, str] | None]
    locale: NotRequired[str | None]


class Delivery(TypedDict):
    """One event's delivery to one endpoint."""

    id: str
    endpointId: str
    eventId: str
    eventType: str
    customerId: str | None
    status: Literal["pending", "succeeded", "failed"]
    attempts: list[Attempt]
    nextAttemptAt: NotRequired[str | None]
    createdAt: str


class DocumentLink(TypedDict):
    """Where to download a document, until when."""

    url: str
    expiresAt: str


class Draw(TypedDict):
    """What one entry took from (or gave back to) one grant; a consume also notes the grant's priority and expiry, so a refund can give back to a grant used up since."""

    grantId: str
    amount: int
    priority: NotRequired[int | None]
    expiresAt: NotRequired[str | None]


class Endpoint(TypedDict):
    """A webhook endpoint. `failingSince`: when deliveries started failing (null: the last one succeeded); after 5 days of failures the endpoint is disabled (`disabledReason: failing`)."""

    id: str
    url: str
    eventTypes: list[str]
    description: str
    status: Literal["enabled", "disabled"]
    disabledReason: NotRequired[Literal["requested", "failing"] | None]
    failingSince: NotRequired[str | None]
    secretVersion: int
    createdAt: str
    updatedAt: str


class EndpointCreate(TypedDict):
    """A new endpoint under your own id (the same request again returns it, secret and all)."""

    id: str
    url: str
    eventTypes: list[
        Literal[
            "*",
            "checkout.completed",
            "credit_balance.changed",
            "credits.auto_recharge_failed",
            "credits.balance_changed",
            "customer.created",
            "customer.updated",
            "entitlements.updated",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_action_required",
            "invoice.payment_failed",
            "invoice.uncollectible",
            "invoice.voided",
            "payment_method.attached",
            "payment_method.detached",
            "payment_method.expiring",
            "subscription.canceled",
            "subscription.created",
            "subscription.past_due",
            "subscription.renewed",
            "subscription.resumed",
            "subscription.scheduled_change_canceled",
            "subscription.scheduled_change_created",
            "subscription.trial_ended",
            "subscription.trial_will_end",
            "subscription.updated",
            "usage.soft_limit_exceeded",
            "usage.spend_limit_reached",
            "usage.threshold_reached",
            "webhook_endpoint.disabled",
        ]
    ]
    description: NotRequired[str]


class EndpointUpdate(TypedDict):
    """Changes to an endpoint; `status: disabled` stops deliveries, `enabled` restarts them."""

    url: NotRequired[str | None]
    eventTypes: NotRequired[
        list[
            Literal[
                "*",
                "checkout.completed",
                "credit_balance.changed",
                "credits.auto_recharge_failed",
                "credits.balance_changed",
                "customer.created",
                "customer.updated",
                "entitlements.updated",
                "invoice.finalized",
                "invoice.paid",
                "invoice.payment_action_required",
                "invoice.payment_failed",
                "invoice.uncollectible",
                "invoice.voided",
                "payment_method.attached",
                "payment_method.detached",
                "payment_method.expiring",
                "subscription.canceled",
                "subscription.created",
                "subscription.past_due",
                "subscription.renewed",
                "subscription.resumed",
                "subscription.scheduled_change_canceled",
                "subscription.scheduled_change_created",
                "subscription.trial_ended",
                "subscription.trial_will_end",
                "subscription.updated",
                "usage.soft_limit_exceeded",
                "usage.spend_limit_reached",
                "usage.threshold_reached",
                "webhook_endpoint.disabled",
            ]
        ]
        | None
    ]
    description: NotRequired[str | None]
    status: NotRequired[Literal["enabled", "disabled"] | None]


class EndpointWithSecret(TypedDict):
    """An endpoint with its signing secret: only in the answers that make one."""

    id: str
    url: str
    eventTypes: list[str]
    description: str
    status: Literal["enabled", "disabled"]
    disabledReason: NotRequired[Literal["requested", "failing"] | None]
    failingSince: NotRequired[str | None]
    secretVersion: int
    createdAt: str
    updatedAt: str
    secret: str


class EntitlementCheck(TypedDict):
    """The answer to "may this customer use `requested` more of this feature now?". `limit` and `remaining` are null when there is no amount to count against: unlimited and boolean features, and refusals made before the feature is found. `remaining` is never negative. The period and `resetAt` are set for metered features whose counter resets. `softLimitExceeded`: the use would pass a soft limit, so it is granted and billed as overage where the plan prices it. `reason` is null exactly when access is granted."""

    featureId: str
    hasAccess: bool
    unlimited: bool
    limit: int | None
    usage: int
    remaining: int | None
    requested: int
    periodStart: str | None
    periodEnd: str | None
    resetAt: str | None
    softLimitExceeded: bool
    credits: NotRequired[CreditCheck | None]
    reason: (
        Literal[
            "customer_not_found",
            "no_subscription",
            "subscription_canceled",
            "feature_not_in_plan",
            "limit_exceeded",
            "insufficient_credits",
            "spend_limit_reached",
        ]
        | None
    )


class ErrorDetail(TypedDict):
    """What went wrong, for a program (`code`, `field`) and for a person (`message`)."""

    code: ErrorCode
    message: str
    field: str | None


class ErrorBody(TypedDict):
    """The body of every 4xx and 5xx response."""

    error: ErrorDetail


class Event(TypedDict):
    """An event: what changed (`type`, `data`), for whom (`customerId`; null for events about the deployment itself) and in what order (`sequence`: only grows within one customer)."""

    id: str
    type: EventType
    apiVersion: NotRequired[str]
    createdAt: str
    customerId: str | None
    sequence: int | None
    data: dict[str, Any]


class UsageEvent(TypedDict):
    """Something a customer did, as the user's app saw it."""

    customerId: str
    eventName: str
    idempotencyKey: str
    timestamp: str
    dimensions: NotRequired[dict[str, str | int | bool]]


class EventBatch(TypedDict):
    """Up to 1,000 events."""

    events: list[UsageEvent]


class EventOutcome(TypedDict):
    """What became of one event: accepted (counted now), duplicate (counted before) or rejected (never counted: `code` and `message` say why)."""

    index: int
    idempotencyKey: str
    status: Literal["accepted", "duplicate", "rejected"]
    code: NotRequired[str | None]
    message: NotRequired[str | None]


class EventBatchResult(TypedDict):
    """The batch's counts, and each event's outcome in request order."""

    accepted: int
    duplicates: int
    rejected: int
    items: list[EventOutcome]


class Feature(TypedDict):
    """A capability the user's product gates or meters."""

    id: str
    name: str
    description: str
    type: Literal["boolean", "metered", "numeric"]
    unit: NotRequired[FeatureUnit | None]
    metadata: dict[str, str]
    status: NotRequired[Literal["active", "archived"]]
    createdAt: str
    updatedAt: str


class FeatureCreate(TypedDict):
    """A new feature."""

    id: str
    name: str
    description: NotRequired[str]
    type: Literal["boolean", "metered", "numeric"]
    unit: NotRequired[FeatureUnit | None]
    metadata: NotRequired[dict[str, str]]


class FeatureUpdate(TypedDict):
    """Changes to a feature; its id and type never change."""

    name: NotRequired[str | None]
    description: NotRequired[str | None]
    unit: NotRequired[FeatureUnit | None]
    metadata: NotRequired[dict[str, str] | None]


class Grant(TypedDict):
    """Credits granted once, and what is left of them."""

    id: str
    source: Literal["promotional", "recurring", "purchased", "refund"]
    amount: int
    remaining: int
    priority: int
    expiresAt: NotRequired[str | None]
    grantedAt: str
    reference: NotRequired[str]


class GrantCreate(TypedDict):
    """A promotional grant, made by the seller's server: `amount` credits of a type, drawn in `priority` order (lower first), until `expiresAt` (none: never)."""

    creditTypeId: str
    amount: int
    priority: NotRequired[int]
    expiresAt: NotRequired[str | None]
    reference: NotRequired[str]
    idempotencyKey: NotRequired[str]


class InvoiceLine(TypedDict):
    """One line: a charge (positive), a credit or a discount (negative), for a period."""

    kind: Literal["charge", "credit", "discount"]
    description: str
    quantity: int
    unitAmount: int
    amount: int
    tiers: NotRequired[list[TierCharge]]
    periodStart: NotRequired[str | None]
    periodEnd: NotRequired[str | None]


class Party(TypedDict):
    """The seller or the customer as printed on the invoice."""

    name: str
    email: str
    address: NotRequired[list[str]]


class Payment(TypedDict):
    """The latest charge of an invoice: its Stripe PaymentIntent, outcome and next retry."""

    status: NotRequired[Literal["none", "succeeded", "failed", "requires_action"]]
    attempts: NotRequired[int]
    paymentIntentId: NotRequired[str | None]
    failureCode: NotRequired[str | None]
    failureMessage: NotRequired[str | None]
    nextActionUrl: NotRequired[str | None]
    nextAttemptAt: NotRequired[str | None]


class Invoice(TypedDict):
    """A finalized invoice. `subtotal` is the sum of charge and credit lines; `discount` (>= 0) what coupons took off; `total` = subtotal - discount. A negative total is never charged: it becomes customer credit (`creditAdded`) and the amount due is 0. Otherwise `creditApplied` is taken from the customer's credit balance and `amountDue` = total - creditApplied."""

    id: str
    number: str
    customerId: str
    subscriptionId: NotRequired[str | None]
    billingRecordId: NotRequired[str | None]
    reason: str
    status: Literal["open", "paid", "uncollectible", "void"]
    currency: str
    seller: Party
    customer: Party
    lines: list[InvoiceLine]
    subtotal: int
    discount: int
    total: int
    creditApplied: int
    creditAdded: int
    amountDue: int
    amountPaid: int
    amountRefunded: NotRequired[int]
    disputed: NotRequired[bool]
    createdAt: str
    paidAt: NotRequired[str | None]
    voidedAt: NotRequired[str | None]
    payment: NotRequired[Payment]
    revision: NotRequired[int]


class LedgerEntry(TypedDict):
    """One move of a credit balance, never changed once written: `amount` added (positive) or taken (negative), the balance after it, and the grants it moved."""

    id: str
    customerId: str
    creditTypeId: str
    kind: Literal["grant", "consume", "expire", "void", "refund"]
    amount: int
    balanceAfter: int
    draws: list[Draw]
    reference: NotRequired[str]
    createdAt: str


class OpenedCheckout(TypedDict):
    """A new session, with the token for the visitor's browser (answered only here)."""

    id: str
    customerId: str
    planId: str
    billingPeriod: Literal["monthly", "annual"]
    currency: str
    addons: list[AddonQuantity]
    trialDays: NotRequired[int | None]
    allowPromotionCodes: bool
    allowedPromotionCodes: NotRequired[list[str] | None]
    status: Literal["open", "complete"]
    subscriptionId: NotRequired[str | None]
    promotionCode: NotRequired[str | None]
    declines: NotRequired[int]
    createdAt: str
    expiresAt: str
    completedAt: NotRequired[str | None]
    token: str
    url: str


class AddonPage(TypedDict):
    items: list[Addon]
    nextCursor: str | None


class CouponPage(TypedDict):
    items: list[Coupon]
    nextCursor: str | None


class PrepaidCreditBalance(TypedDict):
    """A customer's balance of one credit type at `asOf`, with the grants it is drawn from, in the order they are drawn (priority, then soonest expiry, then oldest)."""

    customerId: str
    creditTypeId: str
    balance: int
    grants: list[Grant]
    autoRecharge: NotRequired[AutoRecharge | None]
    asOf: str


class CreditBalancePage(TypedDict):
    items: list[PrepaidCreditBalance]
    nextCursor: str | None


class CreditTransactionPage(TypedDict):
    items: list[CreditTransaction]
    nextCursor: str | None


class CreditTypePage(TypedDict):
    items: list[CreditType]
    nextCursor: str | None


class CustomerPage(TypedDict):
    items: list[Customer]
    nextCursor: str | None


class DeliveryPage(TypedDict):
    items: list[Delivery]
    nextCursor: str | None


class EndpointPage(TypedDict):
    items: list[Endpoint]
    nextCursor: str | None


class EntitlementCheckPage(TypedDict):
    items: list[EntitlementCheck]
    nextCursor: str | None


class EventPage(TypedDict):
    items: list[Event]
    nextCursor: str | None


class FeaturePage(TypedDict):
    items: list[Feature]
    nextCursor: str | None


class InvoicePage(TypedDict):
    items: list[Invoice]
    nextCursor: str | None


class LedgerEntryPage(TypedDict):
    items: list[LedgerEntry]
    nextCursor: str | None


class Price(TypedDict):
    """What one billing period costs in one currency, in minor units."""

    billingPeriod: Literal["monthly", "annual"]
    currency: str
    amount: int


class Plan(TypedDict):
    """A plan version. `effectiveEntitlements` folds in the parent plan's, frozen at publishing."""

    id: str
    version: int
    status: Literal["active", "archived"]
    name: str
    description: str
    entitlements: list[Entitlement]
    displayOrder: int
    public: NotRequired[bool]
    metadata: dict[str, str]
    createdAt: str
    publishedAt: str
    prices: list[Price]
    trialDays: int
    parentPlanId: NotRequired[str | None]
    fallbackPlanId: NotRequired[str | None]
    downgradeTiming: NotRequired[Literal["period_end", "immediate"]]
    resetUsageOnChange: NotRequired[bool]
    creditAllowances: NotRequired[list[CreditAllowance]]
    effectiveEntitlements: list[Entitlement]


class PlanPage(TypedDict):
    items: list[Plan]
    nextCursor: str | None


class PromotionCode(TypedDict):
    """A promotion code and how often it was redeemed."""

    code: str
    couponId: str
    active: bool
    expiresAt: NotRequired[str | None]
    maxRedemptions: NotRequired[int | None]
    firstTimeOnly: bool
    timesRedeemed: NotRequired[int]
    metadata: dict[str, str]
    createdAt: str


class PromotionCodePage(TypedDict):
    items: list[PromotionCode]
    nextCursor: str | None


class UsagePeriod(TypedDict):
    """A feature's usage in one period, as the API shows it (null period: never resets)."""

    featureId: str
    periodStart: str | None
    periodEnd: str | None
    used: int


class UsagePeriodPage(TypedDict):
    items: list[UsagePeriod]
    nextCursor: str | None


class PlanCreate(TypedDict):
    """A new plan, published as version 1. No prices means free in every currency."""

    prices: NotRequired[list[Price]]
    entitlements: NotRequired[list[Entitlement]]
    id: str
    name: str
    description: NotRequired[str]
    trialDays: NotRequired[int]
    parentPlanId: NotRequired[str | None]
    fallbackPlanId: NotRequired[str | None]
    downgradeTiming: NotRequired[Literal["period_end", "immediate"]]
    resetUsageOnChange: NotRequired[bool]
    displayOrder: NotRequired[int]
    public: NotRequired[bool]
    creditAllowances: NotRequired[list[CreditAllowance]]
    metadata: NotRequired[dict[str, str]]


class PlanUpdate(TypedDict):
    """Changes to a plan: any real change publishes a new version."""

    name: NotRequired[str | None]
    description: NotRequired[str | None]
    prices: NotRequired[list[Price] | None]
    entitlements: NotRequired[list[Entitlement] | None]
    trialDays: NotRequired[int | None]
    parentPlanId: NotRequired[str | None]
    fallbackPlanId: NotRequired[str | None]
    downgradeTiming: NotRequired[Literal["period_end", "immediate"] | None]
    resetUsageOnChange: NotRequired[bool | None]
    displayOrder: NotRequired[int | None]
    public: NotRequired[bool | None]
    creditAllowances: NotRequired[list[CreditAllowance] | None]
    metadata: NotRequired[dict[str, str] | None]


class PortalSession(TypedDict):
    """A portal token bound to one customer, and the portal URL that carries it."""

    customerId: str
    token: str
    url: str
    expiresAt: str


class PortalSessionCreate(TypedDict):
    """Whose portal to open."""

    customerId: str


class PublicAddon(TypedDict):
    """A public add-on: its prices per unit of quantity and the public plans it goes with."""

    id: str
    version: int
    name: str
    description: str
    prices: list[AddonPrice]
    maxQuantity: int
    planIds: list[str]
    displayOrder: int
    entitlements: list[Entitlement]
    metadata: dict[str, str]


class PublicFeature(TypedDict):
    """A feature as a visitor sees it."""

    id: str
    name: str
    description: str
    type: Literal["boolean", "metered", "numeric"]
    unit: NotRequired[FeatureUnit | None]


class PublicPlan(TypedDict):
    """A public plan: its prices, trial and everything it grants."""

    id: str
    version: int
    name: str
    description: str
    prices: list[Price]
    trialDays: int
    displayOrder: int
    entitlements: list[Entitlement]
    includesPlanId: NotRequired[str | None]
    addedEntitlements: list[Entitlement]
    metadata: dict[str, str]


class Pricing(TypedDict):
    """The public catalog, in display order."""

    plans: list[PublicPlan]
    addons: list[PublicAddon]
    features: list[PublicFeature]
    currencies: list[str]


class Promotion(TypedDict):
    """A feature or an extra amount granted to one customer, until `expiresAt` (exclusive). `amount` is extra limit (metered) or extra value (numeric); None is a bare grant: it turns a boolean feature on and adds nothing to an amount. `unlimited` lifts any limit instead."""

    featureId: str
    amount: NotRequired[int | None]
    unlimited: NotRequired[bool]
    expiresAt: NotRequired[str | None]


class PromotionCodeCreate(TypedDict):
    """A new code for a coupon: `maxRedemptions` in all, until `expiresAt`; `firstTimeOnly` limits it to customers who were never billed."""

    code: str
    couponId: str
    active: NotRequired[bool]
    expiresAt: NotRequired[str | None]
    maxRedemptions: NotRequired[int | None]
    firstTimeOnly: NotRequired[bool]
    metadata: NotRequired[dict[str, str]]


class PromotionCodeUpdate(TypedDict):
    """Turn a code off (or on again); its terms never change: create another code instead."""

    active: bool


class PromotionGrant(TypedDict):
    """`amount` more limit (metered) or value (numeric), or `unlimited`; neither turns a boolean feature on. `expiresAt` (optional) ends it."""

    featureId: str
    amount: NotRequired[int | None]
    unlimited: NotRequired[bool]
    expiresAt: NotRequired[str | None]


class PublishableKey(TypedDict):
    """A new publishable key: the key itself is answered this once."""

    keyId: str
    name: str
    createdAt: str
    key: str


class PublishableKeyCreate(TypedDict):
    """A new publishable key, and what it is for."""

    name: str


class RefundRequest(TypedDict):
    """Give back the credits one consume drew (`entryId`: its ledger entry)."""

    entryId: str


class SavedCard(TypedDict):
    """The SetupIntent that Stripe.js confirmed in the browser, and whether its card becomes the default."""

    setupIntentId: str
    makeDefault: NotRequired[bool]


class SecretRoll(TypedDict):
    """Roll the signing secret from version `fromVersion` (the one you hold): the old secret keeps signing beside the new one for 24 hours. Repeating the request returns the secret it made."""

    fromVersion: int


class SetupIntentSecret(TypedDict):
    """What Stripe.js needs to collect a card: the SetupIntent's client secret and the publishable key."""

    clientSecret: str
    publishableKey: str


class SpendLimit(TypedDict):
    """The customer's spend limit (`monthlyLimit` null: none) and what counts toward it now: overage accrued this billing period and auto-recharge purchases this calendar month."""

    customerId: str
    monthlyLimit: int | None
    currency: str | None
    overage: NotRequired[int]
    autoRecharge: NotRequired[int]
    remaining: NotRequired[int | None]
    reached: NotRequired[bool]
    customerMaySet: NotRequired[bool]


class SpendLimitSettings(TypedDict):
    """A monthly cap on what overage and auto-recharge may cost, in minor units of the subscription's currency; `null` removes it."""

    monthlyLimit: int | None


class SubscriptionChange(TypedDict):
    """The subscription as it should be: a field left out keeps its value; `addons` is the whole set wanted (an empty list removes every add-on); `promotionCode` puts the code's coupon on the subscription from its next invoice on. At least one field is needed."""

    planId: NotRequired[str | None]
    billingPeriod: NotRequired[Literal["monthly", "annual"] | None]
    addons: NotRequired[list[AddonQuantity] | None]
    promotionCode: NotRequired[str | None]


class SubscriptionCreate(TypedDict):
    """A new subscription. The plan's trial is given once per customer; the seller may set `trialDays` instead, backdate the start (`startAt`) and give a coupon (`couponId`). A customer may give a `promotionCode` (the seller may too; not with `couponId`)."""

    planId: str
    billingPeriod: NotRequired[Literal["monthly", "annual"]]
    currency: str
    addons: NotRequired[list[AddonQuantity]]
    trialDays: NotRequired[int | None]
    startAt: NotRequired[str | None]
    couponId: NotRequired[str | None]
    promotionCode: NotRequired[str | None]


class UsageReport(TypedDict):
    """Add `value` to a metered feature's usage (`delta`), or make it the usage (`set`)."""

    customerId: str
    featureId: str
    value: int
    mode: NotRequired[Literal["delta", "set"]]
    idempotencyKey: NotRequired[str]


class UsageResult(TypedDict):
    """What a usage report did: `counted` is false when its idempotency key was seen before (nothing was counted again); `used` is the period's count read right after the write."""

    counted: bool
    used: int


class WebhookReceipt(TypedDict):
    """What the endpoint tells Stripe: the event was taken (or had been, `duplicate`)."""

    received: bool
    duplicate: bool


CREATE_DEFAULTS: dict[str, dict[str, Any]] = {
    "AddonCreate": {"description": "", "maxQuantity": 1, "displayOrder": 0, "public": False},
    "CheckoutSessionCreate": {
        "billingPeriod": "monthly",
        "allowPromotionCodes": False,
        "expiresInMinutes": 60,
    },
    "CouponCreate": {"duration": "once"},
    "CreditPurchaseCreate": {"quantity": 1},
    "EndpointCreate": {"description": ""},
    "FeatureCreate": {"description": ""},
    "GrantCreate": {"priority": 50, "reference": ""},
    "PlanCreate": {
        "description": "",
        "trialDays": 0,
        "downgradeTiming": "period_end",
        "resetUsageOnChange": False,
        "displayOrder": 0,
        "public": False,
    },
    "PromotionCodeCreate": {"active": True, "firstTimeOnly": False},
    "SubscriptionCreate": {"billingPeriod": "monthly"},
}
"""What the API takes for each create field left out."""


class Operations:
    """A method per route of the API (the client adds retries, errors and pages)."""

    _transport: Transport

    def create_feature(self, body: FeatureCreate) -> Feature:
        """POST /v1/features: Create a feature."""
        return cast(
            "Feature",
            self._transport.call("POST", "/v1/features", body=dict(body), idempotent=False),
        )

    def list_features(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        include_archived: bool | None = None,
    ) -> FeaturePage:
        """GET /v1/features: List features."""
        return cast(
            "FeaturePage",
            self._transport.call(
                "GET",
                "/v1/features",
                query={"limit": limit, "cursor": cursor, "includeArchived": include_archived},
            ),
        )

    def iter_list_features(
        self, *, limit: int | None = None, include_archived: bool | None = None
    ) -> Iterator[Feature]:
        """Every item of list_features, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_features(limit=limit, include_archived=include_archived, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_feature(self, feature_id: str) -> Feature:
        """GET /v1/features/{featureId}: Get a feature."""
        return cast(
            "Feature", self._transport.call("GET", f"/v1/features/{quote(feature_id, safe='')}")
        )

    def update_feature(self, feature_id: str, body: FeatureUpdate) -> Feature:
        """PATCH /v1/features/{featureId}: Update a feature."""
        return cast(
            "Feature",
            self._transport.call(
                "PATCH",
                f"/v1/features/{quote(feature_id, safe='')}",
                body=dict(body),
                idempotent=False,
            ),
        )

    def archive_feature(self, feature_id: str) -> Feature:
        """POST /v1/features/{featureId}/archive: Archive a feature: new plan versions can no longer grant it."""
        return cast(
            "Feature",
            self._transport.call("POST", f"/v1/features/{quote(feature_id, safe='')}/archive"),
        )

    def create_plan(self, body: PlanCreate) -> Plan:
        """POST /v1/plans: Create and publish a plan."""
        return cast(
            "Plan", self._transport.call("POST", "/v1/plans", body=dict(body), idempotent=False)
        )

    def list_plans(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        include_archived: bool | None = None,
    ) -> PlanPage:
        """GET /v1/plans: List plans."""
        return cast(
            "PlanPage",
            self._transport.call(
                "GET",
                "/v1/plans",
                query={"limit": limit, "cursor": cursor, "includeArchived": include_archived},
            ),
        )

    def iter_list_plans(
        self, *, limit: int | None = None, include_archived: bool | None = None
    ) -> Iterator[Plan]:
        """Every item of list_plans, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_plans(limit=limit, include_archived=include_archived, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_plan(self, plan_id: str, *, version: int | None = None) -> Plan:
        """GET /v1/plans/{planId}: Get a plan (any published version)."""
        return cast(
            "Plan",
            self._transport.call(
                "GET", f"/v1/plans/{quote(plan_id, safe='')}", query={"version": version}
            ),
        )

    def update_plan(self, plan_id: str, body: PlanUpdate) -> Plan:
        """PATCH /v1/plans/{planId}: Change a plan: publishes a new version."""
        return cast(
            "Plan",
            self._transport.call(
                "PATCH", f"/v1/plans/{quote(plan_id, safe='')}", body=dict(body), idempotent=False
            ),
        )

    def archive_plan(self, plan_id: str) -> Plan:
        """POST /v1/plans/{planId}/archive: Archive a plan."""
        return cast(
            "Plan", self._transport.call("POST", f"/v1/plans/{quote(plan_id, safe='')}/archive")
        )

    def create_addon(self, body: AddonCreate) -> Addon:
        """POST /v1/addons: Create and publish an add-on."""
        return cast(
            "Addon", self._transport.call("POST", "/v1/addons", body=dict(body), idempotent=False)
        )

    def list_addons(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        include_archived: bool | None = None,
    ) -> AddonPage:
        """GET /v1/addons: List add-ons."""
        return cast(
            "AddonPage",
            self._transport.call(
                "GET",
                "/v1/addons",
                query={"limit": limit, "cursor": cursor, "includeArchived": include_archived},
            ),
        )

    def iter_list_addons(
        self, *, limit: int | None = None, include_archived: bool | None = None
    ) -> Iterator[Addon]:
        """Every item of list_addons, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_addons(limit=limit, include_archived=include_archived, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_addon(self, addon_id: str, *, version: int | None = None) -> Addon:
        """GET /v1/addons/{addonId}: Get an add-on (any published version)."""
        return cast(
            "Addon",
            self._transport.call(
                "GET", f"/v1/addons/{quote(addon_id, safe='')}", query={"version": version}
            ),
        )

    def update_addon(self, addon_id: str, body: AddonUpdate) -> Addon:
        """PATCH /v1/addons/{addonId}: Change an add-on: publishes a new version."""
        return cast(
            "Addon",
            self._transport.call(
                "PATCH", f"/v1/addons/{quote(addon_id, safe='')}", body=dict(body), idempotent=False
            ),
        )

    def archive_addon(self, addon_id: str) -> Addon:
        """POST /v1/addons/{addonId}/archive: Archive an add-on."""
        return cast(
            "Addon", self._transport.call("POST", f"/v1/addons/{quote(addon_id, safe='')}/archive")
        )

    def create_coupon(self, body: CouponCreate) -> Coupon:
        """POST /v1/coupons: Create a coupon (percent or amount off; once, repeating or forever)."""
        return cast(
            "Coupon", self._transport.call("POST", "/v1/coupons", body=dict(body), idempotent=False)
        )

    def list_coupons(self, *, limit: int | None = None, cursor: str | None = None) -> CouponPage:
        """GET /v1/coupons: List coupons."""
        return cast(
            "CouponPage",
            self._transport.call("GET", "/v1/coupons", query={"limit": limit, "cursor": cursor}),
        )

    def iter_list_coupons(self, *, limit: int | None = None) -> Iterator[Coupon]:
        """Every item of list_coupons, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_coupons(limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_coupon(self, coupon_id: str) -> Coupon:
        """GET /v1/coupons/{couponId}: Get a coupon."""
        return cast(
            "Coupon", self._transport.call("GET", f"/v1/coupons/{quote(coupon_id, safe='')}")
        )

    def create_promotion_code(self, body: PromotionCodeCreate) -> PromotionCode:
        """POST /v1/promotion-codes: Create a customer-facing code for a coupon (expiry, redemption cap, first time only)."""
        return cast(
            "PromotionCode",
            self._transport.call("POST", "/v1/promotion-codes", body=dict(body), idempotent=False),
        )

    def list_promotion_codes(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> PromotionCodePage:
        """GET /v1/promotion-codes: List promotion codes."""
        return cast(
            "PromotionCodePage",
            self._transport.call(
                "GET", "/v1/promotion-codes", query={"limit": limit, "cursor": cursor}
            ),
        )

    def iter_list_promotion_codes(self, *, limit: int | None = None) -> Iterator[PromotionCode]:
        """Every item of list_promotion_codes, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_promotion_codes(limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_promotion_code(self, code: str) -> PromotionCode:
        """GET /v1/promotion-codes/{code}: Get a promotion code and how often it was redeemed."""
        return cast(
            "PromotionCode",
            self._transport.call("GET", f"/v1/promotion-codes/{quote(code, safe='')}"),
        )

    def update_promotion_code(self, code: str, body: PromotionCodeUpdate) -> PromotionCode:
        """PATCH /v1/promotion-codes/{code}: Turn a promotion code off (or on again)."""
        return cast(
            "PromotionCode",
            self._transport.call(
                "PATCH",
                f"/v1/promotion-codes/{quote(code, safe='')}",
                body=dict(body),
                idempotent=False,
            ),
        )

    def create_customer(self, body: CustomerCreate) -> Customer:
        """POST /v1/customers: Create a customer (and its Stripe customer)."""
        return cast(
            "Customer",
            self._transport.call("POST", "/v1/customers", body=dict(body), idempotent=False),
        )

    def list_customers(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> CustomerPage:
        """GET /v1/customers: List customers, newest first."""
        return cast(
            "CustomerPage",
            self._transport.call("GET", "/v1/customers", query={"limit": limit, "cursor": cursor}),
        )

    def iter_list_customers(self, *, limit: int | None = None) -> Iterator[Customer]:
        """Every item of list_customers, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_customers(limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_customer(self, customer_id: str) -> Customer:
        """GET /v1/customers/{customerId}: Get a customer."""
        return cast(
            "Customer", self._transport.call("GET", f"/v1/customers/{quote(customer_id, safe='')}")
        )

    def update_customer(self, customer_id: str, body: CustomerUpdate) -> Customer:
        """PATCH /v1/customers/{customerId}: Update a customer (and its Stripe customer)."""
        return cast(
            "Customer",
            self._transport.call(
                "PATCH",
                f"/v1/customers/{quote(customer_id, safe='')}",
                body=dict(body),
                idempotent=False,
            ),
        )

    def create_subscription(self, customer_id: str, body: SubscriptionCreate) -> SubscriptionView:
        """POST /v1/customers/{customerId}/subscription: Subscribe a customer to a plan."""
        return cast(
            "SubscriptionView",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/subscription",
                body=dict(body),
                idempotent=False,
            ),
        )

    def get_subscription(self, customer_id: str) -> SubscriptionView:
        """GET /v1/customers/{customerId}/subscription: The customer's current subscription, with its next invoice."""
        return cast(
            "SubscriptionView",
            self._transport.call(
                "GET", f"/v1/customers/{quote(customer_id, safe='')}/subscription"
            ),
        )

    def preview_subscription_change(
        self, customer_id: str, body: SubscriptionChange
    ) -> ChangePreview:
        """POST /v1/customers/{customerId}/subscription/preview: What a change would charge or credit now and cost at renewal (changes nothing)."""
        return cast(
            "ChangePreview",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/subscription/preview",
                body=dict(body),
                idempotent=False,
            ),
        )

    def change_subscription(self, customer_id: str, body: SubscriptionChange) -> ChangeResult:
        """PATCH /v1/customers/{customerId}/subscription: Change plan, billing period or add-ons (upgrades now, downgrades at period end)."""
        return cast(
            "ChangeResult",
            self._transport.call(
                "PATCH",
                f"/v1/customers/{quote(customer_id, safe='')}/subscription",
                body=dict(body),
                idempotent=False,
            ),
        )

    def cancel_subscription(self, customer_id: str, body: CancelRequest | None) -> SubscriptionView:
        """POST /v1/customers/{customerId}/subscription/cancel: Cancel at period end (default) or now."""
        return cast(
            "SubscriptionView",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/subscription/cancel",
                body=dict(body) if body is not None else None,
                idempotent=False,
            ),
        )

    def resume_subscription(self, customer_id: str) -> SubscriptionView:
        """POST /v1/customers/{customerId}/subscription/resume: Undo a scheduled cancel."""
        return cast(
            "SubscriptionView",
            self._transport.call(
                "POST", f"/v1/customers/{quote(customer_id, safe='')}/subscription/resume"
            ),
        )

    def list_entitlements(self, customer_id: str) -> EntitlementCheckPage:
        """GET /v1/customers/{customerId}/entitlements: Every feature the customer holds, with usage against its limit."""
        return cast(
            "EntitlementCheckPage",
            self._transport.call(
                "GET", f"/v1/customers/{quote(customer_id, safe='')}/entitlements"
            ),
        )

    def check_entitlement(
        self, customer_id: str, feature_id: str, *, requested: int | None = None
    ) -> EntitlementCheck:
        """GET /v1/customers/{customerId}/entitlements/{featureId}: May the customer use `requested` more of a feature? (one DynamoDB read)."""
        return cast(
            "EntitlementCheck",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/entitlements/{quote(feature_id, safe='')}",
                query={"requested": requested},
            ),
        )

    def grant_promotion(self, customer_id: str, body: PromotionGrant) -> Promotion:
        """POST /v1/customers/{customerId}/promotions: Grant one customer a feature or extra limit, until a date."""
        return cast(
            "Promotion",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/promotions",
                body=dict(body),
                idempotent=False,
            ),
        )

    def revoke_promotion(self, customer_id: str, feature_id: str) -> Promotion:
        """DELETE /v1/customers/{customerId}/promotions/{featureId}: Revoke a customer's promotion for a feature."""
        return cast(
            "Promotion",
            self._transport.call(
                "DELETE",
                f"/v1/customers/{quote(customer_id, safe='')}/promotions/{quote(feature_id, safe='')}",
            ),
        )

    def report_usage(self, body: UsageReport) -> UsageResult:
        """POST /v1/usage: Report usage of a metered feature (delta or set), counted once per idempotency key."""
        return cast(
            "UsageResult",
            self._transport.call("POST", "/v1/usage", body=dict(body), idempotent=True),
        )

    def ingest_events(self, body: EventBatch) -> EventBatchResult:
        """POST /v1/events: Report raw usage events in batches of up to 1,000, each counted once."""
        return cast(
            "EventBatchResult",
            self._transport.call("POST", "/v1/events", body=dict(body), idempotent=False),
        )

    def consume_usage(self, customer_id: str, feature_id: str, body: ConsumeRequest) -> UsageResult:
        """POST /v1/customers/{customerId}/usage/{featureId}/consume: Use more of a feature only if the limit allows it (atomic check-and-increment)."""
        return cast(
            "UsageResult",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/usage/{quote(feature_id, safe='')}/consume",
                body=dict(body),
                idempotent=True,
            ),
        )

    def usage_history(
        self,
        customer_id: str,
        feature_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> UsagePeriodPage:
        """GET /v1/customers/{customerId}/usage/{featureId}/history: Usage of a feature per period: the current one, then closed ones, newest first."""
        return cast(
            "UsagePeriodPage",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/usage/{quote(feature_id, safe='')}/history",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_usage_history(
        self, customer_id: str, feature_id: str, *, limit: int | None = None
    ) -> Iterator[UsagePeriod]:
        """Every item of usage_history, page after page."""
        cursor: str | None = None
        while True:
            page = self.usage_history(customer_id, feature_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def list_invoices(
        self, customer_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> InvoicePage:
        """GET /v1/customers/{customerId}/invoices: The customer's invoices, newest first."""
        return cast(
            "InvoicePage",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/invoices",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_list_invoices(
        self, customer_id: str, *, limit: int | None = None
    ) -> Iterator[Invoice]:
        """Every item of list_invoices, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_invoices(customer_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_invoice(self, customer_id: str, invoice_id: str) -> Invoice:
        """GET /v1/customers/{customerId}/invoices/{invoiceId}: One invoice, with its lines and payment."""
        return cast(
            "Invoice",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/invoices/{quote(invoice_id, safe='')}",
            ),
        )

    def get_invoice_pdf(self, customer_id: str, invoice_id: str) -> DocumentLink:
        """GET /v1/customers/{customerId}/invoices/{invoiceId}/pdf: A short-lived download link for the invoice's PDF."""
        return cast(
            "DocumentLink",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/invoices/{quote(invoice_id, safe='')}/pdf",
            ),
        )

    def pay_invoice(self, customer_id: str, invoice_id: str) -> Invoice:
        """POST /v1/customers/{customerId}/invoices/{invoiceId}/pay: Charge an open invoice now (the customer's retry)."""
        return cast(
            "Invoice",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/invoices/{quote(invoice_id, safe='')}/pay",
            ),
        )

    def void_invoice(self, invoice_id: str) -> Invoice:
        """POST /v1/invoices/{invoiceId}/void: Void an open invoice: nothing more is charged."""
        return cast(
            "Invoice",
            self._transport.call("POST", f"/v1/invoices/{quote(invoice_id, safe='')}/void"),
        )

    def get_credit_balance(self, customer_id: str) -> CreditBalances:
        """GET /v1/customers/{customerId}/credit-balance: The customer's credit balance per currency, taken off their next invoices."""
        return cast(
            "CreditBalances",
            self._transport.call(
                "GET", f"/v1/customers/{quote(customer_id, safe='')}/credit-balance"
            ),
        )

    def list_credit_transactions(
        self, customer_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> CreditTransactionPage:
        """GET /v1/customers/{customerId}/credit-balance/transactions: Every amount added to or drawn from the credit balance, newest first, with its invoice."""
        return cast(
            "CreditTransactionPage",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/credit-balance/transactions",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_list_credit_transactions(
        self, customer_id: str, *, limit: int | None = None
    ) -> Iterator[CreditTransaction]:
        """Every item of list_credit_transactions, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_credit_transactions(customer_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def create_credit_type(self, body: CreditTypeCreate) -> CreditType:
        """POST /v1/credit-types: Create a kind of prepaid credit."""
        return cast(
            "CreditType",
            self._transport.call("POST", "/v1/credit-types", body=dict(body), idempotent=False),
        )

    def list_credit_types(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> CreditTypePage:
        """GET /v1/credit-types: List the kinds of prepaid credit."""
        return cast(
            "CreditTypePage",
            self._transport.call(
                "GET", "/v1/credit-types", query={"limit": limit, "cursor": cursor}
            ),
        )

    def iter_list_credit_types(self, *, limit: int | None = None) -> Iterator[CreditType]:
        """Every item of list_credit_types, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_credit_types(limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def grant_credits(self, customer_id: str, body: GrantCreate) -> LedgerEntry:
        """POST /v1/customers/{customerId}/credit-grants: Grant a customer prepaid credits (promotional), with a priority and an expiry."""
        return cast(
            "LedgerEntry",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/credit-grants",
                body=dict(body),
                idempotent=True,
            ),
        )

    def consume_credits(
        self, customer_id: str, credit_type_id: str, body: ConsumeCredits
    ) -> LedgerEntry:
        """POST /v1/customers/{customerId}/credits/{creditTypeId}/consume: Draw prepaid credits, all or nothing (atomic; once per idempotency key)."""
        return cast(
            "LedgerEntry",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}/consume",
                body=dict(body),
                idempotent=True,
            ),
        )

    def create_credit_purchase(
        self, customer_id: str, body: CreditPurchaseCreate
    ) -> CreditPurchase:
        """POST /v1/customers/{customerId}/credit-purchases: Buy a pack of prepaid credits: invoiced and charged at once, credited once paid."""
        return cast(
            "CreditPurchase",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/credit-purchases",
                body=dict(body),
                idempotent=True,
            ),
        )

    def set_auto_recharge(
        self, customer_id: str, credit_type_id: str, body: AutoRechargeSettings
    ) -> AutoRecharge:
        """PUT /v1/customers/{customerId}/credits/{creditTypeId}/auto-recharge: Buy a pack whenever the balance falls below a threshold, within monthly caps."""
        return cast(
            "AutoRecharge",
            self._transport.call(
                "PUT",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}/auto-recharge",
                body=dict(body),
                idempotent=False,
            ),
        )

    def void_credit_grant(
        self, customer_id: str, credit_type_id: str, grant_id: str
    ) -> LedgerEntry:
        """POST /v1/customers/{customerId}/credits/{creditTypeId}/grants/{grantId}/void: Take back what is left of a grant (a void ledger entry)."""
        return cast(
            "LedgerEntry",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}/grants/{quote(grant_id, safe='')}/void",
            ),
        )

    def refund_credits(
        self, customer_id: str, credit_type_id: str, body: RefundRequest
    ) -> LedgerEntry:
        """POST /v1/customers/{customerId}/credits/{creditTypeId}/refund: Give back the credits one consume drew (a refund ledger entry), once."""
        return cast(
            "LedgerEntry",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}/refund",
                body=dict(body),
                idempotent=False,
            ),
        )

    def list_credits(self, customer_id: str) -> CreditBalancePage:
        """GET /v1/customers/{customerId}/credits: The customer's prepaid credit balances, with their grants."""
        return cast(
            "CreditBalancePage",
            self._transport.call("GET", f"/v1/customers/{quote(customer_id, safe='')}/credits"),
        )

    def get_credits(
        self, customer_id: str, credit_type_id: str, *, at: str | None = None
    ) -> PrepaidCreditBalance:
        """GET /v1/customers/{customerId}/credits/{creditTypeId}: One prepaid credit balance, now or at a past moment."""
        return cast(
            "PrepaidCreditBalance",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}",
                query={"at": at},
            ),
        )

    def list_credit_ledger(
        self,
        customer_id: str,
        credit_type_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> LedgerEntryPage:
        """GET /v1/customers/{customerId}/credits/{creditTypeId}/ledger: Every grant, consume and expiry of a credit type, newest first."""
        return cast(
            "LedgerEntryPage",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/credits/{quote(credit_type_id, safe='')}/ledger",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_list_credit_ledger(
        self, customer_id: str, credit_type_id: str, *, limit: int | None = None
    ) -> Iterator[LedgerEntry]:
        """Every item of list_credit_ledger, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_credit_ledger(customer_id, credit_type_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_spend_limit(self, customer_id: str) -> SpendLimit:
        """GET /v1/customers/{customerId}/spend-limit: The monthly spend limit and what overage and auto-recharge spent toward it."""
        return cast(
            "SpendLimit",
            self._transport.call("GET", f"/v1/customers/{quote(customer_id, safe='')}/spend-limit"),
        )

    def set_spend_limit(self, customer_id: str, body: SpendLimitSettings) -> SpendLimit:
        """PUT /v1/customers/{customerId}/spend-limit: Cap what overage and auto-recharge may cost a month (customers too, if allowed)."""
        return cast(
            "SpendLimit",
            self._transport.call(
                "PUT",
                f"/v1/customers/{quote(customer_id, safe='')}/spend-limit",
                body=dict(body),
                idempotent=False,
            ),
        )

    def create_setup_intent(self, customer_id: str) -> SetupIntentSecret:
        """POST /v1/customers/{customerId}/payment-methods/setup-intent: Start adding a card: a SetupIntent's client secret for Stripe.js."""
        return cast(
            "SetupIntentSecret",
            self._transport.call(
                "POST", f"/v1/customers/{quote(customer_id, safe='')}/payment-methods/setup-intent"
            ),
        )

    def list_payment_methods(self, customer_id: str) -> Cards:
        """GET /v1/customers/{customerId}/payment-methods: The customer's cards (brand, last 4, expiry), the default first."""
        return cast(
            "Cards",
            self._transport.call(
                "GET", f"/v1/customers/{quote(customer_id, safe='')}/payment-methods"
            ),
        )

    def save_payment_method(self, customer_id: str, body: SavedCard) -> Cards:
        """POST /v1/customers/{customerId}/payment-methods: Keep the card a confirmed SetupIntent collected (and make it the default)."""
        return cast(
            "Cards",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/payment-methods",
                body=dict(body),
                idempotent=False,
            ),
        )

    def set_default_payment_method(self, customer_id: str, payment_method_id: str) -> Cards:
        """POST /v1/customers/{customerId}/payment-methods/{paymentMethodId}/default: Make a card the one invoices charge."""
        return cast(
            "Cards",
            self._transport.call(
                "POST",
                f"/v1/customers/{quote(customer_id, safe='')}/payment-methods/{quote(payment_method_id, safe='')}/default",
            ),
        )

    def remove_payment_method(self, customer_id: str, payment_method_id: str) -> Cards:
        """DELETE /v1/customers/{customerId}/payment-methods/{paymentMethodId}: Remove a card."""
        return cast(
            "Cards",
            self._transport.call(
                "DELETE",
                f"/v1/customers/{quote(customer_id, safe='')}/payment-methods/{quote(payment_method_id, safe='')}",
            ),
        )

    def list_customer_events(
        self, customer_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> EventPage:
        """GET /v1/customers/{customerId}/events: The customer's billing events of the last 30 days, newest first."""
        return cast(
            "EventPage",
            self._transport.call(
                "GET",
                f"/v1/customers/{quote(customer_id, safe='')}/events",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_list_customer_events(
        self, customer_id: str, *, limit: int | None = None
    ) -> Iterator[Event]:
        """Every item of list_customer_events, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_customer_events(customer_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def create_webhook_endpoint(self, body: EndpointCreate) -> EndpointWithSecret:
        """POST /v1/webhook-endpoints: Register an endpoint for billing events (answers its signing secret)."""
        return cast(
            "EndpointWithSecret",
            self._transport.call(
                "POST", "/v1/webhook-endpoints", body=dict(body), idempotent=False
            ),
        )

    def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> EndpointPage:
        """GET /v1/webhook-endpoints: List webhook endpoints."""
        return cast(
            "EndpointPage",
            self._transport.call(
                "GET", "/v1/webhook-endpoints", query={"limit": limit, "cursor": cursor}
            ),
        )

    def iter_list_webhook_endpoints(self, *, limit: int | None = None) -> Iterator[Endpoint]:
        """Every item of list_webhook_endpoints, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_webhook_endpoints(limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def get_webhook_endpoint(self, endpoint_id: str) -> Endpoint:
        """GET /v1/webhook-endpoints/{endpointId}: Get a webhook endpoint."""
        return cast(
            "Endpoint",
            self._transport.call("GET", f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}"),
        )

    def update_webhook_endpoint(self, endpoint_id: str, body: EndpointUpdate) -> Endpoint:
        """PATCH /v1/webhook-endpoints/{endpointId}: Change a webhook endpoint's url, event types or description; disable or enable it."""
        return cast(
            "Endpoint",
            self._transport.call(
                "PATCH",
                f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}",
                body=dict(body),
                idempotent=False,
            ),
        )

    def delete_webhook_endpoint(self, endpoint_id: str) -> Endpoint:
        """DELETE /v1/webhook-endpoints/{endpointId}: Delete a webhook endpoint."""
        return cast(
            "Endpoint",
            self._transport.call("DELETE", f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}"),
        )

    def roll_webhook_secret(self, endpoint_id: str, body: SecretRoll) -> EndpointWithSecret:
        """POST /v1/webhook-endpoints/{endpointId}/roll-secret: A new signing secret; the old one signs beside it for 24 hours."""
        return cast(
            "EndpointWithSecret",
            self._transport.call(
                "POST",
                f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}/roll-secret",
                body=dict(body),
                idempotent=False,
            ),
        )

    def list_webhook_deliveries(
        self, endpoint_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> DeliveryPage:
        """GET /v1/webhook-endpoints/{endpointId}/deliveries: The endpoint's deliveries, newest first, with every attempt."""
        return cast(
            "DeliveryPage",
            self._transport.call(
                "GET",
                f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}/deliveries",
                query={"limit": limit, "cursor": cursor},
            ),
        )

    def iter_list_webhook_deliveries(
        self, endpoint_id: str, *, limit: int | None = None
    ) -> Iterator[Delivery]:
        """Every item of list_webhook_deliveries, page after page."""
        cursor: str | None = None
        while True:
            page = self.list_webhook_deliveries(endpoint_id, limit=limit, cursor=cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor or not page["items"]:
                return

    def resend_webhook_delivery(self, endpoint_id: str, delivery_id: str) -> Delivery:
        """POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend: Deliver an event to the endpoint again, now."""
        return cast(
            "Delivery",
            self._transport.call(
                "POST",
                f"/v1/webhook-endpoints/{quote(endpoint_id, safe='')}/deliveries/{quote(delivery_id, safe='')}/resend",
            ),
        )

    def open_email_link(self, link_token: str) -> None:
        """GET /v1/links/{linkToken}: An email's link: opens the customer's portal in a fresh session (302)."""
        self._transport.call("GET", f"/v1/links/{quote(link_token, safe='')}")

    def create_portal_session(self, body: PortalSessionCreate) -> PortalSession:
        """POST /v1/portal-sessions: A short-lived portal token for one customer, and the portal URL that carries it."""
        return cast(
            "PortalSession",
            self._transport.call("POST", "/v1/portal-sessions", body=dict(body), idempotent=False),
        )

    def create_publishable_key(self, body: PublishableKeyCreate) -> PublishableKey:
        """POST /v1/publishable-keys: A publishable key (bf_pk_): safe in a browser, it reads only the public pricing."""
        return cast(
            "PublishableKey",
            self._transport.call("POST", "/v1/publishable-keys", body=dict(body), idempotent=False),
        )

    def get_pricing(self) -> Pricing:
        """GET /v1/pricing: The public plans and add-ons with the features they grant (pricing table, paywall)."""
        return cast("Pricing", self._transport.call("GET", "/v1/pricing"))

    def create_checkout_session(self, body: CheckoutSessionCreate) -> OpenedCheckout:
        """POST /v1/checkout-sessions: Open a checkout for a new or existing customer: a token and URL for its page."""
        return cast(
            "OpenedCheckout",
            self._transport.call("POST", "/v1/checkout-sessions", body=dict(body), idempotent=True),
        )

    def get_checkout_session(
        self, session_id: str, *, promotion_code: str | None = None
    ) -> CheckoutView:
        """GET /v1/checkout-sessions/{sessionId}: A checkout session and what completing it charges (with a promotion code)."""
        return cast(
            "CheckoutView",
            self._transport.call(
                "GET",
                f"/v1/checkout-sessions/{quote(session_id, safe='')}",
                query={"promotionCode": promotion_code},
            ),
        )

    def create_checkout_setup_intent(self, session_id: str) -> SetupIntentSecret:
        """POST /v1/checkout-sessions/{sessionId}/setup-intent: A SetupIntent for the checkout's customer, for Stripe.js to confirm the card."""
        return cast(
            "SetupIntentSecret",
            self._transport.call(
                "POST", f"/v1/checkout-sessions/{quote(session_id, safe='')}/setup-intent"
            ),
        )

    def complete_checkout(self, session_id: str, body: CheckoutComplete) -> CompletedCheckout:
        """POST /v1/checkout-sessions/{sessionId}/complete: Save the confirmed card, start the subscription and close the session (once)."""
        return cast(
            "CompletedCheckout",
            self._transport.call(
                "POST",
                f"/v1/checkout-sessions/{quote(session_id, safe='')}/complete",
                body=dict(body),
                idempotent=False,
            ),
        )

    def stripe_webhook(self) -> WebhookReceipt:
        """POST /v1/webhooks/stripe: Stripe's events: verified by signature, recorded once, processed from a queue."""
        return cast("WebhookReceipt", self._transport.call("POST", "/v1/webhooks/stripe"))
