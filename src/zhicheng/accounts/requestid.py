"""A request id on every log line: set per request by a middleware, read by a logging filter, returned to the client.

With DEBUG off a server error is otherwise only a 500 page; the id on the page's response header (X-Request-ID)
finds the traceback in the log. An id given by the reverse proxy is kept, so one id follows a request through both.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
NO_REQUEST = "-"
# Only a plain token is taken from outside: an id is written into every log line, so a newline or a long text
# from a client must not forge or flood log lines.
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current() -> str:
    """The id of the request being served ("-" outside a request: commands, start-up)."""
    return request_id.get()


class RequestIdMiddleware:
    """Sets the request's id for the whole of its handling (first in MIDDLEWARE, so errors logged by Django's
    handler of any later middleware or view carry it) and returns it as the X-Request-ID header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        rid = given if ACCEPTED.match(given) else uuid.uuid4().hex
        # Kept until the response is finished (below), not only while the middleware runs: Django logs a 4xx
        # response ("Bad Request: …") after the middleware chain has returned.
        request_id.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


def _forget(**kwargs: object) -> None:
    request_id.set(NO_REQUEST)


request_finished.connect(_forget, dispatch_uid="zhicheng.requestid.forget")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record a handler writes (a handler's filter, so that records propagated from
    any logger carry it). The first handler stamps it while the request is served; a record written again later
    keeps its own id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True


class LineFormatter(logging.Formatter):
    """Every line of a record — a traceback's too — starts with the time and the request id, so that grepping the
    log for an id finds the whole traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if "\n" not in text:
            return text
        head = f"{self.formatTime(record)} [{getattr(record, 'request_id', NO_REQUEST)}] | "
        first, *rest = text.split("\n")
        return "\n".join([first, *(head + line for line in rest)])
