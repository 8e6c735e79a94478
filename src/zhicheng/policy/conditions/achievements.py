"""三（五）业绩成果条件 (3.5.1, 3.5.2, R14).

Each item of 3.5 needs a number of records (``min_count`` in achievements.yaml: 3.5.1.2 两项以上), and some need
more when the records are of enterprise scope (3.5.1.6 企业标准2项; 3.5.1.11 企业优秀工程称号2项). A record counts when
its role (or rank, or grade) qualifies and it was achieved by the reference date (申报时本人持有的, read as for 3.2.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhicheng.policy.conditions.common import backbone_or_host, held_by_reference_date
from zhicheng.policy.facts import Achievement
from zhicheng.policy.findings import Status
from zhicheng.policy.pack import AchievementItem
from zhicheng.policy.registry import Ctx, Result, combine, condition, no, ok, unknown

SKILLED_TECHNICIAN = ("skilled_technician", "senior_skilled_technician")
SENIOR_WORKER_OR_ABOVE = ("senior_worker", *SKILLED_TECHNICIAN)


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


@dataclass(slots=True)
class _Record:
    """One achievement record claimed under an item: what qualifies it, and whether it is held in time."""

    index: int
    basis: Result  # role, rank or grade
    held: Result  # achieved by the reference date
    enterprise: bool | None  # counts towards min_count_enterprise (None: an unknown scope or award kind decides)
    status: Status = field(init=False)  # of the two together, read often by _item: combined once

    def __post_init__(self) -> None:
        self.status = combine([self.basis, self.held], all_needed=True)


def _basis(ctx: Ctx, item: AchievementItem, i: int, ach: Achievement, high_skilled: bool) -> Result:
    fact = f"achievements[{i}]"
    if item.basis == "role":
        return backbone_or_host(ctx, ach.role, f"{fact}.role")
    if item.basis == "rank":
        max_rank = ctx.p("achievements.main_contributor_max_rank")
        if ach.rank is None:
            return unknown([f"{fact}.rank"], "完成人排名未知", "rank unknown")
        if ach.rank <= max_rank:
            return ok(f"主要完成人第{ach.rank}名", "main contributor", f"{fact}.rank")
        return no(f"完成人排名第{ach.rank}，须为前{max_rank}名", "not in the first five", f"{fact}.rank")
    if item.basis == "participation":
        return ok("在任技术员期间参与完成本专业项目或材料", "took part in a project", fact)
    engineer = item.id.startswith("3.5.1.")
    what = "技师" if engineer else "高级工"
    if not high_skilled:
        return no(
            f"第{item.id.rsplit('.', 1)[1]}项仅适用于高技能人才",
            f"{item.id} serves high-skilled talent only",
            f"{fact}.clause",
        )
    return _since_grade(ctx, i, SKILLED_TECHNICIAN if engineer else SENIOR_WORKER_OR_ABOVE, what)


def _count_met(item: AchievementItem, normal: int, enterprise: int) -> bool:
    """min_count records, or min_count_enterprise records when some are of enterprise scope."""
    if normal >= item.min_count:
        return True
    return item.min_count_enterprise is not None and normal + enterprise >= item.min_count_enterprise


def _met(item: AchievementItem, records: list[_Record], statuses: tuple[str, ...], *, best: bool) -> bool:
    """Are there enough records of these statuses? ``best``: an unknown scope counts as the favourable one."""
    chosen = [r for r in records if r.status in statuses]
    unsure = sum(r.enterprise is None for r in chosen)
    normal = sum(r.enterprise is False for r in chosen)
    enterprise = sum(r.enterprise is True for r in chosen)
    return _count_met(item, normal + unsure, enterprise) if best else _count_met(item, normal, enterprise + unsure)


def _scope_facts(ctx: Ctx, records: list[_Record]) -> list[str]:
    achievements = ctx.facts.achievements or []
    out: list[str] = []
    for r in records:
        if r.enterprise is None:
            ach = achievements[r.index]
            out += [f"achievements[{r.index}].{k}" for k in ("scope", "award_kind") if getattr(ach, k) is None]
    return out


def _met_in_year(ctx: Ctx, item: AchievementItem, records: list[_Record]) -> int | None:
    """Fails only because records are dated after the reference date: the year enough of them are held (R2)."""
    timed: list[tuple[int, _Record]] = []
    for r in records:
        if r.basis.status != "pass" or r.enterprise is None:
            continue
        if r.held.status == "pass":
            timed.append((ctx.year, r))
        elif r.held.status == "fail" and r.held.met_in_year is not None:
            timed.append((r.held.met_in_year, r))
    for year in sorted({y for y, _ in timed}):
        held = [r for y, r in timed if y <= year]
        normal = sum(r.enterprise is False for r in held)
        if year > ctx.year and _count_met(item, normal, len(held) - normal):
            return year
    return None


def _needed(item: AchievementItem) -> str:
    if item.min_count_enterprise is None:
        return f"须{item.min_count}项以上"
    kind = "企业优秀工程称号" if item.enterprise_award_kind == "excellent_project" else "企业级成果"
    return f"须{item.min_count}项以上（{kind}须{item.min_count_enterprise}项以上）"


def _item(ctx: Ctx, item: AchievementItem, records: list[_Record]) -> Result:
    """One item: enough qualifying records held by the reference date (pass), or why not."""
    label = f"{item.id}（{item.name}）"
    facts = tuple(f"achievements[{r.index}]" for r in records)
    good = [r for r in records if r.status == "pass"]
    counting = item.min_count > 1 or item.min_count_enterprise is not None

    def wrap(status: Status, message: str, en: str, missing: tuple[str, ...] = (), met: int | None = None) -> Result:
        return Result(status, f"{label}：{message}", en, facts, missing, met_in_year=met, clause=item.id)

    if _met(item, records, ("pass",), best=False):
        first = good[0]
        detail = (
            f"符合条件的{len(good)}项（{_needed(item)}）；{first.basis.message}" if counting else first.basis.message
        )
        return wrap("pass", detail, f"{item.id}: met")
    if _met(item, records, ("pass",), best=True):
        return wrap(
            "unknown",
            f"成果级别或奖项类别未知，无法确定数量是否足够（{_needed(item)}）",
            f"{item.id}: scope or award kind unknown",
            tuple(_scope_facts(ctx, good)),
        )
    if _met(item, records, ("pass", "refer"), best=False):
        referred = next(r for r in records if r.status == "refer")
        why = referred.basis.message if referred.basis.status == "refer" else referred.held.message
        return wrap("refer", why, f"{item.id}: for the committee")
    if _met(item, records, ("pass", "refer", "unknown"), best=True):
        pending = [r for r in records if r.status == "unknown"]
        missing = [m for r in pending for part in (r.basis, r.held) if part.status == "unknown" for m in part.missing]
        missing += _scope_facts(ctx, [r for r in records if r.status != "fail"])
        why = "；".join(
            dict.fromkeys(part.message for r in pending for part in (r.basis, r.held) if part.status == "unknown")
        )
        return wrap("unknown", why or "成果信息不全", f"{item.id}: facts missing", tuple(dict.fromkeys(missing)))
    met = _met_in_year(ctx, item, records)
    if good or (counting and len(records) > 1):
        held = f"现有符合条件的{len(good)}项" if good else "所列各项均不符合条件"
        return wrap("fail", f"{_needed(item)}，{held}", f"{item.id}: too few records", met=met)
    failing = records[0]
    part = failing.basis if failing.basis.status == "fail" else failing.held
    if counting:
        return wrap("fail", f"{part.message}（{_needed(item)}）", f"{item.id}: {part.message_en}", met=met)
    return wrap("fail", part.message, part.message_en, met=met)


def _items(
    ctx: Ctx, catalogue: dict[str, AchievementItem], *, high_skilled: bool, none_zh: str, none_en: str
) -> Result:
    """At least one item of ``catalogue`` met (R14); records under other clauses are not counted here."""
    achievements = ctx.facts.achievements
    ctx.p("achievements.main_contributor_max_rank")
    if achievements is None:
        return unknown(["achievements"], "业绩成果未录入", "achievements unknown")
    by_item: dict[str, list[_Record]] = {}
    results: list[Result] = []
    for i, ach in enumerate(achievements):
        if ach.clause is None:
            results.append(unknown([f"achievements[{i}].clause"], "成果对应条款未知", "clause unknown"))
            continue
        item = catalogue.get(ach.clause)
        if item is None:
            continue
        record = _Record(
            i,
            _basis(ctx, item, i, ach, high_skilled),
            held_by_reference_date(ctx, ach.achieved_on, f"achievements[{i}].achieved_on", "成果取得", "achievement"),
            item.needs_more_for_enterprise(ach.scope, ach.award_kind),
        )
        by_item.setdefault(item.id, []).append(record)
    for item_id, records in by_item.items():
        ctx.record(f"achievements.{item_id}", catalogue[item_id], item_id, "R14")
        results.append(_item(ctx, catalogue[item_id], records))
    if not results:
        return no(none_zh, none_en, "achievements")
    status = combine(results)
    best = next(r for r in results if r.status == status)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results if r.status == "unknown" for m in r.missing))
        return Result("unknown", best.message, best.message_en, best.facts, missing, clause=best.clause)
    if status == "fail":
        # Any one item met is enough: the condition is met in the first year one of them is (R2).
        timed = [r.met_in_year for r in results if r.met_in_year is not None]
        if timed:
            return next(r for r in results if r.met_in_year == min(timed))
        if len(results) > 1:
            return no("；".join(r.message for r in results), none_en, "achievements")
    return best


def engineer_items(ctx: Ctx, *, high_skilled: bool) -> Result:
    """At least one of 3.5.1 (1)–(15); (16) counts for high-skilled talent only (R14)."""
    key = ("engineer_items", high_skilled)
    memo: Result | None = ctx.memo.get(key)
    if memo is None:
        memo = ctx.memo[key] = _items(
            ctx,
            ctx.pack.engineer_items,
            high_skilled=high_skilled,
            none_zh="无符合3.5.1所列的业绩成果",
            none_en="no achievement of 3.5.1",
        )
    return memo


@condition("achievements_engineer", "3.5.1", "R14")
def achievements_engineer(ctx: Ctx) -> Result:
    """At least one achievement of 3.5.1 (1)–(15), as host or main technical backbone, or a main contributor,
    with the number of records the item asks for, held by the reference date."""
    return engineer_items(ctx, high_skilled=False)


@condition("achievements_engineer_high_skilled", "3.5.1", "R14")
def achievements_engineer_high_skilled(ctx: Ctx) -> Result:
    """High-skilled talent: 3.5.1 (1)–(16), (16) since the skilled technician grade."""
    return engineer_items(ctx, high_skilled=True)


def _ae_items(ctx: Ctx, *, high_skilled: bool) -> Result:
    return _items(
        ctx,
        ctx.pack.ae_items,
        high_skilled=high_skilled,
        none_zh="无符合3.5.2的业绩成果",
        none_en="no achievement of 3.5.2",
    )


@condition("achievements_ae", "3.5.2.1", "R14")
def achievements_ae(ctx: Ctx) -> Result:
    """3.5.2 (1): took part in a project or material while technician, held by the reference date."""
    return _ae_items(ctx, high_skilled=False)


@condition("achievements_ae_high_skilled", "3.5.2", "R14")
def achievements_ae_high_skilled(ctx: Ctx) -> Result:
    """High-skilled talent: 3.5.2 (1) or (2), (2) since the senior worker grade."""
    return _ae_items(ctx, high_skilled=True)


__all__ = ["engineer_items"]
