"""Issue 11, item 6 in a real browser: the applicant double-clicks 提交用人单位 — the button asks once, is disabled
while the answer is on its way, and one submission is made, with no error page. Screenshots:
test-artifacts/safe-actions/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, Walk, World
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.cases.workflow import CONSEQUENCES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_a_double_click_on_submit_makes_one_submission_and_no_error_page(
    live_server: Any, browser: Any, world: World
) -> None:
    employer = world.employer("原平市双击测试工程有限公司")
    applicant = world.applicant("applicant", employer)  # the fixture profile that is complete
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    walk = Walk(live_server, browser, "safe-actions")
    page = walk.session("applicant")
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if "/do/submit/" in r.url else None)
    page.goto(f"{live_server.url}/applications/{app.pk}/")
    walk.snap(page, "case-before-submit")
    with page.expect_navigation():
        page.locator("button[data-action=submit]").dblclick()
    page.wait_for_load_state("networkidle")
    walk.snap(page, "case-after-double-click")

    assert walk.asked == [f"确定「提交用人单位」？{CONSEQUENCES['submit']}"], walk.asked  # asked once, not twice
    assert answers and all(code == 302 for code in answers), answers  # no error page, however many went
    assert Application.objects.get(pk=app.pk).state == State.EMPLOYER_REVIEW
    assert Application.objects.get(pk=app.pk).events.filter(action="submit").count() == 1
    text = page.inner_text("body")
    assert "操作已完成" in text or "该操作已办理" in text
    assert "用人单位审核" in text
    page.context.close()
