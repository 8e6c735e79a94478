"""The workbooks as an office expects them (issue 13): a bold frozen header with a filter, columns as wide as their
Chinese text, dates as dates written as the notice writes them, ID numbers as text, printed landscape on A4 one page
wide with the title and header repeated and the page number in the footer; one sheet per batch."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.platform.conftest import World, entrusted_through_city_hr
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.documents.workbooks import DATE_FORMAT, Sheet, display_width, office_workbook
from zhicheng.intake import services as intake

ID_NUMBER = "142201198503020017"


def _sheet(data: bytes, index: int = 0) -> Worksheet:
    ws = load_workbook(io.BytesIO(data)).worksheets[index]
    assert isinstance(ws, Worksheet)
    return ws


def _laid_out_for_the_office(ws: Worksheet, columns: int) -> None:
    assert ws["A1"].font.bold and next(str(r) for r in ws.merged_cells.ranges).startswith("A1:")
    assert all(c.font.bold for c in ws[2][:columns]), "the header bold"
    assert ws.freeze_panes == "A3", "the title and header stay in view"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2", "title and header on every printed page"
    footer = ws.oddFooter
    assert footer is not None and "&P" in (footer.center.text or "") and "&N" in (footer.center.text or "")


def test_a_sheet_keeps_dates_as_dates_and_id_numbers_as_text() -> None:
    data = office_workbook(
        [
            Sheet(
                "名单",
                "2023年度名单",
                ["姓名", "身份证号码", "出生日期", "工作单位"],
                [["张三", ID_NUMBER, dt.date(1985, 3, 2), "忻州市某某建筑工程有限责任公司第二项目部"]],
                text_columns={"身份证号码"},
            )
        ]
    )
    ws = _sheet(data)
    _laid_out_for_the_office(ws, 4)
    assert ws.title == "名单" and ws["A1"].value == "2023年度名单"
    _, number, birth, employer = ws[3]
    assert number.value == ID_NUMBER and number.data_type == "s" and number.number_format == "@"
    assert isinstance(birth.value, dt.datetime) and birth.value.date() == dt.date(1985, 3, 2)
    assert birth.number_format == DATE_FORMAT
    # Fitted to the Chinese text: a character of it is two narrow ones wide.
    assert display_width("工作单位") == 8 and display_width("AB") == 2
    widths = {c: ws.column_dimensions[c].width for c in "ABCD"}
    assert widths["D"] >= display_width(employer.value) and widths["D"] > widths["A"], widths
    assert widths["B"] >= 18, "18 digits in view"


def test_a_formula_is_still_text_in_the_office_layout() -> None:
    ws = _sheet(office_workbook([Sheet("表", "标题", ["专业"], [['=HYPERLINK("http://x","y")']])]))
    assert ws["A3"].data_type == "s" and ws["A3"].quotePrefix


def test_sheet_names_excel_accepts_and_two_of_one_day() -> None:
    data = office_workbook(
        [
            Sheet("第1批（2023年10月20日报送）", "t", ["a"], [[1]]),
            Sheet("第1批（2023年10月20日报送）", "t", ["a"], [[2]]),
        ]
    )
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(names)) == 2 and all(len(n) <= 31 for n in names)
    assert load_workbook(io.BytesIO(office_workbook([Sheet("a/b:c", "t", ["x"], [])]))).sheetnames == ["a_b_c"]


IN_WINDOW = dt.datetime(2023, 10, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _city_hr_with_two_batches(world: World) -> Client:
    """The city HR bureau forwards two entrusted cases, one batch per entrustment letter (7.1)."""
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    for letter in entrusted_through_city_hr(world, city_hr, [("applicant", "申报人1"), ("second", "申报人2")]):
        intake.submit_batch(city_hr, 2023, now=IN_WINDOW, entrustment_id=letter.pk)
    client = Client()
    client.force_login(city_hr.user)
    return client


def test_the_city_hr_bureaus_summary_has_a_sheet_per_batch_and_the_export_the_layout(world: World) -> None:
    channel = _city_hr_with_two_batches(world)
    book = load_workbook(io.BytesIO(channel.get("/channel/summary.xlsx").content))
    day = timezone.localdate()  # the batch's time is when it was sent
    sent = f"{day.year}年{day.month}月{day.day}日报送"
    assert book.sheetnames == [f"第1批（{sent}）", f"第2批（{sent}）"]
    for n, ws in enumerate(book.worksheets, start=1):
        assert isinstance(ws, Worksheet)
        _laid_out_for_the_office(ws, 14)
        assert ws["A1"].value.endswith(f"（第{n}批（{sent}））")
        assert ws["B2"].value == "姓名" and ws["A3"].value == 1 and ws.max_row == 3, "each batch numbered from 1"
        assert ws["B3"].value == f"申报人{n}"
        assert isinstance(ws["D3"].value, dt.datetime) and ws["D3"].number_format == DATE_FORMAT, "the birth date"
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    desk = Client()
    desk.force_login(office.user)
    export = _sheet(desk.get("/office/export.xlsx").content)
    _laid_out_for_the_office(export, 10)
    assert export["A2"].value == "编号" and export.max_row == 4


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (Debian's libreoffice-calc-nogui) not installed")
def test_libreoffice_prints_the_summary_one_page_wide(world: World, tmp_path: Path) -> None:
    channel = _city_hr_with_two_batches(world)
    book = tmp_path / "summary.xlsx"
    book.write_bytes(channel.get("/channel/summary.xlsx").content)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(book)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(tmp_path / "summary.pdf")], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))
    assert pages == 2, "one page per batch: each one page wide, its title whole"
    size = next(line for line in info.stdout.splitlines() if line.startswith("Page size:"))
    width, height = (float(x) for x in size.split()[2:5:2])
    assert width > height, "landscape"
    out = Path("test-artifacts/documents")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "summary.pdf"), str(out / "汇总表-libreoffice")])
    text = subprocess.run(["pdftotext", str(tmp_path / "summary.pdf"), "-"], capture_output=True, text=True).stdout
    assert "申报人员汇总表" in text and "第 1 页" in text


def test_an_import_template_has_its_id_number_column_as_text_before_anything_is_typed() -> None:
    from zhicheng.records.outcomes import import_template

    ws = _sheet(import_template())
    header = [c.value for c in ws[1]]
    id_column = ws.column_dimensions[chr(ord("A") + header.index("身份证号码"))]
    assert id_column.number_format == "@" and (id_column.width or 0) >= 20
    assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])
