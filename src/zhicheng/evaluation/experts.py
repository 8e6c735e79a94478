"""The year's expert pool and conflicts of interest (R22): members with their title and term, the conflicts the
platform finds, those the experts declare and those the office pins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from zhicheng.accounts.models import Area, Membership, Organisation
from zhicheng.accounts.roles import Role
from zhicheng.applications.models import ReviewStep
from zhicheng.cases.refusals import ActionRefused, check_lengths
from zhicheng.evaluation.guards import acting_expert, before_the_vote, locked_candidate, log_event, office_only
from zhicheng.evaluation.models import (
    TITLE_RANK,
    Candidate,
    Conflict,
    Expert,
)
from zhicheng.round.clock import add_years
from zhicheng.round.parameters import TITLE_NAMES
from zhicheng.round.year import committee_param, year_pack


def add_expert(
    actor: Membership,
    year: int,
    *,
    user: AbstractBaseUser,
    specialty_category: int,
    title: str,
    organisation_name: str,
    term_start: dt.date,
    term_end: dt.date,
    organisation: Organisation | None = None,
    area: Area | None = None,
) -> Expert:
    """A member of the year's committee: holds the expert role, a title of at least the year's minimum (R25: a
    senior title), a term of at most the year's years (R25); the platform's conflicts with the candidates are found
    at once. Both bounds are the office's year settings, the pack's values by default."""
    office_only(actor, "管理评审专家库")
    pack = year_pack(year)
    max_years = int(committee_param(year, "expert_max_term_years"))
    min_title = str(committee_param(year, "expert_min_title"))
    if not Membership.objects.filter(user_id=user.pk, role=Role.EXPERT).exists():
        raise ActionRefused("该用户没有“评审专家”角色")
    if title not in TITLE_RANK or TITLE_RANK[title] < TITLE_RANK[min_title]:
        raise ActionRefused(f"评审专家须具有{TITLE_NAMES.get(min_title, min_title)}及以上职称")
    if specialty_category not in pack.categories:
        raise ActionRefused("专业类别无效")
    if term_end < term_start:
        raise ActionRefused("任期结束日期不能早于开始日期")
    if term_end > add_years(term_start, max_years):
        raise ActionRefused(f"评审专家每届任期不得超过{max_years}年")
    if not organisation_name.strip():
        raise ActionRefused("请填写专家工作单位")
    check_lengths(Expert, organisation_name=organisation_name)
    # A name the office picked from the registered organisations is that organisation (the conflict checks use it).
    organisation = organisation or Organisation.objects.filter(name=organisation_name.strip()).first()
    with transaction.atomic():
        before_the_vote(year)  # the committee counted for the quorum is the one of the meeting
        if Expert.objects.filter(year=year, user_id=user.pk).exists():
            raise ActionRefused("该专家已在本年度专家库中")
        expert = Expert.objects.create(
            year=year,
            user_id=user.pk,
            specialty_category=specialty_category,
            title=title,
            organisation_name=organisation_name.strip(),
            organisation=organisation,
            area=area,
            term_start=term_start,
            term_end=term_end,
        )
        log_event(actor, year, "add_expert", expert=expert.pk)
        find_conflicts(list(Candidate.objects.filter(year=year).order_by("pk")), [expert])
    return expert


def platform_conflicts(expert: Expert, candidate: Candidate) -> list[tuple[str, str]]:
    """What the platform can see itself: the expert works for the applicant's employer, or for an organisation of the
    case's review chain (they recommended or approved it)."""
    app = candidate.application
    out: list[tuple[str, str]] = []
    name = expert.organisation_name.strip()
    if expert.organisation_id == app.employer_id or name == app.employer.name:
        out.append((Conflict.Source.EMPLOYER, "专家所在单位为申报人用人单位"))
    chain = ReviewStep.objects.filter(application=app).select_related("organisation")
    if any(s.organisation_id == expert.organisation_id or s.organisation.name == name for s in chain):
        out.append((Conflict.Source.REVIEW_CHAIN, "专家所在单位参与了该申报的审核推荐"))
    return out


def find_conflicts(candidates: Sequence[Candidate], experts: Sequence[Expert]) -> None:
    for candidate in candidates:
        for expert in experts:
            for source, reason in platform_conflicts(expert, candidate):
                Conflict.objects.get_or_create(
                    expert=expert, candidate=candidate, source=source, defaults={"reason": reason}
                )


def has_conflict(expert: Expert, candidate: Candidate) -> bool:
    return Conflict.objects.filter(expert=expert, candidate=candidate).exists()


def conflict_map(year: int) -> set[tuple[int, int]]:
    return set(Conflict.objects.filter(candidate__year=year).values_list("expert_id", "candidate_id"))


def declare_conflict(actor: Membership, candidate_id: int, reason: str) -> Conflict:
    """The expert declares a conflict with a candidate (R22): from then on they neither score nor vote on it."""
    if not reason.strip():
        raise ActionRefused("请填写回避理由")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        expert = acting_expert(actor, candidate.year)
        before_the_vote(candidate.year)
        conflict, _ = Conflict.objects.get_or_create(
            expert=expert,
            candidate=candidate,
            source=Conflict.Source.EXPERT,
            defaults={"reason": reason.strip()[:200], "recorded_by": actor.user},
        )
        log_event(actor, candidate.year, "declare_conflict", candidate)
    return conflict


def pin_conflict(actor: Membership, expert_id: int, candidate_id: int, reason: str) -> Conflict:
    """The office fixes a conflict it knows of (R22); it binds like the others and is never removed."""
    office_only(actor, "确定回避")
    if not reason.strip():
        raise ActionRefused("请填写回避理由")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        before_the_vote(candidate.year)
        expert = Expert.objects.filter(pk=expert_id, year=candidate.year).first()
        if expert is None:
            raise ActionRefused("评审专家不存在")
        conflict, _ = Conflict.objects.get_or_create(
            expert=expert,
            candidate=candidate,
            source=Conflict.Source.OFFICE,
            defaults={"reason": reason.strip()[:200], "recorded_by": actor.user},
        )
        log_event(actor, candidate.year, "pin_conflict", candidate, expert=expert.pk)
    return conflict
