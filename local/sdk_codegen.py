"""The Python SDK's typed layer, generated from the OpenAPI document (which the route table and
the handlers' own pydantic types make): a TypedDict per schema and a method per route, so the
SDK cannot drift from the API (`make test` fails when this file is stale).

    python -m local.sdk_codegen   # rewrites sdk/python/billfold_sdk/_generated.py
"""

import keyword
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from billfold_lambda.routes import ROUTES, Route

from local.functions import FunctionLoader
from local.openapi import build_openapi

TARGET = Path(__file__).resolve().parent.parent / "sdk/python/billfold_sdk/_generated.py"

HEADER = '''"""billfold's API as typed Python: generated from the OpenAPI document by
`python -m local.sdk_codegen`. Do not edit: `make test` fails when it is out of date."""

# ruff: noqa: E501

from collections.abc import Iterator
from typing import Any, Literal, NotRequired, TypedDict, cast
from urllib.parse import quote

from billfold_sdk.transport import Transport
'''


def _name(ref_or_name: str) -> str:
    """A schema's Python name, in CapWords: `Page_Plan_` is `PlanPage`, and a name two
    packages share, `billfold__prepaid__models__CreditBalance`, is `PrepaidCreditBalance`."""
    name = ref_or_name.rsplit("/", 1)[-1]
    if page := re.fullmatch(r"Page_(\w+)_", name):
        return f"{page.group(1)}Page"
    if "__" in name:
        parts = name.split("__")
        return parts[1].capitalize() + parts[-1]
    return re.sub(r"\W", "_", name)


def _snake(name: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return f"{snake}_" if keyword.iskeyword(snake) else snake


def type_of(schema: dict[str, Any]) -> str:
    """The Python type of a JSON schema."""
    if "$ref" in schema:
        return _name(schema["$ref"])
    if "anyOf" in schema:
        options = list(dict.fromkeys(type_of(option) for option in schema["anyOf"]))
        return " | ".join(options)
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(value) for value in schema["enum"]) + "]"
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    kind = schema.get("type")
    if kind == "array":
        return f"list[{type_of(schema.get('items', {}))}]"
    if kind == "object":
        extra = schema.get("additionalProperties")
        return f"dict[str, {type_of(extra)}]" if isinstance(extra, dict) else "dict[str, Any]"
    return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(
        str(kind), "None" if kind == "null" else "Any"
    )


def _docstring(text: str, indent: str) -> str:
    clean = " ".join(text.split()).replace('"""', "'''").replace("\\", "\\\\")
    return f'{indent}"""{clean}"""\n'


def schema_source(name: str, schema: dict[str, Any], keyed_body: bool = False) -> str:
    """A TypedDict (or a Literal alias, for a string enum) for one component schema. In a
    route's own body (`keyed_body`) the `idempotencyKey` is optional: the SDK fills one in."""
    if "properties" not in schema:
        return f"{name} = {type_of(schema)}\n"
    required = set(schema.get("required", []))
    lines = [f"class {name}(TypedDict):\n"]
    if schema.get("description"):
        lines.append(_docstring(schema["description"], "    "))
    for prop, prop_schema in schema["properties"].items():
        annotation = type_of(prop_schema)
        given = prop in required and not (keyed_body and prop == "idempotencyKey")
        lines.append(f"    {prop}: {annotation if given else f'NotRequired[{annotation}]'}\n")
    return "".join(lines)


def _schema_ref(content: dict[str, Any] | None) -> str | None:
    schema = ((content or {}).get("application/json") or {}).get("schema")
    return type_of(schema) if schema else None


