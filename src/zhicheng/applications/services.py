"""The only place a case's state changes: each function is one transaction that locks the rows it changes,
checks the actor's permission and the transition's guard on the server, and writes an event row."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhicheng.accounts.models import Area, Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications.evidence import UploadRefused, check_upload
from zhicheng.applications.models import (
    Appraisal,
    EntrustedCase,
    Entrustment,
    Evidence,
    EvidenceKind,
    PeerReview,
    Pledge,
    Publicity,
    ReviewStep,
    private_storage,
)
from zhicheng.applications.permissions import (
    ID_NUMBER_ROLES,
    acts_for_current_step,
    acts_for_employer,
    can_view,
)
from zhicheng.applications.routes import ROUTES, RouteError, resolve_steps, route_for
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.events import record_event
from zhicheng.cases.labels import fact_label, problem_in_words
from zhicheng.cases.locks import locked
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused, check_lengths
from zhicheng.cases.repeats import check_repeat
from zhicheng.cases.workflow import TRANSITIONS, Transition, transition
from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import NAME_MAX, FactsError, load_facts
from zhicheng.policy.pack import Pack, pack_for_year
from zhicheng.records import idnumbers
from zhicheng.records.facts import engine_facts, snapshot
from zhicheng.records.models import Profile
from zhicheng.round import clock
from zhicheng.round.calendar import office_calendar
from zhicheng.round.year import current_pack

# While a case is with the employer, a reviewer or the office, the facts it was judged on stay as they were.
UNDER_REVIEW = [
    State.EMPLOYER_REVIEW,
    State.CHAIN_REVIEW,
    State.READY_FOR_COMMITTEE,
    State.IN_BATCH,
    State.OFFICE_RETURNED,
    State.ACCEPTED,
    State.RECOGNITION_DECIDED,
]
PANEL_KINDS = {"masses": "群众代表", "peers": "同行专家", "leaders": "单位领导", "research": "科研管理部门代表"}


# ── profile and facts ────────────────────────────────────────────────────────────────────────────────────


PROFILE_LOCKED = "申报正在审核中，不能修改申报人信息；如需修改，请联系审核单位退回后再改"


log = logging.getLogger(__name__)

STORE_UNAVAILABLE = "文件存储暂时不可用，本次材料未上传，请稍后重新上传；已保存的信息不受影响"


def profile_locked(user: Any) -> bool:
    """While an application is under review its facts are the ones reviewed: the profile is read, not edited (the
    pages offer 查看 instead of 填写 on the same test)."""
    return Application.objects.filter(applicant=user, state__in=UNDER_REVIEW).exists()


def save_profile(user: Any, data: dict[str, Any], pack: Pack | None = None) -> Profile:
    """Validate the whole profile with the engine's facts model and keep it; nothing is saved if it is refused
    (FactsError lists each field's path and reason). The ID number is kept encrypted, apart from the facts."""
    pack = pack or current_pack()
    if profile_locked(user):
        raise FactsError([("(profile)", PROFILE_LOCKED)])
    facts = load_facts(data, pack)
    stored = facts.model_dump(mode="json", exclude_none=True)
    id_number = facts.identity.id_number
    stored.get("identity", {}).pop("id_number", None)
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        if id_number is None and profile.id_number_cipher:
            id_number = idnumbers.decrypt(profile.id_number_cipher)  # kept unless replaced
        if id_number:
            clash = Profile.objects.filter(id_number_digest=idnumbers.digest(id_number)).exclude(pk=profile.pk)
            if clash.exists():
                raise FactsError([("identity.id_number", "该身份证号码已由其他账号登记，请联系管理员")])
            profile.id_number_cipher = idnumbers.encrypt(id_number)
            profile.id_number_digest = idnumbers.digest(id_number)
            profile.id_number_masked = idnumbers.mask(id_number)
        profile.facts = stored
        profile.save()
        trail.record(
            AuditEntry.Kind.STATE_CHANGE,
            "profile_saved",
            user=user,
            subject=f"申报人信息#{profile.pk}",
            summary="保存申报人信息",
            payload={"sections": sorted(stored)},
        )
    return profile


# ── applications ─────────────────────────────────────────────────────────────────────────────────────────


def create_application(
    actor: Membership,
    *,
    level: str,
    path: str,
    employer: Organisation,
    area: Any,
    employment_kind: str = "employee",
    archives: str = "none",
    archive_agency: Organisation | None = None,
    dispatch_agency: Organisation | None = None,
    personnel_agency: Organisation | None = None,
    entrusted: bool = False,
    year: int | None = None,
) -> Application:
    """A draft application for the actor's own profile; ``entrusted`` for a case entrusted to the committee through
    the city HR bureau (7.1)."""
    if actor.role != Role.APPLICANT:
        raise ActionRefused("只有申报人可以创建申报")
    year = year or settings.ZHICHENG_YEAR
    profile = Profile.objects.filter(user=actor.user).first()
    if profile is None or not profile.facts:
        raise ActionRefused("请先填写申报人信息")
    specialty = profile.facts.get("specialty") or {}
    if not specialty.get("category") or not specialty.get("name"):
        raise ActionRefused("请先在申报人信息中填写申报专业")
    declared = (profile.facts.get("employment") or {}).get("kind")
    if declared is None:
        raise ActionRefused("请先在申报人信息“工作单位与岗位”中填写用工形式（在职职工、劳务派遣或自由职业者）")
    if employment_kind != declared:
        raise ActionRefused("用工形式须与申报人信息一致")
    if archives not in ("agency", "none", "elsewhere"):
        raise ActionRefused("人事档案情况无效")
    _check_agencies(employer, employment_kind, archives, archive_agency, dispatch_agency, personnel_agency)
    if entrusted and (employment_kind != "employee" or employer.kind != OrgKind.EMPLOYER):
        raise ActionRefused("委托评审须由用人单位的在职职工经其主管部门委托（7.1）")
    try:
        route = route_for(
            employer=employer,
            employment_kind=employment_kind,
            archives=archives,
            has_personnel_agency=personnel_agency is not None,
            entrusted=entrusted,
        )
    except RouteError as exc:
        raise ActionRefused(str(exc)) from exc
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=actor.user,
                year=year,
                level=level,
                path=path,
                specialty_category=specialty["category"],
                specialty_name=specialty["name"],
                employer=employer,
                area=area,
                employment_kind=employment_kind,
                archives=archives,
                archive_agency=archive_agency,
                dispatch_agency=dispatch_agency,
                personnel_agency=personnel_agency,
                entrusted=entrusted,
                route=route.code,
            )
            Pledge.objects.create(application=application)
            record_event(application, actor, "create", to_state=State.DRAFT, payload={"route": route.code})
    except IntegrityError as exc:
        raise ActionRefused(f"{year}年度已有一份有效申报，不能重复申报") from exc
    return application


