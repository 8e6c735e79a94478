"""Working days (R21): the State Council's holidays and adjusted working weekends.

Years covered by the chinese-calendar package come from it; later years from ``calendar/extra_years.yaml``
(or a table a caller passes in). A year with no arrangement on record is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import yaml

EXTRA_YEARS_FILE = Path(__file__).parent / "calendar" / "extra_years.yaml"


class CalendarYearMissing(LookupError):
    """No holiday arrangement is on record for a year."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未录入：请评委会办公室在“年度设置”的节假日安排中，"
            f"按国务院办公厅{year}年部分节假日安排的通知录入放假和调休上班日期"
        )


@dataclass(frozen=True)
class YearArrangement:
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass
class WorkdayCalendar:
    extra: Mapping[int, YearArrangement] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        arrangement = self.extra.get(day.year)
        if arrangement is not None:
            if day in arrangement.workdays:
                return True
            if day in arrangement.holidays:
                return False
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            raise CalendarYearMissing(day.year) from exc

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from start to end, both included."""
        if end < start:
            return 0
        return sum(self.is_workday(start + dt.timedelta(days=i)) for i in range((end - start).days + 1))

    def nth_workday(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day counting from start (start itself is the first if it is a working day)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, seen = start, 0
        while True:
            if self.is_workday(day):
                seen += 1
                if seen == n:
                    return day
            day += dt.timedelta(days=1)

    def publicity_end(self, start: dt.date, min_workdays: int) -> dt.date:
        """The earliest last day of a publicity that starts on ``start`` and runs ``min_workdays`` (8.1, R21)."""
        return self.nth_workday(start, min_workdays)


def load_extra_years(path: Path = EXTRA_YEARS_FILE) -> dict[int, YearArrangement]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[int, YearArrangement] = {}
    for year, entry in (data.get("years") or {}).items():
        holidays = frozenset(entry.get("holidays") or [])
        workdays = frozenset(entry.get("workdays") or [])
        wrong = [d for d in holidays | workdays if not isinstance(d, dt.date) or d.year != int(year)]
        if wrong:
            raise ValueError(f"{path}: years.{year}: dates outside the year or not dates: {wrong}")
        out[int(year)] = YearArrangement(holidays, workdays)
    return out


def default_calendar() -> WorkdayCalendar:
    return WorkdayCalendar(load_extra_years())
