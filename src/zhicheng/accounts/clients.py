"""The client's address: the one the sign-in lockout and the records of sign-in are keyed on.

Behind a reverse proxy every request comes from the proxy's address (REMOTE_ADDR), so a lockout keyed on it locks
everyone out of a named account at once (issue 10, finding 6). The client's own address is then read from the
header the proxy sets — but only when the request really came from one of the configured proxies: a header sent by
anyone else is the sender's own words and could name any address, so it is ignored.

django-ipware (axes' default) is not used: it reads the forwarded header whatever address the request came from,
and validates only the proxies named inside the header itself.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the person's machine, as far as the configured proxies vouch for it.

    With ZHICHENG_TRUSTED_PROXY_HEADER (e.g. HTTP_X_FORWARDED_FOR) and ZHICHENG_TRUSTED_PROXIES (addresses or
    networks of the proxies): walk the header from the right — each proxy appends the address it was reached from —
    past the trusted proxies; the first address that is not one of them is the client."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    header = getattr(settings, "ZHICHENG_TRUSTED_PROXY_HEADER", "")
    proxies = _networks(tuple(getattr(settings, "ZHICHENG_TRUSTED_PROXIES", ())))
    if not header or not proxies:
        return remote

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in proxies)

    if not trusted(_parsed(remote)):
        return remote
    hops = [hop for hop in str(request.META.get(header, "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parsed(hop)
        if address is None:
            break  # a malformed hop: nothing left of it can be vouched for
        if not trusted(address):
            return str(address)
    return remote


def client_username(request: HttpRequest, credentials: dict[str, str] | None = None) -> str:
    """The user name the sign-in pause is keyed on, cut to the longest a user name can be: a pasted page of text as
    the user name is a failed sign-in like any other, not a 500 from a column that holds 255 characters
    (PostgreSQL enforces it; issue 11's walk of every form with over-long values found it)."""
    from django.contrib.auth import get_user_model  # at call time: settings import this module's neighbours

    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    limit = get_user_model()._meta.get_field("username").max_length or 150
    return str(typed)[:limit]
