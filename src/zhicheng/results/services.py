"""Results (R21, R22, 7.2): the office posts the year's results publicity once the committee's vote has closed; an
objection received during it is recorded and handled before the city HR bureau confirms and files the results;
confirmation ends every case of the year, keeps its outcome for next year's rule and issues the certificates."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.cases.events import record_event
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused, check_lengths
from zhicheng.evaluation.meeting import void_vote, vote_not_held
from zhicheng.evaluation.models import Candidate, Meeting
from zhicheng.evaluation.outcome import failure_of
from zhicheng.intake.models import RecognitionDecision
from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.policy.pack import pack_for_year
from zhicheng.records.models import EvaluationOutcome, IntegrityRecord, Profile, profile_of
from zhicheng.records.outcomes import record_outcome
from zhicheng.results.models import Certificate, Objection, ResultEntry, ResultsPublicity
from zhicheng.round import clock, milestones
from zhicheng.round.calendar import office_calendar
from zhicheng.round.clock import zh_date
from zhicheng.round.year import year_settings

# An unambiguous alphabet for codes read off paper: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def _office(actor: Membership) -> None:
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室可以办理评审结果公示")


def applicant_name(application: Application) -> str:
    """The name as the applicant gave it in the profile (the publicity and the certificate print it)."""
    profile = profile_of(application.applicant)
    name = ((profile.facts.get("identity") or {}).get("name") if profile else None) or ""
    return str(name or application.applicant.get_full_name() or application.applicant)


def recommended(year: int) -> list[tuple[Application, str]]:
    """Who the publicity names: each candidate who passed the vote within the group's pass rate (R22, 5), and each
    introduced talent the committee recognised (3.10), in the order of the groups' codes."""
    out: list[tuple[Application, str]] = []
    for c in (
        Candidate.objects.filter(year=year, passed_vote=True, within_cap=True)
        .select_related("application__employer", "application__applicant__profile", "group")
        .order_by("group__code", "rank_in_group", "code")
    ):
        out.append((c.application, "evaluation"))
    for d in RecognitionDecision.objects.filter(application__year=year, recognised=True).select_related(
        "application__employer", "application__applicant__profile"
    ):
        out.append((d.application, "recognition"))
    return out


def undecided(year: int) -> list[str]:
    """Accepted cases of the year that are neither a candidate of the evaluation nor decided by the committee (3.10,
    3.3b, 3.2.1c): the results cannot be posted or confirmed while any is left, or they would end as failures."""
    waiting = Application.objects.filter(year=year, state=State.ACCEPTED, evaluation_candidate__isnull=True)
    return [applicant_name(app) for app in waiting.select_related("applicant__profile").order_by("pk")]


def publicity_end(year: int, starts_on: dt.date) -> dt.date:
    """The last day of a publicity of the year's minimum of working days from ``starts_on`` (R21), on the office's
    calendar: the year's publicity and a name re-posted after its re-vote (R27) run the same length."""
    try:
        return office_calendar().publicity_end(starts_on, year_settings(year).results_min_workdays)
    except CalendarYearMissing as exc:
        raise ActionRefused(str(exc)) from exc


def _name(
    publicity: ResultsPublicity,
    app: Application,
    number: int,
    way: str,
    *,
    posted_on: dt.date | None = None,
    earliest_end: dt.date | None = None,
) -> ResultEntry:
    """One name on the publicity, kept as it was posted (a later change of the profile does not rewrite it); a name
    of the supplementary publicity (R27) carries its own period."""
    return ResultEntry.objects.create(
        publicity=publicity,
        application=app,
        number=number,
        name=applicant_name(app),
        employer_name=app.employer.name,
        level=app.level,
        specialty_name=app.specialty_name,
        way=way,
        posted_on=posted_on,
        earliest_end=earliest_end,
    )


