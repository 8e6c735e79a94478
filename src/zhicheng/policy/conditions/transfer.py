"""四、转系列（专业）: only at the same level, after a year in the new post with a qualified assessment (4, R2)."""

from __future__ import annotations

from zhicheng.policy.conditions.common import count_service, undecided_titles
from zhicheng.policy.facts import SERIES_NAMES
from zhicheng.policy.registry import Ctx, Result, condition, no, ok, unknown

GOOD = ("excellent", "qualified")


def _same_level(ctx: Ctx, level: str) -> Result:
    titles = ctx.facts.titles
    if titles is None:
        return unknown(["titles"], "职称信息未知", "titles unknown")
    for i, t in enumerate(titles):
        if t.level == level and t.series is not None and t.series != "engineering":
            return ok(
                f"已取得{SERIES_NAMES.get(t.series, t.series)}系列同级职称，平级转入工程系列",
                "holds the same level in another series",
                f"titles[{i}]",
            )
    pending = undecided_titles(ctx, level, engineering=False)
    if pending:
        return unknown(pending, "职称所属系列未知", "series unknown")
    return no(
        "不适用：未持有其他系列的同级职称（转系列只能平级转换，不能又转又晋升）",
        "not applicable: no same-level title in another series",
    )


@condition("transfer_same_level_engineer", "4")
def transfer_same_level_engineer(ctx: Ctx) -> Result:
    """Holds an intermediate title of another series (transfer at the same level only)."""
    return _same_level(ctx, "engineer")


@condition("transfer_same_level_ae", "4")
def transfer_same_level_ae(ctx: Ctx) -> Result:
    """Holds a junior (assistant) title of another series."""
    return _same_level(ctx, "assistant_engineer")


@condition("transfer_new_post", "4", "R2")
def transfer_new_post(ctx: Ctx) -> Result:
    """At least one year in the new post."""
    years = ctx.p("seniority.transfer_years")
    return count_service(
        ctx,
        ctx.facts.employment.current_post_since,
        years,
        "employment.current_post_since",
        "到新岗位工作",
        "arrival in the new post",
    )


@condition("transfer_assessment", "4")
def transfer_assessment(ctx: Ctx) -> Result:
    """The annual assessment in the new post qualified."""
    last = ctx.year - 1
    grades = ctx.facts.annual_assessments
    if grades is None or last not in grades:
        return unknown([f"annual_assessments.{last}"], f"{last}年度考核结果未录入", "last assessment unknown")
    if grades[last] in GOOD:
        return ok(f"{last}年度考核合格以上", "last assessment qualified", f"annual_assessments.{last}")
    return no(f"{last}年度考核未达合格", "last assessment below qualified", f"annual_assessments.{last}")
