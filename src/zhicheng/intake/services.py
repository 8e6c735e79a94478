"""The committee office's desk (6.1.3, 8.4): channels submit one batch a year inside the window; the office checks
originals and completeness, and accepts or returns. Each change is one transaction with events, as elsewhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from stdnum import issn as stdnum_issn

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications import inbox
from zhicheng.applications.models import Appraisal, Entrustment, Evidence, EvidenceKind, Pledge, Publicity, ReviewStep
from zhicheng.applications.services import entrustment_of
from zhicheng.cases.events import record_event
from zhicheng.cases.kinds import case_kind, decided_without_defence
from zhicheng.cases.labels import OUTCOME_LABELS
from zhicheng.cases.locks import locked
from zhicheng.cases.models import Application, DecisionSnapshot, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.cases.workflow import CHANNELS
from zhicheng.intake.models import BatchEntry, IntakeCheck, RecognitionDecision, SubmissionBatch
from zhicheng.policy.engine import evaluate
from zhicheng.policy.findings import Finding
from zhicheng.policy.pack import pack_for_year
from zhicheng.policy.text import HIT_LABELS, count_chars, personal_info_hits
from zhicheng.records.facts import engine_facts, path_outcome_now, snapshot
from zhicheng.records.models import EvaluationOutcome, Profile
from zhicheng.round import milestones
from zhicheng.round.window import window_state
from zhicheng.round.year import lock_year


def channel_step(application: Application) -> ReviewStep | None:
    """The last step of the chain: the organisation that submits the case to the committee."""
    return application.steps.order_by("-order").first()


def channel_applications(actor: Membership, year: int) -> Any:
    """The actor's organisation's cases ready for the committee (it is the last step of their chain)."""
    # One query, whatever the number of cases (the inbox's own test of the channel page).
    return list(inbox.channel_ready(actor, year))


def _open_or_refuse(year: int, now: dt.datetime | None) -> None:
    state = window_state(year, now)
    if not state.open:
        raise ActionRefused(state.message)


def submit_batch(
    actor: Membership, year: int, *, now: dt.datetime | None = None, entrustment_id: int | None = None
) -> SubmissionBatch:
    """The channel's one batch of the year: every case of its ready for the committee, at once. The city HR bureau
    forwards entrusted cases one batch per entrustment letter (7.1)."""
    if actor.role not in CHANNELS or actor.organisation is None:
        raise ActionRefused(
            "只有县（市、区）工信局、市直主管部门等报送渠道可以向评委会报送；评委会不接受个人和用人单位报送"
        )
    letter = None
    if actor.role == Role.CITY_HR_OFFICER:
        letter = Entrustment.objects.filter(pk=entrustment_id, year=year).first() if entrustment_id else None
        if letter is None:
            raise ActionRefused("请选择要函转的委托评审函（7.1）")
    _open_or_refuse(year, now)
    try:
        with transaction.atomic():
            batch = SubmissionBatch.objects.create(
                channel=actor.organisation, year=year, submitted_by=actor.user, entrustment=letter
            )
            covered = set(letter.applications.values_list("pk", flat=True)) if letter is not None else set()
            ids = [a.pk for a in channel_applications(actor, year) if letter is None or a.pk in covered]
            if not ids:
                raise ActionRefused("本单位没有待报送评委会的申报")
            for app in Application.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"):
                if app.state != State.READY_FOR_COMMITTEE:
                    continue
                app.state = State.IN_BATCH
                app.save()
                BatchEntry.objects.create(batch=batch, application=app)
                record_event(
                    app,
                    actor,
                    "submit_batch",
                    from_state=State.READY_FOR_COMMITTEE,
                    to_state=State.IN_BATCH,
                    payload={"batch": batch.pk},
                )
    except IntegrityError as exc:
        if letter is not None:
            raise ActionRefused(f"委托评审函{letter.forwarding_number}的申报已报送过，不能重复报送") from exc
        raise ActionRefused(f"本单位{year}年度已统一报送过一次，不能重复报送；被退回的申报可单独重新报送") from exc
    return batch


def _channel_locked(actor: Membership, application_id: int) -> Application:
    app = locked(application_id)
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
        record_event(app, actor, "resubmit_to_office", from_state=State.OFFICE_RETURNED, to_state=State.IN_BATCH)
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
    facts = engine_facts(profile, application.year)
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
                employers=(application.employer.name,),
                counties=(application.area.name,) if application.area.kind != "city" else (),
            )
            checks.append(
                {
                    "clause": "3.9",
                    "ok": not hits,
                    "text": "总结中出现个人信息：" + "、".join(HIT_LABELS.get(h, h) for h in hits)
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
    checks.extend(_way_in_checks(application, facts, level.exclusions + (path.findings if path else [])))
    checks.extend(_completeness(application, facts))
    first = DecisionSnapshot.objects.filter(application=application).first()
    now_outcome = path.outcome if path else "ineligible"
    before = first.path_outcome if first is not None else now_outcome
    changed = before != now_outcome
    checks.append(
        {
            "clause": "R0",
            "ok": now_outcome in ("eligible", "refer") and not changed,
            "text": f"按所选路径重新核查：{OUTCOME_LABELS.get(now_outcome, now_outcome)}"
            + (f"（提交时为{OUTCOME_LABELS.get(before, before)}，已发生变化）" if changed else ""),
            "changed": changed,
        }
    )
    return checks


def _way_in_checks(application: Application, facts: Any, findings: list[Finding]) -> list[dict[str, Any]]:
    """How the case came (7.1, 3.10, 4) and what last year's outcome means for it (7.2), for the clerk to see."""
    out: list[dict[str, Any]] = []
    kind = case_kind(application)
    if application.entrusted:
        letter = entrustment_of(application)
        out.append(
            {
                "clause": "7.1",
                "ok": letter is not None,
                "text": f"委托评审：{letter}" if letter else "委托评审：未登记委托函及市人社局函转文号",
            }
        )
    by_condition = {f.condition: f for f in findings}
    for name, clause in (
        ("introduced_talent", "3.10"),
        ("transfer_same_level_engineer", "4"),
        ("transfer_same_level_ae", "4"),
    ):
        found = by_condition.get(name)
        if found is not None:
            out.append(
                {
                    "clause": clause,
                    "ok": found.status != "fail",
                    "text": f"{kind}：{found.message}",
                    "flag": found.status == "refer",
                }
            )
    for name in ("last_year_rule_engineer", "last_year_rule_ae"):
        found = by_condition.get(name)
        applied = facts.last_year is not None and facts.last_year.applied
        if found is None or (found.status == "pass" and not applied):
            continue  # not a returning applicant: nothing for the clerk to see
        known = EvaluationOutcome.objects.filter(
            id_number_digest=application.applicant.profile.id_number_digest, year=application.year - 1
        ).first()
        source = f"（平台记录：{known.year}年度{known.get_outcome_display()}）" if known else "（申报人自填）"
        out.append(
            {
                "clause": "7.2",
                "ok": found.status in ("pass", "refer"),
                "text": f"上年度评审{source}：{found.message}"
                + ("；申报了新的专业工作业绩，提请评委会审议" if found.status == "refer" else ""),
                "flag": found.status == "refer",
            }
        )
    return out


