"""Scores (5a, 5c): the quantified items computed from the facts, the expert's sheet and its corrections, and the
aggregates of a candidate's panel."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.anonymity import materials_ready
from zhicheng.evaluation.experts import has_conflict
from zhicheng.evaluation.guards import acting_expert, before_scoring_closes, locked_candidate, log_event
from zhicheng.evaluation.models import (
    Assignment,
    Candidate,
    Conflict,
    Expert,
    Score,
)
from zhicheng.policy.facts import Facts
from zhicheng.policy.pack import Pack, RubricItem
from zhicheng.round.clock import full_years
from zhicheng.round.year import committee_param, year_pack, year_settings

TWO = Decimal("0.01")


def rubric(year: int, kind: str) -> list[RubricItem]:
    """The year's scoring sheet (5a): the pack's items with the maxima the office set in the year settings before
    scoring opened (R24); ``kind`` is "defence" or "quantified"."""
    items: list[RubricItem] = year_pack(year).param(f"evaluation.{kind}_rubric").value
    maxima = (year_settings(year).parameters or {}).get("rubric_max", {}).get(kind, {})
    return [i.model_copy(update={"max": int(maxima[i.id])}) if i.id in maxima else i for i in items]


def computed_items(facts: Facts, pack: Pack, year: int | None = None) -> dict[str, dict[str, Any]]:
    """The quantified items read from the stored facts (5a), each with its basis; kept with the candidate so that a
    later change of the profile does not move a score silently. With ``year``, the year's maxima (R24)."""
    out: dict[str, dict[str, Any]] = {}
    on = pack.reference_date
    items = rubric(year, "quantified") if year is not None else pack.param("evaluation.quantified_rubric").value
    for item in items:
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
    d_items = rubric(candidate.year, "defence")
    q_items = rubric(candidate.year, "quantified")
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
    expert = acting_expert(actor, candidate.year)
    if has_conflict(expert, candidate):
        raise ActionRefused("您与该参评人员存在回避情形，不能评分")
    if not Assignment.objects.filter(expert=expert, group=candidate.group).exists():
        raise ActionRefused("该参评人员不在您的答辩组")
    if not materials_ready(candidate):
        raise ActionRefused("该参评人员的材料尚待评委会办公室审核匿名处理")
    before_scoring_closes(candidate.year)
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
        candidate = locked_candidate(candidate_id)
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
        log_event(actor, candidate.year, "score", candidate, score=score.pk)
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
        candidate = locked_candidate(candidate_id)
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
        log_event(actor, candidate.year, "correct_score", candidate, score=score.pk, supersedes=old.pk)
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
    return score_summaries([candidate])[candidate.pk]


def score_summaries(candidates: QuerySet[Candidate] | list[Candidate]) -> dict[int, ScoreSummary]:
    """score_summary for many candidates in four queries, whatever their number: the office's page and the vote's
    lists read thousands together. A query set is read through subqueries (no list of ids the database must parse)."""
    if isinstance(candidates, QuerySet):
        chosen: Any = candidates.values("pk")
        candidates = list(candidates)
    elif len(candidates) <= 500:
        chosen = [c.pk for c in candidates]
    else:  # a long list of ids is a long statement (and SQLite's bound on parameters): read the years instead
        chosen = Candidate.objects.filter(year__in={c.year for c in candidates}).values("pk")
    recused: dict[int, set[int]] = defaultdict(set)
    for candidate_id, expert_id in Conflict.objects.filter(candidate__in=chosen).values_list(
        "candidate_id", "expert_id"
    ):
        recused[candidate_id].add(expert_id)
    by_group: dict[int, list[Expert]] = defaultdict(list)
    groups = {c.group_id for c in candidates}
    for expert in (
        Expert.objects.filter(assignment__group__in=groups).select_related("user", "assignment").order_by("pk")
    ):
        by_group[expert.assignment.group_id].append(expert)
    sheets: dict[int, list[Score]] = defaultdict(list)
    for sheet in Score.objects.filter(candidate__in=chosen, current=True).order_by("pk"):
        sheets[sheet.candidate_id].append(sheet)
    weights = {year: _score_weights(year) for year in {c.year for c in candidates}}  # read once, not per candidate
    return {
        c.pk: _summary(weights[c.year], [e for e in by_group[c.group_id] if e.pk not in recused[c.pk]], sheets[c.pk])
        for c in candidates
    }


def _score_weights(year: int) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in committee_param(year, "score_weights").items()}


def _summary(weights: dict[str, Decimal], members: list[Expert], all_sheets: list[Score]) -> ScoreSummary:
    ids = {e.pk for e in members}
    sheets = [s for s in all_sheets if s.expert_id in ids]
    missing = [e for e in members if e.pk not in {s.expert_id for s in sheets}]
    if not sheets:
        return ScoreSummary(0, None, None, None, None, None, missing)
    # Decimal throughout: the final score ranks candidates against the cap, a float's 0.01 would move a rank.
    defence = [Decimal(s.defence_total) for s in sheets]
    quantified = [Decimal(s.quantified_total) for s in sheets]
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


def defence_pass_mark(year: int) -> Decimal:
    """The defence's pass mark on its own 100 (R28), as the office set it for the year (the pack's 60 by default)."""
    return Decimal(str(committee_param(year, "defence_pass_mark")))


def failed_defence(candidate: Candidate) -> bool:
    """Below the pass mark on the panel's mean defence score (R28, 7.2a): not put to the vote. A candidate not yet
    scored has not failed; the meeting opens only once every panel's sheets are in, and neither the sheets nor the
    mark can change once the vote has opened (scoring and the year settings refuse it)."""
    return below_pass_mark(score_summary(candidate), defence_pass_mark(candidate.year))


def below_pass_mark(summary: ScoreSummary, mark: Decimal) -> bool:
    """failed_defence on a summary already read (score_summaries) and the year's mark read once, for the lists of
    the vote."""
    return summary.mean is not None and summary.mean < mark