def post_results(actor: Membership, year: int, *, starts_on: dt.date, today: dt.date | None = None) -> ResultsPublicity:
    """The results publicity, posted once, after the meeting closed; it runs on the platform's public page at least
    the year's minimum of working days (R21) from its first day, which is not before the day it is posted, computed
    on the office's calendar (a year without an arrangement refuses with what to enter)."""
    _office(actor)
    today = today or clock.today()
    if starts_on < today:
        raise ActionRefused(
            f"公示开始日期不能早于今天（{zh_date(today)}）：评审结果须在本平台公开公示满规定的工作日（R21）"
        )
    waiting = undecided(year)
    if waiting:
        raise ActionRefused("以下已受理的申报尚未参加评审或尚未作出认定结论：" + "、".join(waiting))
    meeting = Meeting.objects.filter(year=year).first()
    if meeting is None or meeting.status != Meeting.Status.CLOSED:
        raise ActionRefused("评委会表决结束后方可公示评审结果")
    if meeting.held_on > starts_on:
        raise ActionRefused("公示不能早于评审会议日期")
    not_held = vote_not_held(year, meeting)
    if not_held:  # R27: voted on at a later sitting, never filed as failing a vote that was not held
        raise ActionRefused(
            "以下参评人员的表决未进行，须在评审会议再次开会时表决后方可公示：" + "、".join(c.code for c in not_held)
        )
    if Candidate.objects.filter(year=year, tie_at_cap=True).exists():
        raise ActionRefused("有申报人在通过率边界并列，请评委会办公室先按规定确定后再公示")
    end = publicity_end(year, starts_on)
    names = recommended(year)
    if not names:
        raise ActionRefused("没有需要公示的评审通过人员")
    try:
        with transaction.atomic():
            publicity = ResultsPublicity.objects.create(
                year=year, starts_on=starts_on, earliest_end=end, posted_by=actor.user
            )
            milestones.reach(year, milestones.RESULTS_POSTED, actor.user)
            for n, (app, way) in enumerate(names, start=1):  # entries first, then the events (the trail's lock)
                _name(publicity, app, n, way)
            for app, _way in names:
                record_event(
                    app,
                    actor,
                    "results_publicity",
                    payload={"starts_on": starts_on.isoformat(), "end": end.isoformat()},
                )
    except IntegrityError as exc:
        raise ActionRefused(f"{year}年度评审结果已经公示，不能重复公示") from exc
    return publicity


def record_objection(
    actor: Membership, entry_id: int, *, content: str, received_on: dt.date, contact: str = ""
) -> Objection:
    """An objection to one name, received during the publicity (from its first day to its last)."""
    _office(actor)
    if not content.strip():
        raise ActionRefused("请填写异议内容")
    check_lengths(Objection, contact=contact)
    with transaction.atomic():
        entry = ResultEntry.objects.select_for_update().select_related("publicity").filter(pk=entry_id).first()
        if entry is None:
            raise ActionRefused("公示名单中没有该人员")
        publicity = entry.publicity
        if publicity.confirmed_at is not None:
            raise ActionRefused("评审结果已确认备案，不再受理异议")
        if entry.status in (ResultEntry.Status.REVOTE, ResultEntry.Status.REVOTE_FAILED):
            raise ActionRefused(f"{entry.name}不在公示名单中（{entry.get_status_display()}），不受理异议")
        # A name re-posted after its re-vote (R27) is objected to within its own period.
        if not entry.starts_on <= received_on <= entry.ends_on:
            raise ActionRefused(f"公示期为{zh_date(entry.starts_on)}至{zh_date(entry.ends_on)}，该日期不在公示期内")
        objection = Objection.objects.create(
            entry=entry, received_on=received_on, content=content, contact=contact, recorded_by=actor.user
        )
        record_event(entry.application, actor, "results_objection", reason=content)
    return objection


