"""三（三）资历条件: years of service for each path (3.3.1, 3.3.2, R2–R5)."""

from __future__ import annotations

import datetime as dt

from zhicheng.policy.conditions.common import (
    count_service,
    engineering_titles,
    records_at,
    tenure_start,
    undecided_titles,
)
from zhicheng.policy.registry import Ctx, Result, best_of, condition, no, ok, refer, unknown

SKILLED_TECHNICIAN = ("skilled_technician", "senior_skilled_technician")
SENIOR_WORKER_OR_ABOVE = ("senior_worker", *SKILLED_TECHNICIAN)


def _with_degree(
    ctx: Ctx, levels: tuple[str, ...], start: dt.date | None, base: int, fact: str, what: str, what_en: str
) -> Result:
    """Years on a path that rests on a degree; an engineering professional degree takes one year off (3.3a, R5)."""
    reduction = ctx.p("seniority.professional_degree_reduction_years")
    recs = [(i, r) for i, r in records_at(ctx, levels)]
    has = any(r.engineering_professional_degree for _, r in recs)
    needed = base - reduction if has else base
    res = count_service(ctx, start, needed, fact, what, what_en)
    if has:
        res.clause = "3.3a"
        res.message += "（工程类专业学位，提前1年）"
    undecided = [
        f"education[{i}].engineering_professional_degree" for i, r in recs if r.engineering_professional_degree is None
    ]
    if (
        res.status == "fail"
        and undecided
        and count_service(ctx, start, base - reduction, fact, what, what_en).status != "fail"
    ):
        return unknown(
            undecided,
            res.message + "；是否为工程类专业学位未知（可提前1年）",
            "engineering professional degree unknown (one year less)",
            fact,
        )
    return res


@condition("seniority_master", "3.3.1b", "R2")
def seniority_master(ctx: Ctx) -> Result:
    """Master + 2 years of work in the specialty after graduating (by the end of Y−2)."""
    base = ctx.p("seniority.engineer_master_years")
    work = ctx.facts.specialty.work_since
    results: list[Result] = []
    for i, rec in records_at(ctx, ("master",)):
        if rec.graduated_on is None or work is None:
            missing = [f"education[{i}].graduated_on"] if rec.graduated_on is None else ["specialty.work_since"]
            results.append(
                unknown(missing, "研究生毕业日期或从事本专业工作的起始日期未知", "graduation or work start unknown")
            )
            continue
        start, fact = (
            (work, "specialty.work_since")
            if work > rec.graduated_on
            else (rec.graduated_on, f"education[{i}].graduated_on")
        )
        results.append(
            _with_degree(
                ctx,
                ("master",),
                start,
                base,
                fact,
                "研究生毕业后从事本专业工作",
                "work in the specialty after the master's",
            )
        )
    return best_of(results) if results else no("无研究生（硕士）学历", "no master's", "education")


def _ae_years(ctx: Ctx, level_of_degree: str, key: str) -> Result:
    base = ctx.p(key)
    titles = ctx.facts.titles
    if titles is None:
        return unknown(["titles"], "职称信息未知", "titles unknown")
    results: list[Result] = []
    for i, t in engineering_titles(ctx, "assistant_engineer"):
        start, fact, problem = tenure_start(ctx, i, t)
        results.append(
            problem
            or _with_degree(
                ctx,
                (level_of_degree,),
                start,
                base,
                fact,
                "任助理工程师",
                "appointment as assistant engineer",
            )
        )
    undecided = undecided_titles(ctx, "assistant_engineer")
    if undecided and (not results or best_of(results).status == "fail"):
        return unknown(undecided, "职称的系列或层级未知", "series or level of a title unknown")
    if not results:
        return no("未取得工程系列助理工程师职称", "holds no assistant engineer title", "titles")
    return best_of(results)


@condition("seniority_bachelor_ae", "3.3.1c", "R4")
def seniority_bachelor_ae(ctx: Ctx) -> Result:
    """Bachelor + assistant engineer 4 years (appointed by the end of Y−4)."""
    return _ae_years(ctx, "bachelor", "seniority.engineer_bachelor_ae_years")


@condition("seniority_college_ae", "3.3.1d", "R4")
def seniority_college_ae(ctx: Ctx) -> Result:
    """College + assistant engineer 5 years (appointed by the end of Y−5)."""
    return _ae_years(ctx, "college", "seniority.engineer_college_ae_years")


def _skill_years(ctx: Ctx, grades: tuple[str, ...], key: str, what: str, what_en: str) -> Result:
    needed = ctx.p(key)
    records = ctx.facts.skill_grades
    if records is None:
        return unknown(["skill_grades"], "职业资格或职业技能等级未知", "skill grades unknown")
    results = [
        count_service(ctx, g.granted_on, needed, f"skill_grades[{i}].granted_on", what, what_en)
        for i, g in enumerate(records)
        if g.grade in grades
    ]
    pending = [f"skill_grades[{i}].grade" for i, g in enumerate(records) if g.grade is None]
    if pending and (not results or best_of(results).status == "fail"):
        return unknown(pending, "职业技能等级未知", "skill grade unknown")
    if not results:
        return no(f"未取得{what.removeprefix('取得')}", f"no {what_en}", "skill_grades")
    return best_of(results)


@condition("seniority_skilled_technician", "3.3.1e", "R2")
def seniority_skilled_technician(ctx: Ctx) -> Result:
    """High-skilled talent: skilled technician (or senior) + 3 years of technical work."""
    return _skill_years(
        ctx,
        SKILLED_TECHNICIAN,
        "seniority.engineer_skilled_technician_years",
        "取得技师职业资格或职业技能等级",
        "skilled technician grade",
    )


