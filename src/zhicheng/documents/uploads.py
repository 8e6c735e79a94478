"""Uploads the request parser cannot read, answered on the page the upload came from.

Django reads at most 1,024 bytes of one part's headers (django.http.multipartparser.MAX_TOTAL_HEADER_SIZE); a file
name of 400 Chinese characters (1,200 bytes in UTF-8) exceeds it, and the request was a bare "Bad Request (400)"
page (issue 10, finding 8). This middleware reads the form first and, when it cannot be read, sends the person back
to their page with the reason in Chinese. Nothing is done with such a request, so no CSRF check is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.utils.http import url_has_allowed_host_and_scheme

log = logging.getLogger("zhicheng.uploads")

UPLOAD_NAME_MAX = 200  # characters of a file's name that fit Django's header limit even in Chinese (3 bytes each)
UNREADABLE = (
    f"上传失败：文件名过长或上传内容无法读取。请把文件改为较短的名字（不超过{UPLOAD_NAME_MAX}个字）后重新上传。"
)


class UploadGuardMiddleware:
    """After the session and messages middleware: a multipart form that cannot be parsed goes back to its page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018  (parsed here, before the CSRF check and the view read it)
            except MultiPartParserError as exc:
                log.warning("unreadable upload: %s", exc)
                messages.error(request, UNREADABLE)
                return HttpResponseRedirect(_back(request))
        return self.get_response(request)


def _back(request: HttpRequest) -> str:
    """The page the form was on (same site only), else the dashboard."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"
