"""The committee office's desk (6.1.3, 8.4): channels submit one batch a year inside the window; the office checks
originals and completeness, and accepts or returns. Each change is one transaction with events, as elsewhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum import issn as stdnum_issn

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications.models import Application, DecisionSnapshot, Profile, ReviewStep, State
from zhicheng.applications.services import ActionRefused, _event, _snapshot, engine_facts
from zhicheng.intake.models import IntakeCheck, SubmissionBatch
from zhicheng.intake.window import window_state
from zhicheng.policy.engine import evaluate
from zhicheng.policy.pack import pack_for_year
from zhicheng.policy.text import count_chars, personal_info_hits

CHANNEL_ROLES = frozenset(
    {
        Role.COUNTY_IIT_REVIEWER,
        Role.COUNTY_HR_REVIEWER,  # a zone's office, which is both bureaus
        Role.COMPETENT_DEPARTMENT_REVIEWER,
        Role.HR_ASSOCIATION_REVIEWER,
        Role.PERSONNEL_AGENCY_REVIEWER,
    }
)


def channel_step(application: Application) -> ReviewStep | None:
    """The last step of the chain: the organisation that submits the case to the committee."""
    return application.steps.order_by("-order").first()


def channel_applications(actor: Membership, year: int) -> Any:
    """The actor's organisation's cases ready for the committee (it is the last step of their chain)."""
    ready = Application.objects.filter(year=year, state=State.READY_FOR_COMMITTEE).prefetch_related("steps")
    out = []
    for app in ready:
        step = channel_step(app)
        if step is not None and step.organisation_id == actor.organisation_id and step.role == actor.role:
            out.append(app)
    return out


def _open_or_refuse(year: int, now: dt.datetime | None) -> None:
    state = window_state(year, now)
    if not state.open:
        raise ActionRefused(state.message)


def submit_batch(actor: Membership, year: int, *, now: dt.datetime | None = None) -> SubmissionBatch:
    """The channel's one batch of the year: every case of its ready for the committee, at once."""
    if actor.role not in CHANNEL_ROLES or actor.organisation is None:
        raise ActionRefused(
            "只有县（市、区）工信局、市直主管部门等报送渠道可以向评委会报送；评委会不接受个人和用人单位报送"
        )
    _open_or_refuse(year, now)
    try:
        with transaction.atomic():
            batch = SubmissionBatch.objects.create(channel=actor.organisation, year=year, submitted_by=actor.user)
            ids = [a.pk for a in channel_applications(actor, year)]
            if not ids:
                raise ActionRefused("本单位没有待报送评委会的申报")
            for app in Application.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"):
                if app.state != State.READY_FOR_COMMITTEE:
                    continue
                app.state, app.batch = State.IN_BATCH, batch
                app.save()
                _event(
                    app,
                    actor,
                    "submit_batch",
                    from_state=State.READY_FOR_COMMITTEE,
                    to_state=State.IN_BATCH,
                    payload={"batch": batch.pk},
                )
    except IntegrityError as exc:
        raise ActionRefused(f"本单位{year}年度已统一报送过一次，不能重复报送；被退回的申报可单独重新报送") from exc
    return batch


def _channel_locked(actor: Membership, application_id: int) -> Application:
    try:
        app = Application.objects.select_for_update().get(pk=application_id)
    except Application.DoesNotExist as exc:
        raise ActionRefused("申报不存在或无权查看") from exc
    step = channel_step(app)
    if step is None or step.organisation_id != actor.organisation_id or step.role != actor.role:
        raise ActionRefused("该申报不由本单位报送")
    return app


def resubmit_to_office(actor: Membership, application_id: int, *, now: dt.datetime | None = None) -> Application:
    """A case the office returned goes back into the channel's batch, inside the window."""
    with transaction.atomic():
        app = _channel_locked(actor, application_id)
        if app.state != State.OFFICE_RETURNED:
            raise ActionRefused("只有被评委会办公室退回的申报可以重新报送")
        _open_or_refuse(app.year, now)
        app.state = State.IN_BATCH
        app.save()
        _event(app, actor, "resubmit_to_office", from_state=State.OFFICE_RETURNED, to_state=State.IN_BATCH)
    return app


# ── the desk ─────────────────────────────────────────────────────────────────────────────────────────────


def required_originals(application: Application) -> list[tuple[str, str]]:
    """(key, what) of the originals to see (8.4, 3.2.3): one per education, title, skill grade, paper, book…"""
    profile = Profile.objects.get(user=application.applicant)
    facts = profile.facts
    out: list[tuple[str, str]] = []
    for i, e in enumerate(facts.get("education") or []):
        out.append((f"education[{i}]", f"学历证书（{e.get('major') or '第' + str(i + 1) + '份'}）"))
    for i, t in enumerate(facts.get("titles") or []):
        out.append((f"titles[{i}]", f"职称证书或聘任文件（{t.get('specialty') or '第' + str(i + 1) + '份'}）"))
    for i, _ in enumerate(facts.get("skill_grades") or []):
        out.append((f"skill_grades[{i}]", f"职业资格或职业技能等级证书（第{i + 1}份）"))
    for i, p in enumerate(facts.get("papers") or []):
        out.append((f"papers[{i}]", f"论文原件及检索页（{p.get('title') or '第' + str(i + 1) + '篇'}）"))
    for i, b in enumerate(facts.get("books") or []):
        out.append((f"books[{i}]", f"著作原件及CIP检索页（{b.get('title') or '第' + str(i + 1) + '部'}）"))
    for i, _ in enumerate(facts.get("achievements") or []):
        out.append((f"achievements[{i}]", f"业绩成果证明（第{i + 1}项）"))
    out.append(("appraisal", "单位鉴定意见（负责人签字、加盖公章）"))
    out.append(("publicity", "“三公示”结果报告表及公示照片"))
    out.append(("pledge", "双承诺（申报人及单位）"))
    return out


