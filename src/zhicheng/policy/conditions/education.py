"""三（二）学历条件: level, relatedness (3.2.1, 3.2.4, R11), technical schools (3.2.2, R10), recognition (3.2.3),
and the front-line relaxation for engineer (3.2.1a, R12)."""

from __future__ import annotations

from zhicheng.policy.conditions.assessment import continuing_education_complete
from zhicheng.policy.conditions.common import (
    COLLEGE_OR_ABOVE,
    SECONDARY_OR_ABOVE,
    count_service,
    education_level,
    records_at,
    unknown_levels,
)
from zhicheng.policy.conditions.scope import first_year_after
from zhicheng.policy.facts import Education
from zhicheng.policy.pack import MajorException
from zhicheng.policy.registry import Ctx, Result, best_of, combine, condition, no, ok, refer, unknown


def _exception(ctx: Ctx, exc: MajorException, i: int, rec: Education) -> Result:
    """One exception of 3.2.4a/b for one education record."""
    sp = ctx.facts.specialty
    if sp.category is None or sp.name is None:
        return unknown(["specialty.category", "specialty.name"], "申报专业未知", "specialty unknown")
    found = ctx.pack.category_names.get(sp.category, {}).get(sp.name)
    canonical = found[1] if found else sp.name
    if not any(o.category == sp.category and (o.specialties is None or canonical in o.specialties) for o in exc.opens):
        return no(f"{exc.name}：不适用于所报专业", f"{exc.id}: not for this specialty", "specialty.name")
    if exc.majors is not None:
        if rec.major is None:
            return unknown([f"education[{i}].major"], "所学专业名称未知", "major unknown")
        if rec.major not in exc.majors:
            return no(
                f"{exc.name}：所学专业「{rec.major}」不在所列专业中",
                f"{exc.id}: major not listed",
                f"education[{i}].major",
            )
    req = exc.requires
    parts: list[Result] = []
    if req.cost_engineering:
        v = sp.cost_engineering_work
        parts.append(
            ok("从事工程造价工作", "cost engineering work", "specialty.cost_engineering_work")
            if v
            else unknown(["specialty.cost_engineering_work"], "是否从事工程造价工作未知", "unknown")
            if v is None
            else no("未从事工程造价工作", "no cost engineering work", "specialty.cost_engineering_work")
        )
    if req.min_years is not None:
        parts.append(
            count_service(
                ctx,
                sp.work_since,
                ctx.p(f"seniority.{req.min_years}"),
                "specialty.work_since",
                "开始从事本专业技术工作",
                "start of work in the specialty",
            )
        )
    if req.defence_excellent:
        grade = ctx.facts.defence_grade
        parts.append(
            ok("专业答辩为优秀等次", "defence excellent", "defence_grade")
            if grade == "excellent"
            else refer(
                "须参加专业答辩为优秀等次，答辩后确定",
                "needs an excellent defence, known after it",
                "defence_grade",
            )
            if grade is None
            else no("专业答辩未达优秀等次", "defence not excellent", "defence_grade")
        )
    if req.continuing_education:
        parts.append(continuing_education_complete(ctx))
    if req.long_term:
        parts.append(
            refer(
                "“长期从事”未规定年限，由评委会认定",
                "'long-term' has no number of years: the committee decides",
                "specialty.work_since",
            )
        )
    status = combine(parts, all_needed=True) if parts else "pass"
    detail = "；".join(p.message for p in parts if p.status != "pass") or "条件具备"
    facts = tuple(f for p in parts for f in p.facts)
    missing = tuple(m for p in parts for m in p.missing)
    # Failing only on time (e.g. 9 of the 10 forestry years): say from which year it is met (R2).
    blocking = [p for p in parts if p.status != "pass"]
    met = None
    if status == "fail" and all(p.status == "fail" and p.met_in_year for p in blocking):
        met = max(p.met_in_year or 0 for p in blocking)
    return Result(
        status,
        f"{exc.name}（不受所学专业限制）：{detail}",
        f"major exception {exc.id}: {status}",
        facts,
        missing,
        met_in_year=met,
        clause=exc.clause,
        exception=exc.id,
    )


