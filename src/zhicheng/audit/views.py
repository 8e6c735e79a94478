"""The audit administrator's pages: the trail, filtered and paged; its proof; its export. Reading only."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.documents.workbooks import csv_row

PAGE = 50


def _auditor(request: HttpRequest) -> Membership:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.role != Role.AUDIT_ADMIN:
        raise PermissionDenied("只有审计管理员可以查看审计记录")
    return membership


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEntry], dict[str, Any]]:
    entries = AuditEntry.objects.select_related("actor").order_by("-pk")
    kind = request.GET.get("kind", "")
    who = request.GET.get("who", "").strip()[:150]
    since, until = _day(request.GET.get("since")), _day(request.GET.get("until"))
    if kind in AuditEntry.Kind.values:
        entries = entries.filter(kind=kind)
    if who:
        entries = entries.filter(username__icontains=who)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=dt.datetime.combine(since, dt.time.min, zone))
    if until:
        entries = entries.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, zone))
    shown = {"kind": kind, "who": who, "since": since, "until": until}
    return entries, shown


@login_required
@require_http_methods(["GET", "POST"])
def trail_page(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    entries, shown = _filtered(request)
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    proof = None
    if request.method == "POST":  # a proof run walks the whole chain and is itself recorded: asked for, not linked
        checked, breaks = trail.verify()
        proof = {"checked": checked, "breaks": breaks}
        trail.record(
            AuditEntry.Kind.AUDIT,
            "verify",
            user=request.user,
            role=Role.AUDIT_ADMIN,
            summary=f"校验审计记录{checked}条，异常{len(breaks)}处",
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "kinds": AuditEntry.Kind.choices,
            "shown": shown,
            "proof": proof,
            "query": query.urlencode(),
            "retention_days": trail.retention_days(),
        },
    )


EXPORT_HEADERS = ["序号", "时间", "用户名", "角色", "类别", "对象", "说明", "来源地址", "请求编号", "校验值"]


@login_required
def trail_export(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    entries, _ = _filtered(request)
    roles = dict(Role.choices)
    kinds = dict(AuditEntry.Kind.choices)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E8%AE%B0%E5%BD%95.csv"
    response.write("\ufeff")  # Excel opens UTF-8 CSV as such only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADERS)
    count = 0
    for e in entries.order_by("pk").iterator(chunk_size=2000):
        count += 1
        row = [
            e.pk,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.username,
            roles.get(e.role, e.role),
            kinds.get(e.kind, e.kind),
            e.subject,
            e.summary,
            e.client_address,
            e.request_id,
            e.seal,
        ]
        writer.writerow(csv_row(row))
    trail.record(
        AuditEntry.Kind.AUDIT, "export", user=request.user, role=Role.AUDIT_ADMIN, summary=f"导出审计记录{count}条"
    )
    return response
