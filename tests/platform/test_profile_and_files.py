"""Profiles on the engine's facts, protected ID numbers, and uploads judged by their content."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings

from tests.platform.conftest import PDF, PNG, World
from tests.policy.support import example
from zhicheng.accounts.models import SensitiveView
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from zhicheng.applications.models import Evidence
from zhicheng.cases.refusals import ActionRefused
from zhicheng.policy.facts import FactsError
from zhicheng.records.facts import engine_facts
from zhicheng.records.models import Profile

ID = "142201198805120314"


def test_the_id_number_is_encrypted_at_rest_and_shown_masked(world: World) -> None:
    employer = world.employer("原平市身份证测试公司")
    applicant = world.applicant("applicant", employer)
    profile = Profile.objects.get(user=applicant.user)
    assert profile.id_number_masked == "1422**********0314"
    assert ID not in profile.id_number_cipher and "identity" in profile.facts
    assert "id_number" not in profile.facts["identity"]
    with connection.cursor() as cursor:
        cursor.execute("select facts, id_number_cipher, id_number_masked from records_profile")
        assert all(ID not in str(value) for row in cursor.fetchall() for value in row)
    assert engine_facts(profile).identity.id_number == ID


def test_viewing_the_whole_number_is_for_some_roles_and_is_logged(
    county_case: dict[str, Any], submit: Any, world: World
) -> None:
    submit(county_case)
    app = county_case["application"]
    client = Client()
    client.force_login(county_case["clerk"].user)
    response = client.post(f"/applications/{app.pk}/id-number/")
    assert response.status_code == 200 and ID in response.content.decode()
    assert SensitiveView.objects.filter(user=county_case["clerk"].user, subject=f"application:{app.pk}").count() == 1
    leader = Client()
    leader.force_login(county_case["leader"].user)
    denied = leader.post(f"/applications/{app.pk}/id-number/")
    assert denied.status_code == 403 and ID not in denied.content.decode()
    page = leader.get(f"/applications/{app.pk}/").content.decode()
    assert "1422**********0314" in page and ID not in page


def test_a_second_account_cannot_claim_the_same_id_number(world: World) -> None:
    employer = world.employer("原平市重复测试公司")
    world.applicant("applicant", employer)
    other = world.person("twin", Role.APPLICANT, employer)
    with pytest.raises(FactsError) as info:
        services.save_profile(other.user, example("01-bachelor-assistant-engineer"))
    assert info.value.problems[0][0] == "identity.id_number"


def test_a_bad_profile_is_refused_with_the_field_and_nothing_is_lost(world: World) -> None:
    employer = world.employer("原平市校验测试公司")
    applicant = world.applicant("applicant", employer)
    before = Profile.objects.get(user=applicant.user).facts
    client = Client()
    client.force_login(applicant.user)
    response = client.post("/profile/identity/", {"name": "张建国", "id_number": "142201198805120315"})
    assert response.status_code == 200
    assert "居民身份证号码校验位错误" in response.content.decode()
    assert Profile.objects.get(user=applicant.user).facts == before


def test_a_section_saves_through_the_facts_model(world: World) -> None:
    employer = world.employer("原平市表单测试公司")
    applicant = world.applicant("applicant", employer)
    client = Client()
    client.force_login(applicant.user)
    data = {
        "annual_assessments-TOTAL_FORMS": "2",
        "annual_assessments-INITIAL_FORMS": "0",
        "annual_assessments-0-year": "2022",
        "annual_assessments-0-grade": "excellent",
        "annual_assessments-1-year": "",
        "annual_assessments-1-grade": "",
    }
    response = client.post("/profile/annual_assessments/", data)
    assert response.status_code == 302
    assert Profile.objects.get(user=applicant.user).facts["annual_assessments"] == {"2022": "excellent"}
    # A grade without a year is an error, and nothing is saved.
    half = data | {"annual_assessments-1-grade": "qualified", "annual_assessments-0-grade": "qualified"}
    assert "请填写年度" in client.post("/profile/annual_assessments/", half).content.decode()
    assert Profile.objects.get(user=applicant.user).facts["annual_assessments"] == {"2022": "excellent"}
    # A list with "无" ticked is a known none; left blank it stays unknown.
    none = {"discipline-TOTAL_FORMS": "1", "discipline-INITIAL_FORMS": "0", "discipline-none-none": "on"}
    assert client.post("/profile/discipline/", none).status_code == 302
    assert Profile.objects.get(user=applicant.user).facts["discipline"] == []
    blank = {"discipline-TOTAL_FORMS": "1", "discipline-INITIAL_FORMS": "0"}
    assert client.post("/profile/discipline/", blank).status_code == 302
    assert "discipline" not in Profile.objects.get(user=applicant.user).facts


def test_the_self_check_shows_the_clauses(world: World) -> None:
    employer = world.employer("原平市自查测试公司")
    applicant = world.applicant("applicant", employer)
    client = Client()
    client.force_login(applicant.user)
    html = client.get("/profile/check/").content.decode()
    assert "工程师" in html and "符合条件" in html and "xinzhou-engineering-2023" in html


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("diploma.pdf", PDF, True),
        ("photo.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, True),
        ("notes.pdf", b"just text, named .pdf", False),  # judged by content, not name
        ("virus.exe", b"MZ\x90\x00" + b"\0" * 64, False),
        ("scan.png", PDF, True),  # a PDF named .png is still a PDF, kept as one
    ],
)
def test_uploads_are_judged_by_content(world: World, name: str, content: bytes, accepted: bool) -> None:
    applicant = world.applicant("applicant", world.employer("原平市上传测试公司"))
    upload = SimpleUploadedFile(name, content)
    if accepted:
        evidence = services.add_evidence(applicant, upload, kind="diploma", fact="education[0]")
        assert evidence.content_type in ("application/pdf", "image/png", "image/jpeg")
        assert not evidence.file.name.endswith(name)
    else:
        with pytest.raises(ActionRefused, match="只接受 PDF、JPEG 或 PNG"):
            services.add_evidence(applicant, upload, kind="diploma")
        assert not Evidence.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_uploads_over_the_limit_or_empty_are_refused(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市大小测试公司"))
    with pytest.raises(ActionRefused, match="文件过大"):
        services.add_evidence(applicant, SimpleUploadedFile("big.pdf", PDF + b"0" * 2048), kind="diploma")
    with pytest.raises(ActionRefused, match="文件为空"):
        services.add_evidence(applicant, SimpleUploadedFile("empty.pdf", b""), kind="diploma")


def test_upload_page_tells_the_clerk_why(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市页面上传测试公司"))
    client = Client()
    client.force_login(applicant.user)
    response = client.post(
        "/evidence/", {"kind": "diploma", "file": SimpleUploadedFile("a.pdf", b"hello")}, follow=True
    )
    assert "只接受 PDF、JPEG 或 PNG" in response.content.decode()


def test_the_profile_is_frozen_while_the_case_is_under_review(county_case: dict[str, Any], submit: Any) -> None:
    """The decision stored at each step was made on these facts: they change only when the case is returned."""
    submit(county_case)
    applicant = county_case["applicant"]
    facts = Profile.objects.get(user=applicant.user).facts
    with pytest.raises(FactsError, match="审核中"):
        services.save_profile(applicant.user, {**facts, "papers": []})
    services.perform(county_case["clerk"], county_case["application"].pk, "return", reason="补充论文")
    services.save_profile(applicant.user, {**facts, "papers": facts["papers"]})


def test_a_year_entered_twice_is_refused(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市重复年度测试公司"))
    client = Client()
    client.force_login(applicant.user)
    data = {
        "annual_assessments-TOTAL_FORMS": "2",
        "annual_assessments-INITIAL_FORMS": "0",
        "annual_assessments-0-year": "2022",
        "annual_assessments-0-grade": "qualified",
        "annual_assessments-1-year": "2022",
        "annual_assessments-1-grade": "unqualified",
    }
    assert "该年度已填写" in client.post("/profile/annual_assessments/", data).content.decode()


def test_reviewers_see_every_finding_of_the_chosen_path(county_case: dict[str, Any], submit: Any) -> None:
    from tests.platform.conftest import through_employer

    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    client = Client()
    client.force_login(county_case["hr"].user)
    html = client.get(f"/applications/{county_case['application'].pk}/").content.decode()
    assert "所选路径逐项核查：大学本科毕业，任助理工程师满4年" in html
    assert "[符合] 〔3.3.1c" in html and "评议组" in html and "鉴定意见：品德良好" in html