def handle_objection(
    actor: Membership,
    objection_id: int,
    *,
    upheld: bool,
    handling: str,
    finding: str = Objection.Finding.CANCEL,
) -> Objection:
    """The office's finding on an objection. An upheld one takes the name off the results (取消), or, when it showed
    the vote on that candidate flawed (a recusal missed, say), voids the vote (重新表决): the candidate is voted on at
    a later sitting of the same meeting (R27) and, passed within the cap, re-posted with a period of its own."""
    _office(actor)
    if not handling.strip():
        raise ActionRefused("请填写核查处理情况")
    if upheld and finding not in Objection.Finding.values:
        raise ActionRefused("请选择异议成立后的处理：取消或重新表决")
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update().select_related("entry__publicity").filter(pk=objection_id).first()
        )
        if objection is None:
            raise ActionRefused("异议不存在")
        if objection.entry.publicity.confirmed_at is not None:
            raise ActionRefused("评审结果已确认备案")
        if objection.handled_at is not None:
            raise ActionRefused("该异议已处理")
        entry = ResultEntry.objects.select_for_update().select_related("publicity").get(pk=objection.entry_id)
        revote = upheld and finding == Objection.Finding.REVOTE
        if upheld and not revote and entry.status == ResultEntry.Status.REVOTE:
            # Taken off now, the name would still wait for its re-vote at a later sitting: the objection is handled
            # once the re-vote has closed (confirmation waits for every objection).
            raise ActionRefused(
                f"{entry.name}的表决已因公示异议作废、正待重新表决：请在重新表决并补充公示后再处理本异议"
                "（重新表决未通过的不再列入名单）"
            )
        if revote and entry.status != ResultEntry.Status.PUBLICISED:
            raise ActionRefused(f"{entry.name}已不在公示名单中（{entry.get_status_display()}），不能重新表决")
        objection.upheld, objection.handling = upheld, handling
        objection.finding = finding if upheld else ""
        objection.handled_by, objection.handled_at = actor.user, timezone.now()
        objection.save()
        if revote:
            candidate = Candidate.objects.filter(application_id=entry.application_id).first()
            if entry.way != "evaluation" or candidate is None:
                raise ActionRefused("认定结论不经评委会表决，不能重新表决")
            void_vote(actor, candidate.pk)  # the evaluation's event before the case's (the trail's lock)
            entry.status = ResultEntry.Status.REVOTE
            entry.save(update_fields=["status"])
        elif upheld and entry.status != ResultEntry.Status.REVOTE_FAILED:  # a second objection on a name off
            entry.status = ResultEntry.Status.CANCELLED
            entry.save(update_fields=["status"])
        record_event(
            entry.application,
            actor,
            "results_objection_handled",
            reason=handling,
            payload={"upheld": upheld, "finding": objection.finding},
        )
    return objection


def revoted(year: int) -> list[tuple[ResultEntry, Candidate]]:
    """The names whose vote an objection upheld voided (R27) and whose re-vote has closed: each waits for its
    supplementary publicity (passed within the cap) or to be taken off (not passed)."""
    meeting = Meeting.objects.filter(year=year).first()
    if meeting is None or meeting.status != Meeting.Status.CLOSED:
        return []
    not_held = {c.pk for c in vote_not_held(year, meeting)}
    out = []
    for entry in (
        ResultEntry.objects.filter(publicity__year=year, status=ResultEntry.Status.REVOTE)
        .select_related("application__evaluation_candidate")
        .order_by("number", "pk")
    ):
        candidate = entry.application.evaluation_candidate
        if candidate.passed_vote is not None and candidate.pk not in not_held:
            out.append((entry, candidate))
    return out


