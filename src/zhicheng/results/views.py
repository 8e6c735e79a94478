"""Pages of the results: the office's and the city HR bureau's (signed in), the public publicity and the public
certificate verification (no sign-in: anyone may check a certificate)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.cases.pages import PAGE_SIZE, acting, posted_date, posted_int
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.models import Candidate, Meeting
from zhicheng.policy.pack import pack_for_year
from zhicheng.results import services
from zhicheng.results.certificates import certificate_pdf
from zhicheng.results.models import Certificate, Objection, ResultEntry, ResultsPublicity
from zhicheng.round import clock
from zhicheng.round.clock import zh_date
from zhicheng.round.year import year_settings

READERS = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})


@login_required
def office(request: HttpRequest) -> HttpResponse:
    actor = acting(request, READERS)
    year = settings.ZHICHENG_YEAR
    publicity = ResultsPublicity.objects.filter(year=year).first()
    meeting = Meeting.objects.filter(year=year).first()
    return render(
        request,
        "results/office.html",
        {
            "year": year,
            "meeting": meeting,
            "publicity": publicity,
            # The proposed list, a page at a time as the publicised one (a year proposes hundreds).
            "recommended": Paginator(
                [(app, way, services.applicant_name(app)) for app, way in services.recommended(year)]
                if publicity is None
                else [],
                PAGE_SIZE,
            ).get_page(request.GET.get("page")),
            "outside_cap": Candidate.objects.filter(year=year, passed_vote=True, within_cap=False).order_by("code"),
            "entries": publicity.entries.order_by("number", "pk") if publicity else [],
            # The publicised list, a page at a time (a year passes hundreds); the objection form names them all.
            "page": Paginator(
                publicity.entries.select_related("application__certificate").order_by("number", "pk")
                if publicity
                else ResultEntry.objects.none(),
                PAGE_SIZE,
            ).get_page(request.GET.get("page")),
            # R27: the names whose vote was voided, and of those the ones whose re-vote has closed.
            "revote": publicity.entries.filter(status=ResultEntry.Status.REVOTE).order_by("number", "pk")
            if publicity
            else [],
            "revoted": [e.pk for e, _ in services.revoted(year)] if publicity else [],
            "objections": Objection.objects.filter(entry__publicity=publicity).select_related("entry")
            if publicity
            else [],
            "min_days": year_settings(year).results_min_workdays,
            "is_office": actor.role == Role.COMMITTEE_CLERK,
            "is_city_hr": actor.role == Role.CITY_HR_OFFICER,
            "today": clock.today(),
            "levels": LEVEL_LABELS,
        },
    )


@login_required
@require_POST
def office_action(request: HttpRequest, what: str) -> HttpResponse:
    actor = acting(request, READERS)
    year = settings.ZHICHENG_YEAR
    post = request.POST
    try:
        if what == "post":
            publicity = services.post_results(actor, year, starts_on=posted_date(post, "starts_on", "公示开始日期"))
            messages.success(request, f"评审结果已公示，{zh_date(publicity.earliest_end)}期满")
        elif what == "objection":
            services.record_objection(
                actor,
                posted_int(post, "entry", "被反映人"),
                content=post.get("content", ""),
                received_on=posted_date(post, "received_on", "收到日期"),
                contact=post.get("contact", ""),
            )
            messages.success(request, "异议已登记")
        elif what == "handle":
            # "yes" is 异议成立，取消 as before; "revote" is 异议成立，重新表决 (R27).
            finding = post.get("upheld", "no")
            services.handle_objection(
                actor,
                posted_int(post, "objection", "异议"),
                upheld=finding in ("yes", "revote"),
                handling=post.get("handling", ""),
                finding=Objection.Finding.REVOTE if finding == "revote" else Objection.Finding.CANCEL,
            )
            messages.success(
                request,
                "异议处理情况已记录；该人员的表决已作废，请在评审会议页安排再次开会重新表决"
                if finding == "revote"
                else "异议处理情况已记录",
            )
        elif what == "revote":
            posted = services.post_revote(actor, year, starts_on=posted_date(post, "starts_on", "补充公示开始日期"))
            messages.success(request, f"重新表决结果已处理，补充公示{posted}人")
        elif what == "confirm":
            issued = services.confirm_results(actor, year, filing_document=post.get("filing_document", ""))
            messages.success(request, f"评审结果已确认备案，发放证书{issued}份")
        else:
            raise Http404
    except ActionRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason)
    return redirect("results_office")


def public(request: HttpRequest, year: int) -> HttpResponse:
    """The results publicity, for anyone: names, employers, specialties and titles — no ID numbers (R21)."""
    publicity = ResultsPublicity.objects.filter(year=year).first()
    if publicity is None or publicity.starts_on > clock.today():
        raise Http404("该年度评审结果尚未公示")
    pack = pack_for_year(year)
    return render(
        request,
        "results/public.html",
        {
            "publicity": publicity,
            # Neither a name taken off nor one waiting for its re-vote (R27); a re-posted one from its own first day.
            # Anyone reads it, and a year names hundreds: a page at a time, numbered on from the page before.
            "entries": Paginator(
                publicity.entries.filter(status__in=[ResultEntry.Status.PUBLICISED, ResultEntry.Status.GRANTED])
                .exclude(posted_on__gt=clock.today())
                .order_by("number", "pk"),
                PAGE_SIZE,
            ).get_page(request.GET.get("page")),
            "committee": pack.param("committee_name").value,
            "min_days": year_settings(year).results_min_workdays,
            "contact": pack.param("committee_office_contact").value,
            "levels": LEVEL_LABELS,
        },
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate PDF, for its holder and for the office and the city HR bureau only: it carries the code."""
    membership: Membership | None = getattr(request, "membership", None)
    cert = get_object_or_404(Certificate, pk=pk)
    holder = (
        membership is not None
        and membership.role == Role.APPLICANT
        and cert.application.applicant_id == request.user.pk
    )
    if not (holder or (membership is not None and membership.role in READERS)):
        raise Http404
    found = services.verify(cert.code)
    base = settings.ZHICHENG_PUBLIC_URL or request.build_absolute_uri("/")
    pdf = certificate_pdf(cert, base_url=base, revoked=bool(found and found["revoked"]))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.number}.pdf"'
    return response


def verify_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Anyone checks a certificate by its code: the holder's name masked, the title, specialty, year, committee."""
    code = code or request.GET.get("code", "").strip()
    found = services.verify(code) if code else None
    return render(request, "results/verify.html", {"code": code, "found": found, "levels": LEVEL_LABELS})
