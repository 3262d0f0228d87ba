"""Who may set what: every field of every request a portal token can send is classified, and
the one rule refuses a customer the terms only the seller grants."""

import inspect
from datetime import UTC, datetime
from typing import Annotated, get_args, get_type_hints

import pytest
from pydantic import BaseModel

from billfold_lambda.routes import ROUTES, Access

from billfold.errors import Forbidden
from billfold.grants import Caller, SellerOnly, refuse_seller_terms, seller_only_fields
from billfold.subscriptions.models import SubscriptionChange, SubscriptionCreate
from local.functions import FunctionLoader

SELLER_ONLY = {"create_subscription": {"trialDays", "startAt", "couponId"}}
"""The terms that cost the seller money, per portal route: only the seller may set them."""

CUSTOMER_MAY_SET = {
    "create_subscription": {"planId", "billingPeriod", "currency", "addons", "promotionCode"},
    "preview_subscription_change": {"planId", "billingPeriod", "addons", "promotionCode"},
    "change_subscription": {"planId", "billingPeriod", "addons", "promotionCode"},
    "cancel_subscription": {"atPeriodEnd"},
    "save_payment_method": {"setupIntentId", "makeDefault"},
    # the customer pays the pack's full price with their own card: nothing the seller grants
    "create_credit_purchase": {"creditTypeId", "packId", "quantity", "currency", "idempotencyKey"},
    # the seller decides whether customers may (the handler refuses it otherwise)
    "set_spend_limit": {"monthlyLimit"},
}
"""Every other field a portal route takes: a new field must be classified here to pass."""


def _request_models(operation: str) -> list[type[BaseModel]]:
    module = FunctionLoader().module(operation)
    endpoint = next(
        value
        for value in vars(module).values()
        if inspect.isfunction(value) and value.__module__ == module.__name__
    )
    hints = get_type_hints(endpoint)
    hints.pop("return", None)
    found = [arg for hint in hints.values() for arg in (get_args(hint) or (hint,))]
    return [t for t in found if inspect.isclass(t) and issubclass(t, BaseModel)]


def _wire_names(model: type[BaseModel], names: frozenset[str] | None = None) -> set[str]:
    fields = model.model_fields
    return {fields[n].alias or n for n in (names if names is not None else fields)}


PORTAL_ROUTES = [route.operation for route in ROUTES if route.access is Access.SERVER_OR_PORTAL]


@pytest.mark.parametrize("operation", PORTAL_ROUTES)
def test_every_field_a_portal_route_takes_is_classified(operation: str) -> None:
    models = _request_models(operation)
    taken = set().union(*(_wire_names(m) for m in models)) if models else set()
    restricted = (
        set().union(*(_wire_names(m, seller_only_fields(m)) for m in models)) if models else set()
    )

    assert restricted == SELLER_ONLY.get(operation, set())
    assert taken - restricted == CUSTOMER_MAY_SET.get(operation, set())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trialDays", 730),
        ("trialDays", 0),
        ("startAt", datetime(2020, 1, 1, tzinfo=UTC)),
        ("couponId", "free-forever"),
    ],
)
def test_a_customer_setting_a_seller_term_is_forbidden_naming_it(field: str, value: object) -> None:
    request = SubscriptionCreate.model_validate({"planId": "pro", "currency": "USD", field: value})

    with pytest.raises(Forbidden) as caught:
        refuse_seller_terms(request, Caller.CUSTOMER)

    assert (caught.value.code, caught.value.field) == ("seller_only_field", field)
    refuse_seller_terms(request, Caller.SELLER)  # the seller grants it


def test_a_customer_may_choose_everything_else() -> None:
    request = SubscriptionCreate.model_validate(
        {
            "planId": "pro",
            "billingPeriod": "annual",
            "currency": "usd",
            "addons": [{"addonId": "seats", "quantity": 3}],
            "promotionCode": "spring20",
        }
    )

    refuse_seller_terms(request, Caller.CUSTOMER)
    refuse_seller_terms(SubscriptionChange.model_validate({"planId": "pro"}), Caller.CUSTOMER)


def test_an_explicit_null_sets_nothing() -> None:
    request = SubscriptionCreate.model_validate(
        {"planId": "pro", "currency": "USD", "trialDays": None, "couponId": None}
    )

    refuse_seller_terms(request, Caller.CUSTOMER)


class _Inner(BaseModel):
    note: str = ""
    secret: Annotated[int | None, SellerOnly] = None


class _Outer(BaseModel):
    items: list[_Inner] = []


def test_seller_terms_nested_in_lists_are_found_with_their_path() -> None:
    request = _Outer.model_validate({"items": [{"note": "a"}, {"secret": 5}]})

    with pytest.raises(Forbidden) as caught:
        refuse_seller_terms(request, Caller.CUSTOMER)

    assert caught.value.field == "items.1.secret"


def test_the_openapi_schema_marks_seller_only_fields() -> None:
    properties = SubscriptionCreate.model_json_schema(by_alias=True)["properties"]

    marked = {name for name, schema in properties.items() if schema.get("x-billfold-seller-only")}

    assert marked == SELLER_ONLY["create_subscription"]
