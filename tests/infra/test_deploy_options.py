"""Deploy options: the X-Ray SDK only when asked for (`-c xraySdk=true`), and SnapStart for the
API's functions behind a `live` alias of their published version (`-c snapStart=true`)."""

from pathlib import Path
from typing import Any

import pytest

from billfold_lambda.routes import ROUTES

from billfold import config
from infra.app import build_app
from tests.infra.assembly import Assembly
from tests.infra.conftest import synthesize

pytestmark = [pytest.mark.slow]
ROUTE_OPERATIONS = frozenset(route.operation for route in ROUTES)


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    outdir = tmp_path_factory.mktemp("cdk-out-options")
    return synthesize("dev", outdir, snapStart="true", xraySdk="true")


def _resources(assembly: Assembly, resource_type: str) -> list[tuple[Any, str, dict[str, Any]]]:
    return [
        (stack, logical_id, resource["Properties"])
        for stack in assembly.stacks
        for logical_id, resource in stack.of_type(resource_type).items()
    ]


@pytest.mark.xdist_group("infra-dev")
def test_by_default_tracing_is_active_without_the_sdk_or_snapstart(dev: Assembly) -> None:
    for function in dev.functions:
        assert function.environment()[config.ENV_XRAY_SDK] == "false", function.operation
        assert function.properties["TracingConfig"] == {"Mode": "Active"}
        assert "SnapStart" not in function.properties
    assert _resources(dev, "AWS::Lambda::Alias") == []


@pytest.mark.xdist_group("infra-options")
def test_xray_sdk_on_request_reaches_every_function(options: Assembly) -> None:
    for function in options.functions:
        assert function.environment()[config.ENV_XRAY_SDK] == "true", function.operation


@pytest.mark.xdist_group("infra-options")
def test_snapstart_runs_each_route_from_its_live_alias(options: Assembly) -> None:
    snapped = {
        f.operation
        for f in options.functions
        if f.properties.get("SnapStart") == {"ApplyOn": "PublishedVersions"}
    }
    aliases = _resources(options, "AWS::Lambda::Alias")

    assert snapped == ROUTE_OPERATIONS
    assert len(aliases) == len(ROUTE_OPERATIONS)
    for stack, _, alias in aliases:
        assert alias["Name"] == "live"
        version_id = alias["FunctionVersion"]["Fn::GetAtt"][0]
        assert stack.resources[version_id]["Type"] == "AWS::Lambda::Version"


def _invoked_resource(assembly: Assembly, uri: Any) -> dict[str, Any]:
    """The resource an integration URI's nested-stack output refers to (by Ref)."""
    (reference,) = [
        part for part in uri["Fn::Join"][1] if isinstance(part, dict) and "Fn::GetAtt" in part
    ]
    nested_id, output = reference["Fn::GetAtt"]
    (nested,) = [s for s in assembly.nested if s.resource_id_in_parent == nested_id]
    value = nested.json["Outputs"][output.removeprefix("Outputs.")]["Value"]
    return nested.resources[value["Ref"]]


@pytest.mark.xdist_group("infra-options")
def test_the_api_invokes_and_may_invoke_only_the_aliases(options: Assembly) -> None:
    integrations = [
        method["Properties"]["Integration"]
        for method in options.root.of_type("AWS::ApiGateway::Method").values()
        if method["Properties"].get("Integration", {}).get("Type") == "AWS_PROXY"
    ]
    route_permissions = [
        (stack, permission)
        for stack, _, permission in _resources(options, "AWS::Lambda::Permission")
        if permission["Principal"] == "apigateway.amazonaws.com" and stack is not options.root
    ]

    assert len(integrations) == len(ROUTE_OPERATIONS)
    for integration in integrations:
        assert _invoked_resource(options, integration["Uri"])["Type"] == "AWS::Lambda::Alias"
    assert len(route_permissions) == len(ROUTE_OPERATIONS)
    for stack, permission in route_permissions:
        assert stack.resources[permission["FunctionName"]["Ref"]]["Type"] == "AWS::Lambda::Alias"


def test_a_flag_takes_true_or_false_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="snapStart"):
        build_app(context={"stage": "dev", "snapStart": "yes"}, outdir=str(tmp_path))
