"""Pages of the channels and the committee office (thin, over intake.services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications import inbox
from zhicheng.applications.models import Entrustment
from zhicheng.applications.permissions import visible_applications
from zhicheng.cases.kinds import case_kind, decided_without_defence
from zhicheng.cases.models import Application, State
from zhicheng.cases.pages import PAGE_SIZE, acting, paged, posted_date, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.cases.workflow import CHANNELS
from zhicheng.documents.workbooks import ImportProblem
from zhicheng.intake import services as intake
from zhicheng.intake.models import BatchEntry, IntakeCheck, RecognitionDecision, SubmissionBatch
from zhicheng.intake.spreadsheets import (
    batches_workbook,
    check_applicant_list,
    list_workbook,
    summary_pdf,
    summary_workbook,
)
from zhicheng.round import milestones
from zhicheng.round.window import window_state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def channel(request: HttpRequest) -> HttpResponse:
    actor = acting(request, CHANNELS)
    year = settings.ZHICHENG_YEAR
    # A county or a department sends one batch a year; the city HR bureau one per entrustment letter (7.1), which can
    # run to hundreds: the batches are a list of their own, and one batch's cases are shown at a time.
    batches = (
        SubmissionBatch.objects.filter(channel=actor.organisation, year=year)
        .select_related("entrustment")
        .annotate(size=Count("applications"))
        .order_by("-pk")
    )
    batch_list = paged(request, batches, "batches")
    chosen = request.GET.get("batch", "")
    # Another channel's batch, or none named: the newest of the actor's own.
    shown = (batches.filter(pk=int(chosen)).first() if chosen.isdigit() else None) or batches.first()
    ready = intake.channel_applications(actor, year)
    by_letter = actor.role == Role.CITY_HR_OFFICER
    return render(
        request,
        "intake/channel.html",
        {
            "year": year,
            "window": window_state(year),
            "ready": ready,
            # The whole list is submitted at once (6.1.3); the page shows it a page at a time.
            "ready_page": Paginator(ready, PAGE_SIZE).get_page(request.GET.get("page")),
            "batch_list": batch_list,
            "shown": shown,
            "shown_cases": paged(
                request, shown.applications.select_related("applicant", "employer").order_by("pk"), "cases"
            )
            if shown is not None
            else None,
            # One batch a year for a county or a department (6.1.3); one per entrustment letter for the bureau (7.1).
            "can_submit": bool(ready) and (by_letter or not batch_list.page.paginator.count),
            "letters": list(Entrustment.objects.filter(applications__in=ready).distinct().order_by("pk"))
            if by_letter
            else [],
        },
    )


@login_required
@require_POST
def channel_submit(request: HttpRequest) -> HttpResponse:
    actor = acting(request, CHANNELS)
    letter = request.POST.get("entrustment")
    try:
        batch = intake.submit_batch(
            actor, settings.ZHICHENG_YEAR, entrustment_id=int(letter) if letter and letter.isdigit() else None
        )
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, f"已统一报送评委会：{batch.applications.count()}份")
    return redirect("channel")


@login_required
@require_POST
def channel_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting(request, CHANNELS)
    try:
        intake.resubmit_to_office(actor, pk)
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, "已重新报送")
    return redirect("channel")


def _channel_cases(actor: Membership) -> tuple[str, list[Application]]:
    year = settings.ZHICHENG_YEAR
    submitted = Application.objects.filter(
        batch_entry__batch__channel=actor.organisation, batch_entry__batch__year=year
    ).order_by("pk")
    apps = list(submitted) or intake.channel_applications(actor, year)
    return f"{year}年度工程系列中、初级职称评审申报人员汇总表（{actor.organisation}）", apps


def _by_batch(actor: Membership, apps: list[Application]) -> list[tuple[str, list[Application]]]:
    """The channel's cases by the batch that sent them, in the order sent, each named as the office files it."""
    entries = BatchEntry.objects.filter(
        batch__channel=actor.organisation, batch__year=settings.ZHICHENG_YEAR
    ).select_related("batch")
    batch_of = {e.application_id: e.batch for e in entries}
    groups: dict[SubmissionBatch, list[Application]] = {}
    for app in apps:
        if (batch := batch_of.get(app.pk)) is not None:
            groups.setdefault(batch, []).append(app)
    named = []
    for n, batch in enumerate(sorted(groups, key=lambda b: (b.submitted_at, b.pk)), start=1):
        sent = timezone.localtime(batch.submitted_at)
        named.append((f"第{n}批（{sent.year}年{sent.month}月{sent.day}日报送）", groups[batch]))
    return named


