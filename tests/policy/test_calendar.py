"""Working days (R21) and their use for publicity ends (8.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhicheng.policy.calendar import CalendarYearMissing, WorkdayCalendar, YearArrangement, load_extra_years

D = dt.date
CAL = WorkdayCalendar()


def test_national_day_week_2023() -> None:
    # 2023: 9-29 to 10-6 off (Mid-Autumn + National Day); Saturday 10-7 and Sunday 10-8 are working days.
    assert not CAL.is_workday(D(2023, 10, 2))
    assert CAL.is_workday(D(2023, 10, 7))
    assert CAL.is_workday(D(2023, 10, 8))
    assert CAL.workdays_between(D(2023, 10, 1), D(2023, 10, 31)) == 19


def test_publicity_across_the_holiday() -> None:
    # A publicity posted on Thursday 2023-09-28 runs 5 working days: 9-28, then 10-7, 10-8, 10-9, 10-10.
    assert CAL.publicity_end(D(2023, 9, 28), 5) == D(2023, 10, 10)
    # Posted on an ordinary Monday it ends on the Friday.
    assert CAL.publicity_end(D(2023, 10, 16), 5) == D(2023, 10, 20)


def test_receiving_window_2023_has_20_working_days() -> None:
    # 8.4: 10-16 to 11-10, rest days excluded.
    assert CAL.workdays_between(D(2023, 10, 16), D(2023, 11, 10)) == 20


def test_both_ends_included_and_reversed_range() -> None:
    assert CAL.workdays_between(D(2023, 10, 16), D(2023, 10, 16)) == 1
    assert CAL.workdays_between(D(2023, 10, 17), D(2023, 10, 16)) == 0


def test_a_year_without_an_arrangement_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarYearMissing) as info:
        CAL.is_workday(D(2099, 3, 2))
    assert "2099年的节假日安排尚未录入" in str(info.value)


def test_a_year_entered_by_the_administrator(tmp_path: Path) -> None:
    table = tmp_path / "extra.yaml"
    table.write_text("years:\n  2099:\n    holidays: [2099-01-01]\n    workdays: [2099-01-03]\n", encoding="utf-8")
    cal = WorkdayCalendar(load_extra_years(table))
    assert not cal.is_workday(D(2099, 1, 1))  # a Thursday made a holiday
    assert cal.is_workday(D(2099, 1, 3))  # a Saturday made a working day
    assert not cal.is_workday(D(2099, 1, 4))  # an ordinary Sunday
    assert cal.is_workday(D(2099, 1, 5))


def test_a_table_date_outside_its_year_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "extra.yaml"
    table.write_text("years:\n  2099:\n    holidays: [2098-12-31]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"years\.2099"):
        load_extra_years(table)


def test_explicit_table_wins_over_the_package() -> None:
    cal = WorkdayCalendar({2023: YearArrangement(holidays=frozenset({D(2023, 10, 16)}))})
    assert not cal.is_workday(D(2023, 10, 16))
