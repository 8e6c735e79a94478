"""The results' part of the inbox (applications.inbox): the office posts the results and handles objections; the
city HR bureau confirms and files them once the publicity has run its days (R21). A fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications.inbox import Task, register
from zhicheng.evaluation.models import Meeting
from zhicheng.results.models import Objection, ResultsPublicity
from zhicheng.round import clock
from zhicheng.round.clock import zh_date


@register
def results_tasks(membership: Membership) -> Iterable[Task]:
    if membership.role not in (Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER):
        return []
    year = settings.ZHICHENG_YEAR
    publicity = ResultsPublicity.objects.filter(year=year).first()
    if membership.role == Role.COMMITTEE_CLERK:
        closed = Meeting.objects.filter(year=year, status=Meeting.Status.CLOSED).exists()
        out = [Task("表决已结束、待公示的评审结果", int(closed and publicity is None), reverse("results_office"))]
        if publicity is not None:
            pending = Objection.objects.filter(entry__publicity=publicity, handled_at__isnull=True).count()
            out.append(Task("待核查处理的异议", pending, reverse("results_office")))
        return out
    if publicity is None or publicity.confirmed_at is not None:
        return []
    due = clock.today() > publicity.earliest_end
    return [
        Task(
            "公示期满、待确认备案的评审结果" if due else "公示中的评审结果（期满后确认备案）",
            publicity.entries.count(),
            reverse("results_office"),
            f"公示期满日：{zh_date(publicity.earliest_end)}",
        )
    ]
