"""A read-only view of a synthesized cloud assembly: templates (root and nested), assets, functions.

Functions are identified by their code asset's *content* (the staged `asset.<hash>/` directory must
equal `functions/<operation>/`), and nested-stack parameters are resolved to the root expressions
they receive, so tests can compare references across stacks.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from aws_cdk import App, CfnElement, NestedStack, Stack
from aws_cdk.assertions import Template

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
CDK_HANDLER_PREFIXES = (
    "CustomCDKBucketDeployment",
    "CustomS3AutoDeleteObjectsCustomResourceProvider",
)
"""Logical-id prefixes of the custom-resource handlers aws-cdk-lib adds (root stack only): the
portal's BucketDeployment and its bucket's auto-delete (non-protected stages)."""


def as_list(value: Any) -> list[Any]:
    """IAM's "one or many" fields as a list."""
    return value if isinstance(value, list) else [value]


def portal_bucket(assembly: "Assembly") -> str:
    """The logical id of the portal's bucket in the root stack."""
    (bucket_id,) = [k for k in assembly.root.of_type("AWS::S3::Bucket") if k.startswith("Portal")]
    return bucket_id


def tree_contents(root: Path) -> dict[str, bytes]:
    """Every file under `root` (bytecode aside), by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@dataclass
class StackTemplate:
    """One synthesized template, and where it hangs in the nested-stack tree."""

    stack: Stack
    template: Template
    parent: "StackTemplate | None" = None
    resource_id_in_parent: str | None = None

    @cached_property
    def json(self) -> dict[str, Any]:
        return dict(self.template.to_json())

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.json["Resources"])

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The resources of one CloudFormation type, by logical id."""
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def resolve(self, value: Any) -> Any:
        """`value` with every reference to a nested-stack parameter replaced by what the parent
        passes in (recursively, up to the root)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        parameters = self.json.get("Parameters", {})
        if set(value) == {"Ref"} and value["Ref"] in parameters and self.parent is not None:
            assert self.resource_id_in_parent is not None
            nested = self.parent.resources[self.resource_id_in_parent]
            return self.parent.resolve(nested["Properties"]["Parameters"][value["Ref"]])
        return {key: self.resolve(item) for key, item in value.items()}


@dataclass
class FunctionInfo:
    """A Lambda function in the assembly, with what its code asset says it is."""

    stack: StackTemplate
    logical_id: str
    operation: str

    @property
    def resource(self) -> dict[str, Any]:
        return self.stack.resources[self.logical_id]

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.resource["Properties"])

    @property
    def role_id(self) -> str:
        role = self.properties["Role"]
        assert list(role) == ["Fn::GetAtt"], role
        assert role["Fn::GetAtt"][1] == "Arn", role
        return str(role["Fn::GetAtt"][0])

    @property
    def role(self) -> dict[str, Any]:
        return self.stack.resources[self.role_id]

    @property
    def log_group_id(self) -> str:
        log_group = self.properties["LoggingConfig"]["LogGroup"]
        assert list(log_group) == ["Ref"], log_group
        return str(log_group["Ref"])

    def policies(self) -> dict[str, dict[str, Any]]:
        """The IAM policies (in any stack) attached to this function's role."""
        role_ref = {"Ref": self.role_id}
        return {
            policy_id: policy
            for policy_id, policy in self.stack.of_type("AWS::IAM::Policy").items()
            if role_ref in policy["Properties"].get("Roles", [])
        }

    def statements(self) -> list[dict[str, Any]]:
        """Every statement of its role's policies, with parameters resolved to root values."""
        return [
            self.stack.resolve(statement)
            for policy in self.policies().values()
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]

    def environment(self) -> dict[str, Any]:
        return dict(self.stack.resolve(self.properties["Environment"]["Variables"]))