def _completeness(application: Application, facts: Any) -> list[dict[str, Any]]:
    """The material list for the level and path (8.4, 3.6, 3.7, 3.8, 3.9, 8.1, 8.2), against what was uploaded."""
    files = list(
        Evidence.objects.filter(models.Q(profile__user=application.applicant) | models.Q(application=application))
    )

    def has(kind: str, fact: str | None = None) -> bool:
        return any(e.kind == kind and (fact is None or e.fact == fact) for e in files)

    items: list[tuple[str, str, bool]] = []
    engineer = application.level == "engineer"
    achievements_clause = "3.5.1" if engineer else "3.5.2"
    for i, paper in enumerate(facts.papers or []):
        items.append(("3.6.1.1", f"论文{i + 1}「{paper.title or ''}」原文", has(EvidenceKind.PAPER, f"papers[{i}]")))
        if engineer:
            items.append(("3.6.1c", f"论文{i + 1}的数据库检索页", has(EvidenceKind.RETRIEVAL_PAGE, f"papers[{i}]")))
    for i, _ in enumerate(facts.technical_reports or []):
        items.append(("3.6.1.2", f"专业技术报告{i + 1}", has(EvidenceKind.REPORT, f"technical_reports[{i}]")))
    for i, book in enumerate(facts.books or []):
        items.append(("3.6.1c", f"著作「{book.title or ''}」及CIP核字号检索页", has(EvidenceKind.BOOK, f"books[{i}]")))
    for i, _ in enumerate(facts.achievements or []):
        items.append((achievements_clause, f"业绩成果{i + 1}证明", has(EvidenceKind.ACHIEVEMENT, f"achievements[{i}]")))
    if application.level != "technician":
        items.append(("3.7a", "年度考核材料", has(EvidenceKind.ASSESSMENT)))
        items.append(("3.8", "继续教育证明", has(EvidenceKind.CONTINUING_EDUCATION)))
        items.append(
            (
                "3.9",
                "专业技术工作总结",
                has(EvidenceKind.WORK_SUMMARY) or bool(facts.work_summary and facts.work_summary.text),
            )
        )
        appraisal = Appraisal.objects.filter(application=application).first()
        items.append(
            ("6.1.2b", "单位鉴定意见（负责人确认）", appraisal is not None and appraisal.confirmed_at is not None)
        )
        for kind, label in Publicity.Kind.choices:
            items.append(("8.1", f"{label}原始照片", has(EvidenceKind.PUBLICITY_PHOTO, f"publicity:{kind}")))
    pledge = Pledge.objects.filter(application=application).first()
    items.append(
        ("8.2", "双承诺", pledge is not None and pledge.applicant_at is not None and pledge.employer_at is not None)
    )
    missing = [f"{what}（{clause}）" for clause, what, ok in items if not ok]
    return [
        {
            "clause": "8.4",
            "ok": not missing,
            "text": "材料齐全：" + "、".join(what for _, what, _ in items)
            if not missing
            else "材料不全，缺：" + "、".join(missing),
        }
    ]


