"""The refusal every service raises: an action that may not happen, with the reasons for the clerk in Chinese."""

from __future__ import annotations

from typing import Any


class ActionRefused(Exception):
    """An action that may not happen; ``reasons`` are for the clerk, in Chinese."""

    def __init__(self, *reasons: str) -> None:
        self.reasons = list(reasons)
        super().__init__("；".join(reasons))


class AlreadyDone(ActionRefused):
    """The same action posted again (a double click, a reload after the answer): nothing is done twice and the
    person is told the state the first one produced, as information rather than as an error."""


def check_lengths(model: Any, **values: object) -> None:
    """Refuse, in Chinese and by field, text longer than its column keeps: the model's ``max_length`` (which takes
    the shared limits of policy/facts.py) is the one source, so the database never answers DataError (issue 10,
    finding 3 — SQLite does not enforce lengths, PostgreSQL does)."""
    reasons = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit is not None and isinstance(value, str) and len(value.strip()) > limit:
            reasons.append(f"{field.verbose_name}不能超过{limit}个字符，现为{len(value.strip())}个")
    if reasons:
        raise ActionRefused(*reasons)
