"""The year's points of no return (the results posted …): the stage that passes one records it; the earlier stages
ask whether it is passed, so that no stage needs to import a later one."""

from __future__ import annotations

from typing import Any

from zhicheng.round.models import Milestone


def reach(year: int, kind: str, user: Any) -> Milestone:
    """Record that the year passed ``kind`` (inside the caller's transaction, with the change that passes it)."""
    return Milestone.objects.create(year=year, kind=kind, reached_by=user)


def reached(year: int, kind: str) -> bool:
    return Milestone.objects.filter(year=year, kind=kind).exists()


MEETING_OPENED = Milestone.Kind.MEETING_OPENED
RESULTS_POSTED = Milestone.Kind.RESULTS_POSTED
