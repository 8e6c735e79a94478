"""Results (issue 5): the publicity of at least 5 working days (R21) with its end across a holiday, objections handled
before confirmation, the city HR bureau's confirmation and filing, the outcome kept for 7.2, certificates and their
public verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.platform.test_evaluation import Spec, accepted, expert, meeting_with, one_group, sheet
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.meeting import cast_ballot, close_meeting
from zhicheng.evaluation.models import Candidate
from zhicheng.evaluation.scoring import submit_score
from zhicheng.intake import services as intake
from zhicheng.records import integrity
from zhicheng.records.models import EvaluationOutcome, Profile
from zhicheng.records.outcomes import last_year_fact
from zhicheng.results import services as results
from zhicheng.results.models import Certificate, ResultEntry
from zhicheng.round.year import year_settings

# Publicity from Thursday 2023-12-28: 12-28, 12-29, (New Year's Day off 12-30…2024-01-01), 01-02, 01-03, 01-04.
START, END = dt.date(2023, 12, 28), dt.date(2024, 1, 4)


@pytest.fixture
def voted(world: Any) -> dict[str, Any]:
    """Three candidates in one group, three experts; a1 best, a3 voted down; a pass rate of 2/3 keeps a1 and a2."""
    cases = accepted(world, [Spec("a1"), Spec("a2"), Spec("a3")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    cs = {u: Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2", "a3")}
    for (member, _), (u, c) in ((x, y) for x in experts for y in cs.items()):
        submit_score(member, c.pk, **sheet(defence={"a1": 25, "a2": 22, "a3": 19}[u]))
    row = year_settings(2023)
    row.pass_rates = {"default": 0.67}
    row.save()
    meeting_with(cases.office, [e for _, e in experts])
    for member, _ in experts:
        for u, c in cs.items():
            cast_ballot(member, 2023, c.pk, "against" if u == "a3" else "for")
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    return {"cases": cases, "experts": experts, "candidates": cs, "city_hr": city_hr}


def _close(voted: dict[str, Any]) -> None:
    close_meeting(voted["cases"].office, 2023)


def test_results_publicity_runs_5_working_days_across_new_year_R21(voted: dict[str, Any]) -> None:
    office = voted["cases"].office
    with pytest.raises(ActionRefused, match="表决结束后"):
        results.post_results(office, 2023, starts_on=START, today=START)
    _close(voted)
    with pytest.raises(ActionRefused, match="评委会办公室"):
        results.post_results(voted["city_hr"], 2023, starts_on=START, today=START)
    with pytest.raises(ActionRefused, match="不能早于评审会议"):
        results.post_results(office, 2023, starts_on=dt.date(2023, 11, 30), today=dt.date(2023, 11, 30))
    with pytest.raises(ActionRefused, match="不能早于今天"):  # no backdating: the public page shows it 5 days (R21)
        results.post_results(office, 2023, starts_on=START, today=START + dt.timedelta(days=1))
    publicity = results.post_results(office, 2023, starts_on=START, today=START)
    assert publicity.earliest_end == END
    names = list(publicity.entries.values_list("name", flat=True))
    assert names == ["申报人a1", "申报人a2"]  # a3 was voted down (R22)
    with pytest.raises(ActionRefused, match="已经公示"):
        results.post_results(office, 2023, starts_on=START, today=START)


def test_a_year_without_a_holiday_arrangement_blocks_the_publicity_R21(voted: dict[str, Any]) -> None:
    _close(voted)
    with pytest.raises(ActionRefused, match="2027年的节假日安排尚未录入"):
        results.post_results(voted["cases"].office, 2023, starts_on=dt.date(2027, 1, 4), today=START)


def test_objections_are_handled_before_the_bureau_confirms_and_the_outcomes_are_kept(voted: dict[str, Any]) -> None:
    office, city_hr = voted["cases"].office, voted["city_hr"]
    _close(voted)
    publicity = results.post_results(office, 2023, starts_on=START, today=START)
    a1, a2 = publicity.entries.order_by("number")
    with pytest.raises(ActionRefused, match="不在公示期内"):
        results.record_objection(office, a1.pk, content="论文涉嫌抄袭", received_on=END + dt.timedelta(days=1))
    objection = results.record_objection(office, a2.pk, content="业绩证明存疑", received_on=END, contact="匿名")
    with pytest.raises(ActionRefused, match="市人社局"):
        results.confirm_results(office, 2023, filing_document="忻人社备〔2024〕1号", today=END + dt.timedelta(days=1))
    with pytest.raises(ActionRefused, match="后方可确认"):
        results.confirm_results(city_hr, 2023, filing_document="忻人社备〔2024〕1号", today=END)
    with pytest.raises(ActionRefused, match="尚未处理"):
        results.confirm_results(city_hr, 2023, filing_document="忻人社备〔2024〕1号", today=END + dt.timedelta(days=1))
    results.handle_objection(office, objection.pk, upheld=True, handling="经核查，业绩证明系伪造")
    issued = results.confirm_results(
        city_hr, 2023, filing_document="忻人社备〔2024〕1号", today=END + dt.timedelta(days=1)
    )
    assert issued == 1
    by_user = voted["cases"].by_user
    states = {u: Application.objects.get(pk=a.pk).state for u, a in by_user.items()}
    assert states == {"a1": State.GRANTED, "a2": State.NOT_GRANTED, "a3": State.NOT_GRANTED}
    assert ResultEntry.objects.get(pk=a2.pk).status == ResultEntry.Status.CANCELLED
    # 7.2: the outcomes are the platform's record for 2024.
    outcomes = {o.name: o.outcome for o in EvaluationOutcome.objects.filter(year=2023)}
    assert outcomes == {"申报人a1": "passed", "申报人a2": "failed_committee", "申报人a3": "failed_committee"}
    digest = Profile.objects.get(user=by_user["a3"].applicant).id_number_digest
    assert last_year_fact(digest, 2024)["outcome"] == "failed_committee"  # type: ignore[index]
    with pytest.raises(ActionRefused, match="已确认备案"):
        results.confirm_results(city_hr, 2023, filing_document="x", today=END + dt.timedelta(days=2))


def _confirmed(voted: dict[str, Any]) -> Certificate:
    _close(voted)
    results.post_results(voted["cases"].office, 2023, starts_on=START, today=START)
    results.confirm_results(
        voted["city_hr"], 2023, filing_document="忻人社备〔2024〕1号", today=END + dt.timedelta(days=1)
    )
    return Certificate.objects.get(application=voted["cases"].by_user["a1"])


def test_a_certificate_is_verified_by_its_code_and_a_forged_one_is_not(voted: dict[str, Any]) -> None:
    cert = _confirmed(voted)
    assert len(cert.code) == results.CODE_LENGTH and cert.committee == "忻州市工程技术人员中级职称评审委员会"
    found = results.verify(cert.code.lower())
    assert found is not None and found["name"] == "申***1" and found["level"] == "engineer" and not found["revoked"]
    assert results.verify("ABCDEFGHJKMN") is None  # well formed, never issued
    assert results.verify("0000-1111") is None  # not even the alphabet
    public = Client()  # no sign-in
    page = public.get(f"/verify/{cert.code}/").content.decode()
    assert "证书有效" in page and "申***1" in page and "申报人a1" not in page and "土木工程" in page
    page = public.get("/verify/", {"code": "ABCDEFGHJKMN"}).content.decode()
    assert "查无此证书" in page and "可能是伪造" in page


def test_a_title_revoked_for_fraud_shows_as_revoked_8_2(voted: dict[str, Any]) -> None:
    cert = _confirmed(voted)
    office = voted["cases"].office
    integrity.record_finding(
        office,
        id_number=_id_number(cert),
        name="申报人a1",
        kind="false_materials",
        found_on=cert.issued_on,
        ban_years=3,
        title_revoked=True,
    )
    found = results.verify(cert.code)
    assert found is not None and found["revoked"]
    assert "该证书已撤销" in Client().get(f"/verify/{cert.code}/").content.decode()


def _id_number(cert: Certificate) -> str:
    from zhicheng.records import idnumbers

    profile = Profile.objects.get(user=cert.application.applicant)
    return idnumbers.decrypt(profile.id_number_cipher)


def test_the_certificate_pdf_is_for_its_holder_the_office_and_the_bureau(voted: dict[str, Any]) -> None:
    cert = _confirmed(voted)
    holder = Membership.objects.get(user=cert.application.applicant)
    other = Membership.objects.get(user=voted["cases"].by_user["a2"].applicant)
    for member, status in ((holder, 200), (voted["cases"].office, 200), (voted["city_hr"], 200), (other, 404)):
        client = Client()
        client.force_login(member.user)
        response = client.get(f"/certificates/{cert.pk}.pdf")
        assert response.status_code == status, member
        if status == 200:
            assert response.content.startswith(b"%PDF-")
    assert Client().get(f"/certificates/{cert.pk}.pdf").status_code == 302  # to the sign-in page


def test_the_public_results_page_shows_names_not_id_numbers(voted: dict[str, Any]) -> None:
    _close(voted)
    results.post_results(voted["cases"].office, 2023, starts_on=START, today=START)
    page = Client().get("/public/results/2023/").content.decode()
    assert "申报人a1" in page and "申报人a2" in page and "申报人a3" not in page
    assert "2023年12月28日至2024年1月4日" in page
    for app in voted["cases"].apps:
        assert _id_number_of(app) not in page
    assert Client().get("/public/results/2022/").status_code == 404


def _id_number_of(app: Application) -> str:
    from zhicheng.records import idnumbers

    return idnumbers.decrypt(Profile.objects.get(user=app.applicant).id_number_cipher)


def test_the_office_and_the_bureau_work_the_results_in_the_pages(voted: dict[str, Any], settings: Any) -> None:
    _close(voted)
    settings.ZHICHENG_TODAY = START.isoformat()  # a rehearsal date (zhicheng.round.clock): the day the office posts
    office = Client()
    office.force_login(voted["cases"].office.user)
    page = office.get("/results/").content.decode()
    assert "拟公示名单" in page and "申报人a1" in page
    office.post("/results/post/", {"starts_on": START.isoformat()})
    page = office.get("/results/").content.decode()
    assert "2024年1月4日期满" in page
    bureau = Client()
    bureau.force_login(voted["city_hr"].user)
    response = bureau.post("/results/confirm/", {"filing_document": "忻人社备〔2024〕1号"}, follow=True)
    assert "2024年1月4日后方可确认" in response.content.decode()
    settings.ZHICHENG_TODAY = "2024-01-05"  # the publicity has run its 5 working days
    response = bureau.post("/results/confirm/", {"filing_document": "忻人社备〔2024〕1号"}, follow=True)
    assert "发放证书2份" in response.content.decode()
    expert_client = Client()
    expert_client.force_login(voted["experts"][0][0].user)
    assert expert_client.get("/results/").status_code == 403


def test_mask_name() -> None:
    assert [results.mask_name(n) for n in ("张建国", "王丽", "欧阳小明", "李")] == ["张*国", "王*", "欧**明", "李"]


def test_a_case_received_after_the_vote_began_is_not_accepted_and_does_not_block(
    voted: dict[str, Any], world: Any
) -> None:
    """No accepted case may end as a failure it never had, nor block the year (issue 10, finding 2): a case received
    once the vote has begun cannot be accepted; the results are posted; the office takes it out of the round."""
    _close(voted)
    office = voted["cases"].office
    with pytest.raises(ActionRefused, match="评审会议已开始表决，不能再受理"):
        _accept_late(world, office)
    late = Application.objects.get(applicant__username="late")
    assert late.state == State.IN_BATCH
    results.post_results(office, 2023, starts_on=START, today=START)
    intake.defer(office, late.pk, reason="报送时本年度评审会议已开始表决")
    assert Application.objects.get(pk=late.pk).state == State.DEFERRED


def test_a_fraud_finding_for_the_year_cancels_the_grant_8_2(voted: dict[str, Any]) -> None:
    _close(voted)
    office = voted["cases"].office
    results.post_results(office, 2023, starts_on=START, today=START)
    a1 = voted["cases"].by_user["a1"]
    integrity.record_finding(
        office,
        id_number=_id_number_of(a1),
        name="申报人a1",
        kind="false_materials",
        found_on=dt.date(2024, 1, 2),
        ban_years=1,
        cancelled_year=2023,
    )
    issued = results.confirm_results(voted["city_hr"], 2023, filing_document="备", today=END + dt.timedelta(days=1))
    assert issued == 1 and Application.objects.get(pk=a1.pk).state == State.NOT_GRANTED


def _accept_late(world: Any, office: Membership) -> Application:
    """One more case, of 忻府区, accepted after the groups were built."""
    from tests.platform.conftest import through_employer
    from tests.platform.test_evaluation import IN_WINDOW, id_number
    from zhicheng.applications import services
    from zhicheng.intake import services as intake

    employer = world.employer("忻府区后受理测试公司", "忻府区")
    identity = {"name": "申报人late", "id_number": id_number(40)}
    applicant = world.applicant("late", employer, changes={"identity": identity})
    leader = world.person("late_leader", Role.EMPLOYER_LEADER, employer)
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through_employer(app, leader)
    iit = world.bureau("xf_iit", "忻府区", "iit")
    services.perform(world.bureau("xf_hr", "忻府区", "hr"), app.pk, "approve")
    services.perform(iit, app.pk, "approve")
    intake.submit_batch(iit, 2023, now=IN_WINDOW)
    intake.record_check(office, app.pk, originals=[k for k, _ in intake.required_originals(app)], notes="")
    intake.accept(office, app.pk, now=IN_WINDOW)
    return app
