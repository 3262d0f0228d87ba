"""Resource budget: every template stays far from CloudFormation's limits, now and at ~50 routes."""

import math

import pytest

from billfold_lambda.routes import ROUTES

from tests.infra.assembly import Assembly

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]

BUDGET = 400
"""Our ceiling per template (CloudFormation allows 500 resources)."""
PLANNED_ROUTES = 50
PLANNED_TAGS = 10
TEMPLATE_LIMIT = 200
"""CloudFormation's limit on parameters and on outputs per template."""


def test_every_stack_is_under_budget(dev: Assembly) -> None:
    for stack in dev.stacks:
        assert len(stack.resources) < BUDGET, stack.stack.node.path


def test_nested_stacks_fit_every_planned_route(dev: Assembly) -> None:
    """Even if all planned routes shared one tag, that nested stack would fit. (The workers'
    nested stack does not grow with routes: the first test bounds it.)"""
    routes = {route.operation for route in ROUTES}
    for stack in dev.nested:
        functions = [f for f in dev.functions if f.stack is stack]
        if not {f.operation for f in functions} <= routes:
            continue
        assert functions
        per_function = len(stack.resources) / len(functions)
        assert per_function <= 5, "function, role, policy, log group, invoke permission"
        assert math.ceil(per_function * PLANNED_ROUTES) < BUDGET
        outputs_per_function = len(stack.json.get("Outputs", {})) / len(functions)
        assert math.ceil(outputs_per_function * PLANNED_ROUTES) < TEMPLATE_LIMIT
        assert len(stack.json.get("Parameters", {})) < TEMPLATE_LIMIT


def test_root_stack_fits_every_planned_route(dev: Assembly) -> None:
    """The root grows by its methods, path resources and their CORS preflight (OPTIONS) methods
    per route, and one stack per tag."""
    root = dev.root
    per_route_types = ("AWS::ApiGateway::Method", "AWS::ApiGateway::Resource")
    per_route = sum(len(root.of_type(t)) for t in per_route_types) / len(ROUTES)
    assert per_route <= 3
    tags = len(root.of_type("AWS::CloudFormation::Stack"))
    fixed = len(root.resources) - per_route * len(ROUTES) - tags
    projected = fixed + per_route * PLANNED_ROUTES + PLANNED_TAGS
    assert math.ceil(projected) < BUDGET
