"""A guard for URLs the server itself will call (AI providers, their health checks, and any
future outbound request such as webhooks).

A target is refused when its host is, or resolves to, an address that is private (RFC 1918,
unique-local), loopback, link-local (which includes the cloud metadata service at
169.254.169.254), carrier-grade NAT, multicast, reserved or unspecified; or when it is a
well-known metadata host name. Two settings open it up:

- ``BATON_OUTBOUND_ALLOW``: comma-separated host names, addresses or CIDR networks that are
  allowed anyway (for example ``ollama,10.0.5.0/24`` for a self-hosted model server);
- ``BATON_ALLOW_PRIVATE_OUTBOUND=true``: allow every private address (a trusted network).

Checked when the URL is saved *and* right before each call made through the check, after DNS
resolution (a name that resolves to several addresses must pass for each of them).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from baton.kit.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class OutboundRefused(ValidationFailed):
    code = "outbound_refused"


def _networks(allow: Iterable[str]) -> tuple[set[str], list[IPNetwork]]:
    hosts: set[str] = set()
    nets: list[IPNetwork] = []
    for item in allow:
        item = item.strip().lower()
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.rstrip("."))
    return hosts, nets


def is_internal(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT)
    )


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(5):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as exc:
        raise OutboundRefused(f"cannot resolve {host!r}") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def check_outbound_url(
    url: str, *, allow: Iterable[str] = (), allow_private: bool = False, field: str = "url"
) -> str:
    """Return ``url`` if the server may call it, else raise ``OutboundRefused`` (422)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(f"{field} must be an http(s) URL")
    if parts.username or parts.password:
        raise OutboundRefused(f"{field} must not carry credentials")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(f"{field} has an invalid port") from exc
    hosts, nets = _networks(allow)
    if host in hosts:
        return url
    if host in METADATA_HOSTS:
        raise OutboundRefused(f"{field} points at a cloud metadata service")
    for address in await _resolve(host, port):
        if any(address in net for net in nets):
            continue
        if is_internal(address) and not allow_private:
            raise OutboundRefused(
                f"{field} resolves to an internal address ({address}); allow it with "
                "BATON_OUTBOUND_ALLOW or BATON_ALLOW_PRIVATE_OUTBOUND"
            )
    return url
