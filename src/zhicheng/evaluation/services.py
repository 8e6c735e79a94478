"""The committee's evaluation (5a–5c, R18, R22). Every change is one service function: one transaction, the rows it
changes locked in primary-key order (meeting → candidates → scores), the actor's role checked on the server, an
event row written; a refusal raises ``ActionRefused`` with the reason in Chinese."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhicheng.accounts.models import Area, Membership, Organisation
from zhicheng.accounts.roles import Role
from zhicheng.applications.labels import LEVEL_LABELS
from zhicheng.applications.models import Application, Profile, ReviewStep, State
from zhicheng.applications.services import ActionRefused, engine_facts
from zhicheng.evaluation.models import (
    TITLE_RANK,
    Assignment,
    Ballot,
    BallotCast,
    Candidate,
    Conflict,
    EvaluationEvent,
    Expert,
    Group,
    Meeting,
    Minutes,
    Score,
)
from zhicheng.intake.models import pass_rate_value
from zhicheng.intake.services import decided_without_defence
from zhicheng.intake.window import year_settings
from zhicheng.policy.facts import Facts
from zhicheng.policy.pack import Pack, RubricItem, load_pack
from zhicheng.policy.text import HIT_LABELS, personal_info_hits

OFFICE_ROLES = frozenset({Role.COMMITTEE_CLERK})
VIEW_ROLES = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})
TWO = Decimal("0.01")


# ── the year's rules and the actor ───────────────────────────────────────────────────────────────────────


def year_pack(year: int) -> Pack:
    """The pack the office put in force for the year (its year settings), so the office's choice is the source."""
    return load_pack(year_settings(year).pack)


def param(year: int, key: str) -> Any:
    return year_pack(year).param(f"evaluation.{key}").value


def fraction(year: int, key: str) -> Fraction:
    return Fraction(str(param(year, key)))


def _office(actor: Membership, what: str) -> None:
    if actor.role not in OFFICE_ROLES:
        raise ActionRefused(f"只有评委会办公室工作人员可以{what}")


def can_view_office(actor: Membership | None) -> bool:
    return actor is not None and actor.role in VIEW_ROLES


def expert_for(actor: Membership | None, year: int) -> Expert | None:
    """The actor's own seat in the year's pool: only when acting as an expert, never on someone else's behalf."""
    if actor is None or actor.role != Role.EXPERT:
        return None
    return Expert.objects.filter(year=year, user_id=actor.user_id).first()


def _expert(actor: Membership, year: int) -> Expert:
    expert = expert_for(actor, year)
    if expert is None:
        raise ActionRefused("只有本年度评审专家本人可以进行此操作")
    return expert


def _log(actor: Membership, year: int, action: str, candidate: Candidate | None = None, **payload: Any) -> None:
    EvaluationEvent.objects.create(
        year=year, actor=actor.user, role=actor.role, action=action, candidate=candidate, payload=payload
    )


def _candidate(candidate_id: int) -> Candidate:
    try:
        return Candidate.objects.select_for_update().get(pk=candidate_id)
    except Candidate.DoesNotExist as exc:
        raise ActionRefused("参评人员不存在") from exc


def _meeting(year: int, *, lock: bool = True) -> Meeting:
    qs = Meeting.objects.select_for_update() if lock else Meeting.objects.all()
    meeting = qs.filter(year=year).first()
    if meeting is None:
        raise ActionRefused("本年度评审会议尚未安排")
    return meeting


def _before_the_vote(year: int) -> None:
    """A recusal, a new member or a new group changes who counts (R22): only before the meeting opens — a ballot
    already cast cannot be taken out of the count, it is tied to no one."""
    if Meeting.objects.filter(year=year).exclude(status=Meeting.Status.PREPARING).exists():
        raise ActionRefused("评审会议已开始表决，不能再更改回避、委员或分组")


def _not_closed(year: int) -> None:
    if Meeting.objects.filter(year=year, status=Meeting.Status.CLOSED).exists():
        raise ActionRefused("评审会议已结束，不能再更改")


# ── grassroots, anonymity and the computed items ─────────────────────────────────────────────────────────


def full_years(since: dt.date | None, on: dt.date) -> int:
    if since is None or since > on:
        return 0
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def grassroots(facts: Facts, pack: Pack) -> tuple[bool, str]:
    """Long on the grassroots front line (3.2.1d: enterprises' project or site posts, institutions at county level or
    below) or in a remote hardship area (5c). "Long" is the pack's ``grassroots_min_years`` (the notice gives none)."""
    emp = facts.employment
    need = pack.param("evaluation.grassroots_min_years").value
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


