"""Portal rules without a server: session URLs, CORS answers and the page's CSP."""

import pytest

from billfold_lambda import cors

from billfold import config
from billfold.auth.portal_sessions import portal_url
from infra.portal_policy import STRIPE_JS_URL, PortalPolicy


def test_the_token_travels_in_the_fragment_replacing_any_other() -> None:
    assert portal_url("https://p.example/billing", "bf_pt_x.y") == (
        "https://p.example/billing#token=bf_pt_x.y"
    )
    assert portal_url("https://p.example/#old", "t") == "https://p.example/#token=t"


def test_cors_origins_default_to_any_and_read_a_comma_list() -> None:
    assert config.cors_origins({}) == ("*",)
    env = {config.ENV_CORS_ORIGINS: " https://a.example , https://b.example ,"}
    assert config.cors_origins(env) == ("https://a.example", "https://b.example")
    assert config.cors_origins({config.ENV_CORS_ORIGINS: " , "}) == ("*",)


def test_an_allow_list_echoes_only_its_own_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV_CORS_ORIGINS, "https://app.example")

    assert cors.response_headers("https://app.example") == {
        "Access-Control-Allow-Origin": "https://app.example",
        "Vary": "Origin",
    }
    assert cors.response_headers("https://evil.example") == {}
    assert cors.preflight_headers("https://evil.example") == {}
    assert cors.response_headers(None) == {}


def test_cors_headers_are_added_to_both_header_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_CORS_ORIGINS, raising=False)
    result = {"statusCode": 200, "multiValueHeaders": {"Content-Type": ["application/json"]}}

    answered = cors.with_cors({"headers": {"origin": "https://x.example"}}, result)

    assert answered["headers"]["Access-Control-Allow-Origin"] == "*"
    assert answered["multiValueHeaders"]["Access-Control-Allow-Origin"] == ["*"]
    assert answered["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert cors.with_cors({"headers": {}}, result) == result


def test_the_portal_csp_allows_only_itself_the_api_and_stripe() -> None:
    policy = PortalPolicy("https://api.example").content_security_policy()
    directives = dict(part.split(" ", 1) for part in policy.split("; "))

    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["connect-src"] == "'self' https://api.example https://api.stripe.com"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_local_stripe_js_swaps_every_stripe_origin_for_localstripe() -> None:
    policy = PortalPolicy("http://127.0.0.1:1", "http://127.0.0.1:2/js.stripe.com/v3/")
    directives = dict(part.split(" ", 1) for part in policy.content_security_policy().split("; "))

    assert directives["script-src"] == "'self' http://127.0.0.1:2"
    assert directives["frame-src"] == "http://127.0.0.1:2"
    assert "stripe.com" not in policy.content_security_policy()
    assert PortalPolicy("x").stripe_js_url == STRIPE_JS_URL
