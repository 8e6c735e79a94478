"""The office's working-day calendar: chinese-calendar, the file of later years, and the days the administrator
entered in the database (R21). A year with no arrangement on record is an error naming what to enter."""

from __future__ import annotations

from collections import defaultdict

from zhicheng.policy.calendar import WorkdayCalendar, YearArrangement, load_extra_years


def office_calendar() -> WorkdayCalendar:
    from zhicheng.intake.models import HolidayArrangement

    extra = dict(load_extra_years())
    days: dict[int, dict[str, set]] = defaultdict(lambda: {"holiday": set(), "workday": set()})  # type: ignore[type-arg]
    for day in HolidayArrangement.objects.all():
        days[day.day.year][day.kind].add(day.day)
    for year, kinds in days.items():
        extra[year] = YearArrangement(frozenset(kinds["holiday"]), frozenset(kinds["workday"]))
    return WorkdayCalendar(extra)
