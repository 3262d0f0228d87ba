"""The two Lambda layers every function uses, from the directories `infra.layers` staged."""

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants
from infra.layers import LayerDirs


class Layers(Construct):
    """`shared` (billfold, billfold_lambda) and `deps` (third-party packages for the runtime)."""

    def __init__(self, scope: Construct, construct_id: str, *, dirs: LayerDirs) -> None:
        super().__init__(scope, construct_id)
        self.shared = self._layer("Shared", str(dirs.shared), "billfold's shared packages")
        self.deps = self._layer("Deps", str(dirs.deps), "billfold's third-party packages")

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        """Both layers, in the order functions load them."""
        return [self.shared, self.deps]

    def _layer(self, construct_id: str, path: str, description: str) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self,
            construct_id,
            code=lambda_.Code.from_asset(path),
            compatible_runtimes=[constants.LAMBDA_RUNTIME],
            compatible_architectures=[constants.LAMBDA_ARCHITECTURE],
            description=description,
        )
