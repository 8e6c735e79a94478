"""The office's setting for the demo, in the shape the 年度设置 page writes it: the 2023 receiving window around
today, so that the channels can submit and the office can receive; the publicity minimums from the pack; the
committee's parameters left to the pack (no override). A real round's office enters the notice's own dates and the
State Council's arrangement on that page.

Only today is marked a working day, and only when it is a rest day, so that the demo can receive on a weekend
without counting the other weekends as working days (a publicity of 5 working days has 5)."""

from __future__ import annotations

import datetime as dt

from zhicheng.policy.pack import pack_for_year
from zhicheng.round import clock
from zhicheng.round.calendar import office_calendar
from zhicheng.round.models import EvaluationYear, HolidayArrangement


def open_the_window() -> None:
    today = clock.today()  # the platform's one clock (R30), a rehearsal's date included
    pack = pack_for_year(2023)
    params = pack.meta.parameters
    EvaluationYear.objects.update_or_create(
        year=2023,
        defaults={
            "pack": pack.id,
            "window_start": today - dt.timedelta(days=7),
            "window_end": today + dt.timedelta(days=60),
            "publicity_min_workdays": params.publicity.min_workdays.value,
            "results_min_workdays": params.publicity.results_min_workdays.value,
            "parameters": {},
        },
    )
    if not office_calendar().is_workday(today):
        HolidayArrangement.objects.get_or_create(day=today, defaults={"kind": "workday", "note": "演示：今天照常受理"})
