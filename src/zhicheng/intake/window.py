"""The receiving window (8.4): from the first to the last day, rest days excluded, in Beijing time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhicheng import clock
from zhicheng.intake.calendar import office_calendar
from zhicheng.intake.models import EvaluationYear
from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.policy.pack import load_pack


@dataclass(frozen=True)
class WindowState:
    open: bool
    message: str


def year_settings(year: int) -> EvaluationYear:
    """The office's settings for a year, made from the year's pack the first time they are asked for (two requests
    at once make one row)."""
    found = EvaluationYear.objects.filter(year=year).first()
    if found is not None:
        return found
    from zhicheng.policy.pack import pack_for_year

    pack = pack_for_year(year)
    params = pack.meta.parameters
    try:
        with transaction.atomic():
            made, _ = EvaluationYear.objects.get_or_create(
                year=year,
                defaults={
                    "pack": pack.id,
                    "window_start": params.receiving_window.start.value,
                    "window_end": params.receiving_window.end.value,
                    "publicity_min_workdays": params.publicity.min_workdays.value,
                    "results_min_workdays": params.publicity.results_min_workdays.value,
                },
            )
    except IntegrityError:
        made = EvaluationYear.objects.get(year=year)
    return made


def zh_date(day: dt.date) -> str:
    """2023年10月16日, as the notice writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def window_state(year: int, now: dt.datetime | None = None) -> WindowState:
    """Whether the office receives now; if not, when it opens or that it has closed."""
    cfg = year_settings(year)
    load_pack(cfg.pack)  # the pack in force must load
    today = timezone.localtime(now).date() if now else clock.today()
    span = f"报送时间为{zh_date(cfg.window_start)}至{zh_date(cfg.window_end)}（公休日除外）"
    if today < cfg.window_start:
        return WindowState(False, f"尚未开始受理：{span}，{zh_date(cfg.window_start)}起受理")
    if today > cfg.window_end:
        return WindowState(False, f"受理已截止：{span}，过期不予接收")
    calendar = office_calendar()
    try:
        workday = calendar.is_workday(today)
    except CalendarYearMissing as exc:
        return WindowState(False, str(exc))
    if not workday:
        nxt = today + dt.timedelta(days=1)
        while nxt <= cfg.window_end and not calendar.is_workday(nxt):
            nxt += dt.timedelta(days=1)
        when = f"，下一个受理日为{zh_date(nxt)}" if nxt <= cfg.window_end else "，受理期内已无工作日"
        return WindowState(False, f"今天是公休日，不受理：{span}{when}")
    return WindowState(True, f"受理中：{span}")
