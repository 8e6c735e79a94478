"""The evaluation's pages at the size of a year: the office's and the city HR bureau's /evaluation/ and the expert's
page take as many queries for 1,000 candidates as for 10, at each step of the meeting, and show a page at a time."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.platform.conftest import World
from tests.platform.test_evaluation import Spec, accepted, expert, login, one_group, sheet
from tests.platform.test_inbox import bulk_cases
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.cases.models import State
from zhicheng.evaluation.meeting import close_meeting, open_meeting, prepare_meeting, record_attendance
from zhicheng.evaluation.models import Ballot, BallotCast, Candidate, Conflict, Expert, Group, Meeting, Score
from zhicheng.evaluation.scoring import submit_score

_seq = itertools.count(1)


def _queries(membership: Membership, url: str) -> int:
    client = login(membership)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def _candidates(n: int, group: Group, experts: list[Expert], office: Membership, *, voted: bool) -> None:
    """``n`` candidates of ``group``, read and scored by every expert, one of them recused from each; with
    ``voted``, decided at a sitting already closed (their ballots and casts in the meeting)."""
    employer = Organisation.objects.get(name="原平市测试工程有限公司")
    apps = bulk_cases(n, employer, state=State.ACCEPTED)
    made = Candidate.objects.bulk_create(
        [
            Candidate(
                application=a,
                year=2023,
                code=f"2023-Q-{next(_seq):05d}",
                group=group,
                reviewed_at=timezone.now(),
                reviewed_by=office.user,
                passed_vote=True if voted else None,
                eligible_voters=2 if voted else None,
            )
            for a in apps
        ]
    )
    Score.objects.bulk_create(
        [
            Score(candidate=c, expert=e, defence={}, defence_total=Decimal(80), quantified={}, quantified_total=60)
            for c in made
            for e in experts[:-1]
        ]
    )
    Conflict.objects.bulk_create(
        [Conflict(expert=experts[-1], candidate=c, source=Conflict.Source.OFFICE, reason="利害关系") for c in made]
    )
    if voted:
        meeting = Meeting.objects.get(year=2023)
        BallotCast.objects.bulk_create(
            [BallotCast(meeting=meeting, candidate=c, expert=e) for c in made for e in experts[:-1]]
        )
        Ballot.objects.bulk_create(
            [Ballot(meeting=meeting, candidate=c, choice="for") for c in made for _ in experts[:-1]]
        )


def test_the_evaluation_pages_take_as_many_queries_for_1000_candidates_as_for_10(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    group = Group.objects.get(candidates__isnull=False)
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    first = Candidate.objects.get()
    for m, _ in experts:
        submit_score(m, first.pk, **sheet())
    pages = {cases.office: "/evaluation/", city_hr: "/evaluation/", experts[0][0]: "/evaluation/expert/"}
    pool = [e for _, e in experts]

    def sizes(voted: bool = False) -> list[dict[str, int]]:
        out = []
        for n in (0, 10, 990):  # the first visit fills the process's caches (the year's settings, the calendar)
            _candidates(n, group, pool, cases.office, voted=voted)
            out.append({f"{m.role} {url}": _queries(m, url) for m, url in pages.items()})
        return out[1:]

    before = sizes()  # grouped, scored, the meeting not yet held
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 1))
    record_attendance(cases.office, 2023, [e.pk for e in pool])
    open_meeting(cases.office, 2023)
    voting = sizes()  # the expert's ballots: every candidate of the year
    close_meeting(cases.office, 2023)
    closed = sizes(voted=True)  # the tally and the votes not held
    for small, large in (before, voting, closed):
        assert all(count < 60 for count in large.values()), large
        assert large == small

    # A page at a time: the group's candidates, the tally and the expert's ballots each turn their own pages.
    office_page = login(cases.office).get(f"/evaluation/?group={group.pk}").content.decode()
    assert office_page.count('data-code="') == 50
    assert "第1页，共" in office_page and "条）" in office_page
    second = login(cases.office).get(f"/evaluation/?group={group.pk}&page=2").content.decode()
    assert "第2页" in second
    assert Candidate.objects.filter(year=2023).count() == 1 + 3 * 1000


def test_the_office_pins_a_recusal_by_the_candidates_code_and_an_unknown_code_is_named_R22(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    c = Candidate.objects.get()
    client = login(cases.office)
    page = client.post(
        "/evaluation/do/pin_conflict/",
        {"expert": experts[0][1].pk, "candidate_code": "2023-NONE-1", "reason": "同学"},
        follow=True,
    ).content.decode()
    assert "没有匿名编号为“2023-NONE-1”的参评人员" in page
    assert not Conflict.objects.filter(source=Conflict.Source.OFFICE).exists()
    client.post(
        "/evaluation/do/pin_conflict/",
        {"expert": experts[0][1].pk, "candidate_code": f" {c.code.lower()} ", "reason": "同学"},
    )
    assert Conflict.objects.get(source=Conflict.Source.OFFICE).candidate == c
