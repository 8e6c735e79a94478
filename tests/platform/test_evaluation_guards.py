"""The evaluation's guards found in review: who counts is fixed when the vote opens (R22), an expert who scored
stays with the group, pass rates are fractions of a group (5c), the anonymity check uses what the platform holds
(R18), and the ballots keep no order of casting (R22)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.platform.conftest import World
from tests.platform.test_evaluation import DEFENCE, Spec, accepted, expert, meeting_with, one_group, score_all, sheet
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.anonymity import needs_fixing
from zhicheng.evaluation.assignment import apply_assignment, assign_expert
from zhicheng.evaluation.caps import rate_value
from zhicheng.evaluation.experts import add_expert, declare_conflict, pin_conflict
from zhicheng.evaluation.groups import build_groups
from zhicheng.evaluation.meeting import cast_ballot, close_meeting
from zhicheng.evaluation.models import Ballot, Candidate, Group
from zhicheng.evaluation.outcome import results
from zhicheng.evaluation.scoring import submit_score
from zhicheng.round.year import year_settings


def test_no_recusal_or_new_member_once_the_vote_is_open_R22(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    c = Candidate.objects.get()
    score_all()
    meeting_with(cases.office, [e for _, e in experts])
    cast_ballot(experts[0][0], 2023, c.pk, "for")
    # A recusal now would leave the ballot in the count and take the voter out of the denominator.
    with pytest.raises(ActionRefused, match="已开始表决"):
        declare_conflict(experts[0][0], c.pk, "亲属")
    with pytest.raises(ActionRefused, match="已开始表决"):
        pin_conflict(cases.office, experts[1][1].pk, c.pk, "利害关系")
    with pytest.raises(ActionRefused, match="已开始表决"):
        expert(world, cases.office, "late_member")
    with pytest.raises(ActionRefused, match="已开始表决"):
        build_groups(cases.office, 2023)


def test_an_expert_who_scored_stays_with_the_group(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    (m1, e1), (_m2, e2) = expert(world, cases.office, "e1"), expert(world, cases.office, "e2")
    one_group(cases, [e1, e2])
    submit_score(m1, Candidate.objects.get().pk, **sheet())
    with pytest.raises(ActionRefused, match="不能调离"):
        assign_expert(cases.office, e1.pk, None)
    group = Group.objects.get()
    with pytest.raises(ActionRefused, match="不能调离"):
        apply_assignment(cases.office, 2023, {group.pk: [e2.pk]})
    assign_expert(cases.office, e2.pk, None)  # e2 has not scored: may go


@pytest.mark.parametrize("bad", ["80%", "1.5", "0", "abc"])
def test_a_pass_rate_is_a_fraction_of_the_group_5c(world: World, bad: str) -> None:
    row = year_settings(2023)
    row.pass_rates = {"default": bad}
    with pytest.raises(ValidationError, match="通过率"):
        row.clean()
    row.pass_rates = {"default": "4/5", "grassroots": 0.9}
    row.clean()
    assert rate_value("4/5") == 0.8


def test_the_anonymity_check_uses_the_platforms_employer_and_id_numbers_R18(world: World) -> None:
    short = DEFENCE + "本人在原平市测试工程从事施工。"  # the employer without 有限公司, as people write it
    with_id = DEFENCE + "身份证号142201198805120314。"
    cases = accepted(world, [Spec("a1", defence=short), Spec("a2", defence=with_id)])
    build_groups(cases.office, 2023)
    kinds = {c.application.applicant.username: needs_fixing(c)[0]["kinds"] for c in Candidate.objects.all()}
    assert "工作单位" in kinds["a1"] and kinds["a2"] == ["身份证号码"]


def test_the_ballots_are_written_again_in_a_random_order_when_the_vote_closes_R22(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    score_all()
    meeting_with(cases.office, [e for _, e in experts])
    for member, _ in experts:
        for c in Candidate.objects.all():
            cast_ballot(member, 2023, c.pk, "for")
    before = set(Ballot.objects.values_list("id", flat=True))
    close_meeting(cases.office, 2023)
    after = set(Ballot.objects.values_list("id", flat=True))
    assert len(after) == 6 and not before & after
    assert all(r.votes_for == 3 and r.passed_vote for r in results(2023))


def test_an_expert_added_by_name_of_a_registered_employer_is_that_organisation_R22(world: World) -> None:
    """Added from the page with the employer's registered name, the platform finds the same-employer conflict."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    cases = accepted(world, [Spec("a1")])
    world.person("colleague", Role.EXPERT, None)
    employer = cases.apps[0].employer
    added = add_expert(
        cases.office,
        2023,
        user=User.objects.get(username="colleague"),
        specialty_category=1,
        title="senior_engineer",
        organisation_name=employer.name,
        organisation=None,
        term_start=dt.date(2023, 1, 1),
        term_end=dt.date(2025, 12, 31),
    )
    assert added.organisation == employer
    build_groups(cases.office, 2023)
    assert Candidate.objects.get().conflicts.filter(expert=added).exists()
