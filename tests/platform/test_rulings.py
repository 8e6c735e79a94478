"""The rulings written since the last round (shared/policy/rulings.md), each through the real services: R23 the
grassroots group's length, R24 the weights, R25 the experts' senior title and term, R28 the defence's pass mark and
the two kinds of failure kept for 7.2, R30 one clock. Each parameter the ruling gives the office is set on the year
settings page's service, with the pack's value as default. (R9 is the engine's: tests/policy/cases/scope.yaml.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests.platform.conftest import World
from tests.platform.test_evaluation import (
    Spec,
    accepted,
    expert,
    login,
    meeting_with,
    one_group,
    sheet,
)
from tests.platform.test_year_settings import form
from zhicheng.accounts.models import Membership, User
from zhicheng.accounts.roles import Role
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.experts import add_expert
from zhicheng.evaluation.groups import build_groups
from zhicheng.evaluation.meeting import cast_ballot, close_meeting, voting_candidates
from zhicheng.evaluation.minutes import result_in_words
from zhicheng.evaluation.models import Candidate, Meeting
from zhicheng.evaluation.outcome import failure_of, results
from zhicheng.evaluation.scoring import score_summary, submit_score
from zhicheng.round.models import YearSettingChange
from zhicheng.round.year import committee_param, pack_committee_param, year_settings


def save(office: Membership, **changes: Any) -> None:
    """The office's settings form, posted through the page (the service reads it as the page does)."""
    client = Client()
    client.force_login(office.user)
    response = client.post("/settings/year/", form(year_settings(2023), **changes), follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    if errors:
        raise ActionRefused(*errors)


def test_R23_grassroots_length_is_the_offices_parameter(world: World) -> None:
    cases = accepted(world, [Spec("a1", grassroots=True)])  # on the front line since 2012: 11 full years
    assert pack_committee_param(2023, "grassroots_min_years") == 5
    save(cases.office, param_grassroots_min_years="12")
    assert committee_param(2023, "grassroots_min_years") == 12
    build_groups(cases.office, 2023)
    assert not Candidate.objects.get().grassroots  # 11 years are not "long" under the office's 12


def test_R23_default_five_years_groups_apart(world: World) -> None:
    cases = accepted(world, [Spec("a1", grassroots=True)])
    build_groups(cases.office, 2023)
    c = Candidate.objects.get()
    assert c.grassroots and c.group.grassroots and "基层一线岗位工作11年" in c.grassroots_basis


def test_R24_weights_set_before_scoring_then_fixed(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    save(cases.office, param_score_weights="60")
    assert committee_param(2023, "score_weights") == {"defence": 0.6, "quantified": 0.4}
    c = Candidate.objects.get()
    submit_score(experts[0][0], c.pk, **sheet(defence=24))
    summary = score_summary(c)
    assert summary.mean is not None and summary.quantified_mean is not None
    assert summary.final == (summary.mean * 6 / 10 + summary.quantified_mean * 4 / 10).quantize(summary.mean)
    with pytest.raises(ActionRefused, match="已有专家提交评分，“答辩评价所占权重”本年度不能再更改"):
        save(cases.office, param_score_weights="50")
    assert committee_param(2023, "score_weights") == {"defence": 0.6, "quantified": 0.4}


def test_R25_experts_hold_a_senior_title_and_the_office_sets_title_and_term(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    assert pack_committee_param(2023, "expert_min_title") == "senior_engineer"
    m = world.person("e1", Role.EXPERT, None)
    kw: dict[str, Any] = {
        "user": User.objects.get(username="e1"),
        "specialty_category": 1,
        "organisation_name": "太原理工大学",
        "term_start": dt.date(2023, 1, 1),
        "term_end": dt.date(2025, 12, 31),
    }
    with pytest.raises(ActionRefused, match="评审专家须具有高级工程师及以上职称"):
        add_expert(cases.office, 2023, title="engineer", **kw)
    add_expert(cases.office, 2023, title="senior_engineer", **kw)
    # A senior engineer in the pool: the office cannot raise the minimum above them, nor shorten the term below theirs.
    with pytest.raises(ActionRefused, match="职称低于正高级工程师"):
        save(cases.office, param_expert_min_title="professor_senior_engineer")
    with pytest.raises(ActionRefused, match="任期超过2年"):
        save(cases.office, param_expert_max_term_years="2")
    with pytest.raises(ActionRefused, match="须在1至3年之间"):
        save(cases.office, param_expert_max_term_years="4")
    assert m.role == Role.EXPERT


def test_R28_below_the_pass_mark_fails_the_defence_and_is_not_put_to_the_vote(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    save(cases.office, rate_default="100")
    good, weak = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2"))
    for mm, _ in experts:
        submit_score(mm, good.pk, **sheet(defence=24))  # 80 of 100
        submit_score(mm, weak.pk, **sheet(defence=15))  # 50 of 100: below the pack's 60
    meeting = meeting_with(cases.office, [e for _, e in experts])
    assert [c.code for c in voting_candidates(experts[0][1], meeting)] == [good.code]
    with pytest.raises(ActionRefused, match="答辩成绩未达到合格分数线"):
        cast_ballot(experts[0][0], 2023, weak.pk, "for")
    with pytest.raises(ActionRefused, match="评审会议已开始表决，“答辩合格分数线”不能再更改"):
        save(cases.office, param_defence_pass_mark="40")
    with pytest.raises(ActionRefused, match="评审会议已开始表决，各组通过率不能再更改"):
        save(cases.office, rate_default="90")
    for mm, _ in experts:
        cast_ballot(mm, 2023, good.pk, "for")
    close_meeting(cases.office, 2023)
    rows = {r.code: r for r in results(2023)}
    assert rows[good.code].passed and rows[good.code].failure is None
    assert rows[weak.code].failure == "failed_defence" and not rows[weak.code].passed  # 7.2a
    assert failure_of(cases.by_user["a2"]) == "failed_defence"
    weak.refresh_from_db()
    assert result_in_words(weak).startswith("答辩未通过")


def test_R28_put_to_the_vote_and_not_passed_is_the_committees_failure(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    save(cases.office, param_defence_pass_mark="70")  # the office's mark: 80 passes it
    c = Candidate.objects.get()
    for mm, _ in experts:
        submit_score(mm, c.pk, **sheet(defence=24))
    meeting_with(cases.office, [e for _, e in experts])
    for mm, _ in experts:
        cast_ballot(mm, 2023, c.pk, "against")
    close_meeting(cases.office, 2023)
    (row,) = results(2023)
    assert row.failure == "failed_committee"  # 7.2b
    c.refresh_from_db()
    assert result_in_words(c) == "评委会表决未通过"


def test_R28_the_vote_does_not_open_on_a_partial_panel(world: World) -> None:
    """The pass mark is judged on the panel's mean (R28): while any candidate put to the sitting lacks a sheet of a
    non-recused expert of its panel, the meeting does not open, and the refusal names the codes and the experts."""
    from zhicheng.evaluation.experts import pin_conflict
    from zhicheng.evaluation.meeting import open_meeting, prepare_meeting, record_attendance
    from zhicheng.round import milestones

    cases = accepted(world, [Spec("a1"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    c1, c2 = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2"))
    pin_conflict(cases.office, experts[2][1].pk, c2.pk, "利害关系")  # e3 recuses: c2's panel is e1 and e2
    submit_score(experts[0][0], c1.pk, **sheet(defence=15))  # one low sheet: alone, a failed defence
    submit_score(experts[0][0], c2.pk, **sheet(defence=24))
    submit_score(experts[1][0], c2.pk, **sheet(defence=24))
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 1))
    record_attendance(cases.office, 2023, [e.pk for _, e in experts])
    with pytest.raises(ActionRefused) as refused:
        open_meeting(cases.office, 2023)
    said = str(refused.value)
    assert f"{c1.code}（e2、e3未评分）" in said and c2.code not in said
    assert not milestones.reached(2023, milestones.MEETING_OPENED)
    page = login(cases.office).get("/evaluation/").content.decode()
    assert 'data-testid="sheets-missing"' in page and f"{c1.code}（e2、e3未评分）" in page
    submit_score(experts[1][0], c1.pk, **sheet(defence=24))
    with pytest.raises(ActionRefused, match=f"{c1.code}（e3未评分）"):
        open_meeting(cases.office, 2023)
    submit_score(experts[2][0], c1.pk, **sheet(defence=24))
    open_meeting(cases.office, 2023)
    assert 'data-testid="sheets-missing"' not in login(cases.office).get("/evaluation/").content.decode()
    assert score_summary(c1).scored == 3 and not score_summary(c1).missing
    # On the whole panel c1 is above the mark and is put to the vote; on e1's sheet alone it would not have been.
    assert c1.code in [c.code for c in voting_candidates(experts[0][1], Meeting.objects.get())]


def test_R28_no_sheet_is_written_or_corrected_once_the_vote_has_opened(world: World) -> None:
    """The sheets the vote opened on are the ones that decide (R28): no score and no correction while the ballot
    runs, after it, or before a later sitting (R27); the expert's page offers no form then."""
    from zhicheng.evaluation.assignment import assign_expert
    from zhicheng.evaluation.meeting import sit_again
    from zhicheng.evaluation.scoring import correct_score

    cases = accepted(world, [Spec("a1"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    voted, left = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2"))
    for mm, _ in experts:
        for c in (voted, left):
            submit_score(mm, c.pk, **sheet(defence=24))
    member = experts[0][0]
    client = Client()
    client.force_login(member.user)
    page = client.get(f"/evaluation/expert/{voted.code}/").content.decode()
    assert f"/evaluation/expert/{voted.code}/correct/" in page and 'data-testid="scoring-closed"' not in page
    _, late = expert(world, cases.office, "e4")  # in the pool, in no group until the vote has opened
    meeting_with(cases.office, [e for _, e in experts])
    with pytest.raises(ActionRefused, match="表决开始后不能再评分或更正评分"):
        correct_score(member, voted.pk, **sheet(defence=10), reason="笔误")
    with pytest.raises(ActionRefused, match="表决开始后不能再评分或更正评分"):
        submit_score(member, voted.pk, **sheet(defence=10))
    # Nor is the panel changed: an expert put in the group now could never score, and its missing sheet would keep
    # a later sitting from opening.
    with pytest.raises(ActionRefused, match="表决开始后不能再调整答辩组专家"):
        assign_expert(cases.office, late.pk, voted.group_id)
    page = client.get(f"/evaluation/expert/{voted.code}/").content.decode()
    assert 'data-testid="scoring-closed"' in page and "/correct/" not in page and "/score/" not in page
    form = {f"d_{k}": v for k, v in sheet(defence=10)["defence"].items()} | {"reason": "笔误"}
    r = client.post(f"/evaluation/expert/{voted.code}/correct/", form, follow=True)
    assert "表决开始后不能再评分或更正评分" in r.content.decode()
    for mm, _ in experts:
        cast_ballot(mm, 2023, voted.pk, "for")
    close_meeting(cases.office, 2023)
    with pytest.raises(ActionRefused, match="表决开始后不能再评分或更正评分"):
        correct_score(member, left.pk, **sheet(defence=10), reason="笔误")
    sit_again(cases.office, 2023, dt.date(2023, 12, 8))  # preparing again, for ``left``: the sheets stay as voted on
    with pytest.raises(ActionRefused, match="表决开始后不能再评分或更正评分"):
        correct_score(member, left.pk, **sheet(defence=10), reason="笔误")
    assert 'data-testid="scoring-closed"' in client.get(f"/evaluation/expert/{left.code}/").content.decode()
    with pytest.raises(ActionRefused, match="表决开始后不能再调整答辩组专家"):
        assign_expert(cases.office, late.pk, voted.group_id)
    office_page = login(cases.office).get("/evaluation/").content.decode()
    assert "/evaluation/do/assign/" not in office_page and "?preview=1" not in office_page
    assert voted.scores.filter(current=False).count() == 0


def test_R30_one_clock_beijing_time(world: World) -> None:
    assert django_settings.TIME_ZONE == "Asia/Shanghai" and django_settings.USE_TZ
    cases = accepted(world, [Spec("a1")])
    save(cases.office, param_experts_per_group="3")
    change = YearSettingChange.objects.get()
    client = Client()
    client.force_login(cases.office.user)
    page = client.get("/settings/year/").content.decode()
    beijing = timezone.localtime(change.changed_at)
    assert beijing.utcoffset() == dt.timedelta(hours=8)
    assert f"{beijing.year}年{beijing.month}月{beijing.day}日 {beijing:%H:%M}" in page


def test_R27_a_sitting_without_quorum_holds_no_vote_and_the_same_meeting_sits_again(world: World) -> None:
    from zhicheng.evaluation.meeting import open_meeting, prepare_meeting, record_attendance
    from zhicheng.evaluation.models import BallotCast, Meeting

    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    c = Candidate.objects.get()
    for mm, _ in experts:
        submit_score(mm, c.pk, **sheet(defence=24))
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 1))
    record_attendance(cases.office, 2023, [experts[0][1].pk])  # 1 of 3: no quorum
    with pytest.raises(ActionRefused, match="未达到评委会委员3人的三分之二"):
        open_meeting(cases.office, 2023)
    with pytest.raises(ActionRefused, match="会议不在表决中"):
        cast_ballot(experts[0][0], 2023, c.pk, "for")  # no vote held at that sitting
    # The same meeting sits again on a later day, with its quorum; the candidate is voted on there, once.
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 4))
    record_attendance(cases.office, 2023, [e.pk for _, e in experts])
    open_meeting(cases.office, 2023)
    assert Meeting.objects.filter(year=2023).count() == 1
    cast_ballot(experts[0][0], 2023, c.pk, "for")
    with pytest.raises(ActionRefused, match="不能重复投票"):
        cast_ballot(experts[0][0], 2023, c.pk, "against")
    assert BallotCast.objects.filter(candidate=c).count() == 1


def test_R27_a_candidate_whose_vote_was_not_held_is_voted_at_a_later_sitting_never_twice(world: World) -> None:
    from zhicheng.evaluation.meeting import open_meeting, record_attendance, sit_again, vote_not_held
    from zhicheng.evaluation.models import Meeting

    cases = accepted(world, [Spec("a1"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    save(cases.office, rate_default="100")
    voted, left = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2"))
    for mm, _ in experts:
        for c in (voted, left):
            submit_score(mm, c.pk, **sheet(defence=24))
    meeting = meeting_with(cases.office, [e for _, e in experts])
    for mm, _ in experts:
        cast_ballot(mm, 2023, voted.pk, "for")  # the sitting ends before ``left`` is voted on
    close_meeting(cases.office, 2023)
    meeting.refresh_from_db()
    assert [c.code for c in vote_not_held(2023, meeting)] == [left.code]
    # Not filed as failing a vote that was never held: the results wait for the later sitting.
    from zhicheng.results.services import post_results

    with pytest.raises(ActionRefused, match=f"表决未进行.*{left.code}"):
        post_results(cases.office, 2023, starts_on=dt.date(2023, 12, 4), today=dt.date(2023, 12, 4))
    with pytest.raises(ActionRefused, match="须晚于前次会议日期"):
        sit_again(cases.office, 2023, dt.date(2023, 12, 1))
    sit_again(cases.office, 2023, dt.date(2023, 12, 8))
    # Preparing again, the committee, the panels and the recusals stay those the votes already held were cast under.
    from zhicheng.evaluation.experts import pin_conflict
    from zhicheng.evaluation.groups import build_groups

    with pytest.raises(ActionRefused, match="不能再更改回避、委员或分组"):
        pin_conflict(cases.office, experts[0][1].pk, left.pk, "利害关系")
    with pytest.raises(ActionRefused, match="不能再编排答辩组"):
        build_groups(cases.office, 2023)
    office_page = login(cases.office).get("/evaluation/").content.decode()
    assert "确定回避</button>" not in office_page and "按已受理申报编排答辩组</button>" not in office_page
    expert_page = login(experts[0][0]).get(f"/evaluation/expert/{left.code}/").content.decode()
    assert "不能再申报回避" in expert_page and "申报回避</button>" not in expert_page
    # The later sitting records its own attendance (two of three: a quorum) and votes on ``left`` only.
    record_attendance(cases.office, 2023, [e.pk for _, e in experts[:2]])
    open_meeting(cases.office, 2023)
    meeting.refresh_from_db()
    assert [c.code for c in voting_candidates(experts[0][1], meeting)] == [left.code]
    with pytest.raises(ActionRefused, match="已在本次评审会议的前次会上表决"):
        cast_ballot(experts[0][0], 2023, voted.pk, "against")
    for mm, _ in experts[:2]:
        cast_ballot(mm, 2023, left.pk, "for")
    close_meeting(cases.office, 2023)
    assert Meeting.objects.filter(year=2023).count() == 1
    voted.refresh_from_db()
    left.refresh_from_db()
    assert (voted.votes_for, voted.eligible_voters, voted.passed_vote) == (3, 3, True)  # the first sitting's count
    assert (left.votes_for, left.eligible_voters, left.passed_vote) == (2, 2, True)
    with pytest.raises(ActionRefused, match="所有参评人员均已表决"):
        sit_again(cases.office, 2023, dt.date(2023, 12, 15))


def test_R24_rubric_maxima_set_before_grouping_then_fixed(world: World) -> None:
    from zhicheng.evaluation.scoring import rubric

    cases = accepted(world, [Spec("a1")])
    save(cases.office, rubric_defence_theory="40", rubric_quantified_awards="5")
    assert {i.id: i.max for i in rubric(2023, "defence")}["theory"] == 40
    assert {i.id: i.max for i in rubric(2023, "quantified")}["awards"] == 5
    change = YearSettingChange.objects.get(field="rubric_max")
    assert "专业理论知识30分" in change.before and "专业理论知识40分" in change.after
    build_groups(cases.office, 2023)
    with pytest.raises(ActionRefused, match="答辩组已经编排"):
        save(cases.office, rubric_defence_theory="30")
    assert {i.id: i.max for i in rubric(2023, "defence")}["theory"] == 40
