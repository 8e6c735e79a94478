"""The office's setting for the demo: the 2023 receiving window around today, so that the channels can submit and
the office can receive, with the weekends inside it marked as working days (the office enters the notice's own
dates and the State Council's arrangement for a real round)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhicheng.round.models import EvaluationYear, HolidayArrangement


def open_the_window() -> None:
    today = timezone.localdate()
    EvaluationYear.objects.update_or_create(
        year=2023,
        defaults={
            "pack": "xinzhou-engineering-2023",
            "window_start": today - dt.timedelta(days=7),
            "window_end": today + dt.timedelta(days=60),
        },
    )
    for offset in range(0, 68):
        day = today + dt.timedelta(days=offset - 7)
        if day.weekday() >= 5:
            HolidayArrangement.objects.get_or_create(
                day=day, defaults={"kind": "workday", "note": "演示：周末照常受理"}
            )
