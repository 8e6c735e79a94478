"""The way through (6.1): services, guards, events, decisions, the return loops and the publicity periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from tests.platform.conftest import LATER, PNG, through_employer
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from zhicheng.applications.models import ReviewStep
from zhicheng.cases.models import ApplicationEvent, DecisionSnapshot, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.cases.workflow import TRANSITIONS, mermaid


def _reload(case: dict[str, Any]) -> Any:
    case["application"].refresh_from_db()
    return case["application"]


def test_county_route_from_draft_to_ready(county_case: dict[str, Any], submit: Any) -> None:
    """6.1.3(1): a county employer's case goes to the county HR bureau, then the county IIT bureau."""
    submit(county_case)
    assert _reload(county_case).state == State.EMPLOYER_REVIEW
    through_employer(county_case["application"], county_case["leader"])
    app = _reload(county_case)
    assert app.state == State.CHAIN_REVIEW and app.step == 0
    steps = list(ReviewStep.objects.filter(application=app).values_list("organisation__name", "role"))
    assert steps == [
        ("原平市人力资源和社会保障局", Role.COUNTY_HR_REVIEWER),
        ("原平市工业和信息化局", Role.COUNTY_IIT_REVIEWER),
    ]
    services.perform(county_case["hr"], app.pk, "approve", reason="同意")
    assert _reload(county_case).step == 1
    services.perform(county_case["iit"], app.pk, "approve", reason="同意报送")
    app = _reload(county_case)
    assert app.state == State.READY_FOR_COMMITTEE
    # Every change is an event; the decision is stored at submission, the employer's approval and each step.
    actions = list(ApplicationEvent.objects.filter(application=app).values_list("action", flat=True))
    assert actions[:2] == ["create", "applicant_pledge"] and actions[-3:] == ["approve", "approve", "approve"]
    stages = list(DecisionSnapshot.objects.filter(application=app).values_list("stage", "outcome", "pack"))
    assert [s[0] for s in stages] == ["提交用人单位", "用人单位推荐", "审核环节1通过", "审核环节2通过"]
    assert all(s[1] == "eligible" and s[2] == "xinzhou-engineering-2023" for s in stages)


def test_submit_needs_the_applicants_pledge(county_case: dict[str, Any]) -> None:
    with pytest.raises(ActionRefused, match="承诺"):
        services.perform(county_case["applicant"], county_case["application"].pk, "submit")
    assert _reload(county_case).state == State.DRAFT