def _hits(text: str, facts: Facts, app: Application | None = None) -> list[str]:
    """R18: the names the applicant declared and those the platform holds for the case (its employer and area)."""
    found = personal_info_hits(
        text,
        name=facts.identity.name,
        employer=facts.employment.employer_name,
        county=facts.employment.county,
        employers=(app.employer.name,) if app else (),
        counties=(app.area.name,) if app and app.area.kind != "city" else (),
    )
    return [HIT_LABELS[k] for k in found]


def _materials(facts: Facts, app: Application | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What experts read besides the two texts: titles of the academic work and the achievements (no files: scans
    carry names and seals). A title naming the applicant is withheld and flagged."""
    flags: list[dict[str, Any]] = []

    def titles(kind: str, label: str, items: Iterable[Any] | None) -> list[str]:
        out = []
        for i, item in enumerate(items or []):
            title = item.title or ""
            found = _hits(title, facts, app)
            if found:
                flags.append({"where": f"{label}{i + 1}题目", "kinds": found, "fixed": True})
                title = "（题目含个人信息，已隐去）"
            out.append(title)
        return out

    achievements = [
        {
            "clause": a.clause or "",
            "role": a.role or "",
            "on": a.achieved_on.isoformat() if a.achieved_on else "",
            "scope": {"city_or_above": "市级、行业及以上", "enterprise": "企业"}.get(a.scope or "", ""),
        }
        for a in facts.achievements or []
    ]
    for i, a in enumerate(achievements):
        if _hits(a["role"], facts, app):
            flags.append({"where": f"业绩成果{i + 1}", "kinds": _hits(a["role"], facts, app), "fixed": True})
            a["role"] = "（已隐去）"
    return (
        {
            "papers": titles("paper", "论文", facts.papers),
            "books": titles("book", "著作", facts.books),
            "reports": titles("report", "技术报告", facts.technical_reports),
            "achievements": achievements,
        },
        flags,
    )


def _text_flags(summary: str, defence: str, facts: Facts, app: Application | None = None) -> list[dict[str, Any]]:
    flags = []
    for where, text in (("专业技术工作总结", summary), ("答辩材料", defence)):
        found = _hits(text, facts, app)
        if found:
            flags.append({"where": where, "kinds": found, "fixed": False})
    return flags


def computed_items(facts: Facts, pack: Pack) -> dict[str, dict[str, Any]]:
    """The quantified items read from the stored facts (5a), each with its basis; kept with the candidate so that a
    later change of the profile does not move a score silently."""
    out: dict[str, dict[str, Any]] = {}
    on = pack.reference_date
    for item in pack.param("evaluation.quantified_rubric").value:
        if item.source != "computed":
            continue
        pts, basis = _compute(item, facts, pack, on)
        out[item.id] = {"points": min(float(item.max), round(pts, 2)), "basis": basis}
    return out


def _compute(item: RubricItem, facts: Facts, pack: Pack, on: dt.date) -> tuple[float, str]:
    p = item.points
    if item.id == "education":
        best, name = 0.0, "无"
        for e in facts.education or []:
            level = e.level or (
                pack.tech_class[e.technical_school_class].equivalent if e.technical_school_class else None
            )
            if level is not None and p.get(level, 0.0) >= best:
                best, name = p.get(level, 0.0), pack.level_names.get(level, level)
        return best, f"最高学历：{name}"
    if item.id == "service_years":
        years = full_years(facts.professional_work_started_on or facts.specialty.work_since, on)
        return years * p.get("year", 0.0), f"从事专业技术工作{years}年"
    if item.id == "achievements":
        n = len(facts.achievements or [])
        return n * p.get("item", 0.0), f"业绩成果{n}项"
    if item.id == "academic":
        papers, books, reports = len(facts.papers or []), len(facts.books or []), len(facts.technical_reports or [])
        pts = papers * p.get("paper", 0.0) + books * p.get("book", 0.0) + reports * p.get("report", 0.0)
        return pts, f"论文{papers}篇、著作{books}部、技术报告{reports}篇"
    if item.id == "front_line_years":
        emp = facts.employment
        front = full_years(emp.front_line_since, on) if emp.on_front_line else 0
        remote = emp.remote_area_years or 0
        return (front + remote) * p.get("year", 0.0), f"基层一线{front}年、艰苦边远地区{remote}年"
    raise ActionRefused(f"量化赋分项目「{item.name}」（{item.id}）无法按申报信息计算，请在政策包中改为专家评分")


# ── groups and candidates (5b, 5c) ───────────────────────────────────────────────────────────────────────


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


def build_groups(actor: Membership, year: int) -> list[Group]:
    """Every accepted application of the year becomes a candidate with a random code, in the group of its level and
    specialty category, or of the grassroots front line (5b, 5c). Run again, it adds the newly accepted only."""
    _office(actor, "编排答辩组")
    pack = year_pack(year)
    prefix = pack.param("evaluation.candidate_code_prefix").value
    with transaction.atomic():
        if Meeting.objects.filter(year=year).exclude(status=Meeting.Status.PREPARING).exists():
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
            is_grassroots, basis = grassroots(facts, pack)
            summary = (facts.work_summary.text if facts.work_summary else None) or ""
            defence = (facts.defence_paper.text if facts.defence_paper else None) or ""
            materials, title_flags = _materials(facts, app)
            candidate = Candidate.objects.create(
                application=app,
                year=year,
                code=_new_code(year, prefix, used),
                group=_group_for(year, app.level, app.specialty_category, is_grassroots, pack),
                grassroots=is_grassroots,
                grassroots_basis=basis,
                summary_text=summary,
                defence_text=defence,
                hits=_text_flags(summary, defence, facts, app) + title_flags,
                computed={"items": computed_items(facts, pack), "materials": materials},
            )
            made.append(candidate)
            _log(actor, year, "candidate", candidate, group=candidate.group.code, grassroots=is_grassroots)
        _find_conflicts(made, list(Expert.objects.filter(year=year)))
    return list(Group.objects.filter(year=year))


def needs_fixing(candidate: Candidate) -> list[dict[str, Any]]:
    """The flags the office must still fix before experts may read the texts (R18)."""
    return [h for h in candidate.hits if not h.get("fixed")]


def materials_ready(candidate: Candidate) -> bool:
    return not needs_fixing(candidate)


def redact_materials(actor: Membership, candidate_id: int, *, summary_text: str, defence_text: str) -> Candidate:
    """The office's anonymised copy of the work summary and defence paper (5b, R18): checked again, refused while
    the applicant's name, employer or county is still in it. The applicant's own facts are left as they are."""
    _office(actor, "处理匿名材料")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        _not_closed(candidate.year)
        app = candidate.application
        facts = engine_facts(Profile.objects.get(user=app.applicant), app.year)
        flags = _text_flags(summary_text, defence_text, facts, app)
        if flags:
            raise ActionRefused(*(f"{f['where']}仍含有{'、'.join(f['kinds'])}" for f in flags))
        candidate.summary_text, candidate.defence_text = summary_text, defence_text
        candidate.hits = [h for h in candidate.hits if h.get("fixed")]
        candidate.save()
        _log(actor, candidate.year, "redact", candidate)
    return candidate


def move_candidate(actor: Membership, candidate_id: int, group_id: int) -> Candidate:
    _office(actor, "调整答辩组")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        _not_closed(candidate.year)
        group = Group.objects.filter(pk=group_id, year=candidate.year).first()
        if group is None:
            raise ActionRefused("答辩组不存在")
        if candidate.scores.exists():
            raise ActionRefused("该参评人员已有专家评分，不能再调整答辩组")
        before = candidate.group.code
        candidate.group = group
        candidate.save()
        _log(actor, candidate.year, "move", candidate, before=before, after=group.code)
    return candidate


def rename_group(actor: Membership, group_id: int, name: str) -> Group:
    _office(actor, "修改组名")
    name = name.strip()
    if not name:
        raise ActionRefused("请填写组名")
    with transaction.atomic():
        group = Group.objects.select_for_update().filter(pk=group_id).first()
        if group is None:
            raise ActionRefused("答辩组不存在")
        before, group.name = group.name, name[:100]
        group.save()
        _log(actor, group.year, "rename_group", group=group.code, before=before, after=group.name)
    return group


# ── the expert pool and conflicts (R22) ──────────────────────────────────────────────────────────────────


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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
    """A member of the year's committee: holds the expert role, a title of at least the pack's minimum, a term of at
    most its years (R22); the platform's conflicts with the candidates are found at once."""
    _office(actor, "管理评审专家库")
    pack = year_pack(year)
    max_years = pack.param("evaluation.expert_max_term_years").value
    min_title = pack.param("evaluation.expert_min_title").value
    if not Membership.objects.filter(user_id=user.pk, role=Role.EXPERT).exists():
        raise ActionRefused("该用户没有“评审专家”角色")
    if title not in TITLE_RANK or TITLE_RANK[title] < TITLE_RANK[min_title]:
        raise ActionRefused("评审专家须具有工程师以上职称")
    if specialty_category not in pack.categories:
        raise ActionRefused("专业类别无效")
    if term_end < term_start:
        raise ActionRefused("任期结束日期不能早于开始日期")
    if term_end > add_years(term_start, max_years):
        raise ActionRefused(f"评审专家每届任期不得超过{max_years}年")
    if not organisation_name.strip():
        raise ActionRefused("请填写专家工作单位")
    # A name the office picked from the registered organisations is that organisation (the conflict checks use it).
    organisation = organisation or Organisation.objects.filter(name=organisation_name.strip()).first()
    with transaction.atomic():
        _before_the_vote(year)  # the committee counted for the quorum is the one of the meeting
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
        _log(actor, year, "add_expert", expert=expert.pk)
        _find_conflicts(list(Candidate.objects.filter(year=year).order_by("pk")), [expert])
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


def _find_conflicts(candidates: Sequence[Candidate], experts: Sequence[Expert]) -> None:
    for candidate in candidates:
        for expert in experts:
            for source, reason in platform_conflicts(expert, candidate):
                Conflict.objects.get_or_create(
                    expert=expert, candidate=candidate, source=source, defaults={"reason": reason}
                )


def has_conflict(expert: Expert, candidate: Candidate) -> bool:
    return Conflict.objects.filter(expert=expert, candidate=candidate).exists()


def _conflict_map(year: int) -> set[tuple[int, int]]:
    return set(Conflict.objects.filter(candidate__year=year).values_list("expert_id", "candidate_id"))


def declare_conflict(actor: Membership, candidate_id: int, reason: str) -> Conflict:
    """The expert declares a conflict with a candidate (R22): from then on they neither score nor vote on it."""
    if not reason.strip():
        raise ActionRefused("请填写回避理由")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        expert = _expert(actor, candidate.year)
        _before_the_vote(candidate.year)
        conflict, _ = Conflict.objects.get_or_create(
            expert=expert,
            candidate=candidate,
            source=Conflict.Source.EXPERT,
            defaults={"reason": reason.strip()[:200], "recorded_by": actor.user},
        )
        _log(actor, candidate.year, "declare_conflict", candidate)
    return conflict


def pin_conflict(actor: Membership, expert_id: int, candidate_id: int, reason: str) -> Conflict:
    """The office fixes a conflict it knows of (R22); it binds like the others and is never removed."""
    _office(actor, "确定回避")
    if not reason.strip():
        raise ActionRefused("请填写回避理由")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        _before_the_vote(candidate.year)
        expert = Expert.objects.filter(pk=expert_id, year=candidate.year).first()
        if expert is None:
            raise ActionRefused("评审专家不存在")
        conflict, _ = Conflict.objects.get_or_create(
            expert=expert,
            candidate=candidate,
            source=Conflict.Source.OFFICE,
            defaults={"reason": reason.strip()[:200], "recorded_by": actor.user},
        )
        _log(actor, candidate.year, "pin_conflict", candidate, expert=expert.pk)
    return conflict


# ── assigning experts to groups ──────────────────────────────────────────────────────────────────────────


@dataclass
class PlanRow:
    group: Group
    experts: list[Expert]
    warnings: list[str] = field(default_factory=list)


def plan_assignment(year: int) -> list[PlanRow]:
    """A proposal, changes nothing: each group gets the pack's number of experts (or its share of a smaller pool), of
    its specialty first, those with
    the fewest conflicts in it first, one group per expert. The office looks at it before it applies it."""
    conflicts = _conflict_map(year)
    groups = sorted(Group.objects.filter(year=year), key=lambda g: (-g.candidates.count(), g.code))
    free = list(Expert.objects.filter(year=year).select_related("user").order_by("pk"))
    # A small pool is shared out rather than spent on the first group.
    per_group = min(param(year, "experts_per_group"), max(1, len(free) // max(1, len(groups))))
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
    _office(actor, "安排评审专家")
    experts = [e for ids in plan.values() for e in ids]
    if len(experts) != len(set(experts)):
        raise ActionRefused("同一专家只能安排在一个答辩组")
    with transaction.atomic():
        _not_closed(year)
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
        _log(actor, year, "apply_assignment", plan={str(k): v for k, v in plan.items()})


def assign_expert(actor: Membership, expert_id: int, group_id: int | None) -> None:
    """The office moves one expert to a group (or out of any, with None)."""
    _office(actor, "安排评审专家")
    with transaction.atomic():
        expert = Expert.objects.select_for_update().filter(pk=expert_id).first()
        if expert is None:
            raise ActionRefused("评审专家不存在")
        _not_closed(expert.year)
        current = Assignment.objects.filter(expert=expert).first()
        if current is not None and current.group_id != group_id:
            _keep_scorers([expert])
        Assignment.objects.filter(expert=expert).delete()
        if group_id is not None:
            group = Group.objects.filter(pk=group_id, year=expert.year).first()
            if group is None:
                raise ActionRefused("答辩组不存在")
            Assignment.objects.create(expert=expert, group=group, assigned_by=actor.user)
        _log(actor, expert.year, "assign_expert", expert=expert.pk, group=group_id)


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


# ── scores (5a, 5c) ──────────────────────────────────────────────────────────────────────────────────────


def _points(value: Any, item: RubricItem) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)
    except (ArithmeticError, ValueError) as exc:
        raise ActionRefused(f"「{item.name}」须填写数字") from exc
    if not points.is_finite() or points < 0 or points > item.max:
        raise ActionRefused(f"「{item.name}」须在0至{item.max}分之间")
    return points


def _weights(candidate: Candidate, pack: Pack) -> dict[str, float]:
    return pack.param("evaluation.grassroots_weights").value if candidate.grassroots else {}


def _sheet(
    candidate: Candidate, pack: Pack, defence: dict[str, Any], quantified: dict[str, dict[str, Any]]
) -> tuple[dict[str, str], Decimal, dict[str, dict[str, Any]], Decimal]:
    """Validate one sheet against the year's rubrics; the quantified total is on 100 with the grassroots weights."""
    d_items: list[RubricItem] = pack.param("evaluation.defence_rubric").value
    q_items: list[RubricItem] = pack.param("evaluation.quantified_rubric").value
    unknown = set(defence) - {i.id for i in d_items} | set(quantified) - {i.id for i in q_items}
    if unknown:
        raise ActionRefused("评分表中有未知项目：" + "、".join(sorted(unknown)))
    d_out: dict[str, str] = {}
    for item in d_items:
        if defence.get(item.id) in (None, ""):
            raise ActionRefused(f"请填写答辩评分「{item.name}」")
        d_out[item.id] = str(_points(defence[item.id], item))
    d_max = sum(i.max for i in d_items)
    d_total = (sum((Decimal(v) for v in d_out.values()), Decimal(0)) * 100 / d_max).quantize(
        TWO, rounding=ROUND_HALF_UP
    )
    computed = (candidate.computed or {}).get("items", {})
    weights = _weights(candidate, pack)
    q_out: dict[str, dict[str, Any]] = {}
    weighted, weighted_max = Decimal(0), Decimal(0)
    for item in q_items:
        given = quantified.get(item.id) or {}
        raw, reason = given.get("points"), str(given.get("reason") or "").strip()
        if item.source == "computed" and raw in (None, ""):
            points, adjusted = Decimal(str(computed.get(item.id, {}).get("points", 0))), False
        else:
            if raw in (None, ""):
                raise ActionRefused(f"请填写量化赋分「{item.name}」")
            points = _points(raw, item)
            adjusted = item.source == "computed"
            if adjusted and points == Decimal(str(computed.get(item.id, {}).get("points", 0))):
                adjusted = False
            if (adjusted or item.source == "expert") and not reason:
                what = "调整平台计算的" if adjusted else "专家评分"
                raise ActionRefused(f"{what}「{item.name}」须写明理由")
        q_out[item.id] = {"points": str(points), "reason": reason, "adjusted": adjusted}
        w = Decimal(str(weights.get(item.id, 1.0)))
        weighted += points * w
        weighted_max += item.max * w
    q_total = (weighted * 100 / weighted_max).quantize(TWO, rounding=ROUND_HALF_UP)
    return d_out, d_total, q_out, q_total


def _scoring_expert(actor: Membership, candidate: Candidate) -> Expert:
    expert = _expert(actor, candidate.year)
    if has_conflict(expert, candidate):
        raise ActionRefused("您与该参评人员存在回避情形，不能评分")
    if not Assignment.objects.filter(expert=expert, group=candidate.group).exists():
        raise ActionRefused("该参评人员不在您的答辩组")
    if not materials_ready(candidate):
        raise ActionRefused("该参评人员的材料尚待评委会办公室做匿名处理")
    _not_closed(candidate.year)
    return expert


def submit_score(
    actor: Membership,
    candidate_id: int,
    *,
    defence: dict[str, Any],
    quantified: dict[str, dict[str, Any]],
    comment: str = "",
) -> Score:
    """An expert's sheet for a candidate of their group (5a); once submitted it changes only by a correction."""
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        expert = _scoring_expert(actor, candidate)
        if Score.objects.filter(candidate=candidate, expert=expert, current=True).exists():
            raise ActionRefused("您已提交对该参评人员的评分；如需修改，请提交更正并写明理由")
        d, d_total, q, q_total = _sheet(candidate, year_pack(candidate.year), defence, quantified)
        try:
            with transaction.atomic():
                score = Score.objects.create(
                    candidate=candidate,
                    expert=expert,
                    defence=d,
                    defence_total=d_total,
                    quantified=q,
                    quantified_total=q_total,
                    comment=comment.strip(),
                )
        except IntegrityError as exc:  # the same sheet sent twice at once
            raise ActionRefused("您已提交对该参评人员的评分；如需修改，请提交更正并写明理由") from exc
        _log(actor, candidate.year, "score", candidate, score=score.pk)
    return score


def correct_score(
    actor: Membership,
    candidate_id: int,
    *,
    defence: dict[str, Any],
    quantified: dict[str, dict[str, Any]],
    reason: str,
    comment: str = "",
) -> Score:
    """A correction: a new sheet with its reason that supersedes the expert's current one, which is kept."""
    if not reason.strip():
        raise ActionRefused("更正评分须写明理由")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        expert = _scoring_expert(actor, candidate)
        old = Score.objects.select_for_update().filter(candidate=candidate, expert=expert, current=True).first()
        if old is None:
            raise ActionRefused("尚未提交评分，无需更正")
        d, d_total, q, q_total = _sheet(candidate, year_pack(candidate.year), defence, quantified)
        old.current = False
        Score.objects.filter(pk=old.pk).update(current=False)
        score = Score.objects.create(
            candidate=candidate,
            expert=expert,
            defence=d,
            defence_total=d_total,
            quantified=q,
            quantified_total=q_total,
            comment=comment.strip(),
            supersedes=old,
            correction_reason=reason.strip(),
        )
        _log(actor, candidate.year, "correct_score", candidate, score=score.pk, supersedes=old.pk)
    return score


@dataclass
class ScoreSummary:
    scored: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None
    quantified_mean: Decimal | None
    final: Decimal | None
    missing: list[Expert]


def _dec(value: float) -> Decimal:
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def score_summary(candidate: Candidate) -> ScoreSummary:
    """Aggregates of the current sheets of the candidate's panel; a recused expert's sheet does not count (R22)."""
    members = panel(candidate)
    ids = {e.pk for e in members}
    sheets = [s for s in candidate.scores.filter(current=True) if s.expert_id in ids]
    missing = [e for e in members if e.pk not in {s.expert_id for s in sheets}]
    if not sheets:
        return ScoreSummary(0, None, None, None, None, None, missing)
    # Decimal throughout: the final score ranks candidates against the cap, a float's 0.01 would move a rank.
    defence = [Decimal(s.defence_total) for s in sheets]
    quantified = [Decimal(s.quantified_total) for s in sheets]
    weights = {k: Decimal(str(v)) for k, v in param(candidate.year, "score_weights").items()}
    mean = sum(defence, Decimal(0)) / len(defence)
    q_mean = sum(quantified, Decimal(0)) / len(quantified)
    final = weights["defence"] * mean + weights["quantified"] * q_mean
    return ScoreSummary(
        len(sheets),
        _q(mean),
        _q(Decimal(statistics.median(defence))),
        _q(max(defence) - min(defence)),
        _q(q_mean),
        _q(final),
        missing,
    )


# ── the meeting and the secret ballot (R22) ──────────────────────────────────────────────────────────────


def quorum_met(present: int, members: int, needed: Fraction) -> bool:
    return members > 0 and present * needed.denominator >= needed.numerator * members


def vote_passes(votes_for: int, eligible: int, needed: Fraction) -> bool:
    """For-votes of at least the fraction of the experts present less those recused for this candidate (R22)."""
    return eligible > 0 and votes_for * needed.denominator >= needed.numerator * eligible


def prepare_meeting(actor: Membership, year: int, held_on: dt.date) -> Meeting:
    _office(actor, "安排评审会议")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(year=year).first()
        if meeting is not None and meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("评审会议已开始，不能修改")
        if meeting is None:
            meeting = Meeting.objects.create(year=year, held_on=held_on)
        else:
            meeting.held_on = held_on
            meeting.save()
        _log(actor, year, "prepare_meeting", held_on=held_on.isoformat())
    return meeting


def record_attendance(actor: Membership, year: int, expert_ids: Iterable[int]) -> Meeting:
    """The committee members present (R22), recorded by the office before the meeting opens."""
    _office(actor, "登记出席")
    ids = sorted(set(expert_ids))
    with transaction.atomic():
        meeting = _meeting(year)
        if meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("会议已开始，出席情况不能再更改")
        experts = list(Expert.objects.filter(year=year, pk__in=ids))
        if len(experts) != len(ids):
            raise ActionRefused("出席名单中有非本年度评委会委员")
        meeting.present.set(experts)
        _log(actor, year, "attendance", present=ids)
    return meeting


def open_meeting(actor: Membership, year: int) -> Meeting:
    """Opens only with at least the quorum fraction of the committee present (R22)."""
    _office(actor, "宣布会议开始")
    with transaction.atomic():
        meeting = _meeting(year)
        if meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("会议已开始或已结束")
        members = Expert.objects.filter(year=year).count()
        present = meeting.present.count()
        needed = fraction(year, "quorum_fraction")
        if not quorum_met(present, members, needed):
            need = math.ceil(needed * members)
            raise ActionRefused(f"出席委员{present}人，未达到评委会委员{members}人的三分之二（至少{need}人），不能开会")
        if not Candidate.objects.filter(year=year).exists():
            raise ActionRefused("本年度没有参评人员")
        meeting.status, meeting.opened_at = Meeting.Status.OPEN, timezone.now()
        meeting.save()
        _log(actor, year, "open_meeting", present=present, members=members)
    return meeting


def voting_candidates(expert: Expert, meeting: Meeting) -> list[Candidate]:
    """What a present expert votes on: every candidate of the year but those they recuse from."""
    recused = set(expert.conflicts.values_list("candidate_id", flat=True))
    return [c for c in Candidate.objects.filter(year=meeting.year).order_by("code") if c.pk not in recused]


def has_voted(expert: Expert, meeting: Meeting, candidate: Candidate) -> bool:
    return BallotCast.objects.filter(meeting=meeting, candidate=candidate, expert=expert).exists()


def cast_ballot(actor: Membership, year: int, candidate_id: int, choice: str) -> None:
    """One secret ballot (R22): only the expert themself (no proxy), present, not recused, while the meeting is open,
    once. Who voted and what was voted are two rows with nothing that ties them."""
    if choice not in Ballot.Choice.values:
        raise ActionRefused("请选择同意、不同意或弃权")
    with transaction.atomic():
        meeting = _meeting(year)
        expert = _expert(actor, year)
        if meeting.status != Meeting.Status.OPEN:
            raise ActionRefused(
                "会议不在表决中，不能投票" if meeting.status == "preparing" else "表决已结束，不接受补投"
            )
        if not meeting.present.filter(pk=expert.pk).exists():
            raise ActionRefused("您未登记出席本次会议，不能投票")
        candidate = _candidate(candidate_id)
        if candidate.year != year:
            raise ActionRefused("参评人员不存在")
        if has_conflict(expert, candidate):
            raise ActionRefused("您与该参评人员存在回避情形，不参加表决")
        if has_voted(expert, meeting, candidate):
            raise ActionRefused("您已对该参评人员投过票，不能重复投票")
        try:
            with transaction.atomic():
                BallotCast.objects.create(meeting=meeting, candidate=candidate, expert=expert)
                Ballot.objects.create(meeting=meeting, candidate=candidate, choice=choice)
        except IntegrityError as exc:  # a second tab at the same moment (SQLite does not lock the row)
            raise ActionRefused("您已对该参评人员投过票，不能重复投票") from exc
        # No event: one naming the expert and the time, beside the ballot written in the same moment, would tie them.


@dataclass
class Tally:
    candidate: Candidate
    votes_for: int
    against: int
    abstain: int
    eligible: int
    cast: int
    passed: bool


def tally(meeting: Meeting) -> list[Tally]:
    """The count per candidate; eligible are the experts present less those recused for that candidate (R22). Read
    only once the meeting has closed: a running count would show each vote as it comes."""
    if meeting.status != Meeting.Status.CLOSED:
        raise ActionRefused("表决结束后方可计票")
    needed = fraction(meeting.year, "pass_fraction")
    present = set(meeting.present.values_list("pk", flat=True))
    out = []
    for c in Candidate.objects.filter(year=meeting.year).order_by("code"):
        recused = set(c.conflicts.values_list("expert_id", flat=True)) & present
        eligible = len(present) - len(recused)
        counts = {k: 0 for k in Ballot.Choice.values}
        for choice in Ballot.objects.filter(meeting=meeting, candidate=c).values_list("choice", flat=True):
            counts[choice] += 1
        cast = BallotCast.objects.filter(meeting=meeting, candidate=c).count()
        out.append(
            Tally(
                c,
                counts["for"],
                counts["against"],
                counts["abstain"],
                eligible,
                cast,
                vote_passes(counts["for"], eligible, needed),
            )
        )
    return out


def _shuffle_ballots(meeting: Meeting) -> None:
    """Written again in a random order with new keys, the ballots keep no trace of the order they were cast in
    (row numbers, transaction ids) that a copy of the database could set beside the cast rows (R22)."""
    ballots = list(Ballot.objects.filter(meeting=meeting).values_list("candidate_id", "choice"))
    secrets.SystemRandom().shuffle(ballots)
    Ballot.objects.filter(meeting=meeting).delete()
    Ballot.objects.bulk_create(Ballot(meeting=meeting, candidate_id=c, choice=choice) for c, choice in ballots)


def close_meeting(actor: Membership, year: int) -> Meeting:
    """Ends the vote (no later ballots), writes each candidate's count, score and result, applies the caps and
    archives the minutes."""
    _office(actor, "宣布表决结束")
    with transaction.atomic():
        meeting = _meeting(year)
        if meeting.status != Meeting.Status.OPEN:
            raise ActionRefused("会议不在表决中")
        meeting.status, meeting.closed_at = Meeting.Status.CLOSED, timezone.now()
        meeting.save()
        _shuffle_ballots(meeting)
        counts = {t.candidate.pk: t for t in tally(meeting)}
        for c in Candidate.objects.select_for_update().filter(year=year).order_by("pk"):
            t = counts[c.pk]
            c.votes_for, c.votes_against, c.votes_abstain = t.votes_for, t.against, t.abstain
            c.eligible_voters, c.passed_vote = t.eligible, t.passed
            c.score = score_summary(c).final
            c.save()
        _apply_caps(year)
        _log(actor, year, "close_meeting")
        archive_minutes(actor, year)
    return meeting


def pass_rate(group: Group) -> float | None:
    """The group's own rate if the office set one, else the grassroots or default rate of the year settings, else
    the pack's (which gives none: the notice leaves the figure to the office, 5c)."""
    rates = year_settings(group.year).pass_rates or {}
    key = "grassroots" if group.grassroots else "default"
    for value in (rates.get(group.code), rates.get(key), param(group.year, f"{key}_pass_rate")):
        if value is not None:
            return rate_value(value)
    return None


def rate_value(value: Any) -> float:
    try:
        return pass_rate_value(value)
    except ValueError as exc:
        raise ActionRefused(str(exc)) from exc


def cap(group: Group) -> int | None:
    """How many of the group may pass: the rate times the group's size, rounded down (a cap is never exceeded)."""
    rate = pass_rate(group)
    return None if rate is None else math.floor(rate * group.candidates.count() + 1e-9)


def _apply_caps(year: int) -> None:
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
    _office(actor, "计算通过率")
    with transaction.atomic():
        meeting = _meeting(year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("表决结束后方可按通过率排序")
        if apps.get_model("results", "ResultsPublicity").objects.filter(year=year).exists():
            raise ActionRefused("评审结果已公示，不能再调整通过率排序")
        _apply_caps(year)
        _log(actor, year, "recompute_caps")


def record_opinion(actor: Membership, candidate_id: int, opinion: str) -> Candidate:
    """The committee's opinion on a candidate, for the minutes; not once the results are posted."""
    _office(actor, "记录评审意见")
    with transaction.atomic():
        candidate = _candidate(candidate_id)
        if apps.get_model("results", "ResultsPublicity").objects.filter(year=candidate.year).exists():
            raise ActionRefused("评审结果已公示，不能再修改评审意见")
        candidate.opinion = opinion.strip()
        candidate.save()
        _log(actor, candidate.year, "opinion", candidate)
    return candidate


def archive_minutes(actor: Membership, year: int) -> Minutes:
    """The minutes as a PDF, stored with its SHA-256 (each archiving is a new row; the earlier stay)."""
    from zhicheng.evaluation.minutes import minutes_pdf

    _office(actor, "生成会议纪要")
    with transaction.atomic():
        meeting = _meeting(year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("表决结束后方可生成会议纪要")
        pdf = minutes_pdf(meeting)
        minutes = Minutes.objects.create(
            meeting=meeting, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), made_by=actor.user
        )
        _log(actor, year, "minutes", sha256=minutes.sha256)
    return minutes


# ── the result, for publicity and certificates ───────────────────────────────────────────────────────────


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
