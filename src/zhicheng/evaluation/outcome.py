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

    @property
    def passed(self) -> bool:
        """Passed the vote and within the group's pass rate: the committee's result (R22, 5c)."""
        return bool(self.passed_vote and self.within_cap)


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
        )
        for c in rows
    ]


def candidates_for(year: int) -> QuerySet[Candidate]:
    return Candidate.objects.filter(year=year).select_related("group", "application").order_by("group__code", "code")
