from __future__ import annotations

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
