"""The managed policy for the SDK's direct mode: an app's role in this account may check a
customer's entitlements and consume usage in the table, in customer partitions only, and
nothing else; the stack exports its ARN for other stacks to attach."""

from typing import Any

import pytest

from tests.infra.assembly import Assembly, as_list

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]

DIRECT_ACTIONS = {
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:UpdateItem",
    "dynamodb:PutItem",
}


def direct_policy(dev: Assembly) -> tuple[str, dict[str, Any]]:
    """The logical id and properties of the DirectEntitlementsPolicy managed policy."""
    [(logical_id, policy)] = [
        (k, r)
        for k, r in dev.root.of_type("AWS::IAM::ManagedPolicy").items()
        if k.startswith("DirectEntitlementsPolicy")
    ]
    return logical_id, policy["Properties"]


def test_the_policy_is_one_statement_on_the_table_in_customer_partitions(dev: Assembly) -> None:
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    _, properties = direct_policy(dev)

    [statement] = properties["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert set(as_list(statement["Action"])) == DIRECT_ACTIONS
    assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [table_id, "Arn"]}]
    assert statement["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CUSTOMER#*"]}
    }


def test_the_policy_grants_no_scan_delete_batch_write_or_index_access(dev: Assembly) -> None:
    _, properties = direct_policy(dev)
    statements = properties["PolicyDocument"]["Statement"]
    actions = {action for s in statements for action in as_list(s["Action"])}
    resources = [resource for s in statements for resource in as_list(s["Resource"])]

    assert not any("*" in action for action in actions)
    assert actions.isdisjoint(
        {
            "dynamodb:Scan",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PartiQLSelect",
        }
    )
    assert "*" not in resources
    assert all(isinstance(r, dict) and "Fn::GetAtt" in r for r in resources), "no index ARNs"


def test_the_policy_is_attached_to_nothing_in_the_stack(dev: Assembly) -> None:
    """Apps attach it to their own roles; no billfold function or role carries it."""
    policy_id, properties = direct_policy(dev)

    assert {"Roles", "Users", "Groups"}.isdisjoint(properties)
    for stack in dev.stacks:
        for role_id, role in stack.of_type("AWS::IAM::Role").items():
            managed = role["Properties"].get("ManagedPolicyArns", [])
            assert {"Ref": policy_id} not in stack.resolve(managed), role_id


def test_the_policy_arn_is_an_exported_output(dev: Assembly) -> None:
    policy_id, _ = direct_policy(dev)

    output = dev.root.json["Outputs"]["DirectEntitlementsPolicyArn"]

    assert output["Value"] == {"Ref": policy_id}
    assert output["Export"] == {"Name": "Billfold-dev-DirectEntitlementsPolicyArn"}


def test_the_export_name_is_unique_in_the_stack(dev: Assembly) -> None:
    names = [o["Export"]["Name"] for o in dev.root.json["Outputs"].values() if "Export" in o]

    assert len(names) == len(set(names))
    assert "Billfold-dev-DirectEntitlementsPolicyArn" in names