@dataclass
class Assembly:
    """The synthesized app: its stacks' templates and the assets they point at."""

    app: App
    outdir: Path
    stage: str
    stacks: list[StackTemplate] = field(default_factory=list)

    @classmethod
    def of(cls, app: App, outdir: Path, stage: str) -> "Assembly":
        """Read every stack of an already synthesized app."""
        assembly = cls(app, outdir, stage)
        by_stack: dict[str, StackTemplate] = {}
        stacks = [c for c in app.node.find_all() if isinstance(c, Stack)]
        for stack in stacks:  # find_all is pre-order: parents come before their nested stacks
            entry = StackTemplate(stack, Template.from_stack(stack))
            if isinstance(stack, NestedStack):
                parent = stack.nested_stack_parent
                nested_resource = stack.nested_stack_resource
                assert parent is not None
                assert isinstance(nested_resource, CfnElement)
                entry.parent = by_stack[parent.node.path]
                entry.resource_id_in_parent = parent.get_logical_id(nested_resource)
            by_stack[stack.node.path] = entry
            assembly.stacks.append(entry)
        return assembly

    @property
    def root(self) -> StackTemplate:
        (root,) = [s for s in self.stacks if s.parent is None]
        return root

    @property
    def nested(self) -> list[StackTemplate]:
        return [s for s in self.stacks if s.parent is not None]

    def only(self, resource_type: str, stack: StackTemplate | None = None) -> tuple[str, Any]:
        """The logical id and definition of the one resource of a type (in the root stack)."""
        ((logical_id, resource),) = (stack or self.root).of_type(resource_type).items()
        return logical_id, resource

    # --- assets ----------------------------------------------------------------------------------

    @cached_property
    def asset_dirs(self) -> dict[str, Path]:
        """Staged asset directories by S3 object key (what templates reference)."""
        dirs = {}
        for manifest in self.outdir.glob("*.assets.json"):
            for asset in json.loads(manifest.read_text())["files"].values():
                for destination in asset["destinations"].values():
                    dirs[destination["objectKey"]] = self.outdir / asset["source"]["path"]
        return dirs

    def asset_dir(self, code: dict[str, Any]) -> Path:
        """The staged directory of a Lambda `Code`/`Content` property."""
        return self.asset_dirs[code["S3Key"]]

    @cached_property
    def _operations_by_contents(self) -> dict[str, list[str]]:
        by_contents: dict[str, list[str]] = {}
        for folder in sorted(p for p in FUNCTIONS_DIR.iterdir() if (p / "handler.py").is_file()):
            key = json.dumps({k: v.hex() for k, v in tree_contents(folder).items()})
            by_contents.setdefault(key, []).append(folder.name)
        return by_contents

    def operation_of(self, asset: Path) -> str:
        """The `functions/<operation>` folder whose files the asset holds, exactly."""
        key = json.dumps({k: v.hex() for k, v in tree_contents(asset).items()})
        matches = self._operations_by_contents.get(key, [])
        assert len(matches) == 1, f"{asset} matches functions/{matches} (want exactly one)"
        return matches[0]

    def layer_kind(self, asset: Path) -> str:
        """ "shared" or "deps", by what a staged layer asset holds."""
        if (asset / "python" / "billfold_lambda" / "routes.py").is_file():
            return "shared"
        if (asset / "python" / "pydantic").is_dir():
            return "deps"
        raise AssertionError(f"{asset} is neither layer")

    # --- functions -------------------------------------------------------------------------------

    def is_cdk_handler(self, stack: StackTemplate, logical_id: str) -> bool:
        """Whether a function is one of aws-cdk-lib's custom-resource handlers."""
        return stack is self.root and logical_id.startswith(CDK_HANDLER_PREFIXES)

    @cached_property
    def cdk_handlers(self) -> dict[str, dict[str, Any]]:
        """aws-cdk-lib's custom-resource handler functions, by logical id (root stack)."""
        return {
            logical_id: fn
            for logical_id, fn in self.root.of_type("AWS::Lambda::Function").items()
            if self.is_cdk_handler(self.root, logical_id)
        }

    @cached_property
    def layers(self) -> dict[str, dict[str, Any]]:
        """billfold's layer versions by logical id (root stack): the AWS CLI layer that only
        aws-cdk-lib's BucketDeployment handler uses aside."""
        cdk_layers = {
            layer["Ref"]
            for fn in self.cdk_handlers.values()
            for layer in fn["Properties"].get("Layers", [])
        }
        return {
            logical_id: layer
            for logical_id, layer in self.root.of_type("AWS::Lambda::LayerVersion").items()
            if logical_id not in cdk_layers
        }

    @cached_property
    def functions(self) -> list[FunctionInfo]:
        """Every Lambda function of every stack, aws-cdk-lib's custom-resource handlers aside:
        each must be one of billfold's `functions/<operation>`."""
        return [
            FunctionInfo(
                stack, logical_id, self.operation_of(self.asset_dir(fn["Properties"]["Code"]))
            )
            for stack in self.stacks
            for logical_id, fn in stack.of_type("AWS::Lambda::Function").items()
            if not self.is_cdk_handler(stack, logical_id)
        ]

    def function(self, operation: str) -> FunctionInfo:
        (match,) = [f for f in self.functions if f.operation == operation]
        return match

    def function_behind(self, uri: Any, stack: StackTemplate | None = None) -> FunctionInfo:
        """The function an integration/authorizer URI (in `stack`, default root) invokes."""
        stack = stack or self.root
        targets = {tuple(ref) for ref in _get_atts(uri)}
        assert len(targets) == 1, f"expected one function reference in {uri}"
        ((logical_id, attribute),) = targets
        if attribute == "Arn":
            (match,) = [
                f for f in self.functions if f.stack is stack and f.logical_id == logical_id
            ]
            return match
        assert attribute.startswith("Outputs."), attribute
        (nested,) = [
            s for s in self.nested if s.parent is stack and s.resource_id_in_parent == logical_id
        ]
        output = nested.json["Outputs"][attribute.removeprefix("Outputs.")]["Value"]
        return self.function_behind(output, nested)


def _get_atts(value: Any) -> Iterator[list[str]]:
    """Every `Fn::GetAtt` in a template value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Fn::GetAtt":
                yield item
            else:
                yield from _get_atts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _get_atts(item)
