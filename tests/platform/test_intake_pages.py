"""The channel's and the office's pages, with the window set around today as the office would in the admin."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.platform.conftest import World, through_employer
from zhicheng.accounts.models import Organisation, SensitiveView
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.intake import services as intake
from zhicheng.round.models import EvaluationYear, HolidayArrangement


@pytest.fixture
def open_window(db: Any) -> None:
    today = timezone.localdate()
    EvaluationYear.objects.create(
        year=2023,
        pack="xinzhou-engineering-2023",
        window_start=today - dt.timedelta(days=3),
        window_end=today + dt.timedelta(days=30),
    )
    HolidayArrangement.objects.create(day=today, kind="workday", note="测试：当日受理")


def _client(member: Any) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def test_channel_submits_and_the_office_accepts_in_the_pages(
    open_window: None, county_case: dict[str, Any], submit: Any, world: World
) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    pk = county_case["application"].pk
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "approve")
    channel = _client(county_case["iit"])
    page = channel.get("/channel/").content.decode()
    assert "受理中" in page and "统一报送评委会（共1份）" in page
    pdf = channel.get("/channel/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    summary = channel.get("/channel/summary.xlsx")
    # The channel's own list, checked against the platform row by row (nothing is written).
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "工作单位", "申报专业"])
    ws.append(["申报人applicant", "别的单位", "土木工程"])
    ws.append(["不存在的人", "x", "y"])
    ws.append([None, "z", "w"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "list.xlsx"
    report = channel.post("/channel/check/", {"file": buf}).content.decode()
    assert "第2行B列（工作单位）：表中为“别的单位”" in report
    assert "第3行：不存在的人 在本系统中没有" in report and "第4行A列：姓名为空" in report
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    assert "请上传 Excel 工作簿" in channel.post("/channel/check/", {"file": bad}, follow=True).content.decode()
    sheet = load_workbook(io.BytesIO(summary.content)).active
    assert sheet is not None and sheet["B2"].value == "姓名" and sheet["E3"].value == county_case["employer"].name
    assert channel.post("/channel/submit/").status_code == 302
    assert Application.objects.get(pk=pk).state == State.IN_BATCH
    assert "不能重复报送" in channel.post("/channel/submit/", follow=True).content.decode()

    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    desk = _client(office)
    assert f"/office/applications/{pk}/" in desk.get("/office/").content.decode()
    export = desk.get("/office/export.xlsx", {"area": "原平市", "level": "engineer"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][0] == "编号" and rows[2][0] == pk
    none = desk.get("/office/export.xlsx", {"area": "代县"})
    assert len(list(load_workbook(io.BytesIO(none.content)).active.iter_rows())) == 2  # type: ignore[union-attr]
    batch_pdf = desk.get(f"/office/batches/{Application.objects.get(pk=pk).batch_entry.batch_id}/summary.pdf")
    assert batch_pdf.content.startswith(b"%PDF-")
    html = desk.get(f"/office/applications/{pk}/").content.decode()
    assert "系统核查" in html and "专业技术工作总结" in html
    refused = desk.post(f"/office/applications/{pk}/accept/", follow=True).content.decode()
    assert "尚未核验原件" in refused
    keys = [k for k, _ in intake.required_originals(Application.objects.get(pk=pk))]
    desk.post(f"/office/applications/{pk}/check/", {"original": keys, "notes": "原件一致"})
    desk.post(f"/office/applications/{pk}/accept/")
    assert Application.objects.get(pk=pk).state == State.ACCEPTED
    # Nobody else reaches the office's pages.
    assert _client(county_case["iit"]).get("/office/").status_code == 403
    assert _client(county_case["applicant"]).get("/channel/").status_code == 403


def test_the_integrity_register_pages(county_case: dict[str, Any], world: World) -> None:
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    c = _client(office)
    bad = c.post(
        "/integrity/record/",
        {
            "name": "张建国",
            "id_number": "142201198805120315",
            "kind": "plagiarism",
            "found_on": "2023-03-01",
            "ban_years": "2",
        },
        follow=True,
    )
    assert "身份证号码无效" in bad.content.decode()
    c.post(
        "/integrity/record/",
        {
            "name": "张建国",
            "id_number": "142201198805120314",
            "kind": "plagiarism",
            "found_on": "2023-03-01",
            "ban_years": "2",
        },
    )
    page = c.get("/integrity/").content.decode()
    assert "1422**********0314" in page and "142201198805120314" not in page
    assert SensitiveView.objects.filter(what="integrity", user=office.user).exists()
    assert _client(county_case["hr"]).get("/integrity/").status_code == 403
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    viewer = _client(city_hr)
    assert "记入诚信档案" not in viewer.get("/integrity/").content.decode()
    assert viewer.post("/integrity/record/", {"name": "x"}).status_code == 403
