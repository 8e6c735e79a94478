"""The year's results can always be finished (issue 10, finding 2): no case accepted once the meeting has opened, no
meeting opened with an accepted case in no group, and the office's recorded way to take a late case out of the year's
round (R21, R22, 6.1.3, 8.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.platform.test_evaluation import IN_WINDOW, Spec, accepted, expert, review_all, sheet
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.anonymity import redact_materials
from zhicheng.evaluation.assignment import apply_assignment
from zhicheng.evaluation.groups import build_groups
from zhicheng.evaluation.meeting import cast_ballot, close_meeting, open_meeting, prepare_meeting, record_attendance
from zhicheng.evaluation.models import Candidate, Group, Meeting
from zhicheng.evaluation.scoring import submit_score
from zhicheng.intake import services as intake
from zhicheng.results import services as results
from zhicheng.results.models import ResultsPublicity

START = dt.date(2023, 12, 28)
AFTER = dt.date(2024, 1, 15)


@pytest.fixture
def year(world: Any) -> dict[str, Any]:
    return year_of(world)


def year_of(world: Any) -> dict[str, Any]:
    """Two cases accepted, a third received in the same batch and not yet accepted; three experts; the city HR bureau."""
    cases = accepted(world, [Spec("a1"), Spec("a2"), Spec("late")], hold=frozenset({"late"}))
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    iit = Membership.objects.get(user__username="yp_iit")
    return {"cases": cases, "experts": experts, "city_hr": city_hr, "iit": iit, "late": cases.by_user["late"]}


class Office:
    """The office's (and the channel's, experts' and bureau's) steps of the year, each as a clerk would take it."""

    def __init__(self, y: dict[str, Any]) -> None:
        self.y = y
        self.office: Membership = y["cases"].office

    def accept_late(self) -> None:
        late = self.y["late"]
        keys = [k for k, _ in intake.required_originals(late)]
        intake.record_check(self.office, late.pk, originals=keys, notes="")
        intake.accept(self.office, late.pk, now=IN_WINDOW)

    def return_late(self) -> None:
        intake.office_return(self.office, self.y["late"].pk, reason="材料不全")

    def resubmit_late(self) -> None:
        intake.resubmit_to_office(self.y["iit"], self.y["late"].pk, now=IN_WINDOW)

    def build(self) -> None:
        build_groups(self.office, 2023)
        review_all(self.office)

    def assign(self) -> None:
        plan = {g.pk: [e.pk for _, e in self.y["experts"]] for g in Group.objects.filter(year=2023)}
        apply_assignment(self.office, 2023, plan)

    def prepare(self) -> None:
        prepare_meeting(self.office, 2023, dt.date(2023, 12, 1))
        record_attendance(self.office, 2023, [e.pk for _, e in self.y["experts"]])

    def open(self) -> None:
        open_meeting(self.office, 2023)

    def score(self) -> None:
        for member, _ in self.y["experts"]:
            for c in Candidate.objects.filter(year=2023):
                attempt(lambda m=member, c=c: submit_score(m, c.pk, **sheet()))

    def vote(self) -> None:
        for member, _ in self.y["experts"]:
            for c in Candidate.objects.filter(year=2023):
                attempt(lambda m=member, c=c: cast_ballot(m, 2023, c.pk, "for"))

    def close(self) -> None:
        close_meeting(self.office, 2023)

    def defer_stuck(self) -> None:
        stuck = [State.IN_BATCH, State.OFFICE_RETURNED, State.ACCEPTED]
        for app in Application.objects.filter(year=2023, state__in=stuck):
            if intake.defer_refusal(app) is None:
                intake.defer(self.office, app.pk, reason="受理时本年度评审会议已开始，无法参加本年度评审")

    def post(self) -> None:
        results.post_results(self.office, 2023, starts_on=START, today=START)

    def confirm(self) -> None:
        results.confirm_results(self.y["city_hr"], 2023, filing_document="忻人社函〔2024〕1号", today=AFTER)


STEPS = [name for name in vars(Office) if not name.startswith("_")]


def attempt(step: Any) -> bool:
    """A refused step changes nothing: its savepoint is rolled back and the year goes on."""
    try:
        with transaction.atomic():
            step()
    except ActionRefused:
        return False
    return True


def finish(office: Office) -> None:
    """From wherever the year stands, the office's own steps (in the UI's order) reach the city HR bureau's
    confirmation: a case that can no longer join the meeting is taken out of the year's round."""
    for _ in range(3):
        if Meeting.objects.filter(year=2023).exclude(status=Meeting.Status.PREPARING).exists():
            office.defer_stuck()
        for name in ("accept_late", "build", "assign", "prepare", "score", "open", "vote", "close"):
            attempt(getattr(office, name))
        office.defer_stuck()
        attempt(office.post)
        if attempt(office.confirm):
            return