def related(ctx: Ctx, i: int, rec: Education, level: str) -> Result:
    """Is this education related (3.2.1, 3.2.4, R11), recognised (3.2.3), or opened by an exception (engineer)?"""
    key = (i, level)
    memo: Result | None = ctx.memo.get(key)
    if memo is None:
        memo = ctx.memo[key] = _related(ctx, i, rec, level)
    return memo


def _related(ctx: Ctx, i: int, rec: Education, level: str) -> Result:
    base = f"education[{i}]"
    if rec.recognised is False:
        return no(
            "学历证书须为国家教育行政部门承认的原件，其他证件不能作为学历依据",
            "education not recognised",
            f"{base}.recognised",
            clause="3.2.3",
        )
    fields = ctx.pack.education.related_fields
    ctx.record("education.related_fields", fields.value, fields.clause, fields.ruling)
    direct: Result
    if rec.field is None:
        direct = unknown([f"{base}.field"], "所学专业的学科门类未知", "field of study unknown")
    elif rec.field in fields.value and rec.related_to_work is True:
        direct = ok(
            f"所学{rec.major or '专业'}属理学、工学、药学、农学且与从事专业相关",
            "related field matching the work",
            f"{base}.field",
            f"{base}.related_to_work",
        )
    elif rec.field in fields.value and rec.related_to_work is None:
        direct = unknown([f"{base}.related_to_work"], "所学专业与从事专业是否相同或相近未知", "match with work unknown")
    else:
        direct = no(
            f"所学{rec.major or '专业'}与从事专业不相同也不相近",
            "unrelated education",
            f"{base}.field",
            f"{base}.related_to_work",
            clause="3.2.4",
        )
    results = [direct]
    levels = ctx.pack.education.exceptions_levels
    if direct.status != "pass" and level in levels.value:
        ctx.record("education.exceptions_levels", levels.value, levels.clause, levels.ruling)
        category = ctx.facts.specialty.category
        if category is None:
            results.append(unknown(["specialty.category"], "申报专业类别未知", "specialty category unknown"))
        else:
            results += [_exception(ctx, exc, i, rec) for exc in ctx.pack.exceptions_for(category)]
    best = best_of(results)
    if best.status == "fail":
        return best
    ref = ctx.reference_date
    if rec.graduated_on is not None and rec.graduated_on > ref:
        # 3.2.3 申报时本人持有的: a diploma received after the reference date is not held when applying (R1).
        return no(
            f"毕业于{rec.graduated_on.isoformat()}，晚于基准日{ref.isoformat()}：学历以申报时本人持有的证书为准，"
            "申报时尚未持有",
            f"graduated on {rec.graduated_on}, after the reference date {ref}: not held when applying",
            f"{base}.graduated_on",
            met_in_year=first_year_after(rec.graduated_on, ref)
            if best.status == "pass" and rec.recognised is True
            else None,
            clause="3.2.3",
        )
    missing = [
        f"{base}.{k}" for k, v in (("recognised", rec.recognised), ("graduated_on", rec.graduated_on)) if v is None
    ]
    if missing:
        return unknown(
            missing,
            "学历是否为国家承认的学历、或毕业日期（申报时是否已持有）未知",
            "recognition or graduation date unknown",
            *missing,
        )
    return best


def _level_name(ctx: Ctx, level: str | None) -> str:
    return ctx.pack.level_names.get(level or "", "层次未知")


