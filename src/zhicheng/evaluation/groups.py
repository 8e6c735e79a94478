"""Defence groups and candidates (5b, 5c): every accepted case in the group of its level and specialty category, or
of the grassroots front line, under a random code."""

from __future__ import annotations

import secrets

from django.db import transaction

from zhicheng.accounts.models import Membership
from zhicheng.cases.kinds import decided_without_defence
from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused, check_lengths
from zhicheng.evaluation.anonymity import expert_materials, text_flags
from zhicheng.evaluation.experts import find_conflicts
from zhicheng.evaluation.guards import locked_candidate, log_event, not_closed, office_only, vote_begun
from zhicheng.evaluation.models import (
    Candidate,
    Expert,
    Group,
)
from zhicheng.evaluation.scoring import computed_items
from zhicheng.policy.facts import Facts
from zhicheng.policy.pack import Pack
from zhicheng.records.facts import engine_facts
from zhicheng.records.models import Profile
from zhicheng.round.clock import full_years
from zhicheng.round.year import committee_param, year_pack


def grassroots(facts: Facts, pack: Pack, need: int) -> tuple[bool, str]:
    """Long on the grassroots front line (3.2.1d: enterprises' project or site posts, institutions at county level or
    below) or in a remote hardship area (5c). "Long" is ``need`` years, the year's ``grassroots_min_years`` that the
    office sets (R23: the notice gives none)."""
    emp = facts.employment
    on = pack.reference_date
    remote = emp.remote_area_years or 0
    if remote >= need:
        return True, f"在艰苦边远地区工作{remote}年（5c）"
    enterprises = pack.param("sectors.front_line_enterprises").value
    levels = pack.param("sectors.front_line_institution_levels").value
    county_institution = emp.sector == "public_institution" and emp.employer_level in levels
    front_line = (emp.sector in enterprises and emp.on_front_line is True) or county_institution
    if front_line:
        since = emp.front_line_since or (facts.specialty.work_since if county_institution else None)
        years = full_years(since, on)
        if years >= need:
            where = "县（市、区）以下事业单位" if county_institution else "基层一线岗位"
            return True, f"在{where}工作{years}年（3.2.1d，5c）"
    return False, ""


def _group_for(year: int, level: str, category: int, is_grassroots: bool, pack: Pack) -> Group:
    prefix = {"engineer": "E", "assistant_engineer": "A", "technician": "T"}.get(level, "X")
    code = f"{prefix}{category:02d}{'-J' if is_grassroots else ''}"
    cat = pack.categories.get(category)
    name = f"{LEVEL_LABELS.get(level, level)}·{cat.name if cat else f'第{category}类'}"
    if is_grassroots:
        name += "（基层一线和艰苦边远地区）"
    group, _ = Group.objects.get_or_create(
        year=year,
        code=code,
        defaults={"name": name, "level": level, "specialty_category": category, "grassroots": is_grassroots},
    )
    return group


def _new_code(year: int, prefix: str, used: set[str]) -> str:
    rng = secrets.SystemRandom()
    width = 3
    while True:
        free = [n for n in range(1, 10**width) if f"{year}-{prefix}-{n:0{width}d}" not in used]
        if free:
            code = f"{year}-{prefix}-{rng.choice(free):0{width}d}"
            used.add(code)
            return code
        width += 1


def not_grouped(year: int) -> list[Application]:
    """Accepted cases of the year that go to a defence but are in no group: the meeting cannot open while any is left,
    or the case would never be voted on and the year's results could not be finished."""
    waiting = Application.objects.filter(year=year, state=State.ACCEPTED, evaluation_candidate__isnull=True)
    return [app for app in waiting.select_related("applicant").order_by("pk") if not decided_without_defence(app)]


def build_groups(actor: Membership, year: int) -> list[Group]:
    """Every accepted application of the year becomes a candidate with a random code, in the group of its level and
    specialty category, or of the grassroots front line (5b, 5c). Run again, it adds the newly accepted only."""
    office_only(actor, "编排答辩组")
    pack = year_pack(year)
    prefix = pack.param("evaluation.candidate_code_prefix").value
    need = int(committee_param(year, "grassroots_min_years"))  # as set now: a later change is for later groupings
    with transaction.atomic():
        if vote_begun(year):
            raise ActionRefused("评审会议已开始表决，不能再编排答辩组（新受理的申报未经答辩不能参加表决）")
        apps = list(
            Application.objects.select_for_update()
            .filter(year=year, state=State.ACCEPTED)
            .order_by("pk")
            .select_related("employer")
        )
        taken = set(Candidate.objects.filter(application__in=apps).values_list("application_id", flat=True))
        used = set(Candidate.objects.values_list("code", flat=True))
        made = []
        for app in apps:
            if app.pk in taken or decided_without_defence(app):
                continue  # recognitions and technicians are decided on the record (3.10, 3.3b, 3.2.1c)
            facts = engine_facts(Profile.objects.get(user=app.applicant), app.year)
            is_grassroots, basis = grassroots(facts, pack, need)
            summary = (facts.work_summary.text if facts.work_summary else None) or ""
            defence = (facts.defence_paper.text if facts.defence_paper else None) or ""
            materials, title_flags = expert_materials(facts, app)
            candidate = Candidate.objects.create(
                application=app,
                year=year,
                code=_new_code(year, prefix, used),
                group=_group_for(year, app.level, app.specialty_category, is_grassroots, pack),
                grassroots=is_grassroots,
                grassroots_basis=basis,
                summary_text=summary,
                defence_text=defence,
                hits=text_flags(summary, defence, facts, app) + title_flags,
                computed={"items": computed_items(facts, pack, year), "materials": materials},
            )
            made.append(candidate)
        find_conflicts(made, list(Expert.objects.filter(year=year)))
        # The events last: writing one takes the audit trail's lock until commit, so nothing is locked after it.
        for candidate in made:
            log_event(actor, year, "candidate", candidate, group=candidate.group.code, grassroots=candidate.grassroots)
            log_event(actor, year, "anonymity_check", candidate, hits=candidate.hits)
    return list(Group.objects.filter(year=year))


def move_candidate(actor: Membership, candidate_id: int, group_id: int) -> Candidate:
    office_only(actor, "调整答辩组")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        not_closed(candidate.year)
        group = Group.objects.filter(pk=group_id, year=candidate.year).first()
        if group is None:
            raise ActionRefused("答辩组不存在")
        if candidate.scores.exists():
            raise ActionRefused("该参评人员已有专家评分，不能再调整答辩组")
        before = candidate.group.code
        candidate.group = group
        candidate.save()
        log_event(actor, candidate.year, "move", candidate, before=before, after=group.code)
    return candidate


def rename_group(actor: Membership, group_id: int, name: str) -> Group:
    office_only(actor, "修改组名")
    name = name.strip()
    if not name:
        raise ActionRefused("请填写组名")
    check_lengths(Group, name=name)
    with transaction.atomic():
        group = Group.objects.select_for_update().filter(pk=group_id).first()
        if group is None:
            raise ActionRefused("答辩组不存在")
        before, group.name = group.name, name
        group.save()
        log_event(actor, group.year, "rename_group", group=group.code, before=before, after=group.name)
    return group
