"""Experts to groups: a proposal the office previews, then puts in force; who scores a candidate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.experts import conflict_map
from zhicheng.evaluation.guards import before_scoring_closes, log_event, office_only
from zhicheng.evaluation.models import (
    Assignment,
    Candidate,
    Expert,
    Group,
    Score,
)
from zhicheng.round.year import committee_param


@dataclass
class PlanRow:
    group: Group
    experts: list[Expert]
    warnings: list[str] = field(default_factory=list)


def plan_assignment(year: int) -> list[PlanRow]:
    """A proposal, changes nothing: each group gets the pack's number of experts (or its share of a smaller pool), of
    its specialty first, those with
    the fewest conflicts in it first, one group per expert. The office looks at it before it applies it."""
    conflicts = conflict_map(year)
    groups = sorted(Group.objects.filter(year=year), key=lambda g: (-g.candidates.count(), g.code))
    free = list(Expert.objects.filter(year=year).select_related("user").order_by("pk"))
    # A small pool is shared out rather than spent on the first group.
    per_group = min(committee_param(year, "experts_per_group"), max(1, len(free) // max(1, len(groups))))
    members = {g.pk: list(g.candidates.values_list("pk", flat=True)) for g in groups}
    rows = []
    for group in groups:
        in_group = members[group.pk]

        def cost(e: Expert, group: Group = group, in_group: list[int] = in_group) -> tuple[int, int, int]:
            clashes = sum((e.pk, c) in conflicts for c in in_group)
            return (e.specialty_category != group.specialty_category, clashes, e.pk)

        chosen = sorted(free, key=cost)[:per_group]
        free = [e for e in free if e not in chosen]
        row = PlanRow(group, chosen)
        if len(chosen) < per_group:
            row.warnings.append(f"专家不足：需{per_group}人，仅有{len(chosen)}人")
        others = [e for e in chosen if e.specialty_category != group.specialty_category]
        if others:
            row.warnings.append(f"{len(others)}名专家非本专业类别")
        for c in Candidate.objects.filter(pk__in=in_group):
            panel = sum((e.pk, c.pk) not in conflicts for e in chosen)
            if panel < min(3, per_group):
                row.warnings.append(f"{c.code}回避后仅{panel}名专家可评分")
        rows.append(row)
    return rows


def apply_assignment(actor: Membership, year: int, plan: dict[int, list[int]]) -> None:
    """Put the previewed plan (group id → expert ids) in force, replacing the groups' earlier experts."""
    office_only(actor, "安排评审专家")
    experts = [e for ids in plan.values() for e in ids]
    if len(experts) != len(set(experts)):
        raise ActionRefused("同一专家只能安排在一个答辩组")
    with transaction.atomic():
        before_scoring_closes(year, "调整答辩组专家")
        groups = {g.pk: g for g in Group.objects.select_for_update().filter(year=year, pk__in=plan).order_by("pk")}
        pool = {e.pk: e for e in Expert.objects.select_for_update().filter(year=year, pk__in=experts).order_by("pk")}
        if set(groups) != set(plan) or set(pool) != set(experts):
            raise ActionRefused("分组方案已过期，请重新生成")
        moving = [
            a.expert
            for a in Assignment.objects.filter(expert__year=year).select_related("expert__user")
            if a.group_id not in plan or a.expert_id not in plan[a.group_id]
        ]
        _keep_scorers(moving)
        Assignment.objects.filter(expert__year=year).delete()
        for group_id, ids in plan.items():
            for expert_id in ids:
                Assignment.objects.create(expert=pool[expert_id], group=groups[group_id], assigned_by=actor.user)
        log_event(actor, year, "apply_assignment", plan={str(k): v for k, v in plan.items()})


def assign_expert(actor: Membership, expert_id: int, group_id: int | None) -> None:
    """The office moves one expert to a group (or out of any, with None)."""
    office_only(actor, "安排评审专家")
    with transaction.atomic():
        expert = Expert.objects.select_for_update().filter(pk=expert_id).first()
        if expert is None:
            raise ActionRefused("评审专家不存在")
        before_scoring_closes(expert.year, "调整答辩组专家")
        current = Assignment.objects.filter(expert=expert).first()
        if current is not None and current.group_id != group_id:
            _keep_scorers([expert])
        Assignment.objects.filter(expert=expert).delete()
        if group_id is not None:
            group = Group.objects.filter(pk=group_id, year=expert.year).first()
            if group is None:
                raise ActionRefused("答辩组不存在")
            Assignment.objects.create(expert=expert, group=group, assigned_by=actor.user)
        log_event(actor, expert.year, "assign_expert", expert=expert.pk, group=group_id)


def _keep_scorers(experts: Iterable[Expert]) -> None:
    """An expert who has scored in a group stays in it: moving them would drop their sheets from the averages
    without a recorded correction."""
    scored = [str(e.user) for e in experts if Score.objects.filter(expert=e, current=True).exists()]
    if scored:
        raise ActionRefused("以下专家已在本组评分，不能调离：" + "、".join(scored))


def panel(candidate: Candidate) -> list[Expert]:
    """The experts who score a candidate: its group's, less those with a conflict (R22)."""
    recused = set(candidate.conflicts.values_list("expert_id", flat=True))
    experts = Expert.objects.filter(assignment__group=candidate.group).select_related("user").order_by("pk")
    return [e for e in experts if e.pk not in recused]


def expert_candidates(expert: Expert) -> list[Candidate]:
    """What an expert sees: the candidates of their group they have no conflict with."""
    assignment = Assignment.objects.filter(expert=expert).first()
    if assignment is None:
        return []
    recused = set(expert.conflicts.values_list("candidate_id", flat=True))
    return [c for c in assignment.group.candidates.order_by("code") if c.pk not in recused]