def post_revote(actor: Membership, year: int, *, starts_on: dt.date, today: dt.date | None = None) -> int:
    """After the re-vote closed (R27): a name passed within the group's cap returns to the publicity with a period of
    its own, of the year's length in working days (补充公示); one not passed stays off and ends not granted at the
    confirmation. Its start is the office's choice, as the publicity's (not before today). Returns how many names
    were re-posted."""
    _office(actor)
    today = today or clock.today()
    if starts_on < today:
        raise ActionRefused(f"补充公示开始日期不能早于今天（{zh_date(today)}）")
    with transaction.atomic():
        publicity = ResultsPublicity.objects.select_for_update().filter(year=year).first()
        if publicity is None:
            raise ActionRefused("评审结果尚未公示")
        if publicity.confirmed_at is not None:
            raise ActionRefused("该年度评审结果已确认备案")
        done = revoted(year)
        if not done:
            raise ActionRefused("没有已重新表决、待补充公示的人员：须先在评审会议再次开会时重新表决并宣布表决结束")
        if any(c.tie_at_cap for _, c in done):
            raise ActionRefused("有申报人在通过率边界并列，请评委会办公室先按规定确定后再补充公示")
        end = publicity_end(year, starts_on)
        posted = 0
        for entry, candidate in done:
            if candidate.passed_vote and candidate.within_cap:
                entry.status, entry.posted_on, entry.earliest_end = ResultEntry.Status.PUBLICISED, starts_on, end
                posted += 1
            else:
                entry.status = ResultEntry.Status.REVOTE_FAILED
            entry.save(update_fields=["status", "posted_on", "earliest_end"])
        # A re-vote not passed leaves its place in the group's pass rate to the next passer by score (the caps were
        # recomputed when the vote was voided): never posted before, that name is posted now, with the same period.
        listed = set(ResultEntry.objects.filter(publicity=publicity).values_list("application_id", flat=True))
        number = ResultEntry.objects.filter(publicity=publicity).count()
        moved_in = [app for app, way in recommended(year) if way == "evaluation" and app.pk not in listed]
        for app in moved_in:
            number += 1
            _name(publicity, app, number, "evaluation", posted_on=starts_on, earliest_end=end)
            posted += 1
        for app in moved_in:
            record_event(
                app,
                actor,
                "results_publicity",
                payload={"starts_on": starts_on.isoformat(), "end": end.isoformat(), "revote": True},
            )
        for entry, _candidate in done:  # entries first, then the events (the trail's lock)
            if entry.status == ResultEntry.Status.PUBLICISED:
                record_event(
                    entry.application,
                    actor,
                    "results_publicity",
                    payload={"starts_on": starts_on.isoformat(), "end": end.isoformat(), "revote": True},
                )
            else:
                record_event(entry.application, actor, "results_revote_failed")
    return posted


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def confirm_results(actor: Membership, year: int, *, filing_document: str, today: dt.date | None = None) -> int:
    """The city HR bureau confirms and files the year's results after the publicity ended with every objection
    handled: each named applicant is granted (a certificate issued), every other case of the year ends not granted,
    and each outcome is kept for next year's rule (7.2). Returns the number of certificates issued."""
    if actor.role != Role.CITY_HR_OFFICER:
        raise ActionRefused("评审结果由市人社局确认备案")
    if not filing_document.strip():
        raise ActionRefused("请填写确认备案文号")
    check_lengths(ResultsPublicity, filing_document=filing_document)
    today = today or clock.today()
    with transaction.atomic():
        publicity = ResultsPublicity.objects.select_for_update().filter(year=year).first()
        if publicity is None:
            raise ActionRefused("评审结果尚未公示")
        if publicity.confirmed_at is not None:
            raise ActionRefused("该年度评审结果已确认备案")
        waiting = undecided(year)
        if waiting:
            raise ActionRefused("以下已受理的申报尚未参加评审或尚未作出认定结论：" + "、".join(waiting))
        if today <= publicity.earliest_end:
            raise ActionRefused(
                f"评审结果公示须满{year_settings(year).results_min_workdays}个工作日，{zh_date(publicity.earliest_end)}后方可确认"
            )
        pending = Objection.objects.filter(entry__publicity=publicity, handled_at__isnull=True).count()
        if pending:
            raise ActionRefused(f"有{pending}件异议尚未处理")
        revote = publicity.entries.filter(status=ResultEntry.Status.REVOTE).order_by("number", "pk")
        if revote:  # R27: the re-vote's result, and its own publicity, decide these names
            raise ActionRefused(
                "以下人员因异议成立须重新表决，尚未完成重新表决或补充公示：" + "、".join(e.name for e in revote)
            )
        running = publicity.entries.filter(status=ResultEntry.Status.PUBLICISED, earliest_end__gte=today).order_by(
            "number", "pk"
        )
        if running:
            raise ActionRefused(
                "以下人员的补充公示期未满，期满后方可确认："
                + "、".join(f"{e.name}（{zh_date(e.ends_on)}期满）" for e in running)
            )
        committee = pack_for_year(year).param("committee_name").value
        entries = {e.application_id: e for e in publicity.entries.select_for_update().order_by("pk")}
        issued = 0
        cases = Application.objects.select_for_update().filter(
            year=year, state__in=[State.ACCEPTED, State.RECOGNITION_DECIDED]
        )
        for app in cases.order_by("pk"):
            entry = entries.get(app.pk)
            # 8.2: a finding of fraud cancels the year's evaluation (取消当年评审资格), whatever the vote said.
            granted = entry is not None and entry.status == ResultEntry.Status.PUBLICISED and not _cancelled(app, year)
            before = app.state
            app.state = State.GRANTED if granted else State.NOT_GRANTED
            app.save(update_fields=["state", "updated_at"])
            record_event(
                app,
                actor,
                "confirm_granted" if granted else "confirm_not_granted",
                from_state=before,
                to_state=app.state,
                payload={"filing_document": filing_document},
            )
            if granted:
                assert entry is not None
                entry.status = ResultEntry.Status.GRANTED
                entry.save(update_fields=["status"])
                issued += 1
                Certificate.objects.create(
                    application=app,
                    number=f"{year}-{app.level[:2].upper()}-{issued:04d}",
                    code=_new_code(),
                    holder_name=entry.name,
                    level=app.level,
                    specialty_name=app.specialty_name,
                    year=year,
                    committee=committee,
                    issued_on=today,
                    way=entry.way,
                )
            if before == State.RECOGNITION_DECIDED and not granted:
                continue  # 7.2 binds evaluation (评审), not a recognition or determination refused
            record_outcome(actor, app, _outcome(granted, app))
        publicity.confirmed_by, publicity.confirmed_at = actor.user, timezone.now()
        publicity.filing_document = filing_document
        publicity.save()
    return issued


