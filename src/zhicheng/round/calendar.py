"""The office's working-day calendar: chinese-calendar, the file of later years, and the days the administrator
entered in the database (R21). A year with no arrangement on record is an error naming what to enter."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import chinese_calendar

from zhicheng.policy.calendar import WorkdayCalendar, YearArrangement, load_extra_years
from zhicheng.round.models import HolidayArrangement


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass
class OfficeCalendar(WorkdayCalendar):
    """Days entered for a year the package covers correct it day by day; a year it does not cover is made of the
    days entered (weekdays work, weekends rest, unless entered otherwise)."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return super().is_workday(day)


def office_calendar() -> OfficeCalendar:
    extra = dict(load_extra_years())
    overrides: dict[dt.date, bool] = {}
    days: dict[int, dict[str, set[dt.date]]] = defaultdict(lambda: {"holiday": set(), "workday": set()})
    for entry in HolidayArrangement.objects.all():
        if _package_covers(entry.day.year):
            overrides[entry.day] = entry.kind == HolidayArrangement.Kind.WORKDAY
        else:
            days[entry.day.year][entry.kind].add(entry.day)
    for year, kinds in days.items():
        extra[year] = YearArrangement(frozenset(kinds["holiday"]), frozenset(kinds["workday"]))
    return OfficeCalendar(extra, overrides)
