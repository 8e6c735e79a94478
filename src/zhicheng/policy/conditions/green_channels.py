"""六、（二）绿色通道 (6.2.1–6.2.3)."""

from __future__ import annotations

from zhicheng.policy.conditions.common import count_service, engineering_titles, records_at, undecided_titles
from zhicheng.policy.conditions.education import related
from zhicheng.policy.registry import Ctx, Result, combine, condition, no, ok, refer, unknown


def _sector_in(ctx: Ctx, key: str, what: str) -> Result:
    allowed = ctx.p(key)
    sector = ctx.facts.employment.sector
    if sector is None:
        return unknown(["employment.sector"], "单位性质未知", "sector unknown")
    if sector in allowed:
        return ok(f"单位性质符合{what}", "sector in scope", "employment.sector")
    return no(f"单位性质不属于{what}的范围", "sector out of scope", "employment.sector")


@condition("gc1_moved_from_organ", "6.2.1", "R2")
def gc1_moved_from_organ(ctx: Ctx) -> Result:
    """Moved from a government organ to an enterprise or institution, a year or more in professional work."""
    emp = ctx.facts.employment
    if emp.moved_from_government_organ is None:
        return unknown(
            ["employment.moved_from_government_organ"], "是否从机关流动而来未知", "move from an organ unknown"
        )
    if not emp.moved_from_government_organ:
        return no(
            "不适用：非从机关流动人员",
            "not applicable: did not move from a government organ",
            "employment.moved_from_government_organ",
        )
    sector = _sector_in(ctx, "sectors.green_channel_1", "绿色通道1")
    if sector.status != "pass":
        return sector
    move = emp.government_move
    return count_service(
        ctx,
        None if move is None else move.moved_on,
        ctx.p("seniority.green_channel_1_move_years"),
        "employment.government_move.moved_on",
        "从机关流动到企事业单位",
        "move from the organ",
    )


@condition("gc1_first_application", "6.2.1")
def gc1_first_application(ctx: Ctx) -> Result:
    """The green channel serves the first application only."""
    first = ctx.facts.employment.first_application
    if first is None:
        return unknown(["employment.first_application"], "是否首次申报职称评审未知", "first application unknown")
    if first:
        return ok("首次申报职称评审", "first application", "employment.first_application")
    return no("绿色通道1仅限首次申报", "only for the first application", "employment.first_application")


@condition("gc1_seniority", "6.2.1")
def gc1_seniority(ctx: Ctx) -> Result:
    """In an institution: deputy-section rank 5 years, or deputy and section ranks together 5 years.
    In an enterprise: compared with staff of the same education and seniority — no figure given (refer)."""
    emp = ctx.facts.employment
    needed = ctx.p("seniority.green_channel_1_cadre_years")
    if emp.sector is None:
        return unknown(["employment.sector"], "单位性质未知", "sector unknown")
    if emp.sector != "public_institution":
        return refer(
            "比照本单位同等学历、资历人员申报，通知未给出年限，由评委会认定",
            "compared with peers of the same education and seniority: no figure given, the committee decides",
            "employment.sector",
        )
    move = emp.government_move
    if move is None or move.deputy_section_years is None:
        return unknown(["employment.government_move.deputy_section_years"], "任副科级年限未知", "cadre years unknown")
    total = move.deputy_section_years + (move.section_years or 0)
    if total >= needed:
        return ok(
            f"机关和事业单位任副科、正科级合计{total:g}年，满{needed}年",
            "cadre years met",
            "employment.government_move",
        )
    if move.section_years is None:
        return unknown(["employment.government_move.section_years"], "任正科级年限未知", "section years unknown")
    return no(f"任副科、正科级合计{total:g}年，不满{needed}年", "cadre years short", "employment.government_move")


@condition("gc2_sector", "6.2.2")
def gc2_sector(ctx: Ctx) -> Result:
    """Enterprises, non-public economic organisations and social organisations."""
    return _sector_in(ctx, "sectors.green_channel_2", "绿色通道2（各类企业、非公有制经济组织和社会组织）")


