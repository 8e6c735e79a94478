"""The receiving window (8.4): from the first to the last day, rest days excluded, in Beijing time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.policy.pack import load_pack
from zhicheng.round import clock
from zhicheng.round.calendar import office_calendar
from zhicheng.round.clock import zh_date
from zhicheng.round.year import year_settings


@dataclass(frozen=True)
class WindowState:
    open: bool
    message: str


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