def test_submit_refused_when_the_path_is_not_met(world: Any) -> None:
    employer = world.employer("原平市另一工程公司")
    applicant = world.applicant("late", employer, changes={})
    app = services.create_application(
        applicant, level="engineer", path="engineer_college", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    with pytest.raises(ActionRefused) as info:
        services.perform(applicant, app.pk, "submit")
    assert "按所选路径不符合申报条件" in info.value.reasons[0] and "3.3.1d" in info.value.reasons[0]


def test_one_active_application_per_person_per_year(county_case: dict[str, Any]) -> None:
    a = county_case["applicant"]
    with pytest.raises(ActionRefused, match="已有一份有效申报"):
        services.create_application(
            a,
            level="technician",
            path="technician_determination",
            employer=county_case["employer"],
            area=county_case["employer"].area,
        )
    services.perform(a, county_case["application"].pk, "withdraw")
    again = services.create_application(
        a,
        level="engineer",
        path="engineer_bachelor",
        employer=county_case["employer"],
        area=county_case["employer"].area,
    )
    assert again.state == State.DRAFT


def test_employer_cannot_recommend_before_everything_is_done(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    with pytest.raises(ActionRefused) as info:
        services.perform(county_case["leader"], county_case["application"].pk, "approve", today=LATER)
    text = "；".join(info.value.reasons)
    assert "民主评议" in text and "评审条件程序公示" in text and "鉴定意见" in text and "双承诺" in text


def _first_two_publicities(case: dict[str, Any], start: dt.date = dt.date(2023, 10, 9)) -> None:
    for kind in ("conditions", "materials"):
        services.post_publicity(case["leader"], case["application"].pk, kind=kind, starts_on=start, explanation="公示")


def test_only_the_leader_recommends_and_confirms(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    with pytest.raises(ActionRefused):
        services.perform(county_case["clerk"], county_case["application"].pk, "approve", today=LATER)
    _first_two_publicities(county_case)
    services.record_appraisal(
        county_case["clerk"],
        county_case["application"].pk,
        ethics="良好",
        clauses=["3.4.1", "3.5.1.1"],
        peer_review_followed=True,
        today=LATER,
    )
    with pytest.raises(ActionRefused, match="单位负责人"):
        services.confirm_appraisal(county_case["clerk"], county_case["application"].pk)


def test_appraisal_names_only_clauses_of_its_level(county_case: dict[str, Any], submit: Any) -> None:
    """6.1.2b: the clauses of 3.4 and 3.5 the applicant meets — for engineer, 3.4.1 and 3.5.1 (1)–(16)."""
    submit(county_case)
    _first_two_publicities(county_case)
    for wrong in (["3.6.1.1"], ["3.4.2", "3.5.2.1"], ["3.5a"]):
        with pytest.raises(ActionRefused, match="本层级的工作能力"):
            services.record_appraisal(
                county_case["leader"],
                county_case["application"].pk,
                ethics="良好",
                clauses=wrong,
                peer_review_followed=True,
                today=LATER,
            )


def test_the_appraisal_waits_for_the_first_two_publicities(county_case: dict[str, Any], submit: Any) -> None:
    """8.1: 公示无异议的方可出具鉴定意见; the appraisal's own publicity starts after the materials publicity ended."""
    submit(county_case)
    pk, leader = county_case["application"].pk, county_case["leader"]
    _first_two_publicities(county_case)  # 10-09 … 10-13
    with pytest.raises(ActionRefused, match="期满且无异议后"):
        services.record_appraisal(
            leader,
            pk,
            ethics="良好",
            clauses=["3.4.1", "3.5.1.1"],
            peer_review_followed=True,
            today=dt.date(2023, 10, 13),
        )
    services.record_appraisal(
        leader, pk, ethics="良好", clauses=["3.4.1", "3.5.1.1"], peer_review_followed=True, today=dt.date(2023, 10, 16)
    )
    with pytest.raises(ActionRefused, match="负责人确认后"):
        services.post_publicity(leader, pk, kind="appraisal", starts_on=dt.date(2023, 10, 16), explanation="公示")
    services.confirm_appraisal(leader, pk)
    with pytest.raises(ActionRefused, match="期满之后"):
        services.post_publicity(leader, pk, kind="appraisal", starts_on=dt.date(2023, 10, 13), explanation="公示")
    with pytest.raises(ActionRefused, match="不能早于本年度通知印发日期"):
        services.post_publicity(leader, pk, kind="conditions", starts_on=dt.date(2023, 9, 26), explanation="公示")


def test_publicity_across_national_day_2023(county_case: dict[str, Any], submit: Any) -> None:
    """8.1, R21: 5 working days from Thursday 2023-09-28 end on 2023-10-10 (9-29 to 10-6 off, 10-7/8 worked)."""
    submit(county_case)
    pk, leader = county_case["application"].pk, county_case["leader"]
    through = dt.date(2023, 9, 28)
    services.record_peer_review(
        leader,
        pk,
        held_on=through,
        opinion="同意",
        members=[{"name": "甲", "kind": k} for k in ("masses", "peers", "leaders", "research")],
    )
    for kind in ("conditions", "materials"):
        pub = services.post_publicity(leader, pk, kind=kind, starts_on=through, explanation="公示")
        assert pub.earliest_end == dt.date(2023, 10, 10)
        services.add_evidence(
            leader,
            SimpleUploadedFile("p.png", PNG),
            kind="publicity_photo",
            fact=f"publicity:{kind}",
            application_id=pk,
        )
    with pytest.raises(ActionRefused, match="期满且无异议后"):
        services.record_appraisal(
            leader,
            pk,
            ethics="良好",
            clauses=["3.4.1", "3.5.1.1"],
            peer_review_followed=True,
            today=dt.date(2023, 10, 10),
        )
    services.record_appraisal(
        leader, pk, ethics="良好", clauses=["3.4.1", "3.5.1.1"], peer_review_followed=True, today=dt.date(2023, 10, 11)
    )
    services.confirm_appraisal(leader, pk)
    pub = services.post_publicity(leader, pk, kind="appraisal", starts_on=dt.date(2023, 10, 11), explanation="公示")
    assert pub.earliest_end == dt.date(2023, 10, 17)
    services.add_evidence(
        leader, SimpleUploadedFile("p.png", PNG), kind="publicity_photo", fact="publicity:appraisal", application_id=pk
    )
    services.employer_pledge(leader, pk)
    with pytest.raises(ActionRefused, match="2023年10月17日后"):
        services.perform(leader, pk, "approve", today=dt.date(2023, 10, 17))
    services.perform(leader, pk, "approve", today=dt.date(2023, 10, 18))
    assert _reload(county_case).state == State.CHAIN_REVIEW


def test_publicity_in_a_year_without_a_calendar_is_refused(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    with pytest.raises(ActionRefused, match="2099年的节假日安排尚未录入"):
        services.post_publicity(
            county_case["leader"],
            county_case["application"].pk,
            kind="conditions",
            starts_on=dt.date(2099, 3, 2),
            explanation="公示",
        )


def test_unresolved_objection_blocks_the_recommendation(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    pk, leader = county_case["application"].pk, county_case["leader"]
    services.post_publicity(leader, pk, kind="conditions", starts_on=dt.date(2023, 10, 9), explanation="公示")
    services.record_objection(leader, pk, kind="conditions", objections="有人反映论文非本人撰写", resolved=False)
    with pytest.raises(ActionRefused, match="有异议尚未处理"):
        services.perform(leader, pk, "approve", today=LATER)


def test_employer_returns_to_the_applicant_and_gets_it_back(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    pk = county_case["application"].pk
    with pytest.raises(ActionRefused, match="理由"):
        services.perform(county_case["clerk"], pk, "return")
    services.perform(county_case["clerk"], pk, "return", reason="论文检索页缺失")
    app = _reload(county_case)
    assert app.state == State.RETURNED and app.returned_to == "applicant"
    with pytest.raises(ActionRefused, match="应由申报人处理"):
        services.perform(county_case["clerk"], pk, "resubmit")
    services.perform(county_case["applicant"], pk, "resubmit")
    assert _reload(county_case).state == State.EMPLOYER_REVIEW


def test_a_review_step_returns_to_the_employer_and_the_case_comes_back_to_that_step(
    county_case: dict[str, Any], submit: Any
) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    pk = county_case["application"].pk
    services.perform(county_case["hr"], pk, "approve")
    services.perform(county_case["iit"], pk, "return", reason="鉴定意见未盖章", to="employer")
    app = _reload(county_case)
    assert app.state == State.RETURNED and app.returned_to == "employer" and app.returned_from_step == 1
    with pytest.raises(ActionRefused):
        services.perform(county_case["applicant"], pk, "resubmit")
    services.perform(county_case["clerk"], pk, "resubmit")
    app = _reload(county_case)
    assert app.state == State.CHAIN_REVIEW and app.step == 1  # back to the IIT bureau, not the start
    services.perform(county_case["iit"], pk, "approve")
    assert _reload(county_case).state == State.READY_FOR_COMMITTEE


def test_a_reviewer_rejects_with_reasons(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    pk = county_case["application"].pk
    with pytest.raises(ActionRefused, match="理由"):
        services.perform(county_case["hr"], pk, "reject")
    services.perform(county_case["hr"], pk, "reject", reason="不符合申报条件")
    assert _reload(county_case).state == State.REJECTED
    event = ApplicationEvent.objects.filter(application_id=pk).last()
    assert event is not None and event.reason == "不符合申报条件" and event.role == Role.COUNTY_HR_REVIEWER


def test_a_later_step_cannot_act_before_its_turn(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    with pytest.raises(ActionRefused):
        services.perform(county_case["iit"], county_case["application"].pk, "approve")


def test_events_are_never_edited_or_deleted(county_case: dict[str, Any]) -> None:
    event = ApplicationEvent.objects.filter(application=county_case["application"]).first()
    assert event is not None
    event.reason = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_the_active_application_constraint_holds_in_the_database(county_case: dict[str, Any]) -> None:
    from zhicheng.cases.models import Application

    app = county_case["application"]
    with pytest.raises(IntegrityError):
        Application.objects.create(
            applicant=app.applicant,
            year=app.year,
            level="technician",
            specialty_category=1,
            specialty_name="土木工程",
            path="technician_determination",
            employer=app.employer,
            area=app.area,
        )


def test_the_workflow_table_draws_the_diagram() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    for t in TRANSITIONS:
        assert t.label in text


def test_the_docs_show_the_table_and_diagram_drawn_from_it() -> None:
    """docs/platform.md's workflow is generated: `python manage.py workflow_doc` after changing the table."""
    from pathlib import Path

    from django.conf import settings

    from zhicheng.cases.management.commands.workflow_doc import updated

    doc = Path(settings.PROJECT_DIR) / "docs" / "platform.md"
    text = doc.read_text(encoding="utf-8")
    assert text == updated(text)