def _check_agencies(
    employer: Organisation,
    employment_kind: str,
    archives: str,
    archive_agency: Organisation | None,
    dispatch_agency: Organisation | None,
    personnel_agency: Organisation | None,
) -> None:
    """The channel's organisations must be of the right kind and place (6.1.3): the route is not the applicant's
    free choice."""
    if employment_kind == "freelancer":
        if employer.kind != OrgKind.PERSONNEL_AGENCY or personnel_agency != employer:
            raise ActionRefused("自由职业者须通过其人事代理机构申报（6.1.3(5)）")
        return
    if employer.kind != OrgKind.EMPLOYER:
        raise ActionRefused("须通过本人的用人单位申报")
    if employment_kind == "dispatched" and (
        dispatch_agency is None or dispatch_agency.kind != OrgKind.LABOUR_DISPATCH_AGENCY
    ):
        raise ActionRefused("劳务派遣人员须选择劳务派遣机构（6.1.3(4)）")
    if employment_kind != "dispatched" and dispatch_agency is not None:
        raise ActionRefused("非劳务派遣人员不选择劳务派遣机构")
    if archives == "agency":
        if archive_agency is None or archive_agency.kind != OrgKind.PUBLIC_TALENT_AGENCY:
            raise ActionRefused("请选择代理人事档案的公共就业和人才服务机构（6.1.3(2)）")
        if archive_agency.area_id not in (employer.area_id, Area.objects.get(kind="city").pk):
            raise ActionRefused("档案代理机构须为用人单位所在地或市级的公共就业和人才服务机构")
    elif archive_agency is not None:
        raise ActionRefused("未办理档案代理的，不选择档案代理机构")
    if personnel_agency is not None:
        raise ActionRefused("只有自由职业者通过人事代理机构申报")


