"""The customer portal: static files in a private bucket, served by CloudFront with the security
headers of `infra.portal_policy`."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra import constants
from infra.constants import StageSettings
from infra.constructs import nag
from infra.constructs.data import private_bucket
from infra.portal_policy import PortalPolicy

PORTAL_ACCESS_LOG_PREFIX = "portal/"

CSP = "Content-Security-Policy"
CONTENT_TYPE_OPTIONS = "X-Content-Type-Options"
REFERRER_POLICY = "Referrer-Policy"
FRAME_OPTIONS = "X-Frame-Options"
HSTS = "Strict-Transport-Security"


def _hsts(value: str) -> cloudfront.ResponseHeadersStrictTransportSecurity:
    """`max-age=<seconds>[; includeSubDomains][; preload]` as CloudFront's HSTS setting."""
    directives = [part.strip() for part in value.split(";") if part.strip()]
    max_age = next((d for d in directives if re.fullmatch(r"max-age=\d+", d)), None)
    unknown = {d for d in directives if d != max_age} - {"includeSubDomains", "preload"}
    if max_age is None or unknown:
        raise ValueError(f"unsupported {HSTS} value {value!r}")
    return cloudfront.ResponseHeadersStrictTransportSecurity(
        access_control_max_age=Duration.seconds(int(max_age.removeprefix("max-age="))),
        include_subdomains="includeSubDomains" in directives,
        preload="preload" in directives,
        override=True,
    )


def security_headers(headers: Mapping[str, str]) -> cloudfront.ResponseSecurityHeadersBehavior:
    """The portal's security headers as CloudFront's security-header settings (CloudFront
    refuses these headers as custom headers); any other header is a ValueError."""
    unknown = set(headers) - {CSP, CONTENT_TYPE_OPTIONS, REFERRER_POLICY, FRAME_OPTIONS, HSTS}
    if unknown:
        raise ValueError(f"no CloudFront mapping for headers {sorted(unknown)}")
    if headers.get(CONTENT_TYPE_OPTIONS, "nosniff") != "nosniff":
        raise ValueError(f"{CONTENT_TYPE_OPTIONS} can only be nosniff")

    def enum_name(value: str) -> str:
        return value.upper().replace("-", "_")

    return cloudfront.ResponseSecurityHeadersBehavior(
        content_security_policy=(
            cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=headers[CSP], override=True
            )
            if CSP in headers
            else None
        ),
        content_type_options=(
            cloudfront.ResponseHeadersContentTypeOptions(override=True)
            if CONTENT_TYPE_OPTIONS in headers
            else None
        ),
        referrer_policy=(
            cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy[
                    enum_name(headers[REFERRER_POLICY])
                ],
                override=True,
            )
            if REFERRER_POLICY in headers
            else None
        ),
        frame_options=(
            cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption[enum_name(headers[FRAME_OPTIONS])],
                override=True,
            )
            if FRAME_OPTIONS in headers
            else None
        ),
        strict_transport_security=_hsts(headers[HSTS]) if HSTS in headers else None,
    )


@dataclass(frozen=True)
class PortalDomain:
    """The portal's own host name (e.g. billing.example.com) and its ACM certificate, which
    CloudFront requires in us-east-1. The DNS record pointing the name at the distribution is
    the deployer's (the stack does not assume the zone is in Route 53)."""

    name: str
    certificate_arn: str

    def distribution_options(self, scope: Construct) -> dict[str, Any]:
        """The distribution's alternate name, certificate and TLS 1.2 minimum."""
        return {
            "domain_names": [self.name],
            "certificate": acm.Certificate.from_certificate_arn(
                scope, "Certificate", self.certificate_arn
            ),
            "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }


class Portal(Construct):
    """The portal's bucket (private: CloudFront reads it through Origin Access Control), its
    distribution, and the deployment of `portal/` plus a `config.json` naming the API."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        rest_api: apigateway.RestApi,
        access_log_bucket: s3.IBucket,
        stripe_js_url: str,
        domain: PortalDomain | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        api_origin = f"https://{rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        self.policy = PortalPolicy(api_origin=api_origin, stripe_js_url=stripe_js_url)

        self.bucket = private_bucket(
            self,
            "Bucket",
            settings,
            server_access_logs_bucket=access_log_bucket,
            server_access_logs_prefix=PORTAL_ACCESS_LOG_PREFIX,
            auto_delete_objects=not settings.protected,
        )
        self.response_headers_policy = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment=f"billfold {settings.name} portal: security headers",
            security_headers_behavior=security_headers(self.policy.headers()),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"billfold {settings.name} customer portal",
            default_root_object=constants.PORTAL_INDEX,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.response_headers_policy,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            **(domain.distribution_options(self) if domain else {}),
        )
        nag.acknowledge(
            self.distribution, nag.PORTAL_GEO_RESTRICTION, nag.PORTAL_WAF, nag.PORTAL_ACCESS_LOGS
        )
        if domain is None:  # the default *.cloudfront.net certificate fixes its own minimum
            nag.acknowledge(self.distribution, nag.PORTAL_TLS)
        host = domain.name if domain else self.distribution.distribution_domain_name
        self.url = f"https://{host}/"
        """The portal page (CloudFront serves `index.html` at the root)."""

        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Deployment",
            sources=[
                s3_deployment.Source.asset(str(constants.PORTAL_DIR)),
                s3_deployment.Source.json_data(
                    constants.PORTAL_CONFIG_FILE,
                    {"apiUrl": rest_api.url, "stripeJsUrl": stripe_js_url},
                ),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            log_group=logs.LogGroup(
                self,
                "DeploymentLogs",
                retention=settings.log_retention,
                removal_policy=settings.removal_policy,
            ),
        )
        # The handler is a stack-wide singleton function; its role is the deployment's.
        handler_role = self.deployment.handler_role
        handler = handler_role.node.scope
        if handler is None or handler.node.default_child is None:
            raise LookupError("BucketDeployment's handler role is not inside its function")
        nag.acknowledge(handler.node.default_child, nag.BUCKET_DEPLOYMENT_RUNTIME)
        nag.acknowledge(
            handler_role,
            nag.BUCKET_DEPLOYMENT_LOGS,
            *nag.bucket_deployment_role(self.bucket),
        )
