"""What every page does the same way: who acts (the membership the actor switched to), the refused reasons as
messages, and the posted dates and numbers read with a clerk's message instead of an error page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused, AlreadyDone

# Rows a list page shows at once (the inbox's tabs, the desk, the channels' lists, the registers): a county's 400
# cases are 8 pages, never one long scroll; each page is fetched with a fixed number of queries.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Paged:
    """One page of a list and what its links need: the page, the name of its parameter (a page with several lists
    gives each its own), and the page's other parameters, kept when the reader turns this list's page."""

    page: Page[Any]
    param: str
    query: str


def paged(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], param: str = "page") -> Paged:
    others = request.GET.copy()
    others.pop(param, None)
    return Paged(Paginator(items, PAGE_SIZE).get_page(request.GET.get(param)), param, others.urlencode())


def acting(request: HttpRequest, roles: Collection[str]) -> Membership:
    """The actor's membership, refused (403) unless its role is one of ``roles``."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.role not in roles:
        raise PermissionDenied("当前角色无权使用此页面")
    return membership


def refused(request: HttpRequest, exc: ActionRefused) -> None:
    say = messages.info if isinstance(exc, AlreadyDone) else messages.error
    for reason in exc.reasons:
        say(request, reason)


def posted_date(data: QueryDict, name: str, label: str = "日期") -> dt.date:
    try:
        return dt.date.fromisoformat(data.get(name, "") or "")
    except ValueError as exc:
        raise ActionRefused(f"{label}填写有误，请选择日期（如2023年10月16日）") from exc


def posted_int(data: QueryDict, name: str, label: str = "请求参数") -> int:
    try:
        return int(data.get(name, "") or "")
    except ValueError as exc:
        raise ActionRefused(f"{label}无效") from exc