def steps_for(application: Application) -> list[tuple[str, Organisation, str]]:
    route = ROUTES[application.route]
    return resolve_steps(
        route,
        employer=application.employer,
        area_hr=application.area.hr_bureau,
        area_iit=application.area.iit_bureau,
        archive_agency=application.archive_agency,
        dispatch_agency=application.dispatch_agency,
        personnel_agency=application.personnel_agency,
    )


def _guard(name: str | None, actor: Membership, application: Application, today: dt.date) -> list[str]:
    if name is None:
        return []
    return GUARDS[name](actor, application, today)


def _guard_submit(actor: Membership, application: Application, today: dt.date) -> list[str]:
    reasons: list[str] = []
    profile = Profile.objects.filter(user=application.applicant).first()
    if profile is None:
        return ["请先填写申报人信息"]
    try:
        decision = evaluate(engine_facts(profile, application.year), pack_for_year(application.year))
    except FactsError as exc:
        return [f"申报人信息有误：{problem_in_words(p, r)}" for p, r in exc.problems]
    level = decision.levels[application.level]
    path = next((p for p in level.paths if p.path == application.path), None)
    if path is None:
        reasons.append("所选申报路径不属于该层级")
    elif path.outcome == "ineligible":
        failing = [f"〔{f.clause}〕{f.message}" for f in level.exclusions + path.findings if f.status == "fail"]
        reasons.append("按所选路径不符合申报条件：" + "；".join(failing))
    elif path.outcome == "incomplete":
        reasons.append("申报信息不全，请补充：" + "、".join(fact_label(p) for p in level.missing_facts[:8]))
    pledge = Pledge.objects.filter(application=application).first()
    if pledge is None or pledge.applicant_at is None:
        reasons.append("请先作出申报人诚信承诺（双承诺）")
    try:
        steps_for(application)
    except RouteError as exc:
        reasons.append(str(exc))
    return reasons


def _guard_employer_complete(actor: Membership, application: Application, today: dt.date) -> list[str]:
    """The employer's part of 6.1.2 and 8.1–8.2 is done before it recommends."""
    reasons: list[str] = []
    review = PeerReview.objects.filter(application=application).first()
    if review is None:
        reasons.append("尚未记录民主评议（评议组成员及意见）")
    else:
        kinds = {m.get("kind") for m in review.members}
        absent = [label for kind, label in PANEL_KINDS.items() if kind not in kinds]
        if absent:
            reasons.append("评议组缺少：" + "、".join(absent))
        if not review.opinion.strip():
            reasons.append("评议组意见为空")
    posted = {p.kind: p for p in Publicity.objects.filter(application=application)}
    for kind, label in Publicity.Kind.choices:
        pub = posted.get(kind)
        if pub is None:
            reasons.append(f"尚未进行{label}")
            continue
        if today <= pub.earliest_end:
            reasons.append(f"{label}须至少5个工作日，{pub.earliest_end:%Y年%m月%d日}后方可进行下一步")
        if not pub.objections_resolved:
            reasons.append(f"{label}有异议尚未处理")
        if not Evidence.objects.filter(
            application=application, kind=EvidenceKind.PUBLICITY_PHOTO, fact=f"publicity:{kind}"
        ).exists():
            reasons.append(f"{label}缺少公示栏原始照片")
    appraisal = Appraisal.objects.filter(application=application).first()
    if appraisal is None:
        reasons.append("尚未出具单位鉴定意见")
    else:
        if appraisal.confirmed_at is None:
            reasons.append("单位鉴定意见尚未经单位负责人签字确认")
        ability, items = APPRAISAL_CLAUSES.get(application.level, ("3.4", "3.5"))
        if application.level in APPRAISAL_CLAUSES and (
            ability not in appraisal.clauses or not any(c.startswith(items) for c in appraisal.clauses)
        ):
            reasons.append(f"鉴定意见须写明符合的工作能力（{ability}）和业绩成果（{items}…）条款")
        if not appraisal.peer_review_followed:
            reasons.append("鉴定意见须注明已按规定履行民主评议程序")
    pledge = Pledge.objects.filter(application=application).first()
    if pledge is None or pledge.applicant_at is None or pledge.employer_at is None:
        reasons.append("双承诺尚未完成（申报人和用人单位）")
    return reasons