CN = re.compile(r"^CN\s?\d{2}-\d{4}(/[A-Z0-9]{1,4})?$")


def desk_checks(application: Application) -> list[dict[str, Any]]:
    """What the platform can check itself: the work summary (3.9, R16, R18), the papers (3.6.1), and the engine's
    decision re-run now against the one stored at submission."""
    profile = Profile.objects.get(user=application.applicant)
    facts = engine_facts(profile)
    pack = pack_for_year(application.year)
    checks: list[dict[str, Any]] = []
    summary = facts.work_summary
    if summary is None:
        checks.append({"clause": "3.9", "ok": False, "text": "未提交专业技术工作总结"})
    else:
        chars = count_chars(summary.text) if summary.text else summary.char_count
        need = pack.param("text.work_summary_min_chars").value
        checks.append(
            {
                "clause": "3.9",
                "ok": bool(chars and chars >= need),
                "text": f"专业技术工作总结{chars if chars is not None else '（字数未知）'}字，须{need}字以上",
            }
        )
        if summary.text:
            hits = personal_info_hits(
                summary.text,
                name=facts.identity.name,
                employer=facts.employment.employer_name,
                county=facts.employment.county,
            )
            checks.append(
                {
                    "clause": "3.9",
                    "ok": not hits,
                    "text": "总结中出现个人信息：" + "、".join(hits)
                    if hits
                    else "总结中未出现姓名、单位、县（市、区）",
                }
            )
    for i, paper in enumerate(facts.papers or []):
        problems = []
        if paper.journal_cn and not CN.match(paper.journal_cn):
            problems.append("CN刊号格式不符")
        if paper.journal_issn and not stdnum_issn.is_valid(paper.journal_issn):
            problems.append("ISSN校验位错误")
        if not (paper.journal_cn or paper.journal_issn):
            problems.append("无CN或ISSN刊号")
        if paper.char_count is not None and paper.char_count < pack.param("text.paper_min_chars").value:
            problems.append("字数不足2000字")
        if paper.author_position not in (None, 1) and paper.author_count != 1:
            problems.append("非独立或第一作者")
        checks.append(
            {
                "clause": "3.6.1.1",
                "ok": not problems,
                "text": f"论文{i + 1}「{paper.title or ''}」："
                + ("；".join(problems) or "刊号、字数、作者排序符合要求"),
            }
        )
    decision = evaluate(facts, pack)
    level = decision.levels[application.level]
    path = next((p for p in level.paths if p.path == application.path), None)
    first = DecisionSnapshot.objects.filter(application=application).first()
    now_outcome = path.outcome if path else "ineligible"
    before = first.path_outcome if first is not None else now_outcome
    changed = before != now_outcome
    checks.append(
        {
            "clause": "R0",
            "ok": now_outcome in ("eligible", "refer") and not changed,
            "text": f"按所选路径重新核查：{now_outcome}" + (f"（提交时为{before}，已发生变化）" if changed else ""),
            "changed": changed,
        }
    )
    return checks


def record_check(actor: Membership, application_id: int, *, originals: list[str], notes: str) -> IntakeCheck:
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以核验")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application_id)
        if app.state != State.IN_BATCH:
            raise ActionRefused("该申报不在待受理状态")
        known = {k for k, _ in required_originals(app)}
        check, _ = IntakeCheck.objects.update_or_create(
            application=app,
            defaults={
                "originals_seen": sorted(set(originals) & known),
                "notes": notes,
                "checked_by": actor.user,
                "checked_at": timezone.now(),
            },
        )
        _event(app, actor, "intake_check", payload={"originals": check.originals_seen})
    return check


def accept(actor: Membership, application_id: int, *, now: dt.datetime | None = None) -> Application:
    """受理: inside the window, every original seen; two clerks at once never accept twice."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以受理")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application_id)
        if app.state == State.ACCEPTED:
            raise ActionRefused("该申报已被受理，无需重复受理")
        if app.state != State.IN_BATCH:
            raise ActionRefused("该申报不在待受理状态")
        _open_or_refuse(app.year, now)
        check = IntakeCheck.objects.filter(application=app).first()
        seen = set(check.originals_seen if check else [])
        missing = [what for key, what in required_originals(app) if key not in seen]
        if missing:
            raise ActionRefused("尚未核验原件：" + "、".join(missing))
        app.state = State.ACCEPTED
        app.save()
        _event(app, actor, "accept", from_state=State.IN_BATCH, to_state=State.ACCEPTED)
        _snapshot(app, "评委会受理")
    return app


def office_return(
    actor: Membership, application_id: int, *, reason: str, now: dt.datetime | None = None
) -> Application:
    """当面退回: back to the channel with reasons; it may resubmit inside the window."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以退回")
    if not reason.strip():
        raise ActionRefused("请填写退回理由")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application_id)
        if app.state != State.IN_BATCH:
            raise ActionRefused("该申报不在待受理状态")
        app.state = State.OFFICE_RETURNED
        app.save()
        _event(app, actor, "office_return", from_state=State.IN_BATCH, to_state=State.OFFICE_RETURNED, reason=reason)
    return app
