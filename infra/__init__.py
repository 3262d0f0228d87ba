"""billfold's AWS CDK app: `python -m infra.app` synthesizes it into `cdk.out/`."""

import os

# jsii prints a large end-of-life banner on Node 20 (the node this project runs on); its runtime
# honours this variable (a comma-separated list of silenced major versions). It must be set before
# `aws_cdk` is imported, because the import starts the jsii node process.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
