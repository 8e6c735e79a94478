"""年度设置 in a real browser (issue 11, item 1): the office opens its year settings, extends the receiving window
and sets a rate, confirms the dialog naming the consequence, then enters a holiday for a year the calendar library
does not cover and sees the library's year read-only. Screenshots: test-artifacts/year-settings/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.platform.conftest import CHROMIUM, Walk, World
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.round.models import HolidayArrangement, YearSettingChange
from zhicheng.round.year import year_settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


@override_settings(ZHICHENG_TODAY="2026-06-01")  # the holiday entered (2027) is ahead of the platform's date
def test_the_office_sets_a_window_and_a_holiday(live_server: Any, browser: Any, world: World) -> None:
    world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    walk = Walk(live_server, browser, "year-settings")
    page = walk.session("office")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("nav >> text=年度设置")
    page.wait_for_url("**/settings/year/")
    assert "2023年10月16日至2023年11月10日" in page.inner_text("[data-testid=window]")
    page.fill("input[name=window_end]", "2023-11-17")
    page.fill("input[name=rate_default]", "80")
    walk.snap(page, "window-form")
    walk.press(page, "[data-testid=year-form] button[type=submit]")
    assert asked and "立即对此后的受理" in asked[0]
    assert "已保存，变更2项" in page.inner_text("ul.messages")
    assert "2023年10月16日至2023年11月17日" in page.inner_text("[data-testid=window]")
    assert "80%" in page.inner_text("[data-testid=rates]")
    changes = page.inner_text("[data-testid=changes]")
    assert "2023年11月10日" in changes and "2023年11月17日" in changes
    walk.snap(page, "window-saved")

    # The library's year is read-only; a year it does not cover takes the office's days.
    page.goto(f"{walk.url}/settings/year/?cal=2023#holidays")
    assert "只读" in page.inner_text("[data-testid=holidays]") and "国庆节" in page.inner_text("[data-testid=holidays]")
    page.goto(f"{walk.url}/settings/year/?cal=2027#holidays")
    page.fill("[data-testid=add-day] input[name=day]", "2027-10-01")
    page.select_option("[data-testid=add-day] select[name=kind]", "holiday")
    page.fill("[data-testid=add-day] input[name=note]", "国庆节")
    walk.press(page, "[data-testid=add-day] button[type=submit]")
    assert "已录入2027年10月1日" in page.inner_text("ul.messages")
    assert "2027年10月1日" in page.inner_text("[data-testid=holidays]")
    walk.snap(page, "holiday-added")
    page.context.close()

    assert year_settings(2023).window_end == dt.date(2023, 11, 17)
    assert HolidayArrangement.objects.filter(day=dt.date(2027, 10, 1), kind="holiday").exists()
    assert YearSettingChange.objects.filter(field="holiday").count() == 1
