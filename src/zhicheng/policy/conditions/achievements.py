"""三（五）业绩成果条件 (3.5.1, 3.5.2, R14)."""

from __future__ import annotations

from zhicheng.policy.conditions.common import backbone_or_host
from zhicheng.policy.registry import Ctx, Result, combine, condition, no, ok, unknown

SKILLED_TECHNICIAN = ("skilled_technician", "senior_skilled_technician")
SENIOR_WORKER_OR_ABOVE = ("senior_worker", *SKILLED_TECHNICIAN)


def _grade_since(ctx: Ctx, grades: tuple[str, ...]) -> tuple[bool | None, list[str]]:
    """(holds the grade?, facts missing) and, through ctx, nothing else."""
    records = ctx.facts.skill_grades
    if records is None:
        return None, ["skill_grades"]
    held = [g for g in records if g.grade in grades]
    if held:
        return True, []
    pending = [f"skill_grades[{i}].grade" for i, g in enumerate(records) if g.grade is None]
    return (None, pending) if pending else (False, [])


def _since_grade(ctx: Ctx, i: int, grades: tuple[str, ...], what: str) -> Result:
    """An achievement of a high-skilled talent counts from the grade's grant (3.5.1.16, 3.5.2.2)."""
    ach = (ctx.facts.achievements or [])[i]
    records = ctx.facts.skill_grades
    if records is None:
        return unknown(["skill_grades"], "职业技能等级未知", "skill grades unknown")
    dates = [g.granted_on for g in records if g.grade in grades]
    if not dates:
        return no(f"该项仅适用于{what}", f"only for holders of the grade ({what})", "skill_grades")
    if ach.achieved_on is None or any(d is None for d in dates):
        missing = [f"achievements[{i}].achieved_on"] if ach.achieved_on is None else ["skill_grades"]
        return unknown(missing, "成果取得日期或技能等级取得日期未知", "dates unknown")
    first = min(d for d in dates if d is not None)
    if ach.achieved_on >= first:
        return ok(f"任{what}以来取得", f"achieved since the grade ({what})", f"achievements[{i}]")
    return no(f"成果取得于任{what}之前", "achieved before the grade", f"achievements[{i}]")


def engineer_items(ctx: Ctx, *, high_skilled: bool) -> Result:
    """At least one of 3.5.1 (1)–(15); (16) counts for high-skilled talent only (R14)."""
    key = ("engineer_items", high_skilled)
    memo: Result | None = ctx.memo.get(key)
    if memo is None:
        memo = ctx.memo[key] = _engineer_items(ctx, high_skilled=high_skilled)
    return memo


def _engineer_items(ctx: Ctx, *, high_skilled: bool) -> Result:
    achievements = ctx.facts.achievements
    ctx.p("achievements.main_contributor_max_rank")
    if achievements is None:
        return unknown(["achievements"], "业绩成果未录入", "achievements unknown")
    results: list[Result] = []
    for i, ach in enumerate(achievements):
        item = ctx.pack.engineer_items.get(ach.clause or "")
        if item is None:
            if ach.clause is None:
                results.append(unknown([f"achievements[{i}].clause"], "成果对应条款未知", "clause unknown"))
            continue
        label = f"{item.id}（{item.name}）"
        if item.basis == "role":
            r = backbone_or_host(ctx, ach.role, f"achievements[{i}].role")
        elif item.basis == "rank":
            max_rank = ctx.p("achievements.main_contributor_max_rank")
            r = (
                unknown([f"achievements[{i}].rank"], "完成人排名未知", "rank unknown")
                if ach.rank is None
                else ok(f"主要完成人第{ach.rank}名", "main contributor", f"achievements[{i}].rank")
                if ach.rank <= max_rank
                else no(
                    f"完成人排名第{ach.rank}，须为前{max_rank}名",
                    "not in the first five",
                    f"achievements[{i}].rank",
                )
            )
        elif not high_skilled:
            r = no(
                "第(16)项仅适用于高技能人才",
                "(16) serves high-skilled talent only",
                f"achievements[{i}].clause",
            )
        else:
            r = _since_grade(ctx, i, SKILLED_TECHNICIAN, "技师")
        results.append(Result(r.status, f"{label}：{r.message}", r.message_en, r.facts, r.missing, clause=item.id))
    if not results:
        return no("无符合3.5.1所列的业绩成果", "no achievement of 3.5.1", "achievements")
    status = combine(results)
    best = next(r for r in results if r.status == status)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results for m in r.missing))
        return Result("unknown", best.message, best.message_en, best.facts, missing, clause=best.clause)
    return best


@condition("achievements_engineer", "3.5.1", "R14")
def achievements_engineer(ctx: Ctx) -> Result:
    """At least one achievement of 3.5.1 (1)–(15), as host or main technical backbone, or a main contributor."""
    return engineer_items(ctx, high_skilled=False)


@condition("achievements_engineer_high_skilled", "3.5.1", "R14")
def achievements_engineer_high_skilled(ctx: Ctx) -> Result:
    """High-skilled talent: 3.5.1 (1)–(16), (16) since the skilled technician grade."""
    return engineer_items(ctx, high_skilled=True)


def _ae_items(ctx: Ctx, *, high_skilled: bool) -> Result:
    achievements = ctx.facts.achievements
    if achievements is None:
        return unknown(["achievements"], "业绩成果未录入", "achievements unknown")
    results: list[Result] = []
    for i, ach in enumerate(achievements):
        if ach.clause == "3.5.2.1":
            results.append(
                ok(
                    "在任技术员期间参与完成本专业项目或材料一项以上",
                    "took part in a project",
                    f"achievements[{i}]",
                    clause="3.5.2.1",
                )
            )
        elif ach.clause == "3.5.2.2":
            r = (
                _since_grade(ctx, i, SENIOR_WORKER_OR_ABOVE, "高级工")
                if high_skilled
                else no(
                    "3.5.2第(2)项仅适用于高技能人才",
                    "(2) serves high-skilled talent only",
                    f"achievements[{i}]",
                )
            )
            results.append(Result(r.status, r.message, r.message_en, r.facts, r.missing, clause="3.5.2.2"))
        elif ach.clause is None:
            results.append(unknown([f"achievements[{i}].clause"], "成果对应条款未知", "clause unknown"))
    if not results:
        return no("无符合3.5.2的业绩成果", "no achievement of 3.5.2", "achievements")
    status = combine(results)
    best = next(r for r in results if r.status == status)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results for m in r.missing))
        return Result("unknown", best.message, best.message_en, best.facts, missing)
    return best


@condition("achievements_ae", "3.5.2.1", "R14")
def achievements_ae(ctx: Ctx) -> Result:
    """3.5.2 (1): took part in a project or material while technician."""
    return _ae_items(ctx, high_skilled=False)


@condition("achievements_ae_high_skilled", "3.5.2", "R14")
def achievements_ae_high_skilled(ctx: Ctx) -> Result:
    """High-skilled talent: 3.5.2 (1) or (2), (2) since the senior worker grade."""
    return _ae_items(ctx, high_skilled=True)


__all__ = ["engineer_items"]
