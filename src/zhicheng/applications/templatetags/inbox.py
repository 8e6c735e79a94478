"""The count beside 工作台 in the navigation: one query a page, kept on the request if a page asks twice."""

from __future__ import annotations

from typing import Any

from django import template

from zhicheng.applications.inbox import inbox_count as count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    membership = context.get("membership")
    if request is None or membership is None:
        return 0
    cached: int | None = getattr(request, "_inbox_count", None)
    if cached is None:
        cached = count_for(membership)
        request._inbox_count = cached
    return cached