def record_check(actor: Membership, application_id: int, *, originals: list[str], notes: str) -> IntakeCheck:
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以核验")
    with transaction.atomic():
        app = locked(application_id)
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
        record_event(app, actor, "intake_check", payload={"originals": check.originals_seen})
    return check


def accept(actor: Membership, application_id: int, *, now: dt.datetime | None = None) -> Application:
    """受理: inside the window, every original seen; two clerks at once never accept twice."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以受理")
    with transaction.atomic():
        app = locked(application_id)
        if app.state == State.ACCEPTED:
            raise ActionRefused("该申报已被受理，无需重复受理")
        if app.state != State.IN_BATCH:
            raise ActionRefused("该申报不在待受理状态")
        _open_or_refuse(app.year, now)
        lock_year(app.year)  # against the vote beginning at the same moment (evaluation.meeting.open_meeting)
        if milestones.reached(app.year, milestones.MEETING_OPENED):
            raise ActionRefused(
                f"{app.year}年度评审会议已开始表决，不能再受理：该申报无法参加本年度评审，"
                "请退回报送单位，或移出本年度评审并写明理由"
            )
        check = IntakeCheck.objects.filter(application=app).first()
        seen = set(check.originals_seen if check else [])
        missing = [what for key, what in required_originals(app) if key not in seen]
        if missing:
            raise ActionRefused("尚未核验原件：" + "、".join(missing))
        outcome = path_outcome_now(app)
        if outcome in ("ineligible", "incomplete"):
            raise ActionRefused(
                f"按所选路径重新核查为“{OUTCOME_LABELS[outcome]}”：不符合条件的应当面退回报送单位（8.4）"
            )
        app.state = State.ACCEPTED
        app.save()
        record_event(app, actor, "accept", from_state=State.IN_BATCH, to_state=State.ACCEPTED)
        snapshot(app, "评委会受理")
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
        app = locked(application_id)
        if app.state != State.IN_BATCH:
            raise ActionRefused("该申报不在待受理状态")
        app.state = State.OFFICE_RETURNED
        app.save()
        record_event(
            app, actor, "office_return", from_state=State.IN_BATCH, to_state=State.OFFICE_RETURNED, reason=reason
        )
    return app


def defer_refusal(app: Application) -> str | None:
    """Why the office may not take this case out of the year's round (None: it may)."""
    if app.state not in (State.IN_BATCH, State.OFFICE_RETURNED, State.ACCEPTED):
        return "只有已报送评委会、尚未评审的申报可以移出本年度评审"
    if not milestones.reached(app.year, milestones.MEETING_OPENED):
        # Before the vote a case can still be evaluated: an accepted one joins a group, a received one may be returned.
        return "评审会议开始表决前，已受理的申报应编入答辩组参加评审，待受理的可退回报送单位"
    if app.state == State.ACCEPTED and milestones.reached(app.year, milestones.RESULTS_POSTED):
        return f"{app.year}年度评审结果已公示，已受理的申报不能再移出"
    if Application.objects.filter(pk=app.pk, evaluation_candidate__isnull=False).exists():
        return "该申报已编入答辩组，按评审程序办理，不能移出"
    return None