@condition("seniority_senior_worker", "3.3.2d", "R2")
def seniority_senior_worker(ctx: Ctx) -> Result:
    """High-skilled talent: senior worker (or above) + 2 years of technical work."""
    return _skill_years(
        ctx,
        SENIOR_WORKER_OR_ABOVE,
        "seniority.ae_senior_worker_years",
        "取得高级工职业资格或职业技能等级",
        "senior worker grade",
    )


@condition("seniority_ae_bachelor", "3.3.2a", "R2")
def seniority_ae_bachelor(ctx: Ctx) -> Result:
    """Bachelor + 1 year of professional work after graduating."""
    base = ctx.p("seniority.ae_bachelor_years")
    work = ctx.facts.professional_work_started_on
    results: list[Result] = []
    for i, rec in records_at(ctx, ("bachelor",)):
        if rec.graduated_on is None:
            results.append(unknown([f"education[{i}].graduated_on"], "本科毕业日期未知", "graduation unknown"))
            continue
        if work is None:
            results.append(
                unknown(["professional_work_started_on"], "开始从事专业技术工作的日期未知", "work start unknown")
            )
            continue
        start, fact = (
            (work, "professional_work_started_on")
            if work > rec.graduated_on
            else (rec.graduated_on, f"education[{i}].graduated_on")
        )
        results.append(
            _with_degree(
                ctx,
                ("bachelor",),
                start,
                base,
                fact,
                "本科毕业后从事专业技术工作",
                "professional work after the bachelor's",
            )
        )
    return best_of(results) if results else no("无大学本科学历", "no bachelor's", "education")


@condition("probation_completed", "3.3.2b")
def probation_completed(ctx: Ctx) -> Result:
    """见习一年期满 before the technician years."""
    done = ctx.facts.probation_completed_on
    ctx.p("seniority.ae_college_technician_years")
    if done is None:
        return unknown(["probation_completed_on"], "见习期满日期未知", "end of probation unknown")
    if done > ctx.reference_date:
        return no(f"见习期至{done.isoformat()}方满", "probation not yet complete", "probation_completed_on")
    return ok(f"见习期已于{done.isoformat()}期满", "probation complete", "probation_completed_on")


def _technician_years(ctx: Ctx, key: str) -> Result:
    needed = ctx.p(key)
    if ctx.facts.titles is None:
        return unknown(["titles"], "职称信息未知", "titles unknown")
    results: list[Result] = []
    for i, t in engineering_titles(ctx, "technician"):
        start, fact, problem = tenure_start(ctx, i, t)
        results.append(problem or count_service(ctx, start, needed, fact, "聘任技术员", "appointment as technician"))
    undecided = undecided_titles(ctx, "technician")
    if undecided and (not results or best_of(results).status == "fail"):
        return unknown(undecided, "职称的系列或层级未知", "series or level of a title unknown")
    if not results:
        return no("未取得（聘任）工程系列技术员职称", "not appointed technician", "titles")
    return best_of(results)


@condition("seniority_ae_college_technician", "3.3.2b", "R4")
def seniority_ae_college_technician(ctx: Ctx) -> Result:
    """College + probation + technician 2 years (appointed by the end of Y−2)."""
    return _technician_years(ctx, "seniority.ae_college_technician_years")


@condition("seniority_ae_secondary_technician", "3.3.2c", "R4")
def seniority_ae_secondary_technician(ctx: Ctx) -> Result:
    """中专 + probation + technician 4 years (appointed by the end of Y−4)."""
    return _technician_years(ctx, "seniority.ae_secondary_technician_years")


@condition("doctorate_assessment", "3.3.1a")
def doctorate_assessment(ctx: Ctx) -> Result:
    """A doctorate applies for engineer 经考察合格: the committee's assessment."""
    return refer("获得博士学位者须经考察合格，由评委会考察认定", "a doctorate is subject to the committee's assessment")


@condition("vocational_qualification_engineer", "3.3b")
def vocational_qualification_engineer(ctx: Ctx) -> Result:
    """A vocational qualification recognised as the engineer title."""
    return _qualification(ctx, "engineer")


@condition("vocational_qualification_ae", "3.3b")
def vocational_qualification_ae(ctx: Ctx) -> Result:
    """A vocational qualification recognised as the assistant engineer title."""
    return _qualification(ctx, "assistant_engineer")


@condition("vocational_qualification_technician", "3.3b")
def vocational_qualification_technician(ctx: Ctx) -> Result:
    """A vocational qualification recognised as the technician title."""
    return _qualification(ctx, "technician")


def _qualification(ctx: Ctx, level: str) -> Result:
    catalogue = ctx.p("vocational_qualification_catalogue")
    quals = ctx.facts.vocational_qualifications
    if quals is None:
        return unknown(["vocational_qualifications"], "职业资格信息未知（无请填“无”）", "qualifications unknown")
    matching = [(i, q) for i, q in enumerate(quals) if q.level == level]
    if not matching:
        pending = [f"vocational_qualifications[{i}].level" for i, q in enumerate(quals) if q.level is None]
        if pending:
            return unknown(pending, "职业资格对应层级未知", "level of a qualification unknown")
        return no(
            "不适用：无对应该层级的职业资格",
            "not applicable: no qualification at this level",
            "vocational_qualifications",
        )
    for i, q in matching:
        if any(e.name == q.name and e.level == level for e in catalogue):
            return ok(
                f"职业资格「{q.name}」按对应目录认定为相应层级职称",
                "qualification in the catalogue",
                f"vocational_qualifications[{i}]",
            )
    i, q = matching[0]
    return refer(
        f"职业资格「{q.name}」未录入本年度对应目录，由评委会按我省职业资格与职称对应目录认定",
        "qualification not in the pack's catalogue: the committee checks the provincial catalogue",
        f"vocational_qualifications[{i}]",
    )