def _guard_current_step(actor: Membership, application: Application, today: dt.date) -> list[str]:
    return [] if acts_for_current_step(actor, application) else ["该申报当前不在您所在机构的审核环节"]


def _guard_step_approve(actor: Membership, application: Application, today: dt.date) -> list[str]:
    reasons = _guard_current_step(actor, application, today)
    if not reasons and application.route == "entrusted" and entrustment_of(application) is None:
        reasons.append("委托评审须先登记主管部门的委托函和市人社局函转文号（7.1）")
    return reasons


def _guard_returned_to_actor(actor: Membership, application: Application, today: dt.date) -> list[str]:
    if application.returned_to == "applicant" and actor.role == Role.APPLICANT:
        # What the applicant changed is checked again, as at the first submission.
        return [r for r in _guard_submit(actor, application, today) if "承诺" not in r]
    if application.returned_to == "employer" and acts_for_employer(actor, application):
        return []
    who = {"applicant": "申报人", "employer": "用人单位"}.get(application.returned_to, "")
    return [f"该申报已退回{who}修改，应由{who}处理"]


GUARDS = {
    "submit": _guard_submit,
    "employer_complete": _guard_employer_complete,
    "current_step": _guard_current_step,
    "step_approve": _guard_step_approve,
    "returned_to_actor": _guard_returned_to_actor,
}


def _may_act(actor: Membership, application: Application, t: Transition) -> list[str]:
    if actor.role not in t.roles:
        return [f"「{actor.get_role_display()}」不能执行「{t.label}」"]
    if actor.role == Role.APPLICANT and application.applicant_id != actor.user_id:
        return ["只能处理本人的申报"]
    if actor.role in (Role.EMPLOYER_CLERK, Role.EMPLOYER_LEADER) and not acts_for_employer(actor, application):
        return ["该申报不属于本单位"]
    return []


def available_actions(
    actor: Membership | None, application: Application, today: dt.date | None = None
) -> list[Transition]:
    """The transitions the actor could take now (guards aside, which say why not when tried)."""
    if actor is None:
        return []
    out = []
    for t in _transitions_from(application.state):
        if t.desk or _may_act(actor, application, t):
            continue
        # Whose turn it is decides what is offered; the other guards say why not when the action is tried.
        visible_guard = "current_step" if t.guard == "step_approve" else t.guard
        if visible_guard in ("current_step", "returned_to_actor") and _guard(
            visible_guard, actor, application, today or clock.today()
        ):
            continue
        out.append(t)
    return out


def _transitions_from(state: str) -> Iterable[Transition]:
    return (t for t in TRANSITIONS if t.state == state)