def education_at(ctx: Ctx, levels: tuple[str, ...], level: str, what: str) -> Result:
    """A related, recognised education at one of ``levels``; the best record wins."""
    if ctx.facts.education is None:
        return unknown(["education"], "学历信息未知", "education unknown")
    results = [related(ctx, i, rec, level) for i, rec in records_at(ctx, levels)]
    if not results or all(r.status == "fail" for r in results):
        pending = unknown_levels(ctx)
        if pending:
            return unknown(pending, "学历层次未知", "education level unknown")
    if not results:
        held = "、".join(_level_name(ctx, education_level(ctx, r)) for r in ctx.facts.education) or "无"
        return no(f"不具备{what}（现有学历：{held}）", f"no {what} education", "education")
    best = best_of(results)
    if best.status == "pass":
        return Result(
            "pass",
            f"具备{what}：{best.message}",
            best.message_en,
            best.facts,
            clause=best.clause,
            exception=best.exception,
        )
    return best


@condition("education_doctorate", "3.3.1a")
def education_doctorate(ctx: Ctx) -> Result:
    """A doctorate, related to the work."""
    return education_at(ctx, ("doctorate",), "engineer", "博士研究生学历")


@condition("education_master", "3.3.1b")
def education_master(ctx: Ctx) -> Result:
    """A master's degree or postgraduate diploma, related to the work."""
    return education_at(ctx, ("master",), "engineer", "研究生（硕士）学历")


@condition("education_bachelor_engineer", "3.3.1c")
def education_bachelor_engineer(ctx: Ctx) -> Result:
    """A bachelor's education (or a preparatory-technician class), related."""
    return education_at(ctx, ("bachelor",), "engineer", "大学本科学历")


@condition("education_college_engineer", "3.3.1d")
def education_college_engineer(ctx: Ctx) -> Result:
    """A college education (or a senior-worker class), related."""
    return education_at(ctx, ("college",), "engineer", "大学专科学历")


@condition("front_line_fifteen_years", "3.2.1a", "R12")
def front_line_fifteen_years(ctx: Ctx) -> Result:
    """15 years directly on the grassroots front line (3.2.1d), still on it."""
    emp = ctx.facts.employment
    years = ctx.p("seniority.front_line_years")
    enterprises = ctx.p("sectors.front_line_enterprises")
    levels = ctx.p("sectors.front_line_institution_levels")
    if emp.sector is None:
        return unknown(["employment.sector"], "单位性质未知", "sector unknown")
    if emp.sector == "public_institution":
        if emp.employer_level is None:
            return unknown(["employment.employer_level"], "事业单位层级未知", "institution level unknown")
        in_scope = emp.employer_level in levels
    else:
        in_scope = emp.sector in enterprises
    if not in_scope:
        return no(
            "不属于基层一线（国有企业、非公经济组织项目或施工现场，或县以下事业单位）",
            "not grassroots front line",
            "employment.sector",
            "employment.employer_level",
            clause="3.2.1d",
        )
    if emp.on_front_line is False:
        return no("目前不在一线岗位工作", "no longer on the front line", "employment.on_front_line")
    served = count_service(
        ctx,
        emp.front_line_since,
        years,
        "employment.front_line_since",
        "开始在基层一线直接从事本专业工作",
        "start on the front line",
    )
    if served.status == "pass" and emp.on_front_line is None:
        return unknown(["employment.on_front_line"], "目前是否仍在一线岗位未知", "still on the front line unknown")
    return served


def _front_line_relaxation(ctx: Ctx) -> Result:
    """中专 or 中级工班 after 15 front-line years, still there, with an achievement of 3.5.1 (3.2.1a, 3.2.1e)."""
    memo: Result | None = ctx.memo.get("front_line_relaxation")
    if memo is not None:
        return memo
    from zhicheng.policy.conditions.achievements import engineer_items

    grades = ctx.facts.skill_grades or []
    high_skilled = any(g.grade in ("skilled_technician", "senior_skilled_technician") for g in grades)
    parts = [front_line_education(ctx), front_line_fifteen_years(ctx), engineer_items(ctx, high_skilled=high_skilled)]
    status = combine(parts, all_needed=True)
    missing = tuple(m for p in parts for m in p.missing)
    detail = "；".join(p.message for p in parts)
    memo = ctx.memo["front_line_relaxation"] = Result(
        status,
        f"学历放宽到中专或中级工班（基层一线满15年且业绩突出）：{detail}",
        f"front-line relaxation: {status}",
        tuple(f for p in parts for f in p.facts),
        missing,
        clause="3.2.1a",
        exception="front_line_relaxation",
    )
    return memo


