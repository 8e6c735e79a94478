"""Each candidate's result as the closed meeting left it, for the results publicity and the certificates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from zhicheng.cases.models import Application
from zhicheng.evaluation.models import (
    Candidate,
    Group,
)
from zhicheng.evaluation.scoring import failed_defence


@dataclass(frozen=True)
class CandidateResult:
    application: Application
    code: str
    group: Group
    grassroots: bool
    score: Decimal | None
    votes_for: int | None
    eligible_voters: int | None
    passed_vote: bool | None
    rank_in_group: int | None
    within_cap: bool | None
    tie_at_cap: bool
    failed_defence: bool = False

    @property
    def passed(self) -> bool:
        """Passed the vote and within the group's pass rate: the committee's result (R22, 5c)."""
        return bool(self.passed_vote and self.within_cap)

    @property
    def failure(self) -> str | None:
        """Which of 7.2's failures the year leaves (R28), kept as the person's outcome: below the defence's pass mark
        (``failed_defence``, next year's defence paper must be new) or not passed by the committee
        (``failed_committee``); None for a pass or before the close."""
        if self.passed_vote is None or self.passed:
            return None
        return "failed_defence" if self.failed_defence else "failed_committee"


def results(year: int) -> list[CandidateResult]:
    """Each candidate's result as the closed meeting left it (``passed_vote`` is None before)."""
    rows = Candidate.objects.filter(year=year).select_related("application", "group").order_by("group__code", "code")
    return [
        CandidateResult(
            c.application,
            c.code,
            c.group,
            c.grassroots,
            c.score,
            c.votes_for,
            c.eligible_voters,
            c.passed_vote,
            c.rank_in_group,
            c.within_cap,
            c.tie_at_cap,
            c.passed_vote is not None and failed_defence(c),
        )
        for c in rows
    ]


def failure_of(application: Application) -> str | None:
    """The 7.2 failure of an application's candidate once the meeting closed (R28), or None."""
    candidate = Candidate.objects.filter(application=application).first()
    if candidate is None or candidate.passed_vote is None:
        return None
    if failed_defence(candidate):
        return "failed_defence"
    return None if candidate.passed_vote and candidate.within_cap else "failed_committee"


def candidates_for(year: int) -> QuerySet[Candidate]:
    return Candidate.objects.filter(year=year).select_related("group", "application").order_by("group__code", "code")
