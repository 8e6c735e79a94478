"""Pages: thin views over the services; every query goes through the permission module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import inbox, services
from zhicheng.applications.factsforms import SECTION_BY_KEY, SECTIONS, SectionForms
from zhicheng.applications.models import Evidence, EvidenceKind, Publicity
from zhicheng.applications.permissions import (
    ID_NUMBER_ROLES,
    acts_for_current_step,
    acts_for_employer,
    visible_applications,
)
from zhicheng.applications.routes import ROUTES
from zhicheng.applications.services import PANEL_KINDS
from zhicheng.cases.kinds import case_kind
from zhicheng.cases.labels import (
    LEVEL_LABELS,
    OUTCOME_LABELS,
    SECTION_HELP,
    STATUS_LABELS,
    VALUE_LABELS,
    achievement_items,
    clause_name,
    fact_label,
    in_chinese,
    problem_in_words,
)
from zhicheng.cases.models import Application, DecisionSnapshot, State
from zhicheng.cases.pages import PAGE_SIZE, acting, posted_date, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.cases.workflow import REVIEWERS
from zhicheng.policy.facts import FactsError
from zhicheng.policy.pack import pack_for_year
from zhicheng.policy.paths import PATHS
from zhicheng.records.facts import self_check as check_profile
from zhicheng.records.models import Profile
from zhicheng.round import clock
from zhicheng.round.year import current_pack


def _actor(request: HttpRequest) -> Membership:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied("当前账号没有任何角色")
    return membership


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The to-do inbox: 待我办理 first, then 经办过的 and 全部, searched and filtered, a page at a time; above it
    the role's tasks (applications.inbox)."""
    actor = _actor(request)
    if actor.role == Role.AUDIT_ADMIN:
        return redirect("audit")  # the audit administrator's work is the trail, and only the trail
    context: dict[str, Any] = {"tasks": inbox.tasks(actor, clock.today()), "case_list": True}
    if actor.role == Role.APPLICANT:
        context["profile"] = Profile.objects.filter(user=_user(request)).first()
    if actor.role in inbox.NO_CASE_LIST:
        # An expert sees candidates by code only, in its evaluation tasks; no list of cases is theirs to read.
        context["case_list"] = False
        return render(request, "applications/dashboard.html", context)
    data = request.POST if request.method == "POST" else request.GET
    tab = data.get("tab") or "mine"
    if tab not in dict(inbox.TABS):
        tab = "mine"
    filters = inbox.Filters.from_query(data)
    # The search box posts, and a query naming an ID number in clear is answered with its address without it: the
    # result pages' addresses carry the digest and the masked number only (inbox.Filters).
    if request.method == "POST" or ("q" in request.GET and filters.id_digest):
        query = filters.query_string()
        return redirect(f"{reverse('dashboard')}?tab={tab}{'&' + query if query else ''}")
    counts = {key: inbox.search(inbox.tab_queryset(actor, key), filters).count() for key, _ in inbox.TABS}
    page = Paginator(inbox.listed(inbox.search(inbox.tab_queryset(actor, tab), filters)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context |= {
        "tabs": [(key, name, counts[key]) for key, name in inbox.TABS],
        "tab": tab,
        "filters": filters,
        "query": filters.query_string(),
        "page": page,
        "batch_approve": tab == "mine" and actor.role in REVIEWERS,
    } | inbox.filter_choices(settings.ZHICHENG_YEAR)
    return render(request, "applications/dashboard.html", context)


@login_required
@require_POST
def batch_approve(request: HttpRequest) -> HttpResponse:
    """批量审核通过: each selected case goes through services.perform on its own, checked and recorded one by one;
    a case refused is named with its reason while the others go through."""
    actor = _actor(request)
    if actor.role not in REVIEWERS:
        messages.error(request, "只有审核单位的审核人可以批量审核通过")
        return redirect("dashboard")
    ids = sorted({int(v) for v in request.POST.getlist("application") if v.isascii() and v.isdigit() and len(v) <= 9})
    if not ids:
        messages.error(request, "请先勾选要审核通过的申报")
        return redirect(_back_to_inbox(request))
    names = {
        a.pk: f"{a.applicant}（申报#{a.pk}）"
        for a in visible_applications(actor).filter(pk__in=ids).select_related("applicant")
    }
    done: list[str] = []
    for pk in ids:
        try:
            services.perform(actor, pk, "approve", reason=request.POST.get("reason", ""))
        except ActionRefused as exc:
            messages.error(request, f"{names.get(pk, f'申报#{pk}')}未通过审核：{'；'.join(exc.reasons)}")
        else:
            done.append(names[pk])
    if done:
        messages.success(request, f"已审核通过{len(done)}份：{'、'.join(done)}")
    return redirect(_back_to_inbox(request))


def _back_to_inbox(request: HttpRequest) -> str:
    """Back to the list the clerk worked from (only a query string of our own inbox, never another address)."""
    query = inbox.Filters.from_query(request.POST).query_string()
    return f"{reverse('dashboard')}?tab=mine{'&' + query if query else ''}"


# ── the applicant's profile ──────────────────────────────────────────────────────────────────────────────


def _applicant(request: HttpRequest) -> Membership:
    actor = _actor(request)
    if actor.role != Role.APPLICANT:
        raise PermissionDenied("只有申报人可以填写申报人信息")
    return actor


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    _applicant(request)
    # An applicant who has saved nothing yet has no profile row: the page shows an empty one (GET writes nothing).
    prof = Profile.objects.filter(user=_user(request)).first() or Profile(user=_user(request))
    return render(
        request,
        "applications/profile.html",
        {
            "profile": prof,
            "sections": [
                (
                    s,
                    any(prof.facts.get(n) is not None for n in s.fields)
                    if s.shape == "fields"
                    else prof.facts.get(s.key) is not None,
                )
                for s in SECTIONS
            ],
            "evidence": prof.evidence.order_by("-uploaded_at") if prof.pk else [],
            "locked": services.profile_locked(_user(request)),
            "fact_choices": _fact_choices(prof.facts),
            "evidence_kinds": EvidenceKind.choices,
        },
    )


@login_required
def profile_section(request: HttpRequest, key: str) -> HttpResponse:
    _applicant(request)
    section = SECTION_BY_KEY.get(key)
    if section is None:
        raise Http404
    prof = Profile.objects.filter(user=_user(request)).first() or Profile(user=_user(request))
    facts = dict(prof.facts)
    locked = services.profile_locked(_user(request))
    if request.method == "POST" and locked:
        messages.error(request, services.PROFILE_LOCKED)
        return redirect("profile_section", key=key)
    if request.method == "POST":
        forms = SectionForms(section, facts, request.POST)
        if forms.is_valid():
            try:
                data = forms.merged_into(facts)
                if prof.id_number_cipher and key != "identity":
                    data.setdefault("identity", {}).pop("id_number", None)
                services.save_profile(_user(request), _with_id(prof, data, key))
            except FactsError as exc:
                for path, reason in exc.problems:
                    forms.add_error(path, in_chinese(reason))
                messages.error(request, "信息有误，未保存，请按提示修改")
            else:
                messages.success(request, f"「{section.title}」已保存")
                return redirect("profile")
        else:
            messages.error(request, "信息有误，未保存，请按提示修改")
    else:
        forms = SectionForms(section, facts)
    context: dict[str, Any] = {
        "section": section,
        "forms": forms,
        "section_help": SECTION_HELP.get(key, ""),
        "locked": locked,
    }
    if key == "achievements":
        # The notice's own text of every item, under the form: the applicant chooses from the list it names.
        pack = current_pack()
        items = achievement_items(pack)
        roles = pack.achievements.roles
        context |= {
            "notice_items": items,
            "first_ae": next((i for i, _, _ in items if i.startswith("3.5.2.")), ""),
            "roles": [*roles.host.names, *roles.backbone.names],
        }
    return render(request, "applications/profile_section.html", context)


def _with_id(prof: Profile, data: dict[str, Any], key: str) -> dict[str, Any]:
    """Identity form: a blank ID number keeps the one on record (it is never sent back to the browser)."""
    if key == "identity" and not (data.get("identity") or {}).get("id_number") and prof.id_number_cipher:
        data = dict(data)
        identity = dict(data.get("identity") or {})
        identity.pop("birth_date", None)
        identity.pop("sex", None)
        data["identity"] = identity
    return data


def _fact_choices(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """The records a file can prove, named as the clerk knows them."""
    out = []
    for key in (
        "education",
        "titles",
        "skill_grades",
        "vocational_qualifications",
        "achievements",
        "papers",
        "technical_reports",
        "books",
    ):
        for i, record in enumerate(facts.get(key) or []):
            name = record.get("major") or record.get("title") or record.get("specialty") or record.get("clause") or ""
            out.append((f"{key}[{i}]", f"{fact_label(f'{key}[{i}]')}{'（' + str(name) + '）' if name else ''}"))
    for key in ("work_summary", "defence_paper", "annual_assessments", "continuing_education"):
        if facts.get(key) is not None:
            out.append((key, fact_label(key)))
    return out


@login_required
def self_check(request: HttpRequest) -> HttpResponse:
    _applicant(request)
    prof = Profile.objects.filter(user=_user(request)).first()
    decision = None
    error = None
    if prof is not None and prof.facts:
        try:
            decision = check_profile(prof).to_dict()
        except FactsError as exc:
            error = "；".join(problem_in_words(p, r) for p, r in exc.problems)
    return render(request, "applications/_decision.html", _decision_context(decision) | {"error": error})


def _decision_context(decision: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "decision": decision,
        "level_labels": LEVEL_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "status_labels": STATUS_LABELS,
    }


@login_required
@require_POST
def upload_evidence(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    upload = request.FILES.get("file")
    raw = request.POST.get("application") or ""
    if raw and not (raw.isascii() and raw.isdigit()):
        messages.error(request, "申报编号无效")
        return redirect("dashboard")
    application_id = raw or None
    target = redirect("application", pk=int(application_id)) if application_id else redirect("profile")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
        return target
    try:
        services.add_evidence(
            actor,
            upload,
            kind=request.POST.get("kind", ""),
            fact=request.POST.get("fact", ""),
            application_id=int(application_id) if application_id else None,
        )
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, f"已上传：{upload.name}")
    return target


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = Evidence.objects.select_related("profile", "application").filter(pk=pk).first()
    if evidence is None or not services.can_open_evidence(getattr(request, "membership", None), evidence):
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = f"inline; filename=evidence-{evidence.pk}"
    response["Cache-Control"] = "private, no-store"
    return response


# ── applications ─────────────────────────────────────────────────────────────────────────────────────────


def _path_checks(request: HttpRequest) -> dict[str, dict[str, Any]]:
    """What the self-check already knows of each path, by path id: its outcome and, when it does not pass, the
    reasons in the notice's words (an applicant without a usable profile gets no verdicts, only the paths)."""
    prof = Profile.objects.filter(user=_user(request)).first()
    if prof is None or not prof.facts:
        return {}
    try:
        decision = check_profile(prof).to_dict()
    except FactsError:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for result in decision["levels"].values():
        for p in result["paths"]:
            reasons = [f["message"] for f in p["findings"] if f["status"] != "pass"]
            out[p["path"]] = {"outcome": p["outcome"], "reasons": reasons}
    return out


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    actor = _applicant(request)
    agencies = {
        "archive_agency": Organisation.objects.filter(kind=OrgKind.PUBLIC_TALENT_AGENCY),
        "dispatch_agency": Organisation.objects.filter(kind=OrgKind.LABOUR_DISPATCH_AGENCY),
        "personnel_agency": Organisation.objects.filter(kind=OrgKind.PERSONNEL_AGENCY),
    }
    paths = {level: [(p.id, p.name) for p in PATHS[level]] for level in LEVEL_LABELS}
    checks = _path_checks(request)
    source = request.POST if request.method == "POST" else request.GET
    # The level chosen (kept after an error); at first the highest level the self-check finds eligible.
    level = source.get("level", "")
    if level not in LEVEL_LABELS:
        level = next(
            (
                lv
                for lv in ("engineer", "assistant_engineer", "technician")
                if any(checks.get(p, {}).get("outcome") == "eligible" for p, _ in paths[lv])
            ),
            "engineer",
        )
    if request.method == "POST":
        employer = actor.organisation
        if employer is None:
            messages.error(request, "您的账号未关联用人单位（或人事代理机构），请联系单位经办人")
            return redirect("dashboard")
        path = request.POST.get("path", "")
        if path not in dict(paths[level]):
            messages.error(request, "请选择申报层级和该层级的申报路径")
        else:

            def pick(name: str) -> Organisation | None:
                value = request.POST.get(name)
                return agencies[name].filter(pk=value).first() if value else None

            kind = request.POST.get("employment_kind", "employee")
            try:
                application = services.create_application(
                    actor,
                    level=level,
                    path=path,
                    employer=employer,
                    area=employer.area,
                    employment_kind=kind if kind in ("employee", "dispatched", "freelancer") else "employee",
                    archives=request.POST.get("archives", "none"),
                    archive_agency=pick("archive_agency"),
                    dispatch_agency=pick("dispatch_agency"),
                    personnel_agency=pick("personnel_agency"),
                    entrusted=request.POST.get("entrusted") == "1",
                )
            except ActionRefused as exc:
                refused(request, exc)
            else:
                messages.success(request, "申报已创建（草稿），请核对后作出承诺并提交用人单位")
                return redirect("application", pk=application.pk)
    rows = [{"id": pid, "name": name, **checks.get(pid, {"outcome": "", "reasons": []})} for pid, name in paths[level]]
    return render(
        request,
        "applications/application_new.html",
        {
            "levels": LEVEL_LABELS,
            "level": level,
            "paths": rows,
            "agencies": agencies,
            "chosen": request.POST if request.method == "POST" else {},
            "checked": bool(checks),
            # The first path the self-check finds eligible is offered first; the applicant may choose another.
            "first_eligible": next((r["id"] for r in rows if r["outcome"] == "eligible"), ""),
            "employment_kinds": [(k, VALUE_LABELS[k]) for k in ("employee", "dispatched", "freelancer")],
            "archive_choices": [
                ("none", "未办理人事档案代理"),
                ("agency", "由公共就业和人才服务机构代理"),
                ("elsewhere", "不在工作所在地管理"),
            ],
        }
        | _decision_context(None),
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    application = get_object_or_404(visible_applications(actor).select_related("applicant", "employer", "area"), pk=pk)
    snapshot = DecisionSnapshot.objects.filter(application=application).last()
    decision = snapshot.decision if snapshot else None
    if decision is None and actor.role == Role.APPLICANT:
        try:
            decision = check_profile(Profile.objects.get(user=application.applicant)).to_dict()
        except (FactsError, Profile.DoesNotExist):
            decision = None
    profile = Profile.objects.filter(user=application.applicant).first()
    publicities = {p.kind: p for p in application.publicities.all()}
    events = list(application.events.select_related("actor", "organisation"))
    steps = list(application.steps.select_related("organisation"))
    context = {
        "application": application,
        "profile": profile,
        "snapshot": snapshot,
        "snapshots": DecisionSnapshot.objects.filter(application=application).values("stage", "outcome", "created_at"),
        "events": events,
        "steps": steps,
        "whereabouts": inbox.where_is(application, steps, events),
        "route": ROUTES.get(application.route),
        "case_kind": case_kind(application),
        "entrustment": services.entrustment_of(application) if application.entrusted else None,
        "can_record_entrustment": application.entrusted
        and actor.role == Role.CITY_HR_OFFICER
        and acts_for_current_step(actor, application),
        "actions": services.available_actions(actor, application),
        "is_employer": acts_for_employer(actor, application)
        and (
            application.state == State.EMPLOYER_REVIEW
            or (application.state == State.RETURNED and application.returned_to == "employer")
        ),
        "is_leader": actor.role == Role.EMPLOYER_LEADER,
        "peer_review": getattr(application, "peer_review", None),
        "publicity_kinds": [(k, label, publicities.get(k)) for k, label in Publicity.Kind.choices],
        "appraisal": getattr(application, "appraisal", None),
        "pledge": getattr(application, "pledge", None),
        "panel_kinds": PANEL_KINDS,
        "evidence": application.evidence.all(),
        "profile_evidence": profile.evidence.all() if profile else [],
        "can_reveal": actor.role in ID_NUMBER_ROLES,
        "today": clock.today(),
        "chosen_path": _chosen_path(decision, application),
        "appraisal_choices": _appraisal_choices(application),
    } | _decision_context(decision)
    return render(request, "applications/application_detail.html", context)


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _actor(request)
    try:
        services.perform(
            actor,
            pk,
            action,
            reason=request.POST.get("reason", ""),
            to=request.POST.get("to", "applicant"),
            seen=request.POST.get("seen", ""),
        )
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, "操作已完成")
    if not visible_applications(actor).filter(pk=pk).exists():
        return redirect("dashboard")
    return redirect("application", pk=pk)


def _appraisal_choices(application: Application) -> list[tuple[str, str]]:
    """The clauses an employer's appraisal may name for the level (6.1.2b): the level's ability clause of 3.4 and
    the items of its list in 3.5, in the notice's words (the id is kept behind)."""
    if application.level not in services.APPRAISAL_CLAUSES:
        return []
    pack = pack_for_year(application.year)
    ability, items = services.APPRAISAL_CLAUSES[application.level]
    ids = [ability, *(i for i in [*pack.engineer_items, *pack.ae_items] if i.startswith(items))]
    return [(c, clause_name(pack, c)) for c in ids]


def _chosen_path(decision: dict[str, Any] | None, application: Application) -> dict[str, Any] | None:
    """The applied-for path with every finding, passing ones too: what the reviewer checks against."""
    if decision is None:
        return None
    for path in decision["levels"][application.level]["paths"]:
        if path["path"] == application.path:
            return dict(path)
    return None


def _date(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise ActionRefused("日期无效，请按 年-月-日 填写") from exc


@login_required
@require_POST
def employer_record(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """The employer's records: peer review, publicities, objections, appraisal, confirmation, pledge; and the
    applicant's pledge."""
    actor = _actor(request)
    post = request.POST
    try:
        if what == "applicant_pledge":
            if post.get("agree") != "on":
                raise ActionRefused("请勾选承诺内容")
            services.applicant_pledge(actor, pk)
        elif what == "peer_review":
            members = [
                {"name": n.strip(), "kind": k}
                for n, k in zip(post.getlist("member_name"), post.getlist("member_kind"), strict=False)
                if n.strip()
            ]
            services.record_peer_review(
                actor, pk, held_on=_date(post.get("held_on")), members=members, opinion=post.get("opinion", "")
            )
        elif what == "publicity":
            services.post_publicity(
                actor,
                pk,
                kind=post.get("kind", ""),
                starts_on=_date(post.get("starts_on")),
                explanation=post.get("explanation", ""),
            )
        elif what == "objection":
            services.record_objection(
                actor,
                pk,
                kind=post.get("kind", ""),
                objections=post.get("objections", ""),
                resolved=post.get("resolved") == "on",
            )
        elif what == "appraisal":
            # Ticked from the notice's list; a typed list ("3.4.1, 3.5.1.1", the API's way) is read as well.
            clauses = [c.strip() for v in post.getlist("clauses") for c in v.replace("，", ",").split(",") if c.strip()]
            services.record_appraisal(
                actor,
                pk,
                ethics=post.get("ethics", ""),
                clauses=clauses,
                peer_review_followed=post.get("peer_review_followed") == "on",
            )
        elif what == "confirm_appraisal":
            services.confirm_appraisal(actor, pk)
        elif what == "employer_pledge":
            if post.get("agree") != "on":
                raise ActionRefused("请勾选承诺内容")
            services.employer_pledge(actor, pk)
        else:
            raise Http404
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, "已保存")
    return redirect("application", pk=pk)


@login_required
@require_POST
def reveal_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    application = get_object_or_404(visible_applications(actor), pk=pk)
    try:
        number = services.reveal_id_number(actor, application)
    except ActionRefused as exc:
        return HttpResponse(f'<span class="error">{exc.reasons[0]}</span>', status=403)
    return HttpResponse(f'<span data-testid="id-number">{number}</span> <span class="muted">（本次查看已记录）</span>')


@login_required
@require_POST
def entrustment_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The city HR bureau records the entrustment letter and its forwarding letter on an entrusted case (7.1)."""
    actor = acting(request, frozenset({Role.CITY_HR_OFFICER}))
    post = request.POST
    try:
        services.record_entrustment(
            actor,
            pk,
            entrusting_department=post.get("entrusting_department", ""),
            letter_number=post.get("letter_number", ""),
            letter_date=posted_date(request.POST, "letter_date", "委托函日期"),
            forwarding_number=post.get("forwarding_number", ""),
            forwarded_on=posted_date(request.POST, "forwarded_on", "函转日期"),
            note=post.get("note", ""),
        )
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, "委托评审函已登记")
    return redirect("application", pk=pk)
