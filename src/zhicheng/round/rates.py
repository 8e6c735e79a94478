"""A group's pass rate as the office enters it (5c)."""

from __future__ import annotations

from fractions import Fraction


def pass_rate_value(value: object) -> float:
    """A fraction of the group, above 0 and at most 1 (0.8, "4/5"); ValueError with the clerk's reason otherwise."""
    if value is None or not str(value).strip():
        raise ValueError("通过率未填写：请填写0到1之间的小数，如0.8")
    try:
        rate = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"通过率“{value}”无效：请填写0到1之间的小数，如0.8") from exc
    if not 0 < rate <= 1:
        raise ValueError(f"通过率“{value}”无效：须大于0且不超过1（如0.8表示80%）")
    return float(rate)