def test_the_probe_a_case_accepted_after_the_vote_blocked_the_year(year: dict[str, Any]) -> None:
    """Finding 2 as the probe found it: returned, then resubmitted after the meeting closed and accepted — posting
    and regrouping were both refused. Now the office cannot accept it and takes it out of the round instead."""
    office = Office(year)
    office.return_late()
    for step in ("build", "assign", "prepare", "score", "open", "vote", "close"):
        getattr(office, step)()
    office.resubmit_late()
    with pytest.raises(ActionRefused, match="评审会议已开始表决，不能再受理"):
        office.accept_late()
    late = year["late"]
    with pytest.raises(ActionRefused, match="理由"):
        intake.defer(office.office, late.pk, reason="  ")
    with pytest.raises(ActionRefused, match="评委会办公室"):
        intake.defer(year["iit"], late.pk, reason="过迟")
    intake.defer(office.office, late.pk, reason="受理时本年度评审会议已结束，请于下一年度重新申报")
    late.refresh_from_db()
    assert late.state == State.DEFERRED
    event = late.events.get(action="defer")
    assert event.from_state == State.IN_BATCH and "下一年度" in event.reason
    office.post()
    office.confirm()
    publicity = ResultsPublicity.objects.get(year=2023)
    assert publicity.confirmed_at is not None
    late.refresh_from_db()
    assert late.state == State.DEFERRED  # not failed: it was never evaluated (7.2 does not bind it)
    # The applicant reads why, on the case's own page.
    client = Client()
    client.force_login(late.applicant)
    page = client.get(f"/applications/{late.pk}/").content.decode()
    assert "移出2023年度评审" in page and "请于下一年度重新申报" in page


def test_the_meeting_does_not_open_with_an_accepted_case_in_no_group_R22(year: dict[str, Any]) -> None:
    office = Office(year)
    office.build()
    office.assign()
    office.prepare()
    office.accept_late()  # accepted after the groups were built: in no group
    client = Client()
    client.force_login(office.office.user)
    warning = client.get("/evaluation/").content.decode()
    assert 'data-testid="not-grouped"' in warning and f"#{year['late'].pk}" in warning
    with pytest.raises(ActionRefused, match=r"尚未编入答辩组：.*late"):
        office.open()
    office.build()  # the office builds again: the late case joins its group
    office.assign()
    office.score()
    office.open()
    assert Candidate.objects.filter(application=year["late"]).exists()


def test_the_vote_does_not_begin_on_materials_experts_could_not_read_R18(year: dict[str, Any]) -> None:
    office = Office(year)
    build_groups(office.office, 2023)  # built, not yet read by the office
    office.assign()
    office.prepare()
    with pytest.raises(ActionRefused, match="匿名材料尚未审核"):
        office.open()
    review_all(office.office)
    # A text saved again as the browser sends it (lines ending \r\n) is not an edit: the mark stays.
    c = Candidate.objects.filter(year=2023).first()
    assert c is not None
    redact_materials(
        office.office,
        c.pk,
        summary_text=c.summary_text.replace("\n", "\r\n"),
        defence_text=c.defence_text.replace("\n", "\r\n"),
    )
    c.refresh_from_db()
    assert c.reviewed
    office.score()
    office.open()


def test_a_case_in_a_group_is_not_taken_out(year: dict[str, Any]) -> None:
    office = Office(year)
    with pytest.raises(ActionRefused, match="退回报送单位"):
        intake.defer(office.office, year["late"].pk, reason="x")  # before the vote: return it, or accept it
    office.build()
    office.assign()
    office.prepare()
    office.score()
    office.open()
    a1 = year["cases"].by_user["a1"]
    with pytest.raises(ActionRefused, match="已编入答辩组"):
        intake.defer(office.office, a1.pk, reason="x")
    assert intake.defer_refusal(Application.objects.get(pk=a1.pk)) is not None


def test_the_desk_offers_the_step_and_asks_first(year: dict[str, Any]) -> None:
    office = Office(year)
    office.build()
    office.assign()
    office.prepare()
    office.score()
    office.open()
    client = Client()
    client.force_login(year["cases"].office.user)
    page = client.get(f"/office/applications/{year['late'].pk}/").content.decode()
    assert "已开始表决，不能再受理" in page and 'data-action="accept"' not in page
    assert "移出本年度评审" in page and 'data-confirm="确定将该申报移出本年度评审' in page
    r = client.post(f"/office/applications/{year['late'].pk}/defer/", {"reason": "报送过迟"}, follow=True)
    assert "已移出本年度评审" in r.content.decode()
    assert Application.objects.get(pk=year["late"].pk).state == State.DEFERRED


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(STEPS), max_size=14))
def test_any_order_of_the_offices_steps_can_still_reach_confirmation(year: dict[str, Any], steps: list[str]) -> None:
    """Property (issue 10): whatever the office did first, in whatever order, the year can still be finished."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            office = Office(year)
            for name in steps:
                attempt(getattr(office, name))
            finish(office)
            publicity = ResultsPublicity.objects.filter(year=2023).first()
            assert publicity is not None and publicity.confirmed_at is not None, steps
            stuck = [State.IN_BATCH, State.OFFICE_RETURNED, State.ACCEPTED]
            left = Application.objects.filter(year=2023, state__in=stuck).count()
            assert left == 0, steps
            raise Rollback
    except Rollback:
        pass
