"""Pass-rate caps (5c): how many of a group may pass, applied to the ranking of those who passed the vote."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.guards import log_event, office_only, results_posted, year_meeting
from zhicheng.evaluation.models import (
    Group,
    Meeting,
)
from zhicheng.round.rates import pass_rate_value
from zhicheng.round.year import committee_param, year_settings


def pass_rate(group: Group) -> float | None:
    """The group's own rate if the office set one, else the grassroots or default rate of the year settings, else
    the pack's (which gives none: the notice leaves the figure to the office, 5c)."""
    rates = year_settings(group.year).pass_rates or {}
    key = "grassroots" if group.grassroots else "default"
    for value in (rates.get(group.code), rates.get(key), committee_param(group.year, f"{key}_pass_rate")):
        if value is not None:
            return rate_value(value)
    return None


def rate_value(value: Any) -> float:
    try:
        return pass_rate_value(value)
    except ValueError as exc:
        raise ActionRefused(str(exc)) from exc


def cap(group: Group, size: int | None = None) -> int | None:
    """How many of the group may pass: the rate times the group's size, rounded down (a cap is never exceeded). A
    list of groups passes each one's size, counted with the list."""
    rate = pass_rate(group)
    if rate is None:
        return None
    return math.floor(rate * (group.candidates.count() if size is None else size) + 1e-9)


def apply_caps(year: int) -> None:
    for group in Group.objects.filter(year=year).order_by("pk"):
        limit = cap(group)
        members = list(group.candidates.select_for_update().order_by("pk"))
        passed = sorted(
            (c for c in members if c.passed_vote),
            key=lambda c: (-(c.score if c.score is not None else Decimal(-1)), c.code),
        )
        for c in members:
            c.rank_in_group, c.within_cap, c.tie_at_cap = None, c.passed_vote, False
        for rank, c in enumerate(passed, start=1):
            c.rank_in_group = rank
            c.within_cap = limit is None or rank <= limit
        if limit is not None and 0 < limit < len(passed):
            edge = passed[limit - 1].score
            for c in passed:
                # Unscored passers (score None) at the edge are a tie too: their order would be their random codes'.
                c.tie_at_cap = c.score == edge and passed[limit].score == edge
        for c in members:
            if c.passed_vote is None:
                c.within_cap = None
            c.save()


def recompute_caps(actor: Membership, year: int) -> None:
    """After the office changed a group's rate in the year settings."""
    office_only(actor, "计算通过率")
    with transaction.atomic():
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("表决结束后方可按通过率排序")
        if results_posted(year):
            raise ActionRefused("评审结果已公示，不能再调整通过率排序")
        apply_caps(year)
        log_event(actor, year, "recompute_caps")
