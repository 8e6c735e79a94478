"""The county route in a real browser (Playwright driving Debian's Chromium): each role signs in and takes one
application from draft to "ready for the committee". Screenshots are kept in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, PNG, Walk, World
from zhicheng.accounts.roles import Role
from zhicheng.cases.models import Application, State

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_county_route_in_the_browser(live_server: Any, browser: Any, world: World, tmp_path: Path) -> None:
    employer = world.employer("原平市浏览器测试工程有限公司")
    world.applicant("applicant", employer)
    world.person("clerk", Role.EMPLOYER_CLERK, employer)
    world.person("leader", Role.EMPLOYER_LEADER, employer)
    world.bureau("yp_hr", "原平市", "hr")
    world.bureau("yp_iit", "原平市", "iit")
    photo = tmp_path / "notice-board.png"
    photo.write_bytes(PNG)
    walk = Walk(live_server, browser, "county-route")
    session, press, snap = walk.session, walk.press, walk.snap

    # The applicant: the self-check, then a new application, the pledge and the submission.
    page = session("applicant")
    page.goto(f"{live_server.url}/profile/")
    page.wait_for_selector("[data-testid=decision] details")
    assert "符合条件" in page.inner_text("[data-testid=decision]")
    snap(page, "applicant-self-check")
    page.goto(f"{live_server.url}/profile/achievements/")  # chosen from the notice's list (3.5.1, 3.5.2)
    assert "（1）市级以上或大型企业科研" in page.inner_text("main")
    snap(page, "applicant-achievements")
    page.goto(f"{live_server.url}/applications/new/")
    page.select_option("select[name=level]", "engineer")
    page.wait_for_load_state("networkidle")  # the level's paths are fetched and swapped in (htmx)
    assert "自查结果" in page.inner_text("[data-testid=paths]")
    snap(page, "applicant-new-application")
    page.select_option("select[name=path]", "engineer_bachelor")
    press(page, "button.primary")
    pk = int(page.url.rstrip("/").split("/")[-1])
    page.check("input[name=agree]")
    press(page, "form[action$='record/applicant_pledge/'] button")
    press(page, "[data-action=submit]")
    assert page.inner_text("[data-testid=state]") == "用人单位审核中", page.inner_text("main")[:800]
    snap(page, "applicant-submitted")
    page.context.close()

    # The employer's clerk: peer review, three publicities with photos, the appraisal.
    page = session("clerk")
    page.goto(f"{live_server.url}/applications/{pk}/")
    form = page.locator("form[action$='record/peer_review/']")
    form.locator("input[name=held_on]").fill("2023-09-04")
    names = form.locator("input[name=member_name]")
    for i, name in enumerate(("群众甲", "同行乙", "领导丙", "科研丁")):
        names.nth(i).fill(name)
    form.locator("textarea[name=opinion]").fill("评议组一致同意推荐")
    press(page, "form[action$='record/peer_review/'] button")
    assert "已记录" in page.inner_text("[data-testid=employer]")

    def publicity(kind: str, start: str) -> None:
        block = page.locator(f"form[action$='record/publicity/']:has(input[value={kind}])")
        block.locator("input[name=starts_on]").fill(start)
        block.locator("textarea[name=explanation]").fill("在单位公示栏公示5个工作日，无异议")
        press(page, f"form[action$='record/publicity/']:has(input[value={kind}]) button")
        upload = f"form:has(input[name=fact][value='publicity:{kind}'])"
        page.locator(f"{upload} input[type=file]").set_input_files(str(photo))
        press(page, f"{upload} button")
        assert "已上传" in page.inner_text("ul.messages")

    publicity("conditions", "2023-10-09")
    publicity("materials", "2023-10-09")
    form = page.locator("form[action$='record/appraisal/']")
    form.locator("textarea[name=ethics]").fill("思想品德良好，遵守职业道德")
    form.locator("input[name=clauses][value='3.4.1']").check()
    form.locator("input[name=clauses][value='3.5.1.1']").check()
    form.locator("input[name=peer_review_followed]").check()
    press(page, "form[action$='record/appraisal/'] button")
    assert "待单位负责人确认" in page.inner_text("[data-testid=employer]")
    snap(page, "employer-clerk-records")
    page.context.close()

    # The employer's leader: confirms the appraisal, pledges and recommends.
    page = session("leader")
    page.goto(f"{live_server.url}/applications/{pk}/")
    press(page, "form[action$='record/confirm_appraisal/'] button")
    publicity("appraisal", "2023-10-16")
    page.locator("form[action$='record/employer_pledge/'] input[name=agree]").check()
    press(page, "form[action$='record/employer_pledge/'] button")
    press(page, "[data-action=approve]")
    assert page.inner_text("[data-testid=state]") == "逐级审核中"
    snap(page, "employer-leader-recommended")
    page.context.close()

    # The county HR bureau, then the county IIT bureau.
    for username, comment in (("yp_hr", "经审核，材料真实，同意"), ("yp_iit", "同意报送评委会")):
        page = session(username)
        press(page, f"a[href='/applications/{pk}/']")
        page.fill("textarea[name=reason]", comment)
        press(page, "[data-action=approve]")
        snap(page, f"{username}-approved")
        page.context.close()

    assert Application.objects.get(pk=pk).state == State.READY_FOR_COMMITTEE
    page = session("applicant")
    page.goto(f"{live_server.url}/applications/{pk}/")
    assert page.inner_text("[data-testid=state]") == "待报送评委会"
    timeline = page.inner_text("[data-testid=timeline]")
    assert timeline.count("审核通过／推荐") == 3 and "经审核，材料真实，同意" in timeline
    assert "待报送评委会" in timeline
    snap(page, "applicant-sees-ready")
    page.context.close()
