"""The committee office: the receiving window (8.4), batches (6.1.3), the desk, and integrity records (8.2)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.platform.conftest import World, through_employer
from zhicheng.accounts.models import Organisation, SensitiveView
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.intake import services as intake
from zhicheng.intake.models import SubmissionBatch
from zhicheng.records import integrity
from zhicheng.records.facts import engine_facts, self_check
from zhicheng.records.models import Profile
from zhicheng.round.models import EvaluationYear, HolidayArrangement
from zhicheng.round.window import window_state

BJ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BJ)


IN_WINDOW = at(2023, 10, 16, 9, 0)


@pytest.mark.parametrize(
    ("moment", "is_open", "says"),
    [
        (at(2023, 10, 15, 23, 59), False, "尚未开始受理"),  # the day before (a Sunday)
        (at(2023, 10, 16, 0, 0), True, "受理中"),  # the first day
        (at(2023, 11, 10, 23, 59), True, "受理中"),  # the last day, one minute before midnight
        (at(2023, 11, 11, 0, 0), False, "受理已截止"),  # midnight: closed, "过期不予接收"
        (dt.datetime(2023, 11, 10, 16, 30, tzinfo=dt.UTC), False, "受理已截止"),  # 00:30 on the 11th in Beijing
        (at(2023, 10, 21, 10, 0), False, "下一个受理日为2023年10月23日"),  # a Saturday inside the window
    ],
)
def test_window_edges(db: Any, moment: dt.datetime, is_open: bool, says: str) -> None:
    state = window_state(2023, moment)
    assert state.open is is_open
    assert says in state.message


def test_a_year_without_a_calendar_blocks_the_window_until_it_is_entered(db: Any) -> None:
    EvaluationYear.objects.create(
        year=2027, pack="xinzhou-engineering-2024", window_start=dt.date(2027, 10, 18), window_end=dt.date(2027, 11, 12)
    )
    state = window_state(2027, at(2027, 10, 18, 9, 0))
    assert not state.open and "2027年的节假日安排尚未录入" in state.message
    HolidayArrangement.objects.create(day=dt.date(2027, 10, 1), kind="holiday", note="国庆节")
    assert window_state(2027, at(2027, 10, 18, 9, 0)).open
    assert not window_state(2027, at(2027, 10, 23, 9, 0)).open  # a Saturday


@pytest.fixture
def ready(county_case: dict[str, Any], submit: Any) -> dict[str, Any]:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    pk = county_case["application"].pk
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "approve")
    return county_case


@pytest.fixture
def office(world: World) -> Any:
    return world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))


def test_the_channel_submits_one_batch_inside_the_window(ready: dict[str, Any]) -> None:
    iit, pk = ready["iit"], ready["application"].pk
    with pytest.raises(ActionRefused, match="受理已截止"):
        intake.submit_batch(iit, 2023, now=at(2023, 11, 11, 9, 0))
    batch = intake.submit_batch(iit, 2023, now=IN_WINDOW)
    assert Application.objects.get(pk=pk).state == State.IN_BATCH and batch.applications.count() == 1
    with pytest.raises(ActionRefused, match="不能重复报送"):
        intake.submit_batch(iit, 2023, now=IN_WINDOW)
    assert SubmissionBatch.objects.count() == 1


def test_no_individual_or_employer_submits_to_the_committee(ready: dict[str, Any]) -> None:
    for who in ("applicant", "leader", "hr"):
        with pytest.raises(ActionRefused):
            intake.submit_batch(ready[who], 2023, now=IN_WINDOW)
    with pytest.raises(ActionRefused, match="受理环节"):
        services.perform(ready["iit"], ready["application"].pk, "submit_batch")


def test_the_desk_accepts_only_with_every_original_seen(ready: dict[str, Any], office: Any) -> None:
    pk = ready["application"].pk
    intake.submit_batch(ready["iit"], 2023, now=IN_WINDOW)
    app = Application.objects.get(pk=pk)
    checks = intake.desk_checks(app)
    assert any(c["clause"] == "3.9" for c in checks) and checks[-1]["ok"] and not checks[-1]["changed"]
    with pytest.raises(ActionRefused, match="尚未核验原件"):
        intake.accept(office, pk, now=IN_WINDOW)
    keys = [k for k, _ in intake.required_originals(app)]
    intake.record_check(office, pk, originals=keys, notes="原件与复印件一致")
    with pytest.raises(ActionRefused, match="公休日"):
        intake.accept(office, pk, now=at(2023, 10, 22, 10, 0))
    intake.accept(office, pk, now=IN_WINDOW)
    assert Application.objects.get(pk=pk).state == State.ACCEPTED
    with pytest.raises(ActionRefused, match="已被受理"):
        intake.accept(office, pk, now=IN_WINDOW)
    assert app.decisions.last().stage == "评委会受理"  # type: ignore[union-attr]


def test_returned_to_the_channel_and_resubmitted_inside_the_window(ready: dict[str, Any], office: Any) -> None:
    pk = ready["application"].pk
    intake.submit_batch(ready["iit"], 2023, now=IN_WINDOW)
    with pytest.raises(ActionRefused, match="退回理由"):
        intake.office_return(office, pk, reason=" ", now=IN_WINDOW)
    intake.office_return(office, pk, reason="鉴定意见未加盖公章", now=IN_WINDOW)
    assert Application.objects.get(pk=pk).state == State.OFFICE_RETURNED
    with pytest.raises(ActionRefused, match="受理已截止"):
        intake.resubmit_to_office(ready["iit"], pk, now=at(2023, 11, 13, 9, 0))
    intake.resubmit_to_office(ready["iit"], pk, now=at(2023, 10, 20, 9, 0))
    app = Application.objects.get(pk=pk)
    assert app.state == State.IN_BATCH
    actions = list(app.events.values_list("action", flat=True))
    assert actions[-3:] == ["submit_batch", "office_return", "resubmit_to_office"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (DATABASE_URL)")
def test_a_batch_submitted_twice_at_once_makes_one_record(world: World) -> None:
    from tests.platform.conftest import through_employer as through

    employer = world.employer("原平市并发测试公司")
    applicant = world.applicant("applicant", employer)
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    hr, iit = world.bureau("yp_hr", "原平市", "hr"), world.bureau("yp_iit", "原平市", "iit")
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through(app, leader)
    services.perform(hr, app.pk, "approve")
    services.perform(iit, app.pk, "approve")
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def race(fn: Any) -> None:
        barrier.wait()
        try:
            fn()
            results.append("ok")
        except ActionRefused as exc:
            results.append(exc.reasons[0])
        except Exception as exc:  # anything else is a failure the assertion shows
            results.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=race, args=(lambda: intake.submit_batch(iit, 2023, now=IN_WINDOW),)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and sorted(results)[0] == "ok" and "不能重复报送" in sorted(results)[1], results
    assert SubmissionBatch.objects.count() == 1

    keys = [k for k, _ in intake.required_originals(Application.objects.get(pk=app.pk))]
    intake.record_check(office, app.pk, originals=keys, notes="")
    results.clear()
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=race, args=(lambda: intake.accept(office, app.pk, now=IN_WINDOW),)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and sorted(results)[0] == "ok" and "已被受理" in sorted(results)[1], results
    assert Application.objects.get(pk=app.pk).events.filter(action="accept").count() == 1


def test_an_integrity_ban_stops_an_application(county_case: dict[str, Any], office: Any) -> None:
    """8.2, R20: the office records a finding; the ban, running on the reference date, blocks the application."""
    applicant, pk = county_case["applicant"], county_case["application"].pk
    with pytest.raises(ActionRefused, match="身份证号码无效"):
        integrity.record_finding(
            office,
            id_number="142201198805120315",
            name="张建国",
            kind="false_materials",
            found_on=dt.date(2023, 3, 1),
            ban_years=2,
        )
    with pytest.raises(ActionRefused, match="评委会办公室"):
        integrity.record_finding(
            county_case["hr"],
            id_number="142201198805120314",
            name="张建国",
            kind="false_materials",
            found_on=dt.date(2023, 3, 1),
            ban_years=2,
        )
    integrity.record_finding(
        office,
        id_number="142201198805120314",
        name="张建国",
        kind="plagiarism",
        found_on=dt.date(2023, 3, 1),
        ban_years=2,
        note="论文剽窃",
    )
    profile = Profile.objects.get(user=applicant.user)
    decision = self_check(profile)
    finding = next(f for f in decision.exclusions if f.condition == "no_integrity_ban")
    assert finding.status == "fail" and decision.levels["engineer"].outcome == "ineligible"
    services.applicant_pledge(applicant, pk)
    with pytest.raises(ActionRefused, match=r"8\.2"):
        services.perform(applicant, pk, "submit")
    # The applicant cannot declare the record away: the register is the source.
    services.save_profile(applicant.user, {**profile.facts, "integrity_records": []})
    assert engine_facts(Profile.objects.get(user=applicant.user)).integrity_records


def test_integrity_records_are_seen_by_the_office_and_the_city_hr_bureau_only(
    county_case: dict[str, Any], office: Any, world: World
) -> None:
    integrity.record_finding(
        office,
        id_number="142201198805120314",
        name="张建国",
        kind="false_materials",
        found_on=dt.date(2023, 3, 1),
        ban_years=1,
    )
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    assert integrity.visible_records(office).count() == 1
    assert integrity.visible_records(city_hr).count() == 1
    for who in ("applicant", "leader", "hr", "iit"):
        assert integrity.visible_records(county_case[who]).count() == 0
    integrity.log_view(city_hr, "list")
    assert SensitiveView.objects.filter(what="integrity", user=city_hr.user).count() == 1
