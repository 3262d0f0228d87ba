"""The customer portal (private bucket, CloudFront, security headers, deployment) and the API's
CORS: the shared dev assembly, and one assembly synthesized with every portal context value."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from billfold_lambda import cors, gateway_responses
from billfold_lambda.routes import ROUTES

from billfold import config
from infra.app import build_app
from infra.portal_policy import STRIPE_JS_URL, PortalPolicy
from tests.infra.assembly import REPO_ROOT, Assembly, portal_bucket, tree_contents
from tests.infra.conftest import synthesize

pytestmark = [pytest.mark.slow]
dev_group = pytest.mark.xdist_group("infra-dev")
context_group = pytest.mark.xdist_group("infra-portal-context")

CORS_ORIGINS = "https://app.example.com,https://admin.example.com"
LOCAL_STRIPE_JS = "http://localhost:8420/js.stripe.com/v3/"
EMBEDDING_PAGE = "https://app.example.com/billing"
PORTAL_DOMAIN = "billing.example.com"
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
ROUTE_OPERATIONS = frozenset(route.operation for route in ROUTES)


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    """dev, with every context value the portal and CORS read (one synth for all of them)."""
    return synthesize(
        "dev",
        tmp_path_factory.mktemp("cdk-out-portal-context"),
        corsOrigins=CORS_ORIGINS,
        stripeJsUrl=LOCAL_STRIPE_JS,
        portalUrl=EMBEDDING_PAGE,
        portalDomain=PORTAL_DOMAIN,
        portalCertificateArn=CERTIFICATE_ARN,
    )


def flatten(value: Any) -> str:
    """A string property, with each `{"Ref": X}` in an `Fn::Join` written as `${X}`."""
    if isinstance(value, str):
        return value
    if set(value) == {"Ref"}:
        return f"${{{value['Ref']}}}"
    separator, parts = value["Fn::Join"]
    return str(separator).join(flatten(part) for part in parts)


def headers_config(assembly: Assembly) -> dict[str, Any]:
    _, policy = assembly.only("AWS::CloudFront::ResponseHeadersPolicy")
    return dict(policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"])


def content_security_policy(assembly: Assembly) -> str:
    csp = headers_config(assembly)["ContentSecurityPolicy"]
    assert csp["Override"] is True
    return flatten(csp["ContentSecurityPolicy"])


def expected_csp(assembly: Assembly, stripe_js_url: str) -> str:
    rest_api_id, _ = assembly.only("AWS::ApiGateway::RestApi")
    api_origin = f"https://${{{rest_api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
    return PortalPolicy(api_origin, stripe_js_url).content_security_policy()


def distribution_url(assembly: Assembly) -> dict[str, Any]:
    distribution_id, _ = assembly.only("AWS::CloudFront::Distribution")
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/"]]}


def deployment_sources(assembly: Assembly) -> dict[str, Path]:
    """The BucketDeployment's staged sources by the files they hold: "portal", "config"."""
    _, deployment = assembly.only("Custom::CDKBucketDeployment")
    sources = {}
    for key in deployment["Properties"]["SourceObjectKeys"]:
        staged = assembly.asset_dirs[key]
        sources["config" if (staged / "config.json").is_file() else "portal"] = staged
    assert len(sources) == 2
    return sources


def page_config(staged: Path) -> dict[str, Any]:
    """The deployed config.json, each deploy-time value (a JSON value, quotes included, that
    CDK's marker stands for) as its marker string."""
    text = (staged / "config.json").read_text()
    return dict(json.loads(re.sub(r"<<marker:0xbaba:\d+>>", r'"\g<0>"', text)))


def preflights(assembly: Assembly) -> list[dict[str, Any]]:
    return [
        method["Properties"]
        for method in assembly.root.of_type("AWS::ApiGateway::Method").values()
        if method["Properties"]["HttpMethod"] == "OPTIONS"
    ]


def allowed_origin(preflight: dict[str, Any]) -> str:
    (response,) = preflight["Integration"]["IntegrationResponses"]
    return str(response["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"])


# --- the shared dev assembly ---------------------------------------------------------------------


