"""Issue 11, item 2 in a real browser: the office opens a channel's reviewer from a workbook (a bad one first, which
opens nothing and names its bad cells); an employer's clerk enrols an applicant, who signs in with the slip's first
password, is sent to change it, opens their profile, fills it and submits an application. Screenshots:
test-artifacts/accounts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, Walk, World
from tests.platform.test_account_admin import ID_NUMBER, NEW_PASSWORD, workbook
from tests.policy.support import example
from zhicheng.accounts.models import Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_the_office_imports_a_reviewer_and_an_employer_enrols_an_applicant(
    live_server: Any, browser: Any, world: World, tmp_path: Path
) -> None:
    walk = Walk(live_server, browser, "accounts")
    world.person("office_clerk", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    employer = world.employer("原平市开户演示工程有限公司")
    world.person("hr_clerk", Role.EMPLOYER_CLERK, employer)

    # The office: a workbook with two bad rows opens nothing and names both cells; the corrected one opens the account.
    page = walk.session("office_clerk")
    walk.press(page, "nav >> text=账号管理")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [
                ["张审核", "13911110000", "县（市、区）人社局审核人", "", "原平市"],
                ["李审核", "1391111", "县（市、区）工信局审核人", "", "原平市"],
                ["王审核", "13911110002", "市直主管部门审核人", "忻州市水力局", ""],
            ]
        )
    )
    page.set_input_files("[data-testid=import] input[type=file]", str(bad))
    walk.press(page, "[data-testid=import] button[type=submit]")
    problems = page.inner_text("[data-testid=problems]")
    assert "第3行B列（手机号码）" in problems and "第4行D列（机构名称）" in problems
    assert not User.objects.filter(username="13911110000").exists()
    walk.snap(page, "office-bad-workbook")
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([["张审核", "13911110000", "县（市、区）人社局审核人", "", "原平市"]]))
    page.set_input_files("[data-testid=import] input[type=file]", str(good))
    walk.press(page, "[data-testid=import] button[type=submit]")
    assert page.inner_text("[data-testid=slip-username]") == "13911110000"
    walk.snap(page, "office-reviewer-slip")
    reviewer = User.objects.get(username="13911110000").memberships.get()
    assert reviewer.role == Role.COUNTY_HR_REVIEWER and reviewer.organisation == employer.area.hr_bureau
    page.context.close()

    # The employer's clerk enrols a member of staff and hands over the slip.
    page = walk.session("hr_clerk")
    walk.press(page, "nav >> text=人员账号")
    page.fill("[data-testid=enrol] input[name=name]", "王小明")
    page.fill("[data-testid=enrol] input[name=id_number]", ID_NUMBER)
    page.fill("[data-testid=enrol] input[name=phone]", "13912345678")
    walk.snap(page, "employer-enrol-form")
    walk.press(page, "[data-testid=enrol] button[type=submit]")
    username = page.inner_text("[data-testid=slip-username]")
    password = page.inner_text("[data-testid=slip-password]")
    walk.snap(page, "employer-slip")
    page.goto(f"{live_server.url}/people/staff/")
    assert "待首次登录修改密码" in page.inner_text("[data-testid=staff]")
    walk.snap(page, "employer-staff-list")
    page.context.close()

    # The applicant signs in with the first password, must change it, then opens the profile with the ID number.
    page = walk.session(None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    walk.press(page, "button[type=submit]")
    assert page.url.endswith("/account/password/")
    walk.snap(page, "applicant-must-change")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    walk.press(page, "main button[type=submit]")
    assert "密码已修改" in page.inner_text("main")
    walk.press(page, "nav >> text=申报人信息")
    assert "1422**********0517" in page.inner_text("main")
    walk.snap(page, "applicant-profile")

    # The profile, then the submission. To keep the walk short the sections of the example profile (education,
    # titles, assessments, …) are entered through the service the forms call (save_profile, the ID number kept
    # from the enrolment); the applicant fills 处分情况 in the browser — the last one missing — and submits.
    user = User.objects.get(username=username)
    data = example("01-bachelor-assistant-engineer")
    data["identity"] = {"name": "王小明"}
    data["employment"] = {**data["employment"], "employer_name": employer.name, "county": employer.area.name}
    data.pop("discipline")
    services.save_profile(user, data)
    page.goto(f"{live_server.url}/profile/discipline/")
    page.check("input[name=discipline-none-none]")
    walk.snap(page, "applicant-fills-discipline")
    walk.press(page, "button.primary")
    assert "「处分情况」已保存" in page.inner_text("main")
    page.wait_for_selector("[data-testid=decision] details")
    walk.snap(page, "applicant-profile-complete")
    page.goto(f"{live_server.url}/applications/new/")
    page.select_option("select[name=level]", "engineer")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=path]", "engineer_bachelor")
    walk.press(page, "button.primary")
    page.check("input[name=agree]")
    walk.press(page, "form[action$='record/applicant_pledge/'] button")
    walk.press(page, "[data-action=submit]")
    assert page.inner_text("[data-testid=state]") == "用人单位审核中", page.inner_text("main")[:600]
    assert "提交用人单位" in walk.asked[-1]
    walk.snap(page, "applicant-submitted")
    page.context.close()
