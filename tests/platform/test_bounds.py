"""Every input bounded (issue 10, findings 3 and 8): the database's lengths and ranges are checked first, from one
source (policy/facts.py), and refused in Chinese by field — on SQLite, which does not enforce lengths, and on
PostgreSQL, which does (run with DATABASE_URL). The same integrity finding posted at once is recorded once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.platform.conftest import World
from tests.platform.test_results import voted  # noqa: F401  (a fixture)
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.applications.factsforms import record_form
from zhicheng.cases.models import Application
from zhicheng.policy import facts as F
from zhicheng.policy.facts import FactsError
from zhicheng.records.models import EvaluationOutcome, IntegrityRecord, Profile
from zhicheng.results.models import Certificate, ResultEntry

FINDING = {
    "name": "张建国",
    "id_number": "142201198805120314",
    "kind": "plagiarism",
    "found_on": "2023-03-01",
    "ban_years": "2",
    "document": "忻职改办〔2023〕1号",
    "note": "论文剽窃",
}


def _office(world: World) -> Client:
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    client = Client()
    client.force_login(office.user)
    return client


def test_the_models_forms_and_facts_share_one_set_of_limits() -> None:
    assert IntegrityRecord._meta.get_field("name").max_length == F.NAME_MAX
    assert IntegrityRecord._meta.get_field("document").max_length == F.DOCUMENT_NUMBER_MAX
    assert ResultEntry._meta.get_field("name").max_length == F.NAME_MAX
    assert Certificate._meta.get_field("holder_name").max_length == F.NAME_MAX
    assert EvaluationOutcome._meta.get_field("name").max_length == F.NAME_MAX
    assert Application._meta.get_field("specialty_name").max_length == F.SPECIALTY_NAME_MAX
    assert ResultEntry._meta.get_field("employer_name").max_length == F.ORGANISATION_NAME_MAX
    identity = record_form(F.Identity)()
    assert identity.fields["name"].max_length == F.NAME_MAX  # type: ignore[attr-defined]
    specialty = record_form(F.Specialty)()
    assert specialty.fields["name"].max_length == F.SPECIALTY_NAME_MAX  # type: ignore[attr-defined]


def test_a_name_longer_than_the_database_keeps_is_refused_by_the_api_finding_3(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市长度测试公司"))
    api = Client()
    api.force_login(applicant.user)
    before = Profile.objects.get(user=applicant.user).facts
    facts = {**before, "identity": {**before["identity"], "name": "张" * 60}}
    facts.get("identity", {}).pop("id_number", None)
    bad = api.put("/api/profile", facts, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json() == [{"path": "identity.name", "reason": "不能超过50个字符，现为60个 (at most 50 characters)"}]
    assert Profile.objects.get(user=applicant.user).facts == before
    long_specialty = {**before, "specialty": {**before["specialty"], "name": "土" * (F.SPECIALTY_NAME_MAX + 1)}}
    long_specialty["identity"].pop("id_number", None)
    assert api.put("/api/profile", long_specialty, content_type="application/json").json()[0]["path"] == (
        "specialty.name"
    )
    with pytest.raises(FactsError, match="不能超过50个字符"):
        services.save_profile(applicant.user, facts)
    exactly = {**facts, "identity": {**facts["identity"], "name": "张" * F.NAME_MAX}}
    assert api.put("/api/profile", exactly, content_type="application/json").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "张" * (F.NAME_MAX + 1), "不能超过50个字符，现为51个"),
        ("document", "文" * (F.DOCUMENT_NUMBER_MAX + 1), "不能超过100个字符，现为101个"),
        ("cancelled_year", "70000", "确保该值小于或等于2100"),
        ("cancelled_year", "1900", "确保该值大于或等于1950"),
        ("ban_years", "9", "确保该值小于或等于3"),
        ("found_on", "2023-02-30", "输入一个有效的日期"),
    ],
)
def test_a_bad_integrity_field_reshows_the_form_with_every_entry_kept_finding_3(
    world: World, field: str, value: str, reason: str
) -> None:
    posted = {**FINDING, field: value}
    response = _office(world).post("/integrity/record/", posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"><li>{reason}' in page
    for name, typed in posted.items():  # every entry kept, the bad one too, as typed
        if name not in ("kind", "note"):
            assert f'value="{typed}"' in page, name
    assert "论文剽窃</textarea>" in page and 'value="plagiarism" selected' in page
    assert not IntegrityRecord.objects.exists()


def test_the_same_finding_posted_twice_is_recorded_once(world: World) -> None:
    client = _office(world)
    assert client.post("/integrity/record/", FINDING).status_code == 302
    again = client.post("/integrity/record/", FINDING, follow=True).content.decode()
    assert "未重复记录" in again and IntegrityRecord.objects.count() == 1
    other_day = client.post("/integrity/record/", {**FINDING, "found_on": "2023-04-01"})
    assert other_day.status_code == 302 and IntegrityRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (DATABASE_URL)")
def test_twenty_identical_findings_posted_at_once_make_one_record_finding_8(world: World) -> None:
    clients = [_office(world) for _ in range(1)] * 20  # one clerk's session, 20 requests at once
    barrier = threading.Barrier(len(clients))
    statuses: list[Any] = []

    def post(client: Client) -> None:
        barrier.wait()
        try:
            statuses.append(client.post("/integrity/record/", FINDING).status_code)
        except Exception as exc:  # anything else is a failure the assertion shows
            statuses.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 20, statuses
    assert IntegrityRecord.objects.count() == 1


def test_the_longest_name_the_facts_allow_posts_and_confirms_the_results_finding_3(
    voted: dict[str, Any],  # noqa: F811
) -> None:
    """On PostgreSQL a name one character longer than the facts allow failed the posting (DataError varchar(50));
    the longest name the facts take goes through to the certificate."""
    import datetime as dt

    from tests.platform.test_results import END, START
    from zhicheng.evaluation.meeting import close_meeting
    from zhicheng.results import services as results

    a1 = voted["cases"].by_user["a1"]
    profile = Profile.objects.get(user=a1.applicant)
    longest = "张" * F.NAME_MAX
    assert F.load_facts({"identity": {"name": longest}}).identity.name == longest
    with pytest.raises(FactsError):
        F.load_facts({"identity": {"name": longest + "张"}})
    Profile.objects.filter(pk=profile.pk).update(
        facts={**profile.facts, "identity": {**profile.facts["identity"], "name": longest}}
    )
    close_meeting(voted["cases"].office, 2023)
    results.post_results(voted["cases"].office, 2023, starts_on=START, today=START)
    results.confirm_results(
        voted["city_hr"], 2023, filing_document="忻人社备〔2024〕1号", today=END + dt.timedelta(days=1)
    )
    assert ResultEntry.objects.get(application=a1).name == longest
    assert Certificate.objects.get(application=a1).holder_name == longest
    assert EvaluationOutcome.objects.get(application=a1).name == longest


def test_the_integrity_service_refuses_what_the_database_would_not_keep(world: World) -> None:
    import datetime as dt

    from zhicheng.cases.refusals import ActionRefused
    from zhicheng.records import integrity

    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    common: dict[str, Any] = {
        "id_number": FINDING["id_number"],
        "kind": "plagiarism",
        "found_on": dt.date(2023, 3, 1),
        "ban_years": 1,
    }
    with pytest.raises(ActionRefused, match="姓名：不能超过50个字符，现为51个"):
        integrity.record_finding(office, name="张" * 51, **common)
    with pytest.raises(ActionRefused, match="取消评审资格的年度：确保该值小于或等于2100"):
        integrity.record_finding(office, name="张建国", cancelled_year=70000, **common)
    assert not IntegrityRecord.objects.exists()


def test_the_profile_page_refuses_a_name_longer_than_the_database_keeps(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市页面长度测试公司"))
    client = Client()
    client.force_login(applicant.user)
    page = client.post("/profile/identity/", {"name": "张" * 60}).content.decode()
    assert "张" * 60 in page and "50" in page  # the entry kept, the limit said
    assert Profile.objects.get(user=applicant.user).facts["identity"]["name"] != "张" * 60


def test_every_service_refuses_text_longer_than_its_column(world: World) -> None:
    """The stages' services check their text against the model's max_length (cases/refusals.check_lengths)."""
    from tests.platform.test_evaluation import expert, office_clerk
    from zhicheng.applications.models import Entrustment
    from zhicheng.cases.refusals import ActionRefused, check_lengths
    from zhicheng.evaluation.models import Expert, Group
    from zhicheng.results.models import Objection, ResultsPublicity

    for model, field, limit in (
        (Entrustment, "letter_number", F.DOCUMENT_NUMBER_MAX),
        (Entrustment, "entrusting_department", F.ORGANISATION_NAME_MAX),
        (ResultsPublicity, "filing_document", F.DOCUMENT_NUMBER_MAX),
        (Objection, "contact", 100),
        (Expert, "organisation_name", F.ORGANISATION_NAME_MAX),
        (Group, "name", 100),
    ):
        check_lengths(model, **{field: "文" * limit})
        with pytest.raises(ActionRefused, match=f"不能超过{limit}个字符，现为{limit + 1}个"):
            check_lengths(model, **{field: "文" * (limit + 1)})
    office = office_clerk(world)
    with pytest.raises(ActionRefused, match="工作单位不能超过100个字符"):
        expert(world, office, "e_long", organisation_name="单" * 101)
    assert not Expert.objects.filter(user__username="e_long").exists()
