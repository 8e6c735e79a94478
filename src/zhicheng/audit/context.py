"""Where the current request came from, for entries written deep inside a service (which has no request)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from zhicheng.accounts import requestid
from zhicheng.accounts.clients import client_address


@dataclass(frozen=True)
class Origin:
    client_address: str = ""
    request_id: str = ""


NOWHERE = Origin()  # outside a request (the command line, a migration); frozen, so sharing it is safe
current: ContextVar[Origin] = ContextVar("zhicheng_audit_origin", default=NOWHERE)


def origin_of(request: HttpRequest) -> Origin:
    address = client_address(request)
    rid = requestid.current()
    request_id = "" if rid == requestid.NO_REQUEST else rid
    return Origin(client_address=address[:64], request_id=request_id)


class OriginMiddleware:
    """Keeps the request's origin for the entries its services write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
