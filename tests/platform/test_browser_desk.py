"""The committee office's desk in a real browser (issue 4): the county IIT bureau submits its batch inside the
window; the office checks originals and accepts one case, returns another with reasons, records an integrity
finding and sees the ban stop a third applicant, and imports last year's outcomes. Screenshots: test-artifacts/desk/."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from tests.platform.conftest import CHROMIUM, Walk, World, through_employer
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.records.models import EvaluationOutcome, IntegrityRecord
from zhicheng.round.models import EvaluationYear, HolidayArrangement

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def _ready(world: World, username: str, employer: Organisation, id_number: str, profile: str) -> Application:
    data_identity = {"name": f"申报人{username}", "id_number": id_number}
    applicant = world.applicant(username, employer, profile, {"identity": data_identity})
    leader = world.person(f"{username}_leader", Role.EMPLOYER_LEADER, employer)
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through_employer(app, leader)
    return app


def test_the_office_desk_in_the_browser(live_server: Any, browser: Any, world: World, tmp_path: Path) -> None:
    # The office's setting, as in the admin: the 2023 window around today, today a receiving day.
    today = timezone.localdate()
    EvaluationYear.objects.update_or_create(
        year=2023,
        defaults={
            "pack": "xinzhou-engineering-2023",
            "window_start": today - dt.timedelta(days=2),
            "window_end": today + dt.timedelta(days=20),
        },
    )
    HolidayArrangement.objects.get_or_create(day=today, defaults={"kind": "workday", "note": "测试"})
    employer = world.employer("原平市受理测试工程有限公司")
    first = _ready(world, "applicant", employer, "142201198805120314", "01-bachelor-assistant-engineer")
    second = _ready(world, "second", employer, "142201198805120517", "01-bachelor-assistant-engineer")
    hr, iit = world.bureau("yp_hr", "原平市", "hr"), world.bureau("yp_iit", "原平市", "iit")
    for app in (first, second):
        services.perform(hr, app.pk, "approve")
        services.perform(iit, app.pk, "approve")
    third = world.applicant(
        "third", employer, changes={"identity": {"name": "申报人third", "id_number": "14220119880512071X"}}
    )
    world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    walk = Walk(live_server, browser, "desk")
    session, press, snap = walk.session, walk.press, walk.snap

    # The county IIT bureau submits its one batch (6.1.3 统一一次性).
    page = session("yp_iit")
    page.goto(f"{live_server.url}/channel/")
    assert "受理中" in page.inner_text("[data-testid=window]")
    press(page, "[data-action=submit_batch]")
    assert "已统一报送评委会：2份" in page.inner_text("ul.messages")
    snap(page, "channel-submitted")
    page.context.close()

    # The office: the batch, the desk of the first case, originals seen one by one, accepted.
    page = session("office")
    page.goto(f"{live_server.url}/office/")
    assert iit.organisation is not None and iit.organisation.name in page.inner_text("main")
    press(page, f"a[href='/office/applications/{first.pk}/']")
    checks = page.inner_text("[data-testid=checks]")
    assert "〔8.4〕材料不全" in checks and "〔R0〕按所选路径重新核查：符合条件" in checks
    assert page.inner_text("[data-testid=case-kind]") == "评审"
    snap(page, "desk-first")
    press(page, "[data-action=accept]")
    assert "尚未核验原件" in page.inner_text("ul.messages")
    for box in page.locator("input[name=original]").all():
        box.check()
    page.fill("textarea[name=notes]", "原件与复印件一致，已退回原件")
    press(page, "form[action$='/check/'] button")
    assert "核验情况已保存" in page.inner_text("ul.messages")
    press(page, "[data-action=accept]")
    assert page.inner_text("[data-testid=state]") == "评委会已受理"
    snap(page, "desk-first-accepted")

    # The second case is returned to its channel with reasons (当面退回).
    page.goto(f"{live_server.url}/office/applications/{second.pk}/")
    page.fill("textarea[name=reason]", "鉴定意见未加盖单位公章")
    press(page, "[data-action=office_return]")
    assert page.inner_text("[data-testid=state]") == "评委会办公室退回报送单位"
    snap(page, "desk-second-returned")

    # An integrity finding against the third applicant (8.2): a two-year ban.
    page.goto(f"{live_server.url}/integrity/")
    page.fill("input[name=name]", "申报人third")
    page.fill("input[name=id_number]", "142201198805120713")  # a wrong check digit first
    page.fill("input[name=found_on]", "2023-03-01")
    page.fill("input[name=ban_years]", "2")
    press(page, "form[action$='/integrity/record/'] button")
    assert "身份证号码无效" in page.inner_text("form[action$='/integrity/record/'] .errorlist")
    assert IntegrityRecord.objects.count() == 0
    page.fill("input[name=name]", "申报人third")
    page.fill("input[name=id_number]", "14220119880512071X")
    page.fill("input[name=found_on]", "2023-03-01")
    page.fill("input[name=ban_years]", "2")
    page.fill("textarea[name=note]", "提供虚假业绩证明")
    press(page, "form[action$='/integrity/record/'] button")
    assert "已记入诚信档案" in page.inner_text("ul.messages")
    snap(page, "integrity-recorded")

    # Last year's outcomes: a workbook with a bad row writes nothing; the corrected one is written whole.
    def workbook(number: str) -> Path:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["姓名", "身份证号码", "评审年度", "申报层级", "评审结果", "申报日期"])
        ws.append(["王志刚", "142201198501010378", 2022, "工程师", "答辩未通过", "2022-10-20"])
        ws.append(["陈思雨", number, 2022, "工程师", "评审通过", "2022-10-20"])
        buffer = io.BytesIO()
        wb.save(buffer)
        path = tmp_path / f"outcomes-{number}.xlsx"
        path.write_bytes(buffer.getvalue())
        return path

    page.goto(f"{live_server.url}/office/outcomes/")
    page.locator("input[type=file]").set_input_files(str(workbook("14220119951102024X")))
    press(page, "main form button")
    assert "第3行B列（身份证号码）" in page.inner_text("[data-testid=problems]")
    assert EvaluationOutcome.objects.count() == 0
    page.locator("input[type=file]").set_input_files(str(workbook("142201198805120314")))
    press(page, "main form button")
    assert "已导入2条记录" in page.inner_text("ul.messages")
    snap(page, "outcomes-imported")
    page.context.close()

    # The banned applicant's application is refused with the reason.
    app = services.create_application(
        third, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    page = session("third")
    page.goto(f"{live_server.url}/applications/{app.pk}/")
    page.check("input[name=agree]")
    press(page, "form[action$='record/applicant_pledge/'] button")
    press(page, "[data-action=submit]")
    assert "8.2" in page.inner_text("ul.messages") and page.inner_text("[data-testid=state]") == "草稿"
    snap(page, "ban-stops-application")
    page.context.close()
    assert Application.objects.get(pk=first.pk).state == State.ACCEPTED
