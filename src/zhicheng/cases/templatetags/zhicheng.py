from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django import template

from zhicheng.cases.kinds import case_kind
from zhicheng.cases.labels import ACTION_LABELS, VALUE_LABELS, clause_name, fact_label
from zhicheng.cases.models import State
from zhicheng.policy.paths import all_paths
from zhicheng.round.year import current_pack

STATE_LABELS = dict(State.choices)
PATH_NAMES = {p.id: p.name for p in all_paths()}

register = template.Library()


@register.filter
def label(value: Any) -> str:
    """A value of the facts in the notice's words."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "未知"
    return VALUE_LABELS.get(str(value), str(value))


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def action_label(value: str) -> str:
    return ACTION_LABELS.get(value, value)


@register.filter
def state_label(value: str) -> str:
    return STATE_LABELS.get(value, value or "—")


@register.filter
def path_label(value: str) -> str:
    return PATH_NAMES.get(value, value)


@register.filter
def facts_in_words(paths: list[str]) -> str:
    return "、".join(fact_label(p) for p in paths)


@register.filter
def fact_in_words(path: str) -> str:
    if not path:
        return ""
    if path.startswith("publicity:"):
        return {
            "publicity:conditions": "评审条件程序公示",
            "publicity:materials": "个人申报材料公示",
            "publicity:appraisal": "单位鉴定意见公示",
        }.get(path, path)
    return fact_label(path)


@register.filter
def case_kind_label(application: Any) -> str:
    return case_kind(application)


@register.filter
def clause_words(clauses: list[str] | str) -> str:
    """Clause ids in words, the id after each: ["3.4.1"] → 工程师工作能力（3.4.1）."""
    pack = current_pack()
    items = [clauses] if isinstance(clauses, str) else list(clauses or [])
    return "、".join(clause_name(pack, c) for c in items)


@register.filter
def number(value: Any) -> str:
    """A score or a weight as a person writes it: 10, 7.5 (never 10.0)."""
    if value is None or value == "":
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(x)) if x == int(x) else f"{x:g}"


@register.filter
def percent(value: Any) -> str:
    """A rate as a percentage: 1.0 → 100%, 0.75 → 75%, Fraction(2, 3) → 66.7%."""
    if value is None or value == "":
        return ""
    x = float(Fraction(value)) if isinstance(value, Fraction) else float(value)
    return f"{round(x * 100, 1):g}%"


@register.filter
def zh_date(value: Any) -> str:
    """A date (or an ISO date's text) as the notice writes it: 2023年10月16日."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def category_name(number: Any) -> str:
    """A specialty category by its name in the notice (第1类 → 建筑工程类); a number not in the list as it is."""
    try:
        return current_pack().categories[int(number)].name
    except (KeyError, TypeError, ValueError):
        return str(number or "—")


@register.simple_tag
def specialty_categories() -> list[tuple[int, str]]:
    """The notice's specialty categories (2.2), numbered as it numbers them, for a choice."""
    return [(n, c.name) for n, c in current_pack().categories.items()]