def _full_time(ctx: Ctx) -> tuple[Result, str | None]:
    """The best full-time regular higher education (bachelor or college) that is related, and its level."""
    results: list[tuple[Result, str]] = []
    for i, rec in records_at(ctx, ("bachelor", "college")):
        level = (
            "bachelor"
            if rec.technical_school_class is None and rec.level == "bachelor"
            else ("bachelor" if rec.technical_school_class == "preparatory_technician_class" else "college")
        )
        if rec.technical_school_class is not None:
            continue  # 技工院校 is not 普通全日制高等院校
        if rec.full_time is False:
            continue
        r = related(ctx, i, rec, "engineer")
        if rec.full_time is None and r.status == "pass":
            r = unknown([f"education[{i}].full_time"], "是否普通全日制未知", "full-time unknown")
        results.append((r, level))
    if not results:
        if ctx.facts.education is None:
            return unknown(["education"], "学历信息未知", "education unknown"), None
        return no("无普通全日制高等院校本科或专科学历", "no full-time higher education", "education"), None
    status = combine([r for r, _ in results])
    pick = [x for x in results if x[0].status == status]
    pick.sort(key=lambda x: x[1] != "bachelor")
    return pick[0]


@condition("gc2_full_time_education", "6.2.2")
def gc2_full_time_education(ctx: Ctx) -> Result:
    """Graduated from a full-time regular higher education institution, related."""
    r, _ = _full_time(ctx)
    return r


@condition("gc2_no_assistant_engineer", "6.2.2")
def gc2_no_assistant_engineer(ctx: Ctx) -> Result:
    """Not appointed assistant engineer under the 1986 regulations."""
    if ctx.facts.titles is None:
        return unknown(["titles"], "职称信息未知", "titles unknown")
    if any(True for _ in engineering_titles(ctx, "assistant_engineer")):
        return no("已取得助理工程师，不适用绿色通道2", "already assistant engineer", "titles")
    undecided = undecided_titles(ctx, "assistant_engineer")
    if undecided:
        return unknown(
            undecided, "职称的系列或层级未知，无法确定是否已取得助理工程师", "a title's series or level unknown"
        )
    return ok("未考核初聘助理工程师", "not appointed assistant engineer", "titles")


@condition("gc2_years", "6.2.2", "R2")
def gc2_years(ctx: Ctx) -> Result:
    """Years of work in the specialty (相应专业工作年限): bachelor 5, college 8."""
    r, level = _full_time(ctx)
    key = (
        "seniority.green_channel_2_bachelor_years" if level != "college" else "seniority.green_channel_2_college_years"
    )
    needed = ctx.p(key)
    if level is None:
        return (
            unknown(["education"], "学历未定，无法确定年限要求", "education unsettled")
            if r.status == "unknown"
            else no("无普通全日制高等院校学历", "no full-time higher education", "education")
        )
    return count_service(
        ctx,
        ctx.facts.specialty.work_since,
        needed,
        "specialty.work_since",
        "开始从事本专业技术工作",
        "start of work in the specialty",
    )


@condition("gc2_not_exam_specialty", "6.2.2")
def gc2_not_exam_specialty(ctx: Ctx) -> Result:
    """Specialties where an exam replaces evaluation are excluded."""
    excluded = ctx.p("exam_instead_specialties")
    name = ctx.facts.specialty.name
    if name is None:
        return unknown(["specialty.name"], "申报专业未知", "specialty unknown")
    if name in excluded:
        return no(f"「{name}」实行以考代评，不适用绿色通道2", "exam replaces evaluation", "specialty.name")
    return ok("非以考代评专业", "not an exam-only specialty", "specialty.name")


@condition("gc3_private_front_line", "6.2.3")
def gc3_private_front_line(ctx: Ctx) -> Result:
    """A private enterprise, in a front-line production post in engineering."""
    sector = _sector_in(ctx, "sectors.green_channel_3", "民营企业")
    if sector.status != "pass":
        return sector
    on_line = ctx.facts.employment.on_front_line
    if on_line is None:
        return unknown(["employment.on_front_line"], "是否在生产一线岗位未知", "front-line post unknown")
    if on_line:
        return ok(
            "民营企业工程技术领域生产一线岗位",
            "private enterprise, front-line post",
            "employment.on_front_line",
        )
    return no("不在生产一线岗位", "not in a front-line post", "employment.on_front_line")
