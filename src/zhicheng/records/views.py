"""Pages of the person's records: the integrity register (8.2) and past years' outcomes with their import (7.2),
for the committee office and the city HR bureau."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.roles import Role
from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.cases.pages import acting, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.documents.workbooks import ImportProblem
from zhicheng.records import integrity
from zhicheng.records.models import EvaluationOutcome, IntegrityRecord
from zhicheng.records.outcomes import import_outcomes, import_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE = frozenset({Role.COMMITTEE_CLERK})
READERS = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    """Past years' outcomes (7.2): the platform's own and those the office imported, with the import form."""
    actor = acting(request, READERS)
    report = None
    if request.method == "POST":
        if actor.role != Role.COMMITTEE_CLERK:
            raise PermissionDenied("只有评委会办公室可以导入")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的工作簿")
        else:
            try:
                report = import_outcomes(actor, upload.read(), current_year=settings.ZHICHENG_YEAR)
            except ImportProblem as exc:
                messages.error(request, str(exc))
            except ActionRefused as exc:
                refused(request, exc)
            else:
                if report.problems:
                    messages.error(request, f"有{len(report.problems)}处问题，未导入任何记录；请改正后重新导入")
                else:
                    messages.success(request, f"已导入{report.written}条记录")
    records = EvaluationOutcome.objects.order_by("-year", "name")
    return render(
        request,
        "records/outcomes.html",
        {
            "records": records,
            "report": report,
            "can_import": actor.role == Role.COMMITTEE_CLERK,
            "levels": LEVEL_LABELS,
        },
    )


@login_required
def outcomes_template(request: HttpRequest) -> HttpResponse:
    acting(request, OFFICE)
    response = HttpResponse(import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="outcomes-template.xlsx"'
    return response


@login_required
def integrity_register(request: HttpRequest) -> HttpResponse:
    actor = acting(request, READERS)
    records = integrity.visible_records(actor)
    integrity.log_view(actor, "诚信档案")
    return render(
        request,
        "records/integrity.html",
        {"records": records, "kinds": IntegrityRecord.Kind.choices, "can_record": actor.role == Role.COMMITTEE_CLERK},
    )


@login_required
@require_POST
def integrity_record(request: HttpRequest) -> HttpResponse:
    actor = acting(request, frozenset({Role.COMMITTEE_CLERK}))
    post = request.POST
    try:
        try:
            found_on = dt.date.fromisoformat(post.get("found_on", ""))
            ban_years = int(post.get("ban_years", "0"))
            cancelled = int(post["cancelled_year"]) if post.get("cancelled_year") else None
        except ValueError as exc:
            raise ActionRefused("日期或年限填写有误") from exc
        integrity.record_finding(
            actor,
            id_number=post.get("id_number", "").strip(),
            name=post.get("name", "").strip(),
            kind=post.get("kind", ""),
            found_on=found_on,
            ban_years=ban_years,
            cancelled_year=cancelled,
            title_revoked=post.get("title_revoked") == "on",
            document=post.get("document", ""),
            note=post.get("note", ""),
        )
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, "已记入诚信档案")
    return redirect("integrity")