def _cancelled(application: Application, year: int) -> bool:
    profile = Profile.objects.filter(user=application.applicant).first()
    if profile is None or not profile.id_number_digest:
        return False
    return IntegrityRecord.objects.filter(id_number_digest=profile.id_number_digest, cancelled_year=year).exists()


def _outcome(granted: bool, application: Application) -> str:
    """A case not granted failed the defence (7.2a: below the year's pass mark, not put to the vote, R28) or the
    committee's evaluation (7.2b); both are kept as the person's outcome of the year."""
    if granted:
        return EvaluationOutcome.Outcome.PASSED
    if failure_of(application) == "failed_defence":
        return EvaluationOutcome.Outcome.FAILED_DEFENCE
    return EvaluationOutcome.Outcome.FAILED_COMMITTEE


# ── verification ─────────────────────────────────────────────────────────────────────────────────────────


def mask_name(name: str) -> str:
    """张建国 → 张*国, 王丽 → 王*, 欧阳小明 → 欧**明: enough to recognise, not to harvest."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify(code: str) -> dict[str, Any] | None:
    """What the public verification page shows for a code; None for a code the platform never issued."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    cert = Certificate.objects.filter(code=cleaned).first()
    if cert is None:
        return None
    profile = Profile.objects.filter(user=cert.application.applicant).first()
    # 8.2: a title obtained by fraud is revoked (撤销其职称) — the register says so, and the page must too.
    revoked = cert.application.state != State.GRANTED or (
        profile is not None
        and bool(profile.id_number_digest)
        and IntegrityRecord.objects.filter(id_number_digest=profile.id_number_digest)
        .filter(models.Q(title_revoked=True, found_on__gte=cert.issued_on) | models.Q(cancelled_year=cert.year))
        .exists()
    )
    return {
        "number": cert.number,
        "name": mask_name(cert.holder_name),
        "level": cert.level,
        "specialty": cert.specialty_name,
        "year": cert.year,
        "committee": cert.committee,
        "issued_on": cert.issued_on,
        "way": cert.get_way_display(),
        "revoked": revoked,
    }
