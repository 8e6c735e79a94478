"""Other ways to the committee (issue 4): entrusted evaluation (7.1), introduced talent's recognition (3.10), series
transfer (4), last year's outcome (7.2) from the platform's record and from the office's import, and the desk's
completeness list (8.4)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.platform.conftest import PDF, World, entrusted_through_city_hr, through_employer
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.intake import services as intake
from zhicheng.records.facts import engine_facts
from zhicheng.records.models import EvaluationOutcome, Profile
from zhicheng.records.outcomes import import_outcomes, last_year_fact, record_outcome

IN_WINDOW = dt.datetime(2023, 10, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def office(world: World) -> Membership:
    return world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))


@pytest.fixture
def city_hr(world: World) -> Membership:
    return world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))


def _through_county(world: World, app: Application, applicant: Membership, leader: Membership) -> None:
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through_employer(app, leader)
    for reviewer in (
        world.bureau("hr_" + str(app.pk), "原平市", "hr"),
        world.bureau("iit_" + str(app.pk), "原平市", "iit"),
    ):
        services.perform(reviewer, app.pk, "approve")


def _accept(office: Membership, pk: int) -> None:
    app = Application.objects.get(pk=pk)
    intake.record_check(office, pk, originals=[k for k, _ in intake.required_originals(app)], notes="")
    intake.accept(office, pk, now=IN_WINDOW)


# ── 7.1 entrusted evaluation ─────────────────────────────────────────────────────────────────────────────


def test_an_entrusted_case_arrives_through_the_city_hr_bureau_with_its_letter(
    world: World, city_hr: Membership, office: Membership
) -> None:
    """7.1: 委托代评者，须经其主管部门向市人社局委托，由市人社局函转市工程系列中级评委会办公室."""
    employer = world.employer("中铁测试局忻州工程有限公司", "忻州市", level="city")
    applicant = world.applicant("applicant", employer)
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area, entrusted=True
    )
    assert app.route == "entrusted"
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through_employer(app, leader)
    app.refresh_from_db()
    assert [s.role for s in app.steps.all()] == [Role.CITY_HR_OFFICER]
    with pytest.raises(ActionRefused, match="委托函"):
        services.perform(city_hr, app.pk, "approve")
    county = world.bureau("yp_hr", "原平市", "hr")
    letter = {
        "entrusting_department": "中国测试铁路工程集团有限公司",
        "letter_number": "中铁测人〔2023〕12号",
        "letter_date": dt.date(2023, 9, 28),
        "forwarding_number": "忻人社函〔2023〕88号",
        "forwarded_on": dt.date(2023, 10, 10),
    }
    with pytest.raises(ActionRefused, match="市人社局"):
        services.record_entrustment(county, app.pk, **letter)
    with pytest.raises(ActionRefused, match="不能早于"):
        services.record_entrustment(city_hr, app.pk, **{**letter, "forwarded_on": dt.date(2023, 9, 1)})
    entrustment = services.record_entrustment(city_hr, app.pk, **letter)
    services.perform(city_hr, app.pk, "approve", reason="同意函转")
    assert Application.objects.get(pk=app.pk).state == State.READY_FOR_COMMITTEE
    batch = intake.submit_batch(city_hr, 2023, now=IN_WINDOW, entrustment_id=entrustment.pk)
    assert batch.channel.kind == OrgKind.CITY_HR_BUREAU and batch.applications.count() == 1
    app.refresh_from_db()
    checks = {c["clause"]: c for c in intake.desk_checks(app)}
    assert checks["7.1"]["ok"] and "忻人社函〔2023〕88号" in checks["7.1"]["text"]
    actions = list(app.events.values_list("action", flat=True))
    assert "entrustment" in actions and actions[-1] == "submit_batch"


def test_an_entrusted_case_must_be_an_employee_of_an_employer(world: World) -> None:
    personnel = Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)
    freelancer = world.applicant("free", personnel, kind="freelancer")
    with pytest.raises(ActionRefused, match=r"7\.1"):
        services.create_application(
            freelancer,
            level="engineer",
            path="engineer_bachelor",
            employer=personnel,
            area=personnel.area,
            employment_kind="freelancer",
            personnel_agency=personnel,
            entrusted=True,
        )


# ── 3.10 introduced talent ───────────────────────────────────────────────────────────────────────────────


def test_an_introduced_talent_is_recognised_by_the_committee_on_the_record(world: World, office: Membership) -> None:
    """3.10: the employer sends the record through the usual channel; the committee reviews it and decides."""
    employer = world.employer("原平市引进人才测试公司")
    employment = {
        "kind": "employee",
        "sector": "state_owned_enterprise",
        "employer_name": employer.name,
        "employer_level": "county",
        "county": "原平市",
        "labour_contract": True,
        "in_post": True,
        "engineering_work": True,
        "civil_servant": False,
        "moved_from_government_organ": False,
        "first_application": True,
        "on_front_line": False,
        "introduced_talent": True,
    }
    identity = {"name": "郭浩然", "id_number": "140902200102200310"}
    applicant = world.applicant(
        "talent", employer, "08-bachelor-new-graduate", {"employment": employment, "identity": identity}
    )
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    app = services.create_application(
        applicant, level="engineer", path="engineer_introduced_talent", employer=employer, area=employer.area
    )
    _through_county(world, app, applicant, leader)
    assert app.decisions.first().path_outcome == "refer"  # type: ignore[union-attr]
    iit = Membership.objects.get(user__username=f"iit_{app.pk}")
    intake.submit_batch(iit, 2023, now=IN_WINDOW)
    app.refresh_from_db()
    checks = {c["clause"]: c for c in intake.desk_checks(app)}
    assert checks["3.10"]["flag"] and "引进人才职称认定" in checks["3.10"]["text"]
    with pytest.raises(ActionRefused, match="已受理"):
        intake.record_recognition(office, app.pk, recognised=True, reasons="成果突出", decided_on=dt.date(2023, 12, 1))
    _accept(office, app.pk)
    with pytest.raises(ActionRefused, match="评委会办公室"):
        intake.record_recognition(iit, app.pk, recognised=True, reasons="成果突出", decided_on=dt.date(2023, 12, 1))
    with pytest.raises(ActionRefused, match="评委会意见"):
        intake.record_recognition(office, app.pk, recognised=True, reasons=" ", decided_on=dt.date(2023, 12, 1))
    decision = intake.record_recognition(
        office,
        app.pk,
        recognised=True,
        reasons="专业工作经历和成果印证材料齐全，同意认定",
        decided_on=dt.date(2023, 12, 1),
    )
    app.refresh_from_db()
    assert decision.level == "engineer" and app.state == State.RECOGNITION_DECIDED
    assert app.events.last().action == "recognition"  # type: ignore[union-attr]
    with pytest.raises(ActionRefused):
        intake.record_recognition(office, app.pk, recognised=False, reasons="重复", decided_on=dt.date(2023, 12, 2))


def test_an_ordinary_case_is_not_decided_as_a_recognition(ready_case: dict[str, Any], office: Membership) -> None:
    pk = ready_case["application"].pk
    intake.submit_batch(ready_case["iit"], 2023, now=IN_WINDOW)
    _accept(office, pk)
    with pytest.raises(ActionRefused, match="答辩评审"):
        intake.record_recognition(office, pk, recognised=True, reasons="x", decided_on=dt.date(2023, 12, 1))


@pytest.fixture
def ready_case(county_case: dict[str, Any], submit: Any) -> dict[str, Any]:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    pk = county_case["application"].pk
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "approve")
    return county_case


# ── 4 series transfer ────────────────────────────────────────────────────────────────────────────────────


def test_a_series_transfer_is_marked_and_only_level_for_level(world: World) -> None:
    """4: 转系列只能平级转换，不能又转又晋升 — an economics assistant title does not transfer to engineer."""
    employer = world.employer("原平市转系列测试公司")
    applicant = world.applicant("transfer", employer, "11-series-transfer-economics")
    app = services.create_application(
        applicant, level="engineer", path="engineer_transfer", employer=employer, area=employer.area
    )
    from zhicheng.cases.kinds import case_kind

    assert case_kind(app) == "转系列评审"
    profile = Profile.objects.get(user=applicant.user)
    titles = [t for t in profile.facts["titles"] if t["level"] != "engineer"]
    services.save_profile(applicant.user, {**profile.facts, "titles": titles})
    services.applicant_pledge(applicant, app.pk)
    with pytest.raises(ActionRefused, match="平级转换"):
        services.perform(applicant, app.pk, "submit")


# ── 7.2 last year's outcome ──────────────────────────────────────────────────────────────────────────────


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号码", "评审年度", "申报层级", "评审结果", "申报日期"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_an_import_with_any_bad_row_writes_nothing_and_names_each_cell(office: Membership) -> None:
    data = _workbook(
        [
            ["张建国", "142201198805120314", 2022, "工程师", "答辩未通过", "2022-10-20"],
            ["李雪婷", "142201199605160421", 2022, "工程师", "评审通过", "2022-10-21"],  # wrong check digit
            ["王志刚", "142201198501010378", 2022, "高级工程师", "通过", ""],
            ["张建国", "142201198805120314", 2022, "工程师", "评审通过", "2022-10-20"],  # the same person twice
        ]
    )
    report = import_outcomes(office, data, current_year=2023)
    assert report.written == 0 and EvaluationOutcome.objects.count() == 0
    text = "\n".join(report.problems)
    assert "第3行B列（身份证号码）" in text
    assert "第4行D列（申报层级）" in text and "第4行E列（评审结果）" in text
    assert "第5行：与第2行重复" in text
    with pytest.raises(ActionRefused, match="评委会办公室"):
        import_outcomes(Membership(role=Role.CITY_HR_OFFICER), data, current_year=2023)


def test_a_good_import_is_written_whole_and_not_twice(office: Membership) -> None:
    data = _workbook(
        [
            ["张建国", "142201198805120314", 2022, "工程师", "答辩未通过", "2022-10-20"],
            ["马秀英", "142221197010100628", "2022年度", "工程师", "评委会综合评价未通过", dt.date(2022, 10, 21)],
        ]
    )
    report = import_outcomes(office, data, current_year=2023)
    assert report.written == 2 and not report.problems
    again = import_outcomes(office, data, current_year=2023)
    assert again.written == 0 and "已有记录" in again.problems[0] and EvaluationOutcome.objects.count() == 2


def test_last_years_failed_committee_from_the_record_overrides_the_applicants_word(
    county_case: dict[str, Any], office: Membership
) -> None:
    """7.2b, R19: 参加上年度评委会综合评价未通过者，若无较明显的专业工作业绩，本年度一般不予以接受再申报."""
    applicant, pk = county_case["applicant"], county_case["application"].pk
    profile = Profile.objects.get(user=applicant.user)
    services.save_profile(applicant.user, {**profile.facts, "last_year": {"applied": False}})
    import_outcomes(
        office,
        _workbook([["张建国", "142201198805120314", 2022, "工程师", "评委会综合评价未通过", "2022-10-20"]]),
        current_year=2023,
    )
    profile.refresh_from_db()
    assert last_year_fact(profile.id_number_digest, 2023) == {
        "applied": True,
        "level": "engineer",
        "outcome": "failed_committee",
        "applied_on": "2022-10-20",
    }
    facts = engine_facts(profile, 2023)
    assert facts.last_year is not None and facts.last_year.outcome == "failed_committee"
    services.applicant_pledge(applicant, pk)
    with pytest.raises(ActionRefused, match=r"7\.2|上年度"):
        services.perform(applicant, pk, "submit")
    # New achievements declared: the committee decides (refer); the case goes on and the desk flags it.
    services.save_profile(applicant.user, {**profile.facts, "last_year": {"applied": True, "new_achievements": True}})
    services.perform(applicant, pk, "submit")
    app = Application.objects.get(pk=pk)
    assert app.decisions.first().path_outcome == "refer"  # type: ignore[union-attr]
    through_employer(app, county_case["leader"])
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "approve")
    intake.submit_batch(county_case["iit"], 2023, now=IN_WINDOW)
    checks = [c for c in intake.desk_checks(Application.objects.get(pk=pk)) if c["clause"] == "7.2"]
    assert checks and checks[0]["flag"] and "平台记录：2022年度评委会综合评价未通过" in checks[0]["text"]


def test_the_platforms_own_outcome_is_kept_for_next_year(ready_case: dict[str, Any], office: Membership) -> None:
    app = ready_case["application"]
    record = record_outcome(office, Application.objects.get(pk=app.pk), "failed_defence")
    profile = Profile.objects.get(user=ready_case["applicant"].user)
    assert record.source == "platform" and last_year_fact(profile.id_number_digest, 2024) == {
        "applied": True,
        "level": "engineer",
        "outcome": "failed_defence",
        "applied_on": record.applied_on.isoformat(),  # type: ignore[union-attr]
    }
    assert last_year_fact(profile.id_number_digest, 2023) is None  # 2022 unknown to the platform: declared facts stand


# ── 8.4 completeness ─────────────────────────────────────────────────────────────────────────────────────


def test_the_desk_lists_missing_materials_until_they_are_uploaded(ready_case: dict[str, Any]) -> None:
    pk = ready_case["application"].pk
    intake.submit_batch(ready_case["iit"], 2023, now=IN_WINDOW)
    app = Application.objects.get(pk=pk)
    check = next(c for c in intake.desk_checks(app) if c["clause"] == "8.4")
    assert (
        not check["ok"] and "论文1" in check["text"] and "检索页" in check["text"] and "继续教育证明" in check["text"]
    )
    assert "公示照片" not in check["text"]  # the three photos were uploaded by the employer
    applicant = ready_case["applicant"]
    profile = Profile.objects.get(user=applicant.user)
    uploads = [
        ("paper", "papers[0]"),
        ("retrieval_page", "papers[0]"),
        ("assessment", ""),
        ("continuing_education", ""),
    ]
    uploads += [
        ("work_summary", ""),
        *(("achievement", f"achievements[{i}]") for i in range(len(profile.facts["achievements"]))),
    ]
    for kind, fact in uploads:
        services.add_evidence(applicant, SimpleUploadedFile("f.pdf", PDF), kind=kind, fact=fact)
    check = next(c for c in intake.desk_checks(app) if c["clause"] == "8.4")
    assert check["ok"], check["text"]


def test_the_city_hr_bureau_forwards_one_batch_per_entrustment_letter_7_1(world: World, city_hr: Membership) -> None:
    letters = entrusted_through_city_hr(world, city_hr, [("applicant", "申报人applicant"), ("second", "申报人second")])
    with pytest.raises(ActionRefused, match="委托评审函"):
        intake.submit_batch(city_hr, 2023, now=IN_WINDOW)
    first = intake.submit_batch(city_hr, 2023, now=IN_WINDOW, entrustment_id=letters[0].pk)
    second = intake.submit_batch(city_hr, 2023, now=IN_WINDOW, entrustment_id=letters[1].pk)
    assert first.applications.count() == 1 and second.applications.count() == 1
    with pytest.raises(ActionRefused, match="已报送过"):
        intake.submit_batch(city_hr, 2023, now=IN_WINDOW, entrustment_id=letters[0].pk)


def test_the_office_cannot_accept_a_case_the_engine_now_refuses_8_4(
    ready_case: dict[str, Any], office: Membership
) -> None:
    """不符合的当面退回: a ban recorded after the channel submitted makes the re-run ineligible (8.2)."""
    from zhicheng.records import integrity

    pk = ready_case["application"].pk
    intake.submit_batch(ready_case["iit"], 2023, now=IN_WINDOW)
    integrity.record_finding(
        office,
        id_number="142201198805120314",
        name="张建国",
        kind="false_materials",
        found_on=dt.date(2023, 3, 1),
        ban_years=2,
    )
    app = Application.objects.get(pk=pk)
    intake.record_check(office, pk, originals=[k for k, _ in intake.required_originals(app)], notes="")
    with pytest.raises(ActionRefused, match="当面退回"):
        intake.accept(office, pk, now=IN_WINDOW)
    check = next(c for c in intake.desk_checks(app) if c["clause"] == "R0")
    assert check["changed"] and "不符合条件" in check["text"]


def test_a_technician_is_determined_on_the_record_not_heard_in_a_group_3_2_1c(world: World, office: Membership) -> None:
    from zhicheng.evaluation.groups import build_groups
    from zhicheng.evaluation.models import Candidate

    employer = world.employer("原平市技术员测试公司")
    applicant = world.applicant(
        "tech",
        employer,
        "08-bachelor-new-graduate",
        {"identity": {"name": "郭浩然", "id_number": "140902200102200310"}},
    )
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    app = services.create_application(
        applicant, level="technician", path="technician_determination", employer=employer, area=employer.area
    )
    _through_county(world, app, applicant, leader)
    iit = Membership.objects.get(user__username=f"iit_{app.pk}")
    intake.submit_batch(iit, 2023, now=IN_WINDOW)
    _accept(office, app.pk)
    build_groups(office, 2023)
    assert not Candidate.objects.filter(application=app).exists()
    intake.record_recognition(
        office, app.pk, recognised=True, reasons="中专以上相关学历，确定为技术员", decided_on=dt.date(2023, 12, 1)
    )
    assert Application.objects.get(pk=app.pk).state == State.RECOGNITION_DECIDED
