"""Last year's failure (7.2, R19) and integrity bans (8.2, R20): they apply to every path."""

from __future__ import annotations

from zhicheng.policy.conditions.scope import first_year_after
from zhicheng.policy.registry import Ctx, Result, condition, no, ok, refer, unknown


@condition("no_integrity_ban", "8.2", "R20")
def no_integrity_ban(ctx: Ctx) -> Result:
    """Fraud found: the year's evaluation cancelled; a ban of 1–3 years running on the reference date excludes."""
    records = ctx.facts.integrity_records
    ctx.p("integrity.max_ban_years")
    if records is None:
        return unknown(["integrity_records"], "诚信档案记录未知（无记录请填“无”）", "integrity record unknown")
    ref = ctx.reference_date
    pending: list[str] = []
    for i, r in enumerate(records):
        base = f"integrity_records[{i}]"
        if r.cancelled_year == ctx.year:
            return no(
                f"经查实有弄虚作假等行为，已取消{ctx.year}年度评审资格",
                "this year's evaluation cancelled",
                base,
            )
        if r.found_on is None or r.ban_years is None:
            pending += [f"{base}.{k}" for k, v in (("found_on", r.found_on), ("ban_years", r.ban_years)) if v is None]
            continue
        if r.ban_years == 0:
            continue
        try:
            until = r.found_on.replace(year=r.found_on.year + r.ban_years)
        except ValueError:  # 29 February
            until = r.found_on.replace(year=r.found_on.year + r.ban_years, day=28)
        if r.found_on <= ref < until:
            return no(
                f"诚信档案：{r.found_on.isoformat()}起取消{r.ban_years}年申报资格，至{until.isoformat()}",
                f"banned from {r.found_on} for {r.ban_years} years",
                base,
                met_in_year=first_year_after(until, ref),
            )
    if pending:
        return unknown(pending, "诚信记录的日期或处理期限未知", "integrity record dates unknown")
    return ok("基准日无取消申报资格的处理在期", "no ban running", "integrity_records")


LEVEL_NAMES = {"technician": "技术员", "assistant_engineer": "助理工程师", "engineer": "工程师"}


def _last_year(ctx: Ctx, level: str) -> Result:
    """7.2 binds the level of last year's application only (R19): failed the defence → a new defence paper;
    failed the committee → not accepted this year without clear new achievements (refer when declared)."""
    last = ctx.facts.last_year
    name = LEVEL_NAMES[level]
    if last is None or last.applied is None:
        return unknown(["last_year.applied"], "上年度是否参评未知", "whether applied last year is unknown")
    if last.applied is False or last.outcome in ("passed", "withdrawn"):
        return ok("上年度未参评或未被否决，不受7.2限制", "no failure last year", "last_year")
    if last.outcome is None:
        return unknown(["last_year.outcome"], "上年度评审结果未知", "last year's outcome unknown")
    if last.level is None:
        return unknown(
            ["last_year.level"],
            "上年度评审未通过，申报的层级未知（7.2只约束上年度申报的层级）",
            "failed last year at an unknown level: 7.2 binds that level only",
            "last_year",
        )
    if last.level != level:
        return ok(
            f"上年度申报的是{LEVEL_NAMES.get(last.level, last.level)}，7.2不约束本年度申报{name}",
            f"last year's application was for {last.level}: 7.2 does not bind {level}",
            "last_year.level",
        )
    if last.outcome == "failed_defence":
        paper = ctx.facts.defence_paper
        if last.applied_on is None:
            return unknown(["last_year.applied_on"], "上年度申报日期未知", "last year's application date unknown")
        if paper is None or paper.produced_on is None:
            return unknown(
                ["defence_paper.produced_on"],
                "上年度答辩未通过，须提交新发表论文或学术报告；答辩材料日期未知",
                "failed defence last year: the new defence paper's date is unknown",
            )
        if paper.produced_on > last.applied_on:
            return ok(
                f"上年度{name}答辩未通过，本年答辩材料为上年申报后新形成",
                "new defence paper since last year",
                "last_year",
                "defence_paper.produced_on",
                clause="7.2a",
            )
        return no(
            f"上年度{name}答辩未通过，本年须提交上年申报后新发表的论文或学术报告",
            "defence paper is not new",
            "last_year",
            "defence_paper.produced_on",
            clause="7.2a",
        )
    if last.new_achievements is None:
        return unknown(
            ["last_year.new_achievements"],
            f"上年度{name}评委会综合评价未通过；本年是否有较明显的新业绩未知",
            "failed the committee last year: new achievements unknown",
        )
    if last.new_achievements:
        return refer(
            f"上年度{name}评委会综合评价未通过，申报了较明显的新业绩，由评委会决定是否接受",
            "failed the committee last year, new achievements declared: the committee decides",
            "last_year",
            clause="7.2b",
        )
    # 7.2b speaks of 上年度 only: the year after this one is no longer bound by it.
    return no(
        f"上年度{name}评委会综合评价未通过，无较明显的专业工作业绩，本年度不予接受再申报",
        "failed the committee last year without new achievements",
        "last_year",
        clause="7.2b",
        met_in_year=ctx.year + 1,
    )


@condition("last_year_rule_engineer", "7.2", "R19")
def last_year_rule_engineer(ctx: Ctx) -> Result:
    """7.2 for engineer: binds only when last year's failed application was for engineer."""
    return _last_year(ctx, "engineer")


@condition("last_year_rule_ae", "7.2", "R19")
def last_year_rule_ae(ctx: Ctx) -> Result:
    """7.2 for assistant engineer: binds only when last year's failed application was for assistant engineer."""
    return _last_year(ctx, "assistant_engineer")