@dev_group
def test_portal_bucket_is_logged_and_goes_with_a_dev_stage(dev: Assembly) -> None:
    """(Private, encrypted and TLS-only like every bucket: tests/infra/test_data.py.)"""
    bucket_id = portal_bucket(dev)
    properties = dev.root.resources[bucket_id]["Properties"]
    (log_bucket,) = [k for k in dev.root.of_type("AWS::S3::Bucket") if "AccessLogBucket" in k]
    assert properties["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_bucket},
        "LogFilePrefix": "portal/",
    }
    assert dev.root.resources[bucket_id]["DeletionPolicy"] == "Delete"


@dev_group
def test_only_cloudfront_reads_the_portal_bucket(dev: Assembly) -> None:
    """Over TLS only; CloudFront (this distribution, through OAC) may only get objects; in dev,
    CDK's auto-delete handler may empty the bucket when the stack is deleted."""
    bucket_id = portal_bucket(dev)
    distribution_id, _ = dev.only("AWS::CloudFront::Distribution")
    (statements,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in dev.root.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    objects = {"Fn::Join": ["", [bucket_arn, "/*"]]}
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [bucket_arn, objects],
    } in statements
    allows = [s for s in statements if s["Effect"] == "Allow"]
    (cloudfront,) = [s for s in allows if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
    assert cloudfront["Action"] == "s3:GetObject"
    assert cloudfront["Resource"] == objects
    source_arn = cloudfront["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]
    assert source_arn[-2:] == [":distribution/", {"Ref": distribution_id}]
    (auto_delete,) = [s for s in allows if s is not cloudfront]
    role = auto_delete["Principal"]["AWS"]["Fn::GetAtt"][0]
    assert role.startswith("CustomS3AutoDeleteObjectsCustomResourceProviderRole")


@dev_group
def test_distribution_serves_the_bucket_over_https_through_oac(dev: Assembly) -> None:
    _, distribution = dev.only("AWS::CloudFront::Distribution")
    config_ = distribution["Properties"]["DistributionConfig"]
    assert config_["DefaultRootObject"] == "index.html"
    assert config_["HttpVersion"] == "http2and3"
    assert config_["PriceClass"] == "PriceClass_100"
    behavior = config_["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    policy_id, _ = dev.only("AWS::CloudFront::ResponseHeadersPolicy")
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    (origin,) = config_["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [portal_bucket(dev), "RegionalDomainName"]}
    oac_id, oac = dev.only("AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"


@dev_group
def test_content_security_policy_is_strict(dev: Assembly) -> None:
    csp = content_security_policy(dev)
    assert csp == expected_csp(dev, STRIPE_JS_URL)
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
    assert f"https://${{{rest_api_id}}}.execute-api." in directives["connect-src"]


@dev_group
def test_other_security_headers(dev: Assembly) -> None:
    headers = headers_config(dev)
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Preload": False,
        "Override": True,
    }


@dev_group
def test_deployment_uploads_the_portal_and_its_config(dev: Assembly) -> None:
    _, deployment = dev.only("Custom::CDKBucketDeployment")
    properties = deployment["Properties"]
    distribution_id, _ = dev.only("AWS::CloudFront::Distribution")
    assert properties["DestinationBucketName"] == {"Ref": portal_bucket(dev)}
    assert properties["DistributionId"] == {"Ref": distribution_id}
    assert properties["DistributionPaths"] == ["/*"]
    assert properties["Prune"] is True
    sources = deployment_sources(dev)
    assert tree_contents(sources["portal"]) == tree_contents(REPO_ROOT / "portal")
    assert (sources["portal"] / "index.html").is_file()
    deployed = page_config(sources["config"])
    assert set(deployed) == {"apiUrl", "stripeJsUrl"}
    assert deployed["stripeJsUrl"] == STRIPE_JS_URL
    marker = deployed["apiUrl"]
    (api_url,) = [m[marker] for m in properties["SourceMarkers"] if marker in m]
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
    stage_id, _ = dev.only("AWS::ApiGateway::Stage")
    assert flatten(api_url) == (
        f'"https://${{{rest_api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}'
        f'/${{{stage_id}}}/"'
    )


@dev_group
def test_portal_sessions_link_to_the_cloudfront_page(dev: Assembly) -> None:
    environment = dev.function("create_portal_session").environment()
    assert environment[config.ENV_PORTAL_URL] == distribution_url(dev)
    dev.root.template.has_output("PortalUrl", {"Value": distribution_url(dev)})


@dev_group
def test_every_resource_answers_cors_preflights_itself(dev: Assembly) -> None:
    """A mock OPTIONS method on the root and on every path resource, with no authorizer."""
    methods = preflights(dev)
    assert len(methods) == len(dev.root.of_type("AWS::ApiGateway::Resource")) + 1
    for method in methods:
        assert method["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in method
        assert method["Integration"]["Type"] == "MOCK"
        (response,) = method["Integration"]["IntegrationResponses"]
        assert response["ResponseParameters"] == {
            "method.response.header.Access-Control-Allow-Headers": (
                f"'{','.join(cors.ALLOW_HEADERS)}'"
            ),
            "method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Methods": (
                f"'{','.join(cors.ALLOW_METHODS)}'"
            ),
            "method.response.header.Access-Control-Max-Age": f"'{cors.MAX_AGE_SECONDS}'",
        }


@dev_group
def test_route_functions_allow_every_origin_by_default(dev: Assembly) -> None:
    """Route handlers echo CORS headers; the authorizer and the workers answer no browser."""
    for function in dev.functions:
        environment = function.environment()
        if function.operation in ROUTE_OPERATIONS:
            assert environment[config.ENV_CORS_ORIGINS] == "*", function.operation
        else:
            assert config.ENV_CORS_ORIGINS not in environment, function.operation


@dev_group
def test_gateway_responses_may_be_read_by_any_page(dev: Assembly) -> None:
    responses = dev.root.of_type("AWS::ApiGateway::GatewayResponse").values()
    assert len(responses) == len(gateway_responses.ALL)
    for response in responses:
        assert response["Properties"]["ResponseParameters"] == {
            f"gatewayresponse.header.{name}": f"'{value}'"
            for name, value in gateway_responses.HEADERS.items()
        }
    assert gateway_responses.HEADERS == {"Access-Control-Allow-Origin": "*"}


# --- one assembly synthesized with -c corsOrigins, -c stripeJsUrl, -c portalUrl -----------------


@context_group
def test_cors_origins_context(custom: Assembly) -> None:
    """The preflight allows the first origin (CDK's template picks any other listed one), and
    every route function gets the list."""
    for method in preflights(custom):
        assert allowed_origin(method) == "'https://app.example.com'"
        (response,) = method["Integration"]["IntegrationResponses"]
        assert "https://admin.example.com" in json.dumps(response["ResponseTemplates"])
    for operation in ROUTE_OPERATIONS:
        environment = custom.function(operation).environment()
        assert environment[config.ENV_CORS_ORIGINS] == CORS_ORIGINS, operation


@context_group
def test_stripe_js_url_context(custom: Assembly) -> None:
    csp = content_security_policy(custom)
    assert csp == expected_csp(custom, LOCAL_STRIPE_JS)
    assert "script-src 'self' http://localhost:8420;" in csp
    assert "js.stripe.com " not in csp.replace("localhost:8420/js.stripe.com", "")
    assert page_config(deployment_sources(custom)["config"])["stripeJsUrl"] == LOCAL_STRIPE_JS


@context_group
def test_portal_url_context(custom: Assembly) -> None:
    """Sessions link to the embedding page; the portal is still deployed to CloudFront."""
    environment = custom.function("create_portal_session").environment()
    assert environment[config.ENV_PORTAL_URL] == EMBEDDING_PAGE
    custom.root.template.has_output("PortalUrl", {"Value": f"https://{PORTAL_DOMAIN}/"})


@context_group
def test_portal_domain_context_serves_its_name_with_tls_1_2(custom: Assembly) -> None:
    _, distribution = custom.only("AWS::CloudFront::Distribution")
    config_ = distribution["Properties"]["DistributionConfig"]
    assert config_["Aliases"] == [PORTAL_DOMAIN]
    assert config_["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


@dev_group
def test_without_a_domain_the_portal_is_the_cloudfront_name(dev: Assembly) -> None:
    _, distribution = dev.only("AWS::CloudFront::Distribution")
    assert "Aliases" not in distribution["Properties"]["DistributionConfig"]
    dev.root.template.has_output("PortalUrl", {"Value": distribution_url(dev)})


@pytest.mark.parametrize("half", ["portalDomain", "portalCertificateArn"])
def test_a_domain_needs_its_certificate_and_the_other_way_round(half: str) -> None:
    value = {"portalDomain": PORTAL_DOMAIN, "portalCertificateArn": CERTIFICATE_ARN}[half]
    with pytest.raises(ValueError, match="together"):
        build_app(context={"stage": "dev", half: value})
