"""Issue 10 in a real browser: the office takes a late case out of the year's round (asked first), the applicant
reads why, and the audit administrator reads, proves and exports the trail. Screenshots: test-artifacts/hardening/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, Walk, World
from tests.platform.test_year_finishable import Office, year_of
from zhicheng.accounts.roles import Role
from zhicheng.cases.models import Application, State

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_a_late_case_taken_out_and_the_trail_proved_in_the_browser(
    live_server: Any, browser: Any, world: World
) -> None:
    year = year_of(world)
    walk = Walk(live_server, browser, "hardening")
    office = Office(year)
    for step in ("build", "assign", "prepare", "score", "open"):
        getattr(office, step)()
    late = year["late"]

    page = walk.session(office.office.user.username)
    page.goto(f"{live_server.url}/office/applications/{late.pk}/")
    assert "不能再受理" in page.inner_text("[data-testid=vote-begun]")
    page.fill("[data-testid=defer] textarea[name=reason]", "受理时本年度评审会议已开始表决，请于下一年度重新申报")
    walk.snap(page, "office-desk-defer")
    walk.press(page, "[data-testid=defer] button[type=submit]")
    assert walk.asked and "不可撤销" in walk.asked[-1]
    assert Application.objects.get(pk=late.pk).state == State.DEFERRED
    walk.snap(page, "office-deferred")
    page.context.close()

    page = walk.session("late")
    page.goto(f"{live_server.url}/applications/{late.pk}/")
    assert "请于下一年度重新申报" in page.inner_text("[data-testid=deferred]")
    walk.snap(page, "applicant-reads-why")
    page.context.close()

    world.person("auditor", Role.AUDIT_ADMIN, None)
    page = walk.session("auditor")
    assert page.url.endswith("/audit/")
    walk.press(page, "[data-testid=verify]")
    assert "校验通过" in page.inner_text("[data-testid=proof]")
    assert "移出本年度评审" in page.inner_text("[data-testid=entries]")
    walk.snap(page, "auditor-trail-proved")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert download.value.suggested_filename.endswith(".csv")
    page.context.close()
