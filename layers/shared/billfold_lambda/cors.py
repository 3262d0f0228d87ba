"""Cross-origin access for browsers (the portal): one policy for the handlers' responses, the
API Gateway preflight (CDK) and the local gateway."""

from aws_lambda_powertools.event_handler.api_gateway import CORSConfig

from billfold import config

ALLOW_HEADERS = ("Authorization", "Content-Type")
ALLOW_METHODS = ("GET", "POST", "PATCH", "DELETE", "OPTIONS")
MAX_AGE_SECONDS = 600


def cors_config() -> CORSConfig:
    """The handlers' CORS headers, for the origins the deployment allows."""
    first, *others = config.cors_origins()
    return CORSConfig(
        allow_origin=first,
        extra_origins=others,
        allow_headers=list(ALLOW_HEADERS),
        max_age=MAX_AGE_SECONDS,
    )


def preflight_headers(origin: str | None) -> dict[str, str]:
    """What a preflight (OPTIONS) answers an allowed `origin`; nothing for another origin."""
    allowed = config.cors_origins()
    if not origin or ("*" not in allowed and origin not in allowed):
        return {}
    return {
        "Access-Control-Allow-Origin": "*" if "*" in allowed else origin,
        "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
        "Access-Control-Allow-Methods": ",".join(ALLOW_METHODS),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
        "Vary": "Origin",
    }
