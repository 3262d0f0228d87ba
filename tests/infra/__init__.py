"""Tests of the CDK app: the synthesized templates, IAM, cdk-nag and the layers."""

# `infra` sets jsii's environment (silencing Node's end-of-life banner) and must be imported
# before any test module imports aws_cdk, which starts jsii's node process.
import infra  # noqa: F401
