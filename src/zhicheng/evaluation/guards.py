"""Who may act in the evaluation and when (R22): the office, the expert themself, before the vote, not after the
close, not once the results are public; and the evaluation's own event log (the case's timeline must not show
which experts scored or voted, so these events are kept apart)."""

from __future__ import annotations

from typing import Any

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.models import (
    EVENT_LABELS,
    Candidate,
    EvaluationEvent,
    Expert,
    Meeting,
)
from zhicheng.round import milestones

OFFICE_ROLES = frozenset({Role.COMMITTEE_CLERK})

VIEW_ROLES = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})


def office_only(actor: Membership, what: str) -> None:
    if actor.role not in OFFICE_ROLES:
        raise ActionRefused(f"只有评委会办公室工作人员可以{what}")


def can_view_office(actor: Membership | None) -> bool:
    return actor is not None and actor.role in VIEW_ROLES


def expert_for(actor: Membership | None, year: int) -> Expert | None:
    """The actor's own seat in the year's pool: only when acting as an expert, never on someone else's behalf."""
    if actor is None or actor.role != Role.EXPERT:
        return None
    return Expert.objects.filter(year=year, user_id=actor.user_id).first()


def acting_expert(actor: Membership, year: int) -> Expert:
    expert = expert_for(actor, year)
    if expert is None:
        raise ActionRefused("只有本年度评审专家本人可以进行此操作")
    return expert


def log_event(actor: Membership, year: int, action: str, candidate: Candidate | None = None, **payload: Any) -> None:
    trail.record(
        AuditEntry.Kind.EVALUATION,
        action,
        user=actor.user,
        role=actor.role,
        subject=f"{year}年度评审" + (f"·{candidate.code}" if candidate else ""),
        summary=EVENT_LABELS.get(action, ""),
        payload=payload,
    )
    EvaluationEvent.objects.create(
        year=year, actor=actor.user, role=actor.role, action=action, candidate=candidate, payload=payload
    )


def locked_candidate(candidate_id: int) -> Candidate:
    try:
        return Candidate.objects.select_for_update().get(pk=candidate_id)
    except Candidate.DoesNotExist as exc:
        raise ActionRefused("参评人员不存在") from exc


def year_meeting(year: int, *, lock: bool = True) -> Meeting:
    qs = Meeting.objects.select_for_update() if lock else Meeting.objects.all()
    meeting = qs.filter(year=year).first()
    if meeting is None:
        raise ActionRefused("本年度评审会议尚未安排")
    return meeting


def vote_begun(year: int) -> bool:
    """From the first opening on, a later sitting (R27) included: the meeting back in preparation for the votes not
    held still has the committee, the panels and the recusals the votes already held were cast under."""
    if milestones.reached(year, milestones.MEETING_OPENED):
        return True
    return Meeting.objects.filter(year=year).exclude(status=Meeting.Status.PREPARING).exists()


def before_the_vote(year: int) -> None:
    """A recusal, a new member or a new group changes who counts (R22): only before the meeting opens — a ballot
    already cast cannot be taken out of the count, it is tied to no one. The office's page offers those buttons on
    the same test (``vote_begun``)."""
    if vote_begun(year):
        raise ActionRefused("评审会议已开始表决，不能再更改回避、委员或分组")


def scoring_open(year: int) -> bool:
    """Sheets are written and corrected only before the vote first opens (R28): the panel's mean defence score
    decides who is put to the vote, so a sheet changed while the ballot runs, after it, or before a later sitting
    (R27) would move a result the committee already voted on. The expert's page shows the form on this test."""
    return not milestones.reached(year, milestones.MEETING_OPENED)


def before_scoring_closes(year: int, what: str = "评分或更正评分") -> None:
    """Also binds the panels: an expert put in a group after the vote opened could never score, and the panel's
    missing sheet would keep a later sitting (R27) from opening."""
    if not scoring_open(year):
        raise ActionRefused(f"评审会议已开始表决，表决开始后不能再{what}")


def not_closed(year: int) -> None:
    if Meeting.objects.filter(year=year, status=Meeting.Status.CLOSED).exists():
        raise ActionRefused("评审会议已结束，不能再更改")


def results_posted(year: int) -> bool:
    """Once the year's results are public, the committee's record of the year is closed (R21)."""
    return milestones.reached(year, milestones.RESULTS_POSTED)
