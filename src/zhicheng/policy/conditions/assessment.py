"""三（七）考核要求 and 三（八）继续教育 (3.7, 3.8, R3, R17)."""

from __future__ import annotations

from zhicheng.policy.findings import Warning
from zhicheng.policy.registry import Ctx, Result, condition, no, ok, unknown

GOOD = ("excellent", "qualified")


@condition("assessments_high_skilled", "3.7b")
def assessments_high_skilled(ctx: Ctx) -> Result:
    """High-skilled talent: the last 3 years' annual assessments all qualified or better."""
    n = ctx.p("assessment.high_skilled_recent_years")
    years = list(range(ctx.year - n, ctx.year))
    grades = ctx.facts.annual_assessments
    if grades is None:
        return unknown(
            [f"annual_assessments.{y}" for y in years],
            "近3年年度考核结果未录入",
            "recent assessments unknown",
        )
    bad = [y for y in years if y in grades and grades[y] not in GOOD]
    if bad:
        return no(
            f"近{n}年年度考核须均为合格以上，{'、'.join(map(str, bad))}年度未达到",
            "a recent year below qualified",
            "annual_assessments",
        )
    missing = [y for y in years if y not in grades]
    if missing:
        return unknown(
            [f"annual_assessments.{y}" for y in missing],
            f"{'、'.join(map(str, missing))}年度考核结果未录入",
            "assessment not on record",
            "annual_assessments",
        )
    return ok(f"{years[0]}—{years[-1]}年度考核均为合格以上", "last years qualified", "annual_assessments")


@condition("assessments_filed", "3.7d")
def assessments_filed(ctx: Ctx) -> Result:
    """Public institutions that did not assess their staff, or whose results were not filed, may not apply."""
    emp = ctx.facts.employment
    if emp.sector is None:
        return unknown(["employment.sector"], "单位性质未知", "sector unknown")
    if emp.sector != "public_institution":
        return ok("非事业单位，不适用考核备案要求", "not a public institution", "employment.sector")
    if emp.assessments_filed is None:
        return unknown(["employment.assessments_filed"], "事业单位考核结果是否经人社部门备案未知", "filing unknown")
    if emp.assessments_filed:
        return ok(
            "事业单位年度和任职期满考核结果已经人社部门备案",
            "assessments filed",
            "employment.assessments_filed",
        )
    return no(
        "事业单位未按规定考核或考核结果未经人社部门备案，不得申报",
        "assessments not filed",
        "employment.assessments_filed",
    )


def _ce_years(ctx: Ctx) -> list[int]:
    """The years checked (R17): the last ones before the evaluation year, from the start of professional work."""
    n = ctx.p("continuing_education.years_checked")
    started = ctx.facts.professional_work_started_on
    first = ctx.year - n if started is None else max(ctx.year - n, started.year)
    return list(range(first, ctx.year))


def _ce_shortfalls(ctx: Ctx) -> tuple[list[str], list[int]]:
    """(shortfalls described, years not on record) for the years checked (R17)."""
    total = ctx.p("continuing_education.yearly_hours")
    public = ctx.p("continuing_education.public_hours")
    professional = ctx.p("continuing_education.professional_hours")
    records = ctx.facts.continuing_education or {}
    short: list[str] = []
    missing: list[int] = []
    for y in _ce_years(ctx):
        rec = records.get(y)
        if rec is None or rec.public is None or rec.professional is None:
            missing.append(y)
            continue
        if rec.public + rec.professional < total or rec.public < public or rec.professional < professional:
            short.append(f"{y}年公需课{rec.public:g}学时、专业课{rec.professional:g}学时")
    return short, missing


def continuing_education_complete(ctx: Ctx) -> Result:
    """Continuing education complete (90 hours a year, 30 public, 60 professional) — a hard condition where an
    exception of 3.2.4b rests on it (R17)."""
    if ctx.facts.continuing_education is None:
        return unknown(
            [f"continuing_education.{y}" for y in _ce_years(ctx)],
            "继续教育学时未录入",
            "continuing education unknown",
        )
    short, missing = _ce_shortfalls(ctx)
    if short:
        return no(
            f"继续教育学时不足：{'；'.join(short)}",
            "continuing education short",
            "continuing_education",
            clause="3.2.4b",
        )
    if missing:
        return unknown(
            [f"continuing_education.{y}" for y in missing],
            "部分年度继续教育学时未录入",
            "continuing education not on record",
            "continuing_education",
        )
    return ok("继续教育学时每年均已完成", "continuing education complete", "continuing_education", clause="3.2.4b")


def warnings(ctx: Ctx) -> list[Warning]:
    """What the committee should see though it bars nothing: continuing education (R17), 基本合格 years."""
    out: list[Warning] = []
    short, missing = _ce_shortfalls(ctx)
    if short:
        out.append(
            Warning(
                "3.8",
                f"继续教育学时不足（每年90学时，其中公需课30、专业课60）：{'；'.join(short)}",
                "continuing education below 90 hours a year",
                "R17",
            )
        )
    if missing:
        out.append(
            Warning(
                "3.8",
                f"{'、'.join(map(str, missing))}年度继续教育学时未录入",
                f"continuing education not on record for {missing}",
                "R17",
            )
        )
    grades = ctx.facts.annual_assessments or {}
    basic = sorted(y for y, g in grades.items() if g == "basically_qualified")
    if basic:
        out.append(
            Warning(
                "3.7a",
                f"{'、'.join(map(str, basic))}年度考核为基本合格（须合格以上等次），请评委会关注",
                "basically-qualified assessment years",
                "R3",
            )
        )
    return out
