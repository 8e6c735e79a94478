from __future__ import annotations

from typing import Any

from django import template

from zhicheng.applications.labels import VALUE_LABELS

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
