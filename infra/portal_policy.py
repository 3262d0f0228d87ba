"""The portal page's browser security policy: one definition for CloudFront and the local stack.

Pure Python (no CDK import): `local/` serves the portal with the same headers CloudFront adds.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

STRIPE_JS_URL = "https://js.stripe.com/v3/"
"""Stripe.js in production; locally, localstripe's stand-in (`<localstripe>/js.stripe.com/v3/`)."""
STRIPE_API_ORIGIN = "https://api.stripe.com"
STRIPE_FRAME_ORIGINS = (
    "https://js.stripe.com",
    "https://*.js.stripe.com",
    "https://hooks.stripe.com",
)


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL (a CDK token passes through unchanged)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


@dataclass(frozen=True)
class PortalPolicy:
    """Where the portal page may load scripts from, connect to and frame."""

    api_origin: str
    stripe_js_url: str = STRIPE_JS_URL

    @property
    def _stripe_is_real(self) -> bool:
        return origin(self.stripe_js_url) == origin(STRIPE_JS_URL)

    def content_security_policy(self) -> str:
        """Scripts and styles from the portal's own origin and Stripe only; no inline script,
        no eval, no plugins, no forms posting elsewhere, never framed by another site."""
        stripe_js = origin(self.stripe_js_url)
        stripe_api = STRIPE_API_ORIGIN if self._stripe_is_real else stripe_js
        frames = " ".join(STRIPE_FRAME_ORIGINS) if self._stripe_is_real else stripe_js
        directives = {
            "default-src": "'none'",
            "script-src": f"'self' {stripe_js}",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": f"'self' {self.api_origin} {stripe_api}",
            "frame-src": frames,
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-ancestors": "'none'",
            "object-src": "'none'",
        }
        return "; ".join(f"{name} {value}" for name, value in directives.items())

    def headers(self) -> dict[str, str]:
        """Every security header the portal is served with."""
        return {
            "Content-Security-Policy": self.content_security_policy(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        }
