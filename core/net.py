"""The client's address as the trusted reverse proxy reports it.

Behind a proxy every request comes from the proxy's address, so rate limits keyed on
``REMOTE_ADDR`` would put all users into one bucket. ``X-Forwarded-For`` is believed only
when the direct peer is a configured proxy (``KSQM_TRUSTED_PROXIES``); otherwise anyone
could choose their own bucket by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client, walking ``X-Forwarded-For`` back through trusted proxies.

    Each proxy appends the address it received the request from, so the list is read from
    the right: the first entry that is not one of our proxies is the client. A malformed
    entry stops the walk (it was written by someone we do not trust).
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "KSQM_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        if _parse(hop) is None:
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client