@condition("education_engineer", "3.2.1a", "R11")
def education_engineer(ctx: Ctx) -> Result:
    """College or above, related; relaxed to 中专 for the front line (R12)."""
    main = education_at(ctx, COLLEGE_OR_ABOVE, "engineer", "大专及以上学历")
    if main.status == "pass":
        return main
    return best_of([main, _front_line_relaxation(ctx)])


@condition("front_line_education", "3.2.1a", "R12")
def front_line_education(ctx: Ctx) -> Result:
    """The relaxed education for engineer on the front line: 中专 or 中级工班, related."""
    return education_at(ctx, ("secondary",), "engineer", "中专或中级工班学历")


@condition("front_line_seniority", "3.2.1a", "R12")
def front_line_seniority(ctx: Ctx) -> Result:
    """The notice gives no seniority rule for the front-line relaxation: the committee decides (R12)."""
    return refer(
        "通知未规定学历放宽人员的资历条件，由评委会认定",
        "no seniority rule for the relaxation: the committee decides",
    )


@condition("education_bachelor_ae", "3.3.2a")
def education_bachelor_ae(ctx: Ctx) -> Result:
    """A bachelor's education, related (no exceptions below engineer, 3.2.4c)."""
    return education_at(ctx, ("bachelor",), "assistant_engineer", "大学本科学历")


@condition("education_college_ae", "3.3.2b")
def education_college_ae(ctx: Ctx) -> Result:
    """A college education, related."""
    return education_at(ctx, ("college",), "assistant_engineer", "大学专科学历")


@condition("education_secondary_ae", "3.3.2c", "R10")
def education_secondary_ae(ctx: Ctx) -> Result:
    """中专, 中技 or 中级工班, related."""
    return education_at(ctx, ("secondary",), "assistant_engineer", "中专（中技、中级工班）学历")


@condition("education_ae", "3.2.1b", "R10")
def education_ae(ctx: Ctx) -> Result:
    """中专 or 中级工班 or above, related; 职高, 高中 and below may not apply (3.3.2e)."""
    return education_at(ctx, SECONDARY_OR_ABOVE, "assistant_engineer", "中专或中级工班及以上学历")


@condition("education_technician", "3.2.1c", "R10")
def education_technician(ctx: Ctx) -> Result:
    """Technician is determined on a related education of 中专 or 中级工班 or above."""
    return education_at(ctx, SECONDARY_OR_ABOVE, "technician", "中专或中级工班及以上学历")


@condition("postgraduate_not_covered", "3.3.2a", "R13")
def postgraduate_not_covered(ctx: Ctx) -> Result:
    """A postgraduate applying for assistant engineer: the notice has no rule for it (R13)."""
    if ctx.facts.education is None:
        return unknown(["education"], "学历信息未知", "education unknown")
    postgraduate = list(records_at(ctx, ("master", "doctorate")))
    ref = ctx.reference_date
    if any(rec.graduated_on is not None and rec.graduated_on <= ref for _, rec in postgraduate):
        return refer(
            "本通知未规定研究生申报助理工程师的条件，由评委会认定",
            "a postgraduate applying for assistant engineer is not covered by this notice",
            "education",
        )
    # A postgraduate diploma is held only from graduation (3.2.3): an unknown date stays unknown (R0).
    pending = unknown_levels(ctx) + [f"education[{i}].graduated_on" for i, r in postgraduate if r.graduated_on is None]
    if pending:
        return unknown(pending, "学历层次或研究生毕业日期未知", "education level or graduation date unknown")
    return no("不适用：申报时无研究生学历", "not applicable: no postgraduate education held", "education")
