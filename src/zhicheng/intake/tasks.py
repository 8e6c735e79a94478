"""The desk's part of the inbox (applications.inbox): what the channels submitted and the office has yet to accept
or return, and the batches that brought it. Two queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications.inbox import Task, register
from zhicheng.cases.models import Application, State
from zhicheng.intake.models import SubmissionBatch


@register
def desk_tasks(membership: Membership) -> Iterable[Task]:
    if membership.role != Role.COMMITTEE_CLERK:
        return []
    waiting = Application.objects.filter(year=settings.ZHICHENG_YEAR, state=State.IN_BATCH)
    batches = SubmissionBatch.objects.filter(entries__application__in=waiting).distinct().count()
    return [
        Task("已报送、待受理的申报（核验原件）", waiting.count(), reverse("office"), "在报送时间内受理"),
        Task("有待受理申报的报送批次", batches, reverse("office")),
    ]
