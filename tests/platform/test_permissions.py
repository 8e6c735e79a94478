"""The permission matrix: every role against a case's page, its files and its actions, and guessing ids."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.platform.conftest import PDF, PNG, World, through_employer
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.intake import services as intake

IN_WINDOW = dt.datetime(2023, 10, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# role → (sees the case in chain review at the county HR step, may approve it now)
MATRIX: dict[str, tuple[bool, bool]] = {
    "owner": (True, False),
    "other_applicant": (False, False),
    "employer_clerk": (True, False),
    "employer_leader": (True, False),
    "other_employer": (False, False),
    "county_hr": (True, True),
    "county_iit": (False, False),  # its step is not reached yet
    "other_county_hr": (False, False),
    "competent_department": (False, False),
    "committee_clerk": (False, False),  # only cases ready for the committee
    "talent_agency": (False, False),
    "personnel_agency": (False, False),
    "dispatch_agency": (False, False),
    "hr_association": (False, False),
    "city_hr": (True, False),
    "expert": (False, False),
    "administrator": (False, False),  # the three administrators work on no case (三权分立)
    "security_admin": (False, False),
    "audit_admin": (False, False),
}


@pytest.fixture
def matrix_world(world: World, county_case: dict[str, Any], submit: Any) -> dict[str, Any]:
    submit(county_case)
    app = county_case["application"]
    profile_file = services.add_evidence(
        county_case["applicant"], SimpleUploadedFile("d.pdf", PDF), kind="diploma", fact="education[0]"
    )
    through_employer(app, county_case["leader"])
    other_employer = world.employer("代县别的公司", "代县")
    people = {
        "owner": county_case["applicant"],
        "other_applicant": world.applicant("other", other_employer),
        "employer_clerk": county_case["clerk"],
        "employer_leader": county_case["leader"],
        "other_employer": world.person("oe", Role.EMPLOYER_CLERK, other_employer),
        "county_hr": county_case["hr"],
        "county_iit": county_case["iit"],
        "other_county_hr": world.bureau("dx_hr", "代县", "hr"),
        "competent_department": world.person(
            "cd", Role.COMPETENT_DEPARTMENT_REVIEWER, Organisation.objects.get(name="忻州市住房和城乡建设局")
        ),
        "committee_clerk": world.person(
            "cc", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)
        ),
        "talent_agency": world.person(
            "ta", Role.TALENT_AGENCY_REVIEWER, Organisation.objects.get(name="原平市公共就业和人才服务中心")
        ),
        "personnel_agency": world.person(
            "pa", Role.PERSONNEL_AGENCY_REVIEWER, Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)
        ),
        "dispatch_agency": world.person(
            "da", Role.DISPATCH_AGENCY_REVIEWER, world.agency("权限测试劳务派遣公司", OrgKind.LABOUR_DISPATCH_AGENCY)
        ),
        "hr_association": world.person(
            "ha", Role.HR_ASSOCIATION_REVIEWER, Organisation.objects.get(kind=OrgKind.HR_ASSOCIATION)
        ),
        "city_hr": world.person("ch", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU)),
        "expert": world.person("ex", Role.EXPERT, None),
        "administrator": world.person("ad", Role.ADMINISTRATOR, None),
        "security_admin": world.person("sa", Role.SECURITY_ADMIN, None),
        "audit_admin": world.person("aa", Role.AUDIT_ADMIN, None),
    }
    photo = app.evidence.first()
    return {"app": app, "people": people, "profile_file": profile_file, "photo": photo}


@pytest.mark.parametrize("who", list(MATRIX))
def test_role_against_page_files_and_actions(matrix_world: dict[str, Any], who: str) -> None:
    sees, may_approve = MATRIX[who]
    app = matrix_world["app"]
    client = Client()
    client.force_login(matrix_world["people"][who].user)
    page = client.get(f"/applications/{app.pk}/")
    assert page.status_code == (200 if sees else 404)
    for evidence in (matrix_world["profile_file"], matrix_world["photo"]):
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == (200 if sees else 404), evidence.kind
    api = client.get(f"/api/applications/{app.pk}")
    assert api.status_code == (200 if sees else 404)
    listed = [a["id"] for a in client.get("/api/applications").json()]
    assert (app.pk in listed) == sees
    client.post(f"/applications/{app.pk}/do/approve/", {"reason": "同意"})
    app.refresh_from_db()
    assert (app.step == 1) == may_approve
    assert app.state == State.CHAIN_REVIEW
    # No one but the reviewer of the current step (now the county IIT bureau) may return, reject or withdraw it.
    for action in ("return", "reject", "withdraw", "resubmit", "submit"):
        client.post(f"/applications/{app.pk}/do/{action}/", {"reason": "试图越权", "to": "applicant"})
        app.refresh_from_db()
        assert app.state == State.CHAIN_REVIEW, (who, action)
    for record in ("peer_review", "appraisal", "confirm_appraisal", "employer_pledge", "applicant_pledge"):
        client.post(f"/applications/{app.pk}/record/{record}/", {"agree": "on", "ethics": "x", "clauses": "3.4.1"})
    assert app.events.filter(action__in=["peer_review", "appraisal"]).count() == 2  # only the employer's own two


def test_guessing_another_countys_case_id(world: World, county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    intruder = world.bureau("dx_hr2", "代县", "hr")
    client = Client()
    client.force_login(intruder.user)
    for pk in range(1, Application.objects.count() + 3):
        assert client.get(f"/applications/{pk}/").status_code == 404
        assert client.post(f"/applications/{pk}/do/approve/").status_code in (302, 404)
    county_case["application"].refresh_from_db()
    assert county_case["application"].step == 0


def test_the_committee_office_sees_a_case_once_it_is_ready(
    county_case: dict[str, Any], submit: Any, world: World
) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    clerk = world.person("cc2", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    client = Client()
    client.force_login(clerk.user)
    pk = county_case["application"].pk
    assert client.get(f"/applications/{pk}/").status_code == 404
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "approve")
    assert client.get(f"/applications/{pk}/").status_code == 404  # ready, but not yet submitted (6.1.3, 8.4)
    intake.submit_batch(county_case["iit"], 2023, now=IN_WINDOW)
    assert client.get(f"/applications/{pk}/").status_code == 200


def test_a_draft_is_the_applicants_alone(county_case: dict[str, Any]) -> None:
    client = Client()
    client.force_login(county_case["clerk"].user)
    assert client.get(f"/applications/{county_case['application'].pk}/").status_code == 404


def test_files_have_no_public_url(matrix_world: dict[str, Any]) -> None:
    evidence = matrix_world["profile_file"]
    assert evidence.file.name and evidence.file.name.split("/")[-1] != "d.pdf"  # a server-chosen name
    assert len(evidence.file.name.split("/")[-1]) == 32 + len(".pdf")
    client = Client()
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 302  # sign in first
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    assert client.get(f"/static/{evidence.file.name}").status_code == 404
    assert PNG  # the photo fixture is a real PNG


# The office's, the bureau's and the channels' pages (issues 4 and 5): who gets 200, everyone else 403.
OFFICE_PAGES: dict[str, frozenset[str]] = {
    "/office/": frozenset({"committee_clerk"}),
    "/office/outcomes/": frozenset({"committee_clerk", "city_hr"}),
    "/integrity/": frozenset({"committee_clerk", "city_hr"}),
    "/evaluation/": frozenset({"committee_clerk", "city_hr"}),
    "/results/": frozenset({"committee_clerk", "city_hr"}),
    "/channel/": frozenset(
        {
            "county_hr",
            "county_iit",
            "other_county_hr",
            "competent_department",
            "hr_association",
            "personnel_agency",
            "city_hr",
        }
    ),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_role_against_the_office_pages(matrix_world: dict[str, Any], who: str) -> None:
    client = Client()
    client.force_login(matrix_world["people"][who].user)
    for url, allowed in OFFICE_PAGES.items():
        assert client.get(url).status_code == (200 if who in allowed else 403), (who, url)
    # Acting is refused on the server too, whatever the page would have offered.
    client.post("/results/post/", {"starts_on": "2023-12-28"})
    client.post("/office/outcomes/", {})
    from zhicheng.results.models import ResultsPublicity

    assert not ResultsPublicity.objects.exists()
