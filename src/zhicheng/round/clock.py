"""The platform's date for its rules (windows, publicities, confirmation): the server's, in Beijing time — or, in
a rehearsal environment, the day set in ``ZHICHENG_TODAY``, so that a bureau can rehearse a year's steps whose
periods (5 working days of publicity, R21) would otherwise take weeks. Timestamps of records stay the real time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    override: str = getattr(settings, "ZHICHENG_TODAY", "") or ""
    return dt.date.fromisoformat(override) if override else timezone.localdate()


def now() -> dt.datetime:
    """Now on the platform's date, at the real time of day."""
    real = timezone.localtime()
    day = today()
    return real if day == real.date() else real.replace(year=day.year, month=day.month, day=day.day)


def zh_date(day: dt.date) -> str:
    """2023年10月16日, as the notice writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def full_years(since: dt.date | None, on: dt.date) -> int:
    """Whole years from ``since`` to ``on`` (0 when unknown or later)."""
    if since is None or since > on:
        return 0
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
