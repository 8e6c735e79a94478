"""An expert's inbox (applications.inbox): the candidates of its group to score and the ballots to cast — its
whole work, by code only; no list of cases. Counted in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications.inbox import Task, register
from zhicheng.evaluation.models import Assignment, BallotCast, Candidate, Conflict, Meeting, Score


@register
def expert_tasks(membership: Membership) -> Iterable[Task]:
    if membership.role != Role.EXPERT:
        return []
    year = settings.ZHICHENG_YEAR
    assignment = Assignment.objects.filter(expert__year=year, expert__user_id=membership.user_id).first()
    if assignment is None:
        return [Task("尚未分配答辩组", 0, reverse("expert_home"))]
    recused = Conflict.objects.filter(expert_id=assignment.expert_id).values("candidate_id")
    mine = Candidate.objects.filter(group_id=assignment.group_id).exclude(pk__in=recused)
    scored = Score.objects.filter(expert_id=assignment.expert_id, current=True).values("candidate_id")
    out = [
        Task(
            "待评分的候选人",
            mine.filter(reviewed_at__isnull=False).exclude(pk__in=scored).count(),
            reverse("expert_home"),
            "匿名材料经评委会办公室审核后方可评分",
        )
    ]
    meeting = Meeting.objects.filter(year=year, status=Meeting.Status.OPEN, present=assignment.expert_id).first()
    if meeting is not None:
        voted = BallotCast.objects.filter(meeting=meeting, expert_id=assignment.expert_id, void=False).values(
            "candidate_id"
        )
        out.append(
            Task(
                "待投票的候选人",
                # Those decided at an earlier sitting are not voted on again (R27). Those below the defence's pass
                # mark (R28) are left in the count: telling them needs each one's scores, too dear for a badge; the
                # ballot page itself lists only what the expert can vote on.
                Candidate.objects.filter(year=year, passed_vote__isnull=True)
                .exclude(pk__in=recused)
                .exclude(pk__in=voted)
                .count(),
                reverse("expert_home"),
                "评审会议表决中",
            )
        )
    return out


@register
def office_evaluation_tasks(membership: Membership) -> Iterable[Task]:
    """The office's evaluation work: accepted candidates whose texts are not yet read as experts will see them."""
    if membership.role != Role.COMMITTEE_CLERK:
        return []
    unread = Candidate.objects.filter(year=settings.ZHICHENG_YEAR, reviewed_at__isnull=True).count()
    return [Task("匿名材料待审核的候选人", unread, reverse("evaluation"), "评委会办公室审核匿名材料后，专家方可查看")]
