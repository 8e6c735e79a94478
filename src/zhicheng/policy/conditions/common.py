"""Helpers shared by the conditions: counting years of service (R2, R3, R4) and picking records."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator

from zhicheng.policy.conditions.scope import first_year_after
from zhicheng.policy.facts import Education, Title
from zhicheng.policy.registry import Ctx, Result, no, ok, refer, unknown

POSTGRADUATE = ("master", "doctorate")
COLLEGE_OR_ABOVE = ("college", "bachelor", "master", "doctorate")
SECONDARY_OR_ABOVE = ("secondary", "college", "bachelor", "master", "doctorate")


def _assessment_index(ctx: Ctx) -> tuple[list[int], list[int]]:
    """(years with an assessment on record, years assessed unqualified), sorted, built once per decision."""
    index = ctx.memo.get("assessment_index")
    if index is None:
        grades = ctx.facts.annual_assessments or {}
        index = ctx.memo["assessment_index"] = (
            sorted(grades),
            sorted(yr for yr, g in grades.items() if g == "unqualified"),
        )
    return index


def count_service(ctx: Ctx, start: dt.date | None, needed: int, fact: str, what: str, what_en: str) -> Result:
    """满N年 (R2): the event's calendar year to Y−1, less every unqualified year (R3, 3.7c).

    A year with no annual assessment on record is unknown; the answer is pass or fail only when every way
    those years could turn out gives the same answer.
    """
    y = ctx.year
    if start is None:
        return unknown([fact], f"{what}的日期未知", f"date of {what_en} unknown")
    if start > ctx.reference_date:
        # Met in the first year Y' with Y' − E ≥ N whose reference day is on or after the event.
        ref = ctx.reference_date
        on_or_after = start.year if start <= dt.date(start.year, ref.month, ref.day) else start.year + 1
        return no(
            f"{what}于{start.isoformat()}，晚于基准日{ref.isoformat()}",
            f"{what_en} on {start} is after the reference date",
            fact,
            met_in_year=max(start.year + needed, on_or_after, y + 1),
        )
    recorded, failed = _assessment_index(ctx)
    first = start.year
    unqualified = failed[bisect_left(failed, first) : bisect_left(failed, y)]
    on_record = bisect_left(recorded, y) - bisect_left(recorded, first)
    best = max(0, y - first) - len(unqualified)
    worst = best - (max(0, y - first) - on_record)
    facts = (fact, "annual_assessments")
    deducted = f"（{'、'.join(map(str, unqualified))}年度考核不合格，不计算）" if unqualified else ""
    if best < needed:
        met = y + (needed - best)
        return no(
            f"{what}于{start.year}年，至{y}年计{best}年{deducted}，需满{needed}年；如无变化，{met}年度可满足",
            f"{what_en} in {start.year}: {best} qualifying years by {y}, {needed} needed; met from {met}",
            *facts,
            met_in_year=met,
        )
    if worst >= needed:
        return ok(
            f"{what}于{start.year}年，至{y}年计{worst}年{deducted}，已满{needed}年",
            f"{what_en} in {start.year}: {worst} qualifying years by {y}, {needed} needed",
            *facts,
        )
    grades = ctx.facts.annual_assessments or {}
    not_on_record = [yr for yr in range(first, y) if yr not in grades]
    return unknown(
        [f"annual_assessments.{yr}" for yr in not_on_record],
        f"{what}于{start.year}年；{'、'.join(map(str, not_on_record))}年度考核结果未录入，无法确定是否满{needed}年",
        f"{what_en} in {start.year}: assessments for {not_on_record} not on record",
        *facts,
    )


def held_by_reference_date(ctx: Ctx, day: dt.date | None, fact: str, what: str, what_en: str) -> Result:
    """A diploma, achievement, paper, report or book counts only if held on the reference date: 3.2.3
    "申报时本人持有的", read for every material (R1). An unknown date stays unknown (R0); a later one fails, and is
    met from the first year whose reference date it does not pass (R2)."""
    ref = ctx.reference_date
    if day is None:
        return unknown([fact], f"{what}日期未知", f"date of the {what_en} unknown")
    if day > ref:
        return no(
            f"{what}于{day.isoformat()}，晚于基准日{ref.isoformat()}，申报时本人尚未持有，不计入",
            f"{what_en} dated {day}, after the reference date {ref}: not held when applying",
            fact,
            met_in_year=first_year_after(day, ref),
            clause="3.2.3",
        )
    return ok(f"{what}于{day.isoformat()}", f"{what_en} dated {day}", fact)


def education_level(ctx: Ctx, rec: Education) -> str | None:
    """The level an education counts as; technical-school classes by their equivalence (3.2.2, R10)."""
    if rec.technical_school_class is not None:
        return ctx.pack.tech_class[rec.technical_school_class].equivalent
    return rec.level


def records_at(ctx: Ctx, levels: tuple[str, ...]) -> Iterator[tuple[int, Education]]:
    for i, rec in enumerate(ctx.facts.education or []):
        if education_level(ctx, rec) in levels:
            yield i, rec


def unknown_levels(ctx: Ctx) -> list[str]:
    return [
        f"education[{i}].level"
        for i, rec in enumerate(ctx.facts.education or [])
        if rec.level is None and rec.technical_school_class is None
    ]


def tenure_start(ctx: Ctx, i: int, title: Title) -> tuple[dt.date | None, str, Result | None]:
    """When years under a title start: the appointment in a public institution (3.3c, R4), else the grant.

    Returns (date, fact path, problem): ``problem`` is an unknown result when the date cannot be settled.
    """
    sector = ctx.facts.employment.sector
    base = f"titles[{i}]"
    if sector == "public_institution":
        if title.appointed_on is None:
            return (
                None,
                f"{base}.appointed_on",
                unknown(
                    [f"{base}.appointed_on"],
                    "事业单位人员任职时间自聘用到相应专业技术岗位之日起计算，聘用日期未知",
                    "public institution: years count from the post appointment, which is unknown",
                ),
            )
        # Years cannot start before the title is held: an earlier appointment on record counts from the grant.
        if title.granted_on is not None and title.granted_on > title.appointed_on:
            return title.granted_on, f"{base}.granted_on", None
        return title.appointed_on, f"{base}.appointed_on", None
    if sector is None:
        # Unknown sector: only the later of the two dates is safe, whichever rule applies.
        if title.granted_on is not None and title.appointed_on is not None:
            return max(title.granted_on, title.appointed_on), f"{base}.appointed_on", None
        return (
            None,
            "employment.sector",
            unknown(
                ["employment.sector"],
                "单位性质未知，无法确定任职年限的起算日",
                "sector unknown: start of tenure unsettled",
            ),
        )
    if title.granted_on is None:
        return (
            None,
            f"{base}.granted_on",
            unknown([f"{base}.granted_on"], "职称取得日期未知", "grant date unknown"),
        )
    return title.granted_on, f"{base}.granted_on", None


def engineering_titles(ctx: Ctx, level: str) -> Iterator[tuple[int, Title]]:
    for i, t in enumerate(ctx.facts.titles or []):
        if t.level == level and t.series == "engineering":
            yield i, t


def undecided_titles(ctx: Ctx, level: str, *, engineering: bool = True) -> list[str]:
    """Facts that would settle whether a title is one of ``level`` in (or, with engineering=False, outside)
    the engineering series: a title whose series or level is unknown may be one (R0)."""
    missing: list[str] = []
    for i, t in enumerate(ctx.facts.titles or []):
        series_may = t.series is None or ((t.series == "engineering") == engineering)
        level_may = t.level is None or t.level == level
        if series_may and level_may and (t.series is None or t.level is None):
            missing += [f"titles[{i}].{k}" for k, v in (("series", t.series), ("level", t.level)) if v is None]
    return missing


def current_title_start(ctx: Ctx) -> tuple[dt.date | None, str, bool]:
    """Start of 任现职 (the highest title held, latest grant); with no title, the start of professional work.

    Returns (date, fact, known): ``known`` is False when the titles are unknown. Read for each paper; worked out
    once per decision.
    """
    found: tuple[dt.date | None, str, bool] | None = ctx.memo.get("current_title_start")
    if found is None:
        found = ctx.memo["current_title_start"] = _current_title_start(ctx)
    return found


def _current_title_start(ctx: Ctx) -> tuple[dt.date | None, str, bool]:
    titles = ctx.facts.titles
    if titles is None:
        return None, "titles", False
    order = {"technician": 1, "assistant_engineer": 2, "engineer": 3, "senior_engineer": 4}
    ranked = [(order.get(t.level or "", 0), i, t) for i, t in enumerate(titles)]
    if not ranked:
        return ctx.facts.professional_work_started_on, "professional_work_started_on", True
    top = max(r for r, _, _ in ranked)
    candidates = [(i, t) for r, i, t in ranked if r == top]
    dates = [t.granted_on for _, t in candidates]
    if any(d is None for d in dates):
        i = next(i for i, t in candidates if t.granted_on is None)
        return None, f"titles[{i}].granted_on", False
    return max(d for d in dates if d is not None), "titles", True


def roles(ctx: Ctx) -> tuple[frozenset[str], frozenset[str]]:
    """The roles named as host and as main technical backbone (3.5a, 3.5b), as sets built once with the pack."""
    return ctx.pack.host_roles, ctx.pack.backbone_roles


def backbone_or_host(ctx: Ctx, role: str | None, fact: str) -> Result:
    """主要技术骨干及以上 (3.5a, 3.5b, R14); the lists end in 等, so an unnamed role is for the committee."""
    host, backbone = roles(ctx)
    r = ctx.pack.achievements.roles
    ctx.record("achievements.roles.host", r.host.names, r.host.clause, "R14")
    ctx.record("achievements.roles.backbone", r.backbone.names, r.backbone.clause, "R14")
    if role is None:
        return unknown([fact], "角色未知", "role unknown")
    if role in host:
        return ok(f"「{role}」属“主持”", f"{role} counts as host", fact, clause=r.host.clause)
    if role in backbone:
        return ok(
            f"「{role}」属“主要技术骨干”",
            f"{role} counts as main technical backbone",
            fact,
            clause=r.backbone.clause,
        )

    return refer(
        f"「{role}」不在“主持”“主要技术骨干”所列角色中（所列以“等”结尾），由评委会认定",
        f"role {role!r} is not named in the lists, which end in 等: the committee decides",
        fact,
        clause=r.backbone.clause,
    )