@login_required
def channel_summary(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = acting(request, CHANNELS)
    title, apps = _channel_cases(actor)
    if fmt == "pdf":
        response = HttpResponse(summary_pdf(title, apps), content_type="application/pdf")
    elif len(batches := _by_batch(actor, apps)) > 1:
        response = HttpResponse(batches_workbook(title, batches), content_type=XLSX)
    else:
        response = HttpResponse(summary_workbook(title, apps), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="summary-{settings.ZHICHENG_YEAR}.{fmt}"'
    return response


@login_required
@require_POST
def channel_check(request: HttpRequest) -> HttpResponse:
    """Check the channel's own applicant list (a workbook) against the platform, row by row."""
    actor = acting(request, CHANNELS)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要核对的工作簿")
        return redirect("channel")
    _, apps = _channel_cases(actor)
    try:
        report = check_applicant_list(upload.read(), apps)
    except ImportProblem as exc:
        messages.error(request, str(exc))
        return redirect("channel")
    return render(request, "intake/check_report.html", {"report": report})


OFFICE = frozenset({Role.COMMITTEE_CLERK})


@login_required
def office(request: HttpRequest) -> HttpResponse:
    """The office's desk: the batches received, and the cases in them, searched and filtered as in the inbox."""
    acting(request, OFFICE)
    year = settings.ZHICHENG_YEAR
    data = request.POST if request.method == "POST" else request.GET
    filters = inbox.Filters.from_query(data)
    # As in the inbox: the search posts, and the list's address never carries an ID number in clear.
    if request.method == "POST" or ("q" in request.GET and filters.id_digest):
        query = filters.query_string()
        return redirect(f"{reverse('office')}{'?' + query if query else ''}")
    batches = (
        SubmissionBatch.objects.filter(year=year)
        .select_related("channel")
        .annotate(size=Count("entries"))
        .order_by("submitted_at")
    )
    apps = inbox.search(Application.objects.filter(batch_entry__batch__year=year), filters).select_related(
        "applicant", "employer", "batch_entry__batch__channel"
    )
    query = filters.query_string()
    page = Paginator(apps.order_by("batch_entry__batch", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/office.html",
        {
            "year": year,
            "window": window_state(year),
            "batches": batches,
            "applications": page,
            "page": page,
            "filters": filters,
            "query": query,
        }
        | inbox.filter_choices(year),
    )


@login_required
def office_batch_summary(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    acting(request, OFFICE)
    batch = get_object_or_404(SubmissionBatch, pk=pk)
    title = f"{batch.year}年度工程系列中、初级职称评审申报人员汇总表（{batch.channel}）"
    if fmt == "pdf":
        response = HttpResponse(summary_pdf(title, batch.applications.all()), content_type="application/pdf")
    else:
        response = HttpResponse(summary_workbook(title, batch.applications.all()), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.{fmt}"'
    return response


@login_required
def office_export(request: HttpRequest) -> HttpResponse:
    """Any list the office sees, filtered by county, specialty, level, path or state, as a workbook."""
    actor = acting(request, OFFICE | {Role.CITY_HR_OFFICER})
    apps = visible_applications(actor).select_related("applicant", "employer", "area", "batch_entry__batch__channel")
    filters = {
        "area__name": request.GET.get("area"),
        "specialty_name": request.GET.get("specialty"),
        "level": request.GET.get("level"),
        "path": request.GET.get("path"),
        "state": request.GET.get("state"),
    }
    apps = apps.filter(**{k: v for k, v in filters.items() if v}).order_by("pk")
    response = HttpResponse(list_workbook(f"{settings.ZHICHENG_YEAR}年度申报列表", apps), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="applications.xlsx"'
    return response


@login_required
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting(request, OFFICE)
    app = get_object_or_404(visible_applications(actor).select_related("applicant", "employer"), pk=pk)
    check = IntakeCheck.objects.filter(application=app).first()
    recognition = RecognitionDecision.objects.filter(application=app).first()
    return render(
        request,
        "intake/desk.html",
        {
            "application": app,
            "case_kind": case_kind(app),
            "recognition": recognition,
            "recognition_open": recognition is None and app.state == State.ACCEPTED and decided_without_defence(app),
            "checks": intake.desk_checks(app),
            "originals": intake.required_originals(app),
            "seen": set(check.originals_seen) if check else set(),
            "check": check,
            "window": window_state(app.year),
            "deferrable": intake.defer_refusal(app) is None,
            "vote_begun": milestones.reached(app.year, milestones.MEETING_OPENED),
        },
    )


@login_required
@require_POST
def desk_action(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    actor = acting(request, OFFICE)
    try:
        if what == "check":
            intake.record_check(
                actor, pk, originals=request.POST.getlist("original"), notes=request.POST.get("notes", "")
            )
            messages.success(request, "核验情况已保存")
        elif what == "accept":
            intake.accept(actor, pk)
            messages.success(request, "已受理")
        elif what == "return":
            intake.office_return(actor, pk, reason=request.POST.get("reason", ""))
            messages.success(request, "已退回报送单位")
        elif what == "defer":
            intake.defer(actor, pk, reason=request.POST.get("reason", ""))
            messages.success(request, "已移出本年度评审，理由已告知申报人")
        elif what == "recognition":
            intake.record_recognition(
                actor,
                pk,
                recognised=request.POST.get("recognised") == "yes",
                reasons=request.POST.get("reasons", ""),
                decided_on=posted_date(request.POST, "decided_on", "评委会审核日期"),
            )
            messages.success(request, "认定结论已录入")
        else:
            raise PermissionDenied
    except ActionRefused as exc:
        refused(request, exc)
    return redirect("desk", pk=pk)