def perform(
    actor: Membership,
    application_id: int,
    action: str,
    *,
    reason: str = "",
    to: str = "applicant",
    today: dt.date | None = None,
    seen: str = "",
) -> Application:
    """Take one action of the workflow table on one application; ``seen`` is the case's position on the page the
    action was taken from (a repeat of a step already taken is answered, not done twice)."""
    today = today or clock.today()
    with transaction.atomic():
        application = locked(application_id)
        if not can_view(actor, application):
            raise ActionRefused("申报不存在或无权查看")
        t = transition(application.state, action)
        check_repeat(application, actor, action, seen, moved=t is None)
        if t is not None and t.desk:
            raise ActionRefused("该操作在评委会受理环节办理")
        if t is None:
            raise ActionRefused(f"当前状态「{application.get_state_display()}」下不能执行该操作")
        refused = _may_act(actor, application, t) or _guard(t.guard, actor, application, today)
        if refused:
            raise ActionRefused(*refused)
        if t.needs_reason and not reason.strip():
            raise ActionRefused("请填写理由")
        before = application.state
        payload: dict[str, Any] = {}
        if action == "submit":
            application.state = State.EMPLOYER_REVIEW
            application.submitted_at = timezone.now()
        elif action == "approve" and before == State.EMPLOYER_REVIEW:
            application.steps.all().delete()
            for order, (kind, org, role) in enumerate(steps_for(application)):
                ReviewStep.objects.create(application=application, order=order, kind=kind, organisation=org, role=role)
            application.state, application.step = State.CHAIN_REVIEW, 0
        elif action == "approve":
            step = application.steps.get(order=application.step)
            step.decision, step.decided_by, step.decided_at, step.opinion = (
                "approved",
                actor.user,
                timezone.now(),
                reason,
            )
            step.save()
            payload["step"] = step.order
            if application.steps.filter(order__gt=step.order).exists():
                application.step += 1
            else:
                application.state = State.READY_FOR_COMMITTEE
        elif action == "return":
            if to not in ("applicant", "employer") or (before == State.EMPLOYER_REVIEW and to != "applicant"):
                raise ActionRefused("退回对象只能是申报人或用人单位（用人单位只能退回申报人）")
            application.returned_from_state, application.returned_from_step = before, application.step
            application.returned_to = to
            application.state = State.RETURNED
            payload["to"] = to
        elif action == "resubmit":
            application.state = application.returned_from_state
            application.step = application.returned_from_step
            application.returned_to = ""
        else:
            application.state = t.target
            if action == "reject" and before == State.CHAIN_REVIEW:
                step = application.steps.get(order=application.step)
                step.decision, step.decided_by, step.decided_at, step.opinion = (
                    "rejected",
                    actor.user,
                    timezone.now(),
                    reason,
                )
                step.save()
        application.save()
        record_event(
            application, actor, action, from_state=before, to_state=application.state, reason=reason, payload=payload
        )
        if action in ("submit", "approve", "resubmit"):
            stage = {"submit": "提交用人单位", "resubmit": "重新提交"}.get(action) or (
                "用人单位推荐" if before == State.EMPLOYER_REVIEW else f"审核环节{payload.get('step', 0) + 1}通过"
            )
            snapshot(application, stage)
    return application


# ── the applicant's pledge and the employer's records (6.1.2, 8.1, 8.2) ─────────────────────────────────


def applicant_pledge(actor: Membership, application_id: int) -> None:
    with transaction.atomic():
        application = locked(application_id)
        if actor.role != Role.APPLICANT or application.applicant_id != actor.user_id:
            raise ActionRefused("只有申报人本人可以作出申报人承诺")
        if application.state not in (State.DRAFT, State.RETURNED):
            raise ActionRefused("申报已提交，承诺不能更改")
        pledge, _ = Pledge.objects.select_for_update().get_or_create(application=application)
        pledge.applicant_at = timezone.now()
        pledge.save()
        record_event(application, actor, "applicant_pledge")


def _employer_locked(actor: Membership, application_id: int, *, leader: bool = False) -> Application:
    application = locked(application_id)
    if not acts_for_employer(actor, application):
        raise ActionRefused("该申报不属于本单位")
    if leader and actor.role != Role.EMPLOYER_LEADER:
        raise ActionRefused("须由单位负责人确认")
    returned_to_us = application.state == State.RETURNED and application.returned_to == "employer"
    if application.state != State.EMPLOYER_REVIEW and not returned_to_us:
        raise ActionRefused(f"当前状态「{application.get_state_display()}」下单位不能修改评议、公示和鉴定")
    return application


def record_peer_review(
    actor: Membership, application_id: int, *, held_on: dt.date, members: list[dict[str, str]], opinion: str
) -> PeerReview:
    bad = [m for m in members if m.get("kind") not in PANEL_KINDS or not (m.get("name") or "").strip()]
    if bad or not members:
        raise ActionRefused("评议组成员须写明姓名和类别（群众代表、同行专家、单位领导、科研管理部门代表）")
    if any(len((m.get("name") or "").strip()) > NAME_MAX for m in members):
        raise ActionRefused(f"评议组成员姓名不能超过{NAME_MAX}个字符")
    with transaction.atomic():
        application = _employer_locked(actor, application_id)
        review, _ = PeerReview.objects.update_or_create(
            application=application, defaults={"held_on": held_on, "members": members, "opinion": opinion}
        )
        record_event(
            application, actor, "peer_review", payload={"members": len(members), "held_on": held_on.isoformat()}
        )
    return review


