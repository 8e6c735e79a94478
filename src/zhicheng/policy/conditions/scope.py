"""二、评审范围: who may apply at all (2.1, R8), the exclusions (2.1.1–2.1.3, R6, R7) and the specialty (2.2, R9)."""

from __future__ import annotations

import datetime as dt

from zhicheng.policy.registry import Ctx, Result, condition, no, ok, refer, unknown
from zhicheng.policy.retirement import retirement_date


@condition("scope_employment", "2.1", "R8")
def scope_employment(ctx: Ctx) -> Result:
    """A valid labour contract, in post, doing engineering work."""
    emp = ctx.facts.employment
    freelancer = emp.kind == "freelancer"
    checks = {
        "employment.engineering_work": (emp.engineering_work, "从事工程系列相应专业技术工作"),
    }
    if not freelancer:
        checks = {
            "employment.labour_contract": (emp.labour_contract, "已签订有效劳动合同"),
            "employment.in_post": (emp.in_post, "在职在岗"),
            **checks,
        }
    failed = [zh for value, zh in checks.values() if value is False]
    if failed:
        return no(f"不符合人员范围：未{'、未'.join(failed)}", "outside the scope of 2.1", *checks)
    missing = [fact for fact, (value, _) in checks.items() if value is None]
    if missing:
        return unknown(missing, "劳动合同、在岗或从事工程技术工作情况未知", "contract, post or work unknown")
    if freelancer:
        # 2.1 asks for a labour contract, while 6.1.3(5) gives freelancers a channel: the notice contradicts itself.
        return refer(
            "自由职业者无劳动合同：2.1要求签订有效劳动合同，6.1.3(5)又为自由职业者设申报渠道，由评委会认定",
            "freelancer: 2.1 asks for a labour contract while 6.1.3(5) gives freelancers a channel; the committee decides",
            "employment.kind",
            "employment.engineering_work",
            clause="6.1.3.5",
        )
    return ok("已签订劳动合同，在职在岗从事工程技术工作", "contract, in post, engineering work", *checks)


@condition("scope_public_institution_post", "2.1", "R8")
def scope_public_institution_post(ctx: Ctx) -> Result:
    """In a public institution: appointed to a professional post and paid for it, unless moved from an organ."""
    emp = ctx.facts.employment
    if emp.sector is None:
        return unknown(["employment.sector"], "单位性质未知", "sector unknown")
    if emp.sector != "public_institution":
        return ok("非事业单位，不适用岗位聘用要求", "not a public institution", "employment.sector")
    if emp.moved_from_government_organ is True:
        return ok(
            "从机关流动到事业单位，不受岗位聘用要求限制",
            "moved from a government organ: exempt",
            "employment.moved_from_government_organ",
        )
    facts = ("employment.professional_post_appointed", "employment.post_salary_paid")
    if emp.professional_post_appointed is False or emp.post_salary_paid is False:
        if emp.moved_from_government_organ is None:
            return unknown(
                ["employment.moved_from_government_organ"],
                "未在专业技术岗位聘用或未兑现岗位工资；是否从机关流动而来未知",
                "not appointed or not paid; move from an organ unknown",
                *facts,
            )
        return no(
            "事业单位人员须在专业技术岗位聘用且兑现相应岗位工资",
            "public institution: must be appointed and paid",
            *facts,
        )
    missing = [
        f for f, v in zip(facts, (emp.professional_post_appointed, emp.post_salary_paid), strict=True) if v is None
    ]
    if missing:
        return unknown(missing, "事业单位岗位聘用或工资兑现情况未知", "appointment or post salary unknown")
    return ok("已在专业技术岗位聘用并兑现岗位工资", "appointed to a professional post and paid", *facts)


@condition("not_civil_servant", "2.1.1")
def not_civil_servant(ctx: Ctx) -> Result:
    """Civil servants, and staff managed as civil servants, may not apply."""
    emp = ctx.facts.employment
    if emp.civil_servant is True or emp.sector == "government_organ":
        return no(
            "国家公务员（含参照公务员法管理单位工作人员）不得申报",
            "civil servants may not apply",
            "employment.civil_servant",
            "employment.sector",
        )
    if emp.civil_servant is None:
        return unknown(["employment.civil_servant"], "是否为公务员（含参公）未知", "civil servant status unknown")
    return ok("非公务员（含参公）", "not a civil servant", "employment.civil_servant")


@condition("not_retired", "2.1.2", "R6")
def not_retired(ctx: Ctx) -> Result:
    """Retired, or at the statutory retirement age on the first day of receipt."""
    facts = ctx.facts
    ref = ctx.reference_date
    ctx.p("reference_date")
    if facts.retirement.retired is True:
        return no("已办理退休手续", "retired", "retirement.retired")
    birth = facts.identity.birth_date
    category = facts.retirement.category
    # A category contradicting the sex is refused as bad input (facts.py); a man's category follows from his sex.
    if category is None and facts.identity.sex == "male":
        category = "male"
    missing = [f for f, v in (("identity.birth_date", birth), ("retirement.category", category)) if v is None]
    if birth is None or category is None:
        return unknown(missing, "出生日期或退休类别（男／女55／女50）未知", "birth date or retirement category unknown")
    schedule = ctx.pack.retirement[category]
    ctx.record(f"retirement.{category}", schedule, ctx.pack.exclusions.retirement.clause, "R6")
    retire_on = retirement_date(birth, schedule)
    used = ("identity.birth_date", "retirement.category", "retirement.retired")
    if retire_on <= ref:
        return no(
            f"法定退休日期{retire_on.isoformat()}不晚于收受申报材料首日{ref.isoformat()}",
            f"statutory retirement on {retire_on}, on or before {ref}",
            *used,
        )
    if facts.retirement.retired is None:
        return unknown(["retirement.retired"], "是否已办理退休手续未知", "whether retired is unknown", *used)
    return ok(f"法定退休日期{retire_on.isoformat()}，晚于{ref.isoformat()}", f"retires on {retire_on}", *used)


