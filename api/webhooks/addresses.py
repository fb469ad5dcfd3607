"""Where Broadsheet may send requests: the guard against server-side request forgery.

Webhook URLs (and feed URLs polled by the worker) come from outside, so a URL could aim the
server at itself, the private network or a cloud metadata service. A target is refused when any
address its host resolves to is not globally routable: loopback, private (RFC 1918, unique
local), link-local (169.254.0.0/16, where cloud metadata lives, and fe80::/10), shared
(100.64.0.0/10), multicast, reserved or unspecified, including those hidden inside IPv6
(IPv4-mapped, 6to4, NAT64). The check runs at registration and again before every request, and
the request then connects to the address that was checked (a DNS answer can change between
the two: "DNS rebinding"). Only https is allowed.

`allow_private` (BROADSHEET_ALLOW_PRIVATE_TARGETS) lifts both rules, for tests and on-premises
receivers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class ForbiddenTarget(ValueError):
    """A URL Broadsheet will not send requests to; the message says why (safe to show)."""


@dataclass(frozen=True)
class Target:
    """A URL whose host resolved to `address`, which passed the guard: connect there."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str  # path and query, at least "/"

    @property
    def pinned_url(self) -> str:
        """The URL with the host replaced by the checked address (Host and SNI name the host)."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def is_forbidden_address(address: IPAddress) -> bool:
    """Not a public unicast address (see the module docstring)."""
    if address.is_multicast or not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return is_forbidden_address(embedded)
    return False


def parse_target_url(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL we may send to, or ForbiddenTarget."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ForbiddenTarget("This is not a valid URL.") from None
    scheme = parts.scheme.lower()
    allowed = {"https", "http"} if allow_private else {"https"}
    if scheme not in allowed:
        raise ForbiddenTarget("Must be an https:// URL.")
    if not parts.hostname:
        raise ForbiddenTarget("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise ForbiddenTarget("Credentials in the URL are not allowed.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (IP literals resolve to themselves)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise ForbiddenTarget(f"The host {host!r} does not resolve.") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ForbiddenTarget(f"The host {host!r} does not resolve.")
    return addresses


async def checked_target(url: str, *, allow_private: bool) -> Target:
    """Resolve `url`'s host and check every address; the first one to connect to."""
    scheme, host, port, path = parse_target_url(url, allow_private=allow_private)
    addresses = await resolve(host, port)
    if not allow_private:
        forbidden = [address for address in addresses if is_forbidden_address(address)]
        if forbidden:
            raise ForbiddenTarget(
                f"The host {host!r} resolves to a loopback, private, link-local or otherwise "
                f"non-public address ({forbidden[0]}); such targets are refused."
            )
    return Target(scheme, host, port, addresses[0], path)