def post_publicity(
    actor: Membership, application_id: int, *, kind: str, starts_on: dt.date, explanation: str
) -> Publicity:
    """Post one of the three publicities; its earliest end is the 5th working day (8.1, R21)."""
    if kind not in Publicity.Kind.values:
        raise ActionRefused("公示类别无效")
    if not explanation.strip():
        raise ActionRefused("请填写单位公示说明")
    with transaction.atomic():
        application = _employer_locked(actor, application_id)
        pack = pack_for_year(application.year)
        days = pack.param("publicity.min_workdays").value
        if starts_on < pack.meta.issued_on:
            raise ActionRefused(f"公示开始日期不能早于本年度通知印发日期（{pack.meta.issued_on:%Y年%m月%d日}）")
        if kind == Publicity.Kind.APPRAISAL:
            appraisal = Appraisal.objects.filter(application=application).first()
            ended = [
                p.earliest_end for p in Publicity.objects.filter(application=application, kind=Publicity.Kind.MATERIALS)
            ]
            if appraisal is None or appraisal.confirmed_at is None:
                raise ActionRefused("单位鉴定意见经负责人确认后，方可公示鉴定意见")
            if ended and starts_on <= ended[0]:
                raise ActionRefused("鉴定意见公示须在个人申报材料公示期满之后开始")
        try:
            end = office_calendar().publicity_end(starts_on, days)
        except CalendarYearMissing as exc:
            raise ActionRefused(str(exc)) from exc
        publicity, _ = Publicity.objects.update_or_create(
            application=application,
            kind=kind,
            defaults={"starts_on": starts_on, "earliest_end": end, "explanation": explanation},
        )
        record_event(
            application,
            actor,
            "publicity",
            payload={"kind": kind, "starts_on": starts_on.isoformat(), "earliest_end": end.isoformat()},
        )
    return publicity


def record_objection(actor: Membership, application_id: int, *, kind: str, objections: str, resolved: bool) -> None:
    with transaction.atomic():
        application = _employer_locked(actor, application_id)
        publicity = Publicity.objects.select_for_update().filter(application=application, kind=kind).first()
        if publicity is None:
            raise ActionRefused("该公示尚未开始")
        publicity.objections, publicity.objections_resolved = objections, resolved
        publicity.save()
        record_event(application, actor, "objection", reason=objections, payload={"kind": kind, "resolved": resolved})


APPRAISAL_CLAUSES = {"engineer": ("3.4.1", "3.5.1."), "assistant_engineer": ("3.4.2", "3.5.2.")}


def record_appraisal(
    actor: Membership,
    application_id: int,
    *,
    ethics: str,
    clauses: list[str],
    peer_review_followed: bool,
    today: dt.date | None = None,
) -> Appraisal:
    """单位鉴定意见 (6.1.2b): after the conditions and materials publicities ended without objection (8.1), naming the
    clauses of 3.4 and 3.5 of the level applied for."""
    today = today or clock.today()
    if not ethics.strip():
        raise ActionRefused("请填写思想品德、职业道德鉴定意见")
    with transaction.atomic():
        application = _employer_locked(actor, application_id)
        pack = pack_for_year(application.year)
        ability, items = APPRAISAL_CLAUSES.get(application.level, ("3.4", "3.5"))
        wrong = [c for c in clauses if c not in pack.clauses or not (c.startswith(ability) or c.startswith(items))]
        if wrong:
            raise ActionRefused(
                f"鉴定意见只能写明本层级的工作能力（{ability}）和业绩成果（{items}…）条款：" + "、".join(wrong)
            )
        for kind, label in (
            (Publicity.Kind.CONDITIONS, "评审条件程序公示"),
            (Publicity.Kind.MATERIALS, "个人申报材料公示"),
        ):
            pub = Publicity.objects.filter(application=application, kind=kind).first()
            if pub is None or today <= pub.earliest_end or not pub.objections_resolved:
                raise ActionRefused(f"{label}期满且无异议后，方可出具鉴定意见（8.1）")
        appraisal, _ = Appraisal.objects.update_or_create(
            application=application,
            defaults={
                "ethics": ethics,
                "clauses": clauses,
                "peer_review_followed": peer_review_followed,
                "confirmed_by": None,
                "confirmed_at": None,
            },
        )
        record_event(application, actor, "appraisal", payload={"clauses": clauses})
    return appraisal


