"""Pages of the person's records: the integrity register (8.2) and past years' outcomes with their import (7.2),
for the committee office and the city HR bureau."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.cases.pages import PAGE_SIZE, acting, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.documents.workbooks import ImportProblem
from zhicheng.records import integrity
from zhicheng.records.forms import IntegrityForm
from zhicheng.records.models import EvaluationOutcome
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
    records = Paginator(EvaluationOutcome.objects.order_by("-year", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "records/outcomes.html",
        {
            "records": records,
            "page": records,
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


def _register(request: HttpRequest, actor: Membership, form: IntegrityForm, status: int = 200) -> HttpResponse:
    records = Paginator(integrity.visible_records(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    integrity.log_view(actor, "诚信档案")
    return render(
        request,
        "records/integrity.html",
        {"records": records, "page": records, "form": form, "can_record": actor.role == Role.COMMITTEE_CLERK},
        status=status,
    )


@login_required
def integrity_register(request: HttpRequest) -> HttpResponse:
    return _register(request, acting(request, READERS), IntegrityForm())


@login_required
@require_POST
def integrity_record(request: HttpRequest) -> HttpResponse:
    """A finding, checked field by field: a bad field re-shows the form with every entry kept (finding 3), and the
    same finding posted twice is recorded once (finding 8)."""
    actor = acting(request, frozenset({Role.COMMITTEE_CLERK}))
    form = IntegrityForm(request.POST)
    if not form.is_valid():
        return _register(request, actor, form, status=400)
    data = form.cleaned_data
    try:
        integrity.record_finding(
            actor,
            id_number=data["id_number"],
            name=data["name"].strip(),
            kind=data["kind"],
            found_on=data["found_on"],
            ban_years=data["ban_years"],
            cancelled_year=data["cancelled_year"],
            title_revoked=data["title_revoked"],
            document=data["document"],
            note=data["note"],
        )
    except integrity.AlreadyRecorded as exc:
        messages.info(request, exc.reasons[0])
    except ActionRefused as exc:
        for reason in exc.reasons:
            form.add_error(None, reason)
        return _register(request, actor, form, status=400)
    else:
        messages.success(request, "已记入诚信档案")
    return redirect("integrity")
