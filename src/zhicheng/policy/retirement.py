"""Statutory retirement dates (2.1.2, R6), including the gradual raise from 2025-01-01."""

from __future__ import annotations

import calendar
import datetime as dt

from zhicheng.policy.pack import Pack, RetirementCategoryEntry


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def retirement_date(birth: dt.date, schedule: RetirementCategoryEntry) -> dt.date:
    """Birth month + base age + delay; the day is the birth day, clamped to the month's end (R6)."""
    base_year, base_month = (int(x) for x in schedule.base_birth_month.split("-"))
    k = (birth.year - base_year) * 12 + (birth.month - base_month)
    delay = 0 if k < 0 else min(schedule.cap_months, k // schedule.divisor + 1)
    year, month = _add_months(birth.year, birth.month, schedule.base_age * 12 + delay)
    return dt.date(year, month, min(birth.day, calendar.monthrange(year, month)[1]))


def retirement_date_for(birth: dt.date, category: str, pack: Pack) -> dt.date:
    try:
        schedule = pack.retirement[category]  # type: ignore[index]
    except KeyError as exc:
        raise ValueError(f"unknown retirement category {category!r} (male, female55, female50)") from exc
    return retirement_date(birth, schedule)