def method_source(route: Route, operation: dict[str, Any], schemas: dict[str, Any]) -> str:
    """The Operations method for one route, and an iterator over its pages for a list route."""
    path_params = route.path_parameters
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    body = _schema_ref((operation.get("requestBody") or {}).get("content"))
    response = operation["responses"].get(str(route.status), {})
    returns = _schema_ref(response.get("content")) or "None"
    if route.status == 302:
        returns = "None"
    args = ["self", *(f"{_snake(p)}: str" for p in path_params)]
    if body:
        args.append(f"body: {body}")
    keywords = [f"{_snake(p['name'])}: {_optional(type_of(p['schema']))} = None" for p in query]
    if query:
        args += ["*", *keywords]
    path = route.path
    for param in path_params:
        path = path.replace("{" + param + "}", "{quote(" + _snake(param) + ", safe='')}")
    query_dict = "{" + ", ".join(f"{p['name']!r}: {_snake(p['name'])}" for p in query) + "}"
    call_args = [repr(route.method), f'f"{path}"' if path_params else repr(path)]
    if query:
        call_args.append(f"query={query_dict}")
    if body:
        keyed = "idempotencyKey" in schemas.get(body, {}).get("properties", {})
        given = "dict(body) if body is not None else None" if "None" in body else "dict(body)"
        call_args.append(f"body={given}, idempotent={keyed}")
    signature = ", ".join(args)
    lines = [f"    def {route.operation}({signature}) -> {returns}:\n"]
    lines.append(_docstring(f"{route.method} {route.path}: {route.summary}.", "        "))
    call = f"self._transport.call({', '.join(call_args)})"
    lines.append(
        f"        {call}\n" if returns == "None" else f"        return cast({returns!r}, {call})\n"
    )
    item = _page_item(returns, schemas)
    if item and "cursor" in {p["name"] for p in query}:
        kept = [k for p, k in zip(query, keywords, strict=True) if p["name"] != "cursor"]
        iter_args = ", ".join(
            args[: len(args) - len(keywords) - 1] + (["*", *kept] if kept else [])
        )
        passed = [_snake(p) for p in path_params]
        passed += [
            f"{_snake(p['name'])}={_snake(p['name'])}" for p in query if p["name"] != "cursor"
        ]
        lines.append(f"\n    def iter_{route.operation}({iter_args}) -> Iterator[{item}]:\n")
        lines.append(_docstring(f"Every item of {route.operation}, page after page.", "        "))
        lines.append("        cursor: str | None = None\n        while True:\n")
        lines.append(
            f"            page = self.{route.operation}({', '.join([*passed, 'cursor=cursor'])})\n"
        )
        lines.append('            yield from page["items"]\n')
        lines.append('            cursor = page.get("nextCursor")\n')
        lines.append('            if not cursor or not page["items"]:\n                return\n')
    return "".join(lines)


def _refs(schema: Any) -> set[str]:
    """The schemas a schema refers to."""
    if isinstance(schema, dict):
        found = {_name(schema["$ref"])} if "$ref" in schema else set()
        return found.union(*(_refs(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_refs(value) for value in schema))
    return set()


def _dependencies_first(names: list[str], schemas: dict[str, Any]) -> list[str]:
    """The schemas ordered so that each comes after those it refers to (TypedDicts evaluate
    their annotations when defined, and `NotRequired` only counts when evaluated)."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting or name not in names:
            return
        visiting.add(name)
        for ref in sorted(_refs(schemas[name])):
            visit(ref)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def _optional(annotation: str) -> str:
    return annotation if annotation.endswith("| None") else f"{annotation} | None"


def _page_item(returns: str, schemas: dict[str, Any]) -> str | None:
    items = schemas.get(returns, {}).get("properties", {}).get("items")
    return type_of(items["items"]) if items and items.get("type") == "array" else None


def generate(document: dict[str, Any]) -> str:
    """The whole generated module."""
    schemas = {
        _name(name): schema
        for name, schema in document["components"]["schemas"].items()
        if name not in ("HTTPValidationError", "ValidationError", "ResponseValidationError")
    }
    parts = [HEADER]
    aliases = [name for name, schema in schemas.items() if "properties" not in schema]
    bodies = {
        _schema_ref((operation.get("requestBody") or {}).get("content"))
        for path in document["paths"].values()
        for operation in path.values()
    }
    for name in aliases:
        parts.append("\n" + schema_source(name, schemas[name]))
    for name in _dependencies_first([n for n in schemas if n not in aliases], schemas):
        parts.append("\n\n" + schema_source(name, schemas[name], name in bodies))
    defaults = {
        name: {
            prop: spec["default"]
            for prop, spec in schema["properties"].items()
            if "default" in spec
        }
        for name, schema in schemas.items()
        if name.endswith("Create") and "properties" in schema
    }
    parts.append(
        "\n\nCREATE_DEFAULTS: dict[str, dict[str, Any]] = "
        + repr({name: values for name, values in defaults.items() if values})
        + '\n"""What the API takes for each create field left out."""\n'
    )
    parts.append(
        "\n\nclass Operations:\n"
        '    """A method per route of the API (the client adds retries, errors and pages)."""\n\n'
        "    _transport: Transport\n"
    )
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        parts.append("\n" + method_source(route, operation, schemas))
    return _formatted("".join(parts))


def _formatted(source: str) -> str:
    """`source` as `ruff format` lays it out (the repository's one style)."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main() -> None:
    """Write the generated module."""
    TARGET.write_text(generate(build_openapi(FunctionLoader())))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