def confirm_appraisal(actor: Membership, application_id: int) -> None:
    with transaction.atomic():
        application = _employer_locked(actor, application_id, leader=True)
        appraisal = Appraisal.objects.select_for_update().filter(application=application).first()
        if appraisal is None:
            raise ActionRefused("尚未出具单位鉴定意见")
        appraisal.confirmed_by, appraisal.confirmed_at = actor.user, timezone.now()
        appraisal.save()
        record_event(application, actor, "appraisal_confirmed")


def employer_pledge(actor: Membership, application_id: int) -> None:
    with transaction.atomic():
        application = _employer_locked(actor, application_id, leader=True)
        pledge, _ = Pledge.objects.select_for_update().get_or_create(application=application)
        pledge.employer_by, pledge.employer_at = actor.user, timezone.now()
        pledge.save()
        record_event(application, actor, "employer_pledge")


# ── evidence and protected data ──────────────────────────────────────────────────────────────────────────


def add_evidence(
    actor: Membership,
    upload: UploadedFile[bytes],
    *,
    kind: str,
    fact: str = "",
    application_id: int | None = None,
) -> Evidence:
    """Keep an uploaded file: on the applicant's own profile, or (employer) on an application."""
    if kind not in EvidenceKind.values:
        raise ActionRefused("材料类别无效")
    try:
        content_type, sha = check_upload(upload)
    except UploadRefused as exc:
        raise ActionRefused(str(exc)) from exc
    stored = ""
    try:
        with transaction.atomic():
            evidence = Evidence(
                kind=kind,
                fact=fact[: Evidence._meta.get_field("fact").max_length],
                original_name=(upload.name or "")[: Evidence._meta.get_field("original_name").max_length],
                content_type=content_type,
                size=upload.size or 0,
                sha256=sha,
                uploaded_by=actor.user,
            )
            if application_id is not None:
                application = _employer_locked(actor, application_id)
                evidence.application = application
            else:
                if actor.role != Role.APPLICANT:
                    raise ActionRefused("只有申报人可以上传本人证明材料")
                evidence.profile, _ = Profile.objects.get_or_create(user=actor.user)
            # Named first (a server-chosen unique name), so that a write that fails half-way is removed by its name.
            stored = Evidence._meta.get_field("file").generate_filename(evidence, "upload")
            try:
                # The store may pick another name than the one asked for: what is removed is what it wrote.
                evidence.file = stored = private_storage().save(stored, upload)
            except Exception as exc:  # whatever the store raises: a disk's OSError, an object store's client error
                log.warning("evidence store refused an upload: %s", exc)
                raise ActionRefused(STORE_UNAVAILABLE) from exc
            evidence.save()
            if evidence.application is not None:
                record_event(
                    evidence.application, actor, "evidence", payload={"kind": kind, "fact": fact, "sha256": sha}
                )
            else:
                trail.record(
                    AuditEntry.Kind.STATE_CHANGE,
                    "evidence",
                    user=actor.user,
                    role=actor.role,
                    subject=f"申报人信息#{evidence.profile_id}",
                    summary="上传证明材料",
                    payload={"kind": kind, "fact": fact, "sha256": sha},
                )
    except BaseException:
        # The row was rolled back (the database failed, or the worker is stopping): its file must not stay behind.
        if stored:
            _remove_stored(stored)
        raise
    return evidence


def _remove_stored(name: str) -> None:
    try:
        private_storage().delete(name)
    except Exception as exc:  # the store itself may be what failed; the orphan is then only logged
        log.error("evidence file %s (if any of it was written) could not be removed: %s", name, exc)


