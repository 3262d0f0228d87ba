"""billfold's secrets: Stripe's API keys, Stripe's webhook signing secret, the portal signing key.

The Stripe secrets are created holding a placeholder; the user stores the real values with
`aws secretsmanager put-secret-value`. CloudFormation only writes a secret's value when the
template's value changes, so redeploying keeps what the user stored (do not edit the placeholders).
"""

from aws_cdk import SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import constants
from infra.constants import StageSettings
from infra.constructs import nag


def _placeholder(prefix: str) -> SecretValue:
    """A visible placeholder (not a secret) for a value the user supplies after deploying."""
    return SecretValue.unsafe_plain_text(f"{prefix}{constants.PLACEHOLDER}")


class Secrets(Construct):
    """The three secrets, named `billfold/<stage>/<name>`."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: StageSettings) -> None:
        super().__init__(scope, construct_id)
        stage = settings.name
        self.stripe = secretsmanager.Secret(
            self,
            "Stripe",
            secret_name=constants.secret_name(stage, constants.STRIPE_SECRET),
            description="Stripe API keys: JSON {secretKey, publishableKey}.",
            secret_object_value={
                "secretKey": _placeholder("sk_"),
                "publishableKey": _placeholder("pk_"),
            },
            removal_policy=settings.removal_policy,
        )
        nag.acknowledge(self.stripe, nag.STRIPE_SECRET_ROTATION)
        self.stripe_webhook = secretsmanager.Secret(
            self,
            "StripeWebhook",
            secret_name=constants.secret_name(stage, constants.STRIPE_WEBHOOK_SECRET),
            description="Stripe webhook endpoint signing secret (the plain whsec_... string).",
            secret_string_value=_placeholder("whsec_"),
            removal_policy=settings.removal_policy,
        )
        nag.acknowledge(self.stripe_webhook, nag.STRIPE_WEBHOOK_SECRET_ROTATION)
        self.portal_signing = secretsmanager.Secret(
            self,
            "PortalSigning",
            secret_name=constants.secret_name(stage, constants.PORTAL_SIGNING_SECRET),
            description="Key that signs customer portal tokens (random, generated at deploy).",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=constants.PORTAL_SECRET_LENGTH,
                exclude_punctuation=True,
            ),
            removal_policy=settings.removal_policy,
        )
        nag.acknowledge(self.portal_signing, nag.PORTAL_SECRET_ROTATION)
