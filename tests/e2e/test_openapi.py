"""The OpenAPI document the local stack serves at /openapi.json."""

import pytest

from billfold_lambda.routes import ROUTES

BODY_METHODS = {"POST", "PATCH"}
BODILESS = (
    "/archive",
    "/resume",
    "/pay",
    "/void",
    "/setup-intent",
    "/default",
    "/stripe",
    "/resend",
)
"""POST routes that take no JSON body (the webhook's body is Stripe's, checked by signature)."""
ROUTES_WITH_BODY = [r for r in ROUTES if r.method in BODY_METHODS and not r.path.endswith(BODILESS)]


@pytest.fixture(scope="module")
def document(anonymous) -> dict:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/components/schemas/"), ref
    name = ref.removeprefix("#/components/schemas/")
    assert name in document["components"]["schemas"], f"{ref} is not in components"
    return document["components"]["schemas"][name]


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]


def test_every_route_of_the_route_table_is_documented(document):
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }

    expected = {(route.method, route.path) for route in ROUTES}
    assert expected <= documented
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.operation
        assert operation["summary"] == route.summary


def test_path_parameters_are_declared(document):
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(route.path_parameters), route.operation


@pytest.mark.parametrize("route", ROUTES_WITH_BODY, ids=lambda r: r.operation)
def test_request_bodies_reference_component_models(document, route):
    operation = document["paths"][route.path][route.method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    optional = [s for s in schema.get("anyOf", []) if "$ref" in s]  # a body that may be left out
    reference = optional[0]["$ref"] if optional else schema["$ref"]

    model = _resolve(document, reference)

    assert model["type"] == "object"
    assert model["properties"]
    assert model.get("additionalProperties") is False


def test_error_responses_reference_error_body(document):
    error_body = _resolve(document, "#/components/schemas/ErrorBody")
    detail = _resolve(document, error_body["properties"]["error"]["$ref"])
    assert set(detail["properties"]) == {"code", "message", "field"}
    for route in ROUTES:
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        for status in ("400", "401", "403", "404"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (route.operation, status)


def test_response_models_are_components(document):
    schemas = document["components"]["schemas"]

    for name in ("Plan", "Addon", "Feature", "Customer"):
        assert "createdAt" in schemas[name]["properties"], name
    assert "effectiveEntitlements" in schemas["Plan"]["properties"]
    assert "stripeCustomerId" in schemas["Customer"]["properties"]
    pages = [name for name in schemas if name.startswith("Page")]
    assert len(pages) >= 4
    for name in pages:
        assert {"items", "nextCursor"} <= set(schemas[name]["properties"])


def test_each_operation_documents_its_success_response(document):
    undocumented = []
    for route in ROUTES:
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        success = responses.get(str(route.status), {}).get("content", {})
        schema = success.get("application/json", {}).get("schema", {})
        redirect = route.status == 302 and str(route.status) in responses  # to the portal
        if "$ref" not in schema and not redirect:
            undocumented.append(f"{route.operation} {route.status}")

    assert undocumented == []


def test_bearer_security_scheme_applies_to_the_api(document):
    schemes = document["components"]["securitySchemes"]
    bearer = [
        name for name, s in schemes.items() if (s["type"], s.get("scheme")) == ("http", "bearer")
    ]

    assert bearer
    assert {bearer[0]: []} in document["security"]


def test_the_webhook_route_takes_stripes_signature_not_a_bearer(document):
    webhook = document["paths"]["/v1/webhooks/stripe"]["post"]
    scheme = document["components"]["securitySchemes"]["stripeSignature"]

    assert webhook["security"] == [{"stripeSignature": []}]
    assert (scheme["type"], scheme["in"], scheme["name"]) == (
        "apiKey",
        "header",
        "Stripe-Signature",
    )


def test_every_error_code_is_published_as_an_enum(document):
    from billfold.errors import ErrorCode

    detail = _resolve(document, "#/components/schemas/ErrorDetail")
    code = _resolve(document, detail["properties"]["code"]["$ref"])

    assert set(code["enum"]) == set(ErrorCode)


def test_the_document_says_what_the_api_refuses(document):
    change = _resolve(document, "#/components/schemas/SubscriptionChange")
    create = _resolve(document, "#/components/schemas/SubscriptionCreate")

    assert change["minProperties"] == 1
    assert {n for n, s in create["properties"].items() if s.get("x-billfold-seller-only")} == {
        "trialDays",
        "startAt",
        "couponId",
    }
    assert "2805.0 is refused" in document["info"]["description"]
    assert "null resets it to its default" in document["info"]["description"]


def test_null_resets_a_documented_nullable_field_to_its_default(server, uid):
    plan = {
        "id": f"nullable-{uid}",
        "name": "Nullable",
        "metadata": {"tier": "gold"},
        "downgradeTiming": "immediate",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 100}],
    }
    server.post("/v1/plans", json=plan)

    reset = server.patch(
        f"/v1/plans/{plan['id']}", json={"metadata": None, "downgradeTiming": None}
    )

    assert reset.status_code == 200, reset.text
    assert (reset.json()["metadata"], reset.json()["downgradeTiming"]) == ({}, "period_end")


def test_a_whole_number_float_is_refused_for_an_integer_as_documented(server, uid):
    plan = {
        "id": f"floaty-{uid}",
        "name": "Floaty",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 2805.0}],
    }

    response = server.post("/v1/plans", json=plan)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "prices.0.amount"