def can_open_evidence(actor: Membership | None, evidence: Evidence) -> bool:
    if actor is None:
        return False
    if evidence.profile is not None:
        if actor.role == Role.APPLICANT:
            return evidence.profile.user_id == actor.user_id
        return any(can_view(actor, a) for a in Application.objects.filter(applicant_id=evidence.profile.user_id))
    return evidence.application is not None and can_view(actor, evidence.application)


def reveal_id_number(actor: Membership, application: Application) -> str:
    """The whole ID number, for the roles that need it; each view is recorded."""
    if actor.role not in ID_NUMBER_ROLES or not can_view(actor, application):
        raise ActionRefused("无权查看完整身份证号码")
    profile = Profile.objects.get(user=application.applicant)
    if not profile.id_number_cipher:
        raise ActionRefused("申报人尚未登记身份证号码")
    trail.viewed(actor, "id_number", f"application:{application.pk}")
    return idnumbers.decrypt(profile.id_number_cipher)


# ── entrusted evaluation (7.1) ───────────────────────────────────────────────────────────────────────────


def entrustment_of(application: Application) -> Entrustment | None:
    """The letter an entrusted case was recorded under (7.1), if the city HR bureau has recorded one."""
    link = EntrustedCase.objects.filter(application=application).select_related("entrustment").first()
    return link.entrustment if link is not None else None


def record_entrustment(
    actor: Membership,
    application_id: int,
    *,
    entrusting_department: str,
    letter_number: str,
    letter_date: dt.date,
    forwarding_number: str,
    forwarded_on: dt.date,
    note: str = "",
) -> Entrustment:
    """委托评审 (7.1): the city HR bureau records the competent department's letter and its own forwarding letter on
    an entrusted case at its step. One forwarding letter may cover several cases of the same entrustment."""
    if actor.role != Role.CITY_HR_OFFICER:
        raise ActionRefused("委托评审须由市人社局登记委托函并函转评委会办公室（7.1）")
    fields = {
        "委托的主管部门": entrusting_department,
        "委托函文号": letter_number,
        "市人社局函转文号": forwarding_number,
    }
    empty = [label for label, value in fields.items() if not value.strip()]
    if empty:
        raise ActionRefused("请填写" + "、".join(empty))
    check_lengths(
        Entrustment,
        entrusting_department=entrusting_department,
        letter_number=letter_number,
        forwarding_number=forwarding_number,
    )
    if forwarded_on < letter_date:
        raise ActionRefused("函转日期不能早于委托函日期")
    with transaction.atomic():
        app = locked(application_id)
        if not can_view(actor, app):
            raise ActionRefused("申报不存在或无权查看")
        if not app.entrusted:
            raise ActionRefused("该申报不是委托评审")
        if not acts_for_current_step(actor, app):
            raise ActionRefused("该申报当前不在市人社局审核环节")
        letter = Entrustment.objects.filter(year=app.year, forwarding_number=forwarding_number.strip()).first()
        if letter is None:
            try:
                with transaction.atomic():
                    letter = Entrustment.objects.create(
                        year=app.year,
                        entrusting_department=entrusting_department.strip(),
                        letter_number=letter_number.strip(),
                        letter_date=letter_date,
                        forwarding_number=forwarding_number.strip(),
                        forwarded_on=forwarded_on,
                        note=note,
                        recorded_by=actor.user,
                    )
            except IntegrityError as exc:
                raise ActionRefused("该函转文号刚由其他人员登记，请刷新后重新提交") from exc
        elif (letter.entrusting_department, letter.letter_number, letter.letter_date, letter.forwarded_on) != (
            entrusting_department.strip(),
            letter_number.strip(),
            letter_date,
            forwarded_on,
        ):
            raise ActionRefused(f"函转文号{forwarding_number}已登记为{letter}（日期不同或单位不同），请核对")
        EntrustedCase.objects.update_or_create(application=app, defaults={"entrustment": letter})
        app.save(update_fields=["updated_at"])
        record_event(
            app, actor, "entrustment", payload={"entrustment": letter.pk, "forwarding_number": letter.forwarding_number}
        )
    return letter
