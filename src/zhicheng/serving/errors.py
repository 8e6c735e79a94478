"""The page a person sees when the server fails: in Chinese, without the error's text, and — when the failure is the
database's (an outage, a restart, a failover) — a 503 that says to try again shortly, since it passes by itself.

Django calls ``server_error`` for any exception a view or a middleware let through (DEBUG off), inside the except
block, so the exception is still at hand. Neither page touches the database or the session: they must render when
neither answers.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

# How long a browser or a client is told to wait before trying again: a PostgreSQL restart or a failover to the
# replica takes seconds to a minute (docs/deployment.md).
RETRY_AFTER_SECONDS = 30


def database_down() -> bool:
    """Whether the exception being handled is the database's being out of reach: a refused or lost connection, a
    server shutting down, a deadlock (an IntegrityError or a bad query is a fault of ours: the 500)."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_down():
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = HttpResponseServerError(loader.get_template("500.html").render())
    response["Cache-Control"] = "no-store"
    return response
