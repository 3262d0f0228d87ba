"""The SDK's generated layer cannot drift from the API: `_generated.py` is exactly what
`python -m local.sdk_codegen` writes from today's OpenAPI document, every route is a method of
the client, and every paged list route has a page iterator."""

import inspect
from pathlib import Path
from typing import Any

import billfold_sdk._generated as generated
import pytest
from billfold_sdk import Billfold

from billfold_lambda.routes import ROUTES

from local.functions import FunctionLoader
from local.openapi import build_openapi
from local.sdk_codegen import TARGET, generate


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The OpenAPI document the local stack serves, built from the route table."""
    return build_openapi(FunctionLoader())


def test_the_generated_module_is_up_to_date(document: dict[str, Any]) -> None:
    regenerated = generate(document)

    assert regenerated.encode() == TARGET.read_bytes(), (
        "sdk/python/billfold_sdk/_generated.py is stale: run `python -m local.sdk_codegen`"
    )


def test_the_sdk_imports_the_file_the_generator_writes() -> None:
    assert generated.__file__ is not None
    assert Path(generated.__file__).resolve() == TARGET.resolve()


def test_every_route_is_a_method_of_the_client() -> None:
    missing = [route.operation for route in ROUTES if not hasattr(Billfold, route.operation)]

    assert not missing, missing
    for route in ROUTES:
        method = getattr(Billfold, route.operation)
        assert callable(method), route.operation
        assert f"{route.method} {route.path}" in (method.__doc__ or ""), route.operation
        parameters = list(inspect.signature(method).parameters)
        assert len(parameters) > len(route.path_parameters), route.operation
        assert parameters[1 : 1 + len(route.path_parameters)] == [
            _snake(name) for name in route.path_parameters
        ], route.operation


def test_every_paged_list_route_has_a_page_iterator(document: dict[str, Any]) -> None:
    paged = [
        route.operation
        for route in ROUTES
        if "cursor"
        in {
            parameter["name"]
            for parameter in document["paths"][route.path][route.method.lower()].get(
                "parameters", []
            )
            if parameter["in"] == "query"
        }
    ]

    assert paged, "no list route takes a cursor"
    missing = [operation for operation in paged if not hasattr(Billfold, f"iter_{operation}")]
    assert not missing, missing
    for operation in paged:
        iterator = inspect.signature(getattr(Billfold, f"iter_{operation}"))
        assert "cursor" not in iterator.parameters, operation
        assert set(iterator.parameters) == set(
            inspect.signature(getattr(Billfold, operation)).parameters
        ) - {"cursor"}, operation


def test_no_iterator_without_a_paged_route() -> None:
    operations = {route.operation for route in ROUTES}
    iterators = [name for name in dir(Billfold) if name.startswith("iter_")]

    assert iterators
    assert [name for name in iterators if name.removeprefix("iter_") not in operations] == []


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
