"""R27 after the posting: an objection upheld because the vote on a candidate was flawed voids that vote; the
candidate is voted on again at a later sitting of the same meeting, by the experts then present, and a name passed
within the cap returns to the publicity with a period of its own (补充公示) before the city HR bureau confirms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.platform.test_results import END, START, voted  # noqa: F401 (the fixture)
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.meeting import (
    cast_ballot,
    close_meeting,
    open_meeting,
    record_attendance,
    sit_again,
    tally,
    vote_not_held,
    voting_candidates,
)
from zhicheng.evaluation.models import Ballot, BallotCast, Candidate, EvaluationEvent, Meeting
from zhicheng.records.models import EvaluationOutcome
from zhicheng.results import services as results
from zhicheng.results.models import Objection, ResultEntry

DOC = "忻人社备〔2024〕1号"
SITTING = dt.date(2024, 1, 2)  # the later sitting, after the first (2023-12-01) and within the publicity
# The supplementary publicity from Wednesday 2024-01-03: 01-03, 04, 05, (weekend), 08, 09.
RE_START, RE_END = dt.date(2024, 1, 3), dt.date(2024, 1, 9)


def public_page() -> str:
    response = Client().get("/public/results/2023/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "申报人a1" in page
    return page


def _posted(voted: dict[str, Any]) -> tuple[ResultEntry, ResultEntry]:  # noqa: F811
    close_meeting(voted["cases"].office, 2023)
    publicity = results.post_results(voted["cases"].office, 2023, starts_on=START, today=START)
    a1, a2 = publicity.entries.order_by("number")
    return a1, a2


def _revote_upheld(voted: dict[str, Any], entry: ResultEntry) -> Objection:  # noqa: F811
    office = voted["cases"].office
    objection = results.record_objection(office, entry.pk, content="评委e1与其同一单位，应回避未回避", received_on=END)
    return results.handle_objection(
        office, objection.pk, upheld=True, handling="经核查属实，表决作废", finding=Objection.Finding.REVOTE
    )


def _sit_again(voted: dict[str, Any]) -> None:  # noqa: F811
    office, experts = voted["cases"].office, voted["experts"]
    sit_again(office, 2023, SITTING)
    record_attendance(office, 2023, [e.pk for _, e in experts])
    open_meeting(office, 2023)


def test_R27_an_objection_upheld_on_the_vote_sends_the_name_to_a_later_sitting_and_a_publicity_of_its_own(
    voted: dict[str, Any],  # noqa: F811
) -> None:
    office, city_hr, experts = voted["cases"].office, voted["city_hr"], voted["experts"]
    a2c = voted["candidates"]["a2"]
    _a1, a2 = _posted(voted)
    meeting = Meeting.objects.get(year=2023)
    with pytest.raises(ActionRefused, match="没有因公示异议成立而表决作废"):
        sit_again(office, 2023, SITTING)  # nothing voided: the posted results close the record (R21)
    objection = _revote_upheld(voted, a2)
    assert objection.finding == Objection.Finding.REVOTE
    # The ballots are kept, flagged, out of every count; the result is cleared.
    assert BallotCast.objects.filter(candidate=a2c, void=True).count() == 3
    assert Ballot.objects.filter(candidate=a2c, void=True).count() == 3
    assert not BallotCast.objects.filter(candidate=a2c, void=False).exists()
    a2c.refresh_from_db()
    assert (a2c.passed_vote, a2c.votes_for, a2c.within_cap, a2c.rank_in_group) == (None, None, None, None)
    assert [c.code for c in vote_not_held(2023, meeting)] == [a2c.code]
    assert EvaluationEvent.objects.filter(action="void_vote", candidate=a2c).exists()
    a2.refresh_from_db()
    assert a2.status == ResultEntry.Status.REVOTE
    assert "申报人a2" not in public_page()  # off the public list while pending
    with pytest.raises(ActionRefused, match=r"须重新表决.*申报人a2"):
        results.confirm_results(city_hr, 2023, filing_document=DOC, today=END + dt.timedelta(days=1))
    with pytest.raises(ActionRefused, match="没有已重新表决"):
        results.post_revote(office, 2023, starts_on=RE_START, today=RE_START)

    # The later sitting: the same experts vote again on a2 only, once each.
    _sit_again(voted)
    meeting.refresh_from_db()
    assert [c.code for c in voting_candidates(experts[0][1], meeting)] == [a2c.code]
    cast_ballot(experts[0][0], 2023, a2c.pk, "for")
    with pytest.raises(ActionRefused, match="不能重复投票"):
        cast_ballot(experts[0][0], 2023, a2c.pk, "against")
    with pytest.raises(ActionRefused, match="前次会上表决"):
        cast_ballot(experts[0][0], 2023, voted["candidates"]["a1"].pk, "for")
    cast_ballot(experts[1][0], 2023, a2c.pk, "for")
    cast_ballot(experts[2][0], 2023, a2c.pk, "against")
    close_meeting(office, 2023)
    meeting.refresh_from_db()
    counted = {t.candidate.code: t for t in tally(meeting)}[a2c.code]
    assert (counted.votes_for, counted.against, counted.cast) == (2, 1, 3)  # the new ballots only, not 3 + 3
    a2c.refresh_from_db()
    assert (a2c.passed_vote, a2c.within_cap, a2c.votes_for, a2c.eligible_voters) == (True, True, 2, 3)
    assert vote_not_held(2023, meeting) == []

    # Re-posted with its own period, the year's length in working days.
    assert results.post_revote(office, 2023, starts_on=RE_START, today=RE_START) == 1
    a2.refresh_from_db()
    assert (a2.status, a2.posted_on, a2.earliest_end) == (ResultEntry.Status.PUBLICISED, RE_START, RE_END)
    public = public_page()
    assert "申报人a2" in public and "补充公示：2024年1月3日至2024年1月9日" in public
    # An objection to it is received within its own period, not the publicity's.
    late = results.record_objection(office, a2.pk, content="再次反映", received_on=RE_END)
    results.handle_objection(office, late.pk, upheld=False, handling="经核查不属实")
    with pytest.raises(ActionRefused, match=r"补充公示期未满.*申报人a2（2024年1月9日期满）"):
        results.confirm_results(city_hr, 2023, filing_document=DOC, today=RE_END)
    assert results.confirm_results(city_hr, 2023, filing_document=DOC, today=RE_END + dt.timedelta(days=1)) == 2
    by_user = voted["cases"].by_user
    assert Application.objects.get(pk=by_user["a2"].pk).state == State.GRANTED
    with pytest.raises(ActionRefused, match="没有因公示异议成立而表决作废"):
        sit_again(office, 2023, dt.date(2024, 2, 1))  # after the confirmation


def test_R27_a_re_vote_not_passed_stays_off_and_ends_not_granted(voted: dict[str, Any]) -> None:  # noqa: F811
    office, experts = voted["cases"].office, voted["experts"]
    a2c = voted["candidates"]["a2"]
    _a1, a2 = _posted(voted)
    _revote_upheld(voted, a2)
    _sit_again(voted)
    for member, _ in experts:
        cast_ballot(member, 2023, a2c.pk, "against")
    close_meeting(office, 2023)
    assert results.post_revote(office, 2023, starts_on=RE_START, today=RE_START) == 0
    a2.refresh_from_db()
    assert a2.status == ResultEntry.Status.REVOTE_FAILED
    assert "申报人a2" not in public_page()
    # Nothing re-posted runs a period of its own: the publicity's end is the only one.
    assert results.confirm_results(voted["city_hr"], 2023, filing_document=DOC, today=END + dt.timedelta(days=1)) == 1
    assert Application.objects.get(pk=voted["cases"].by_user["a2"].pk).state == State.NOT_GRANTED
    assert EvaluationOutcome.objects.get(year=2023, name="申报人a2").outcome == "failed_committee"


def test_R27_cancel_still_takes_the_name_off_without_a_re_vote(voted: dict[str, Any]) -> None:  # noqa: F811
    office = voted["cases"].office
    _a1, a2 = _posted(voted)
    objection = results.record_objection(office, a2.pk, content="业绩证明系伪造", received_on=END)
    results.handle_objection(office, objection.pk, upheld=True, handling="属实", finding=Objection.Finding.CANCEL)
    a2.refresh_from_db()
    assert a2.status == ResultEntry.Status.CANCELLED
    assert not BallotCast.objects.filter(void=True).exists()
    assert vote_not_held(2023, Meeting.objects.get(year=2023)) == []
    with pytest.raises(ActionRefused, match="没有因公示异议成立而表决作废"):
        sit_again(office, 2023, SITTING)
    a2c = Candidate.objects.get(pk=voted["candidates"]["a2"].pk)
    assert a2c.passed_vote is True  # the committee's vote stands; only the name is off


def test_R27_the_office_chooses_the_finding_on_the_pages(voted: dict[str, Any], settings: Any) -> None:  # noqa: F811
    _a1, a2 = _posted(voted)
    objection = results.record_objection(voted["cases"].office, a2.pk, content="应回避未回避", received_on=END)
    office = Client()
    office.force_login(voted["cases"].office.user)
    page = office.get("/results/").content.decode()
    assert '<option value="revote">异议成立，重新表决' in page and "表决作废（选票保留、不再计票）" in page
    response = office.post(
        "/results/handle/", {"objection": objection.pk, "upheld": "revote", "handling": "属实"}, follow=True
    )
    assert "请在评审会议页安排再次开会" in response.content.decode()
    page = office.get("/results/").content.decode()
    assert 'data-testid="revote"' in page and "待评审会议再次开会重新表决" in page
    assert "异议成立，重新表决" in page
    page = office.get("/evaluation/").content.decode()
    assert 'data-testid="not-held"' in page and "表决作废" in page and "安排再次开会" in page
    assert "表决已作废，待重新表决" in page  # the tally does not show the voided count as a vote lost
    settings.ZHICHENG_TODAY = SITTING.isoformat()
    office.post("/evaluation/do/sit_again/", {"held_on": SITTING.isoformat()})
    assert Meeting.objects.get(year=2023).status == Meeting.Status.PREPARING


def test_R27_a_second_objection_on_a_name_waiting_for_its_re_vote_waits_too(voted: dict[str, Any]) -> None:  # noqa: F811
    """Taken off while its vote is void, the name would still be put to a later sitting: the second objection is
    handled after the re-vote, and the results are not confirmed before."""
    office = voted["cases"].office
    _a1, a2 = _posted(voted)
    second = results.record_objection(office, a2.pk, content="业绩证明系伪造", received_on=END)
    _revote_upheld(voted, a2)
    with pytest.raises(ActionRefused, match="正待重新表决：请在重新表决并补充公示后再处理本异议"):
        results.handle_objection(office, second.pk, upheld=True, handling="属实", finding=Objection.Finding.CANCEL)
    second.refresh_from_db()
    a2.refresh_from_db()
    assert second.handled_at is None and a2.status == ResultEntry.Status.REVOTE
    assert [c.pk for c in vote_not_held(2023, Meeting.objects.get(year=2023))] == [voted["candidates"]["a2"].pk]


def test_R27_a_re_vote_not_passed_leaves_its_place_to_the_next_passer_posted_with_the_same_period(
    world: Any,
) -> None:
    """a1, a2, a3 all pass the vote; the pass rate of 2/3 keeps a1 and a2 (5c). a2's vote is voided and a2 does not
    pass the re-vote: the group's second place is a3's, posted in the supplementary publicity and granted."""
    from tests.platform.test_evaluation import Spec, accepted, expert, meeting_with, one_group, sheet
    from zhicheng.accounts.models import Organisation
    from zhicheng.accounts.roles import OrgKind, Role
    from zhicheng.evaluation.scoring import submit_score
    from zhicheng.round.year import year_settings

    cases = accepted(world, [Spec("a1"), Spec("a2"), Spec("a3")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    cs = {u: Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2", "a3")}
    for member, _ in experts:
        for u, c in cs.items():
            submit_score(member, c.pk, **sheet(defence={"a1": 25, "a2": 22, "a3": 19}[u]))
    row = year_settings(2023)
    row.pass_rates = {"default": 0.67}
    row.save()
    meeting_with(cases.office, [e for _, e in experts])
    for member, _ in experts:
        for c in cs.values():
            cast_ballot(member, 2023, c.pk, "for")
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    everyone = {"cases": cases, "experts": experts, "candidates": cs, "city_hr": city_hr}
    _a1, a2 = _posted(everyone)
    assert "申报人a3" not in public_page()  # beyond the group's cap
    _revote_upheld(everyone, a2)
    _sit_again(everyone)
    for member, _ in experts:
        cast_ballot(member, 2023, cs["a2"].pk, "against")
    close_meeting(cases.office, 2023)
    assert results.post_revote(cases.office, 2023, starts_on=RE_START, today=RE_START) == 1
    a3 = ResultEntry.objects.get(application=cases.by_user["a3"])
    assert (a3.status, a3.posted_on, a3.earliest_end, a3.number) == (ResultEntry.Status.PUBLICISED, RE_START, RE_END, 3)
    assert "申报人a3" in public_page()
    with pytest.raises(ActionRefused, match="申报人a3"):
        results.confirm_results(city_hr, 2023, filing_document=DOC, today=RE_END)
    assert results.confirm_results(city_hr, 2023, filing_document=DOC, today=RE_END + dt.timedelta(days=1)) == 2
    assert Application.objects.get(pk=cases.by_user["a3"].pk).state == State.GRANTED
    assert Application.objects.get(pk=cases.by_user["a2"].pk).state == State.NOT_GRANTED