def first_year_after(lifted: dt.date, ref: dt.date) -> int:
    """The first evaluation year whose reference day (same month and day) falls on or after ``lifted``."""
    same_day = dt.date(lifted.year, ref.month, ref.day)
    return lifted.year if lifted <= same_day else lifted.year + 1


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    total = day.year * 12 + day.month - 1 + months
    year, month = total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@condition("no_running_discipline", "2.1.3", "R7")
def no_running_discipline(ctx: Ctx) -> Result:
    """State-owned enterprises and public institutions: a demerit or heavier, running on the reference date."""
    facts = ctx.facts
    applies_to = ctx.p("sectors.discipline_applies")
    sector = facts.employment.sector
    if sector is not None and sector not in applies_to:
        return ok(
            "非国有企事业单位，不适用处分期限制",
            "rule applies only to state-owned units",
            "employment.sector",
        )
    if facts.discipline is None:
        return unknown(["discipline"], "处分记录未知（无处分请填“无”）", "discipline record unknown")
    ref = ctx.reference_date
    pending: list[str] = []
    for i, d in enumerate(facts.discipline):
        base = f"discipline[{i}]"
        if d.kind is None:
            pending.append(f"{base}.kind")
            continue
        kind = ctx.pack.discipline_kinds[d.kind]
        ctx.record(
            f"discipline.kinds.{d.kind}",
            {"months": kind.months, "excludes": kind.excludes},
            ctx.pack.exclusions.discipline.clause,
            "R7",
        )
        if not kind.excludes:
            continue
        if d.started_on is None:
            pending.append(f"{base}.started_on")
            continue
        lifted = d.lifted_on
        if lifted is None and kind.months is not None:
            lifted = _add_months(d.started_on, kind.months)
        running = d.started_on <= ref and (lifted is None or ref < lifted)
        if running:
            if sector is None:
                pending.append("employment.sector")
                continue
            until = f"至{lifted.isoformat()}" if lifted else "未解除"
            return no(
                f"受{kind.name}处分（{d.started_on.isoformat()}起，{until}），基准日仍在处分期内",
                f"{d.kind} running on {ref}",
                base,
                "employment.sector",
                met_in_year=None if lifted is None else first_year_after(lifted, ref),
            )
    if pending:
        return unknown(pending, "处分的种类、日期或单位性质未知", "discipline kind, date or sector unknown")
    return ok("基准日无记过以上处分在期", "no demerit or heavier running", "discipline")


@condition("specialty_in_catalogue", "2.2", "R9")
def specialty_in_catalogue(ctx: Ctx) -> Result:
    """The specialty is one of the 23 categories; an unnamed one in an open list is for the committee."""
    sp = ctx.facts.specialty
    if sp.category is not None and sp.category not in ctx.pack.categories:
        # R9: the notice has 23 categories; one it does not have is "不属于上述专业范围" — an answer, not bad input.
        return no(
            f"通知所列专业共{len(ctx.pack.categories)}类，没有第{sp.category}类，凡不属于通知所列专业范围的不予受理",
            "no such category: not accepted",
            "specialty.category",
        )
    if (
        sp.category is None
        and sp.name is not None
        and not any(sp.name in names for names in ctx.pack.category_names.values())
    ):
        return no(
            f"「{sp.name}」不属于通知所列任何一类专业，凡不属于通知所列专业范围的不予受理",
            f"{sp.name} is under no category: not accepted",
            "specialty.name",
        )
    if sp.category is None or sp.name is None:
        missing = [f for f, v in (("specialty.category", sp.category), ("specialty.name", sp.name)) if v is None]
        return unknown(missing, "申报专业类别或专业未知", "specialty unknown")
    cat = ctx.pack.categories[sp.category]
    ctx.record(f"specialties.{sp.category}", cat.name, cat.clause, "R9")
    found = ctx.pack.category_names[sp.category].get(sp.name)
    if found is not None:
        group, canonical = found
        group_name = next((g.name for g in cat.groups if g.number == group), None)
        where = cat.name if group_name is None else f"{cat.name}（{group_name}）"
        clause = next((g.clause for g in cat.groups if g.number == group), cat.clause)
        said = f"为{where}所列专业" if canonical == group_name else f"属{where}「{canonical}」"
        return ok(
            f"「{sp.name}」{said}",
            f"{sp.name} is listed under {cat.name}",
            "specialty.category",
            "specialty.name",
            clause=clause,
        )
    if cat.open or any(g.open for g in cat.groups):
        return refer(
            f"「{sp.name}」未列入{cat.name}，该类专业列表以“等”或“其它…有关的专业”结尾，由评委会认定",
            f"{sp.name} is not named but the list of {cat.name} is open: the committee decides",
            "specialty.category",
            "specialty.name",
            clause=cat.clause,
        )
    return no(
        f"「{sp.name}」不属于{cat.name}，凡不属于通知所列专业范围的不予受理",
        f"{sp.name} is not in {cat.name}: not accepted",
        "specialty.category",
        "specialty.name",
    )
