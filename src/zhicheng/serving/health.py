"""The load balancer's two probes, answered before any other middleware but the request id.

``/healthz`` — the process answers: 200 "ok", touching nothing else, so a slow database never gets a healthy
server restarted. ``/readyz`` — this server can do its work: the database answers a trivial query and the evidence
store takes, returns and removes a small file; 503 with a short reason otherwise, so the balancer sends the
requests elsewhere until it recovers. The reason names the part, never the error's text (a probe is unauthenticated).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from zhicheng.applications.models import private_storage

HEALTH = "/healthz"
READY = "/readyz"
PROBE_BYTES = b"zhicheng readiness probe\n"

log = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"  # a cached "ok" would hide an outage
    return response


def database_problem() -> str | None:
    """Why the database cannot be used, or None."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("readiness: database unreachable: %s", exc)
        return "database unreachable"
    return None


def store_problem() -> str | None:
    """Why the evidence store cannot be used, or None: a file written, read back and removed through the same
    storage the uploads use (so it follows the store wherever it is configured)."""
    storage = private_storage()
    name = f"readyz/{uuid.uuid4().hex}.txt"
    try:
        saved = storage.save(name, ContentFile(PROBE_BYTES))
        try:
            with storage.open(saved, "rb") as handle:
                if handle.read() != PROBE_BYTES:
                    return "file store returned other content"
        finally:
            storage.delete(saved)
    except Exception as exc:  # whatever the storage raises (a disk's OSError, an object store's client error)
        log.warning("readiness: file store not writable: %s", exc)
        return "file store not writable"
    return None


def readiness() -> list[str]:
    """Every reason the server is not ready (empty: ready)."""
    return [p for p in (database_problem(), store_problem()) if p]


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in (HEALTH, READY):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _plain("method not allowed", 405)
            response["Allow"] = "GET, HEAD"
            return response
        if request.path == HEALTH:
            return _plain("ok")
        problems = readiness()
        return _plain("; ".join(problems), 503) if problems else _plain("ready")
