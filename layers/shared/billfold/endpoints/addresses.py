"""Where a webhook may be delivered: https to a public address, never into the deployment's
own network (link-local and metadata, private, loopback, unique-local...).

The URL is checked when an endpoint is saved, and every address its host resolves to is
checked again at each delivery, which then connects to the checked address (so a DNS answer
that changes between check and connect cannot redirect it).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from billfold.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the instance metadata service 169.254.169.254
        "172.16.0.0/12",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible: an IPv4 address (loopback, metadata) inside IPv6
        "64:ff9b::/96",  # NAT64: an IPv4 address (the metadata service's too) inside IPv6
        "64:ff9b:1::/48",
        "2002::/16",  # 6to4: likewise
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)
"""Networks a webhook never reaches (besides any address Python does not call global)."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: scheme, host name (for TLS and the Host header), port, path."""

    scheme: str
    host: str
    port: int
    path: str


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_allowed(address: Address, allow_loopback: bool) -> bool:
    """Whether a delivery may connect to `address`."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if allow_loopback and address.is_loopback:
        return True
    if any(address in network for network in REFUSED_NETWORKS):
        return False
    return address.is_global


def target_of(url: str, allow_loopback: bool) -> Target:
    """The URL as a delivery target, or InvalidInput on `url`: https (http only to loopback
    when `allow_loopback`), a host, no credentials, and no literal address it may not reach."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host.encode("idna")  # every label 1 to 63 characters, or a bracketed address
    except (ValueError, UnicodeError) as error:
        raise InvalidInput("the url is not a valid URL", field="url") from error
    if not host or parts.username or parts.password:
        raise InvalidInput("the url needs a host and no user or password", field="url")
    literal = _literal(host)
    loopback = host == "localhost" or (literal is not None and literal.is_loopback)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_loopback and loopback):
        raise InvalidInput("webhook urls must use https", field="url")
    if literal is not None and not is_allowed(literal, allow_loopback):
        raise InvalidInput(f"webhooks cannot be sent to {host}", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise InvalidInput("the url's port is not valid", field="url") from error
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path)


class AddressRefused(Exception):
    """The host resolved to an address a webhook may not reach (or to none)."""


def resolve(target: Target, allow_loopback: bool) -> Address:
    """The address to connect to: the host's first address, once every address it resolves to
    has been checked (one refused address refuses the delivery)."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise AddressRefused(f"{target.host} does not resolve") from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    if not addresses:
        raise AddressRefused(f"{target.host} does not resolve")
    for address in addresses:
        if not is_allowed(address, allow_loopback):
            raise AddressRefused(f"{target.host} resolves to {address}, which is not allowed")
    return addresses[0]