def defer(actor: Membership, application_id: int, *, reason: str) -> Application:
    """移出本年度评审: once the vote has begun, the office takes a case that can no longer take part in the year's
    evaluation (received, returned or accepted too late for the meeting) out of the year's round, so the year can be finished; the reason is recorded
    and shown to the applicant, who may apply again in a later year. A case already in a defence group, or decided
    on the record, goes through the evaluation instead."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室工作人员可以将申报移出本年度评审")
    reason = reason.strip()
    if not reason:
        raise ActionRefused("请填写移出本年度评审的理由（申报人可见）")
    with transaction.atomic():
        app = locked(application_id)
        refusal = defer_refusal(app)
        if refusal:
            raise ActionRefused(refusal)
        before = app.state
        app.state = State.DEFERRED
        app.save(update_fields=["state", "updated_at"])
        record_event(app, actor, "defer", from_state=before, to_state=State.DEFERRED, reason=reason)
    return app


# ── recognition (3.10, 3.3b, 3.2.1c) ────────────────────────────────────────────────────────────────────────────


def record_recognition(
    actor: Membership,
    application_id: int,
    *,
    recognised: bool,
    reasons: str,
    decided_on: dt.date,
) -> RecognitionDecision:
    """认定 / 确定 (3.10, 3.3b, 3.2.1c): the committee's own decision on an accepted case it decides on the record,
    recorded by the office."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室可以录入评委会的认定结论")
    if not reasons.strip():
        raise ActionRefused("请填写评委会意见")
    with transaction.atomic():
        app = locked(application_id)
        if not decided_without_defence(app):
            raise ActionRefused("该申报不是认定或确定的申报，按答辩评审办理")
        if app.state != State.ACCEPTED:
            raise ActionRefused("只有已受理的认定申报可以录入认定结论")
        if milestones.reached(app.year, milestones.RESULTS_POSTED):
            raise ActionRefused(f"{app.year}年度评审结果已公示，不能再录入认定结论")
        decision = RecognitionDecision.objects.create(
            application=app,
            recognised=recognised,
            level=app.level if recognised else "",
            reasons=reasons,
            decided_on=decided_on,
            recorded_by=actor.user,
        )
        app.state = State.RECOGNITION_DECIDED
        app.save(update_fields=["state", "updated_at"])
        record_event(
            app,
            actor,
            "recognition",
            from_state=State.ACCEPTED,
            to_state=State.RECOGNITION_DECIDED,
            reason=reasons,
            payload={"recognised": recognised},
        )
    return decision
