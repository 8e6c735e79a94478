"""An expert in a real browser (Playwright driving Debian's Chromium): signs in, scores a candidate known only by its
code (5b), and once the meeting opened on the panel's sheets (R28) casts a secret ballot (R22). Screenshots are
kept in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, PASSWORD, World, sign_in_browser
from tests.platform.test_evaluation import Spec, accepted, expert, review_all
from zhicheng.evaluation.assignment import apply_assignment
from zhicheng.evaluation.groups import build_groups
from zhicheng.evaluation.meeting import open_meeting, prepare_meeting, record_attendance
from zhicheng.evaluation.models import BallotCast, Candidate, Group, Score

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "evaluation"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_an_expert_scores_and_votes_in_the_browser(live_server: Any, browser: Any, world: World) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cases = accepted(world, [Spec("a1")])
    _, seat = expert(world, cases.office, "expert")
    build_groups(cases.office, 2023)
    review_all(cases.office)
    group = Group.objects.get()
    apply_assignment(cases.office, 2023, {group.pk: [seat.pk]})
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 1))
    record_attendance(cases.office, 2023, [seat.pk])
    code = Candidate.objects.get().code

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in_browser(page, live_server.url, "expert", PASSWORD)
    page.click("a[href='/evaluation/expert/']")
    page.wait_for_selector("[data-testid=my-group]")
    page.screenshot(path=str(ARTIFACTS / "01-expert-home.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"a[href='/evaluation/expert/{code}/']")
    assert "申报人a1" not in page.content()
    for name, value in (("theory", "25"), ("practice", "24"), ("paper", "16"), ("answers", "17")):
        page.fill(f"input[name=d_{name}]", value)
    page.fill("input[name=q_awards]", "6")
    page.fill("input[name=r_awards]", "获市级优秀工程奖")
    page.fill("input[name=q_work_performance]", "16")
    page.fill("input[name=r_work_performance]", "长期在施工现场，业绩突出")
    page.screenshot(path=str(ARTIFACTS / "02-score-form.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=score] button[type=submit]")
    assert "评分已提交" in page.inner_text("ul.messages")
    page.screenshot(path=str(ARTIFACTS / "03-scored.png"), full_page=True)
    score = Score.objects.get()
    assert score.defence_total == 82 and score.current

    open_meeting(cases.office, 2023)  # every sheet of the panel is in (R28)
    page.goto(f"{live_server.url}/evaluation/expert/{code}/")
    assert "不能再评分或更正评分" in page.inner_text("[data-testid=scoring-closed]")
    assert page.locator("[data-testid=score] form").count() == 0
    page.goto(f"{live_server.url}/evaluation/expert/")
    form = page.locator(f"form[data-ballot='{code}']")
    form.locator("input[value=for]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert asked == [f"确定对{code}投出所选的一票？投票后不能更改。"]  # the ballot asked before it was cast
    assert "已投票" in page.inner_text("[data-testid=ballots]")
    page.screenshot(path=str(ARTIFACTS / "04-voted.png"), full_page=True)
    assert BallotCast.objects.filter(expert=seat).count() == 1
    context.close()
