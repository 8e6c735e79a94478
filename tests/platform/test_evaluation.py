"""The committee's evaluation (5a–5c, R18, R22): groups, anonymity, experts and conflicts, scores, the secret ballot,
caps and minutes. Accepted cases are made through the real services, as test_intake.py does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from stdnum.cn import ric

from tests.platform.conftest import World, through_employer
from tests.policy.support import example
from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application
from zhicheng.evaluation.anonymity import needs_fixing, redact_materials
from zhicheng.evaluation.assignment import apply_assignment, assign_expert, expert_candidates, panel, plan_assignment
from zhicheng.evaluation.caps import recompute_caps
from zhicheng.evaluation.experts import add_expert, declare_conflict, pin_conflict
from zhicheng.evaluation.groups import build_groups, move_candidate, rename_group
from zhicheng.evaluation.meeting import (
    cast_ballot,
    close_meeting,
    open_meeting,
    prepare_meeting,
    quorum_met,
    record_attendance,
    tally,
    vote_passes,
)
from zhicheng.evaluation.models import Assignment, Expert
from zhicheng.evaluation.outcome import results
from zhicheng.evaluation.scoring import correct_score, score_summary, submit_score
from zhicheng.intake import services as intake

IN_WINDOW = dt.datetime(2023, 10, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SUMMARY = "本人长期从事土木工程施工技术与质量管理工作，主持深基坑支护与变形监测，撰写论文并指导青年技术人员。" * 50
DEFENCE = "深基坑支护结构变形监测分析的答辩材料，论述监测方案、数据处理与结论。" * 80


def id_number(n: int) -> str:
    """A valid ID number of its own for each applicant (the engine needs the birth date and the register its digest)."""
    body = f"14220119880512{101 + 2 * n:03d}"  # odd: male, as the example profile's retirement category
    return body + ric.calc_check_digit(body + "0")


@dataclass
class Spec:
    username: str
    employer: str = "原平市测试工程有限公司"
    grassroots: bool = False
    defence: str = DEFENCE
    summary: str = SUMMARY
    name: str = ""  # the applicant's name (申报人<username> when empty)
    major: str = ""  # the major of the top education (the example's when empty)
    reason: str = ""  # the county reviewers' opinion


@dataclass
class Cases:
    office: Membership
    apps: list[Application]
    by_user: dict[str, Application] = field(default_factory=dict)
    employers: dict[str, Organisation] = field(default_factory=dict)


def office_clerk(world: World) -> Membership:
    office = Membership.objects.filter(role=Role.COMMITTEE_CLERK).first()
    return office or world.person(
        "office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)
    )


def accepted(world: World, specs: list[Spec], hold: frozenset[str] = frozenset()) -> Cases:
    """Each spec an applicant of a county-owned employer in 原平市, taken from draft to accepted by the office (those
    in ``hold`` left in the batch, received but not accepted)."""
    hr, iit = world.bureau("yp_hr", "原平市", "hr"), world.bureau("yp_iit", "原平市", "iit")
    employers: dict[str, Organisation] = {}
    leaders: dict[str, Membership] = {}
    apps = []
    for spec in specs:
        if spec.employer not in employers:
            employers[spec.employer] = world.employer(spec.employer)
            leaders[spec.employer] = world.person(
                f"leader{len(leaders)}", Role.EMPLOYER_LEADER, employers[spec.employer]
            )
        employer = employers[spec.employer]
        base = example("01-bachelor-assistant-engineer")
        employment = {**base["employment"], "employer_name": employer.name, "county": employer.area.name}
        if spec.grassroots:
            employment.update(on_front_line=True, front_line_since="2012-03-01")
        education = base["education"]
        if spec.major:
            education = [{**education[0], "major": spec.major}, *education[1:]]
        changes: dict[str, Any] = {
            "identity": {
                **base["identity"],
                "name": spec.name or f"申报人{spec.username}",
                "id_number": id_number(len(apps)),
            },
            "education": education,
            "employment": employment,
            "work_summary": {"text": spec.summary, "covers_required_parts": True},
            "defence_paper": {"text": spec.defence, "produced_on": "2023-08-01"},
        }
        applicant = world.applicant(spec.username, employer, changes=changes)
        app = services.create_application(
            applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
        )
        services.applicant_pledge(applicant, app.pk)
        services.perform(applicant, app.pk, "submit")
        through_employer(app, leaders[spec.employer])
        services.perform(hr, app.pk, "approve", reason=spec.reason)
        services.perform(iit, app.pk, "approve", reason=spec.reason)
        apps.append(app)
    intake.submit_batch(iit, 2023, now=IN_WINDOW)
    office = office_clerk(world)
    for app in (a for s, a in zip(specs, apps, strict=True) if s.username not in hold):
        keys = [k for k, _ in intake.required_originals(app)]
        intake.record_check(office, app.pk, originals=keys, notes="")
        intake.accept(office, app.pk, now=IN_WINDOW)
    cases = Cases(office, apps, employers=employers)
    cases.by_user = {s.username: a for s, a in zip(specs, apps, strict=True)}
    return cases


def expert(
    world: World,
    office: Membership,
    username: str,
    *,
    category: int = 1,
    organisation: Organisation | None = None,
    organisation_name: str = "太原理工大学",
) -> tuple[Membership, Expert]:
    m = world.person(username, Role.EXPERT, None)
    made = add_expert(
        office,
        2023,
        user=User.objects.get(username=username),
        specialty_category=category,
        title="senior_engineer",
        organisation_name=organisation.name if organisation else organisation_name,
        organisation=organisation,
        term_start=dt.date(2023, 1, 1),
        term_end=dt.date(2025, 12, 31),
    )
    return m, made


def sheet(defence: float = 20, awards: float = 5, work: float = 15) -> dict[str, Any]:
    return {
        "defence": {"theory": defence, "practice": defence, "paper": defence * 2 / 3, "answers": defence * 2 / 3},
        "quantified": {
            "awards": {"points": awards, "reason": "获市级奖项"},
            "work_performance": {"points": work, "reason": "现场业绩突出"},
        },
    }


# ── the tests ────────────────────────────────────────────────────────────────────────────────────────────

import re  # noqa: E402

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

from zhicheng.cases.refusals import ActionRefused  # noqa: E402
from zhicheng.evaluation.models import (  # noqa: E402
    Ballot,
    BallotCast,
    Candidate,
    Conflict,
    EvaluationEvent,
    Group,
    Meeting,
    Minutes,
    Score,
)
from zhicheng.round.year import year_settings  # noqa: E402

ROLES_NOT_OFFICE = ("applicant", "expert")


def login(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def meeting_with(office: Membership, present: list[Expert]) -> Meeting:
    prepare_meeting(office, 2023, dt.date(2023, 12, 1))
    record_attendance(office, 2023, [e.pk for e in present])
    return open_meeting(office, 2023)


def score_all(year: int = 2023) -> None:
    """Each panel expert who has not yet scored a candidate submits the default sheet: the meeting opens only once
    every candidate's panel has scored (R28)."""
    for c in Candidate.objects.filter(year=year):
        for e in score_summary(c).missing:
            submit_score(Membership.objects.get(user=e.user, role=Role.EXPERT), c.pk, **sheet())


def review_all(office: Membership, year: int = 2023) -> None:
    """The office reads every clean candidate's texts as experts will and marks them 已审核 (R18)."""
    for c in Candidate.objects.filter(year=year, reviewed_at__isnull=True):
        if not needs_fixing(c):
            redact_materials(office, c.pk, summary_text=c.summary_text, defence_text=c.defence_text, mark_reviewed=True)


def one_group(cases: Cases, experts: list[Expert]) -> None:
    build_groups(cases.office, 2023)
    review_all(cases.office)
    plan = {g.pk: [] for g in Group.objects.filter(year=2023)}
    first = Group.objects.filter(year=2023).order_by("code").first()
    assert first is not None
    plan[first.pk] = [e.pk for e in experts]
    apply_assignment(cases.office, 2023, plan)


def test_groups_by_specialty_with_the_grassroots_apart_5b_5c(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2", grassroots=True), Spec("a3")])
    groups = build_groups(cases.office, 2023)
    assert [g.code for g in groups] == ["E01", "E01-J"]
    by_code = {c.application_id: c for c in Candidate.objects.all()}
    grassroots = by_code[cases.by_user["a2"].pk]
    assert grassroots.grassroots and grassroots.group.code == "E01-J" and "基层一线" in grassroots.grassroots_basis
    assert by_code[cases.by_user["a1"].pk].group.code == "E01" and not by_code[cases.by_user["a1"].pk].grassroots
    codes = [c.code for c in by_code.values()]
    assert all(re.fullmatch(r"2023-GC-\d{3}", c) for c in codes) and len(set(codes)) == 3
    # Run again: nothing is doubled; the office renames a group and moves a candidate.
    build_groups(cases.office, 2023)
    assert Candidate.objects.count() == 3
    e01 = Group.objects.get(code="E01")
    rename_group(cases.office, e01.pk, "工程师·建筑工程类第一组")
    move_candidate(cases.office, grassroots.pk, e01.pk)
    assert Candidate.objects.get(pk=grassroots.pk).group.name == "工程师·建筑工程类第一组"
    assert EvaluationEvent.objects.filter(action="move", candidate=grassroots).exists()
    # Quantified items computed from the stored facts (5a).
    items = by_code[cases.by_user["a1"].pk].computed["items"]
    assert items["education"]["points"] == 8.0 and items["achievements"]["points"] == 5.0
    assert by_code[cases.by_user["a2"].pk].computed["items"]["front_line_years"]["points"] == 10.0


def test_expert_pages_never_show_who_the_applicant_is_5b_R18(world: World) -> None:
    """Every expert-facing page and response: no name, ID number, employer or county of the applicant."""
    cases = accepted(world, [Spec("applicant", defence=DEFENCE + "本人在原平市从事施工。"), Spec("a2")])
    m, expert1 = expert(world, cases.office, "expert")
    _m2, expert2 = expert(world, cases.office, "expert2")
    one_group(cases, [expert1, expert2])
    build_groups(cases.office, 2023)
    app = cases.by_user["applicant"]
    flagged = Candidate.objects.get(application=app)
    assert needs_fixing(flagged) == [{"where": "答辩材料", "kinds": ["县（市、区）"], "fixed": False}]
    secrets_ = ["申报人applicant", "142201198805120314", "原平市测试工程有限公司", "原平市", "原平", str(app.applicant)]
    client = login(m)
    pages = []

    def get(url: str, **kw: Any) -> str:
        r = client.get(url, **kw)
        assert r.status_code == 200, url
        return r.content.decode()

    pages.append(get("/evaluation/expert/"))
    page = get(f"/evaluation/expert/{flagged.code}/")
    assert "尚待评委会办公室审核匿名处理" in page and "原平市从事施工" not in page
    pages.append(page)
    with pytest.raises(ActionRefused, match="审核匿名处理"):
        submit_score(m, flagged.pk, **sheet())
    with pytest.raises(ActionRefused, match="仍含有县"):
        redact_materials(
            cases.office, flagged.pk, summary_text=SUMMARY, defence_text=DEFENCE + "原平市", mark_reviewed=True
        )
    # A clean copy saved is not yet a reviewed one: experts still see nothing until the office marks it.
    redact_materials(cases.office, flagged.pk, summary_text=SUMMARY, defence_text=DEFENCE + "本人在某县从事施工。")
    page = get(f"/evaluation/expert/{flagged.code}/")
    assert "某县从事施工" not in page and "尚待评委会办公室审核" in page
    redact_materials(
        cases.office,
        flagged.pk,
        summary_text=SUMMARY,
        defence_text=DEFENCE + "本人在某县从事施工。",
        mark_reviewed=True,
    )
    page = get(f"/evaluation/expert/{flagged.code}/")
    assert "某县从事施工" in page and "深基坑支护结构变形监测分析" in page
    pages.append(page)
    form = {f"d_{k}": v for k, v in sheet()["defence"].items()} | {
        "q_awards": "5",
        "r_awards": "获奖",
        "q_work_performance": "15",
        "r_work_performance": "业绩突出",
    }
    pages.append(client.post(f"/evaluation/expert/{flagged.code}/score/", form, follow=True).content.decode())
    pages.append(
        client.post(
            f"/evaluation/expert/{flagged.code}/correct/", {**form, "reason": "笔误"}, follow=True
        ).content.decode()
    )
    assert Score.objects.filter(candidate=flagged).count() == 2
    other = Candidate.objects.exclude(pk=flagged.pk).get()
    pages.append(
        client.post(f"/evaluation/expert/{other.code}/conflict/", {"reason": "同学"}, follow=True).content.decode()
    )
    score_all()
    meeting_with(cases.office, [expert1, expert2])
    pages.append(get("/evaluation/expert/"))
    pages.append(
        client.post(f"/evaluation/expert/{flagged.code}/ballot/", {"choice": "for"}, follow=True).content.decode()
    )
    pages.append(get("/evaluation/expert/"))
    assert flagged.code in pages[-1] and "已投票" in pages[-1]
    for text in pages:
        for secret in secrets_:
            assert secret not in text, secret
    # The office's page is not the expert's: they get no access to it, nor to the minutes.
    assert client.get("/evaluation/").status_code == 403


def test_expert_pool_title_and_term_R22_R25(world: World) -> None:
    office = office_clerk(world)
    m = world.person("expert", Role.EXPERT, None)
    kw: dict[str, Any] = {
        "user": m.user,
        "specialty_category": 1,
        "organisation_name": "太原理工大学",
        "term_start": dt.date(2023, 1, 1),
    }
    with pytest.raises(ActionRefused, match="每届任期不得超过3年"):
        add_expert(office, 2023, title="senior_engineer", term_end=dt.date(2026, 1, 2), **kw)
    with pytest.raises(ActionRefused, match="高级工程师及以上职称"):
        add_expert(office, 2023, title="assistant_engineer", term_end=dt.date(2025, 12, 31), **kw)
    with pytest.raises(ActionRefused, match="高级工程师及以上职称"):  # R25: a senior title
        add_expert(office, 2023, title="engineer", term_end=dt.date(2025, 12, 31), **kw)
    applicant = world.person("notexpert", Role.APPLICANT, None)
    with pytest.raises(ActionRefused, match="评审专家"):
        add_expert(office, 2023, title="engineer", term_end=dt.date(2025, 12, 31), **{**kw, "user": applicant.user})
    with pytest.raises(ActionRefused, match="评委会办公室"):
        add_expert(m, 2023, title="engineer", term_end=dt.date(2025, 12, 31), **kw)
    made = add_expert(office, 2023, title="senior_engineer", term_end=dt.date(2026, 1, 1), **kw)
    assert made.term_end == dt.date(2026, 1, 1)


def test_conflicts_found_declared_pinned_and_assignment_respects_them_R22(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2", employer="原平市另一工程有限公司"), Spec("a3")])
    build_groups(cases.office, 2023)
    employer = cases.employers["原平市测试工程有限公司"]
    hr_bureau = world.area("原平市").hr_bureau
    _, same_employer = expert(world, cases.office, "e1", organisation=employer)
    _, chain = expert(world, cases.office, "e2", organisation=hr_bureau)
    m3, e3 = expert(world, cases.office, "e3")
    _, e4 = expert(world, cases.office, "e4", category=4)
    c1, c2, c3 = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2", "a3"))
    sources = set(Conflict.objects.values_list("expert__user__username", "candidate_id", "source"))
    assert ("e1", c1.pk, "employer") in sources and ("e1", c3.pk, "employer") in sources
    assert ("e1", c2.pk, "employer") not in sources
    assert {("e2", c.pk, "review_chain") for c in (c1, c2, c3)} <= sources  # the county HR bureau reviewed all
    declare_conflict(m3, c2.pk, "亲属关系")
    pin_conflict(cases.office, e4.pk, c1.pk, "曾为同事")
    with pytest.raises(ActionRefused, match="评委会办公室"):
        pin_conflict(m3, e4.pk, c1.pk, "x")
    # The preview changes nothing; the specialty's experts with fewest conflicts come first.
    plan = plan_assignment(2023)
    assert not Assignment.objects.exists()
    assert [e.pk for e in plan[0].experts][:1] == [e3.pk] and any("非本专业" in w for w in plan[0].warnings)
    apply_assignment(cases.office, 2023, {row.group.pk: [e.pk for e in row.experts] for row in plan})
    assert Assignment.objects.count() == 4
    # A conflicted expert is off that candidate's panel: never sees, scores or votes on it.
    assert same_employer not in panel(c1) and e3 in panel(c1)
    assert c2 not in expert_candidates(e3) and c1 in expert_candidates(e3)
    assert c2 in [c for c in expert_candidates(same_employer)]
    with pytest.raises(ActionRefused, match="回避"):
        submit_score(m3, c2.pk, **sheet())
    assert chain not in panel(c3)
    assign_expert(cases.office, e4.pk, None)
    assert Assignment.objects.count() == 3


def test_vote_rule_edges_R22() -> None:
    from fractions import Fraction

    two_thirds = Fraction(2, 3)
    assert vote_passes(2, 3, two_thirds) and not vote_passes(1, 3, two_thirds)  # exactly 2/3; one below
    assert vote_passes(4, 6, two_thirds) and not vote_passes(3, 6, two_thirds)
    assert not vote_passes(2, 4, two_thirds) and vote_passes(2, 3, two_thirds)  # a recusal: 4 → 3
    assert not vote_passes(0, 0, two_thirds)
    assert quorum_met(4, 6, two_thirds) and not quorum_met(3, 6, two_thirds)


def test_the_meeting_quorum_ballots_and_recusal_R22(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2"), Spec("a3")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 7)]
    one_group(cases, [e for _, e in experts])
    c1, c2, c3 = (Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2", "a3"))
    present = [e for _, e in experts[:4]]
    prepare_meeting(cases.office, 2023, dt.date(2023, 12, 1))
    record_attendance(cases.office, 2023, [e.pk for e in present[:3]])
    with pytest.raises(ActionRefused, match="未达到评委会委员6人的三分之二"):
        open_meeting(cases.office, 2023)
    record_attendance(cases.office, 2023, [e.pk for e in present])
    m = {e.pk: mm for mm, e in experts}
    with pytest.raises(ActionRefused, match="不在表决中"):
        cast_ballot(m[present[0].pk], 2023, c1.pk, "for")
    pin_conflict(cases.office, present[3].pk, c2.pk, "利害关系")
    score_all()
    open_meeting(cases.office, 2023)
    with pytest.raises(ActionRefused, match="出席"):
        record_attendance(cases.office, 2023, [e.pk for e in present[:3]])

    def votes(c: Candidate, choices: list[str]) -> None:
        for e, choice in zip(present, choices, strict=False):
            if choice:
                cast_ballot(m[e.pk], 2023, c.pk, choice)

    votes(c1, ["for", "for", "for", "against"])  # 3 of 4: passes
    votes(c2, ["for", "for", "against", ""])  # 2 of 3 (one recused): exactly two thirds, passes
    votes(c3, ["for", "for", "against", "abstain"])  # 2 of 4: one below, fails
    with pytest.raises(ActionRefused, match="回避"):
        cast_ballot(m[present[3].pk], 2023, c2.pk, "for")
    with pytest.raises(ActionRefused, match="重复投票"):
        cast_ballot(m[present[0].pk], 2023, c1.pk, "against")
    with pytest.raises(ActionRefused, match="未登记出席"):
        cast_ballot(experts[5][0], 2023, c1.pk, "for")
    with pytest.raises(ActionRefused, match="评审专家本人"):  # no proxy: the office cannot vote for anyone
        cast_ballot(cases.office, 2023, c1.pk, "for")
    with pytest.raises(ActionRefused, match="表决结束后"):
        tally(Meeting.objects.get())
    close_meeting(cases.office, 2023)
    with pytest.raises(ActionRefused, match="不接受补投"):
        cast_ballot(m[present[3].pk], 2023, c3.pk, "for")
    got = {r.code: (r.votes_for, r.eligible_voters, r.passed_vote) for r in results(2023)}
    assert got == {c1.code: (3, 4, True), c2.code: (2, 3, True), c3.code: (2, 4, False)}
    minutes = Minutes.objects.get()
    import hashlib

    assert bytes(minutes.pdf).startswith(b"%PDF") and hashlib.sha256(bytes(minutes.pdf)).hexdigest() == minutes.sha256
    response = login(cases.office).get(f"/evaluation/minutes/{minutes.pk}.pdf")
    assert response.status_code == 200 and response.content == bytes(minutes.pdf)
    assert login(experts[0][0]).get(f"/evaluation/minutes/{minutes.pk}.pdf").status_code == 403


def test_pass_rate_caps_rank_by_score_5c(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2"), Spec("a3")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    cs = [Candidate.objects.get(application=cases.by_user[u]) for u in ("a1", "a2", "a3")]
    for (mm, _), c in ((x, c) for x in experts for c in cs):
        submit_score(mm, c.pk, **sheet(defence=20 + 2 * cs.index(c)))  # above the pass mark (R28)
    settings_ = year_settings(2023)
    settings_.pass_rates = {"default": 0.5}
    settings_.save()
    meeting_with(cases.office, [e for _, e in experts])
    for (mm, _), c in ((x, c) for x in experts for c in cs):
        cast_ballot(mm, 2023, c.pk, "for")
    close_meeting(cases.office, 2023)
    rows = {r.code: r for r in results(2023)}
    best = rows[cs[2].code]
    assert all(r.passed_vote for r in rows.values())
    assert best.within_cap and best.rank_in_group == 1 and best.passed
    assert not rows[cs[0].code].within_cap and rows[cs[0].code].rank_in_group == 3  # passed the vote, outside the cap
    page = login(cases.office).get("/evaluation/").content.decode()
    assert "超出本组通过率" in page
    settings_.pass_rates = {"default": 0.5, "E01": 1.0}
    settings_.save()
    recompute_caps(cases.office, 2023)
    assert all(r.within_cap for r in results(2023))


def test_secret_ballot_no_vote_is_recoverable_R22(world: World) -> None:
    """Swap two experts' choices: every page, export and row the platform shows stays the same."""
    from django.db import transaction

    cases = accepted(world, [Spec("a1")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    c = Candidate.objects.get()
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    score_all()
    meeting_with(cases.office, [e for _, e in experts])
    assert not {f.name for f in Ballot._meta.get_fields()} & {"expert", "user", "at", "created_at", "cast"}
    assert "choice" not in {f.name for f in BallotCast._meta.get_fields()}

    def normal(text: str) -> str:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|\b[0-9a-f]{64}\b|\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", "", text)
        text = re.sub(r"/evaluation/minutes/\d+\.pdf", "", text)  # PostgreSQL's sequences outlive a rollback
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)

    def run(choices: list[str]) -> list[str]:
        out: list[str] = []
        try:
            with transaction.atomic():
                for (mm, _), choice in zip(experts, choices, strict=True):
                    cast_ballot(mm, 2023, c.pk, choice)
                    out.append(normal(login(mm).get("/evaluation/expert/").content.decode()))
                out.append(normal(login(cases.office).get("/evaluation/").content.decode()))
                close_meeting(cases.office, 2023)
                for who in [cases.office, city_hr] + [mm for mm, _ in experts]:
                    out.append(normal(login(who).get("/evaluation/").content.decode()))
                    out.append(normal(login(who).get("/evaluation/expert/").content.decode()))
                events = EvaluationEvent.objects.values_list("action", "payload", "candidate_id")
                out.append(normal(repr(sorted(repr(e) for e in events))))
                out.append(repr(sorted(Ballot.objects.values_list("candidate_id", "choice"))))
                out.append(repr([(r.votes_for, r.passed_vote) for r in results(2023)]))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        return out

    first = run(["for", "against", "for"])
    second = run(["against", "for", "for"])
    assert first == second
    assert first[-1] == repr([(2, True)])  # the count itself is kept: 2 of 3 for


def test_a_correction_keeps_the_old_score_and_sheets_are_validated_5a(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2", grassroots=True)])
    (m, e1), (m2, e2) = expert(world, cases.office, "e1"), expert(world, cases.office, "e2")
    build_groups(cases.office, 2023)
    review_all(cases.office)
    g1, g2 = Group.objects.order_by("code")
    apply_assignment(cases.office, 2023, {g1.pk: [e1.pk], g2.pk: [e2.pk]})
    c = Candidate.objects.get(application=cases.by_user["a1"])
    bad = sheet()
    bad["defence"]["theory"] = 31
    with pytest.raises(ActionRefused, match="0至30分"):
        submit_score(m, c.pk, **bad)
    no_reason = sheet()
    no_reason["quantified"]["awards"]["reason"] = ""
    with pytest.raises(ActionRefused, match="须写明理由"):
        submit_score(m, c.pk, **no_reason)
    adjusted = sheet()
    adjusted["quantified"]["education"] = {"points": 6, "reason": ""}
    with pytest.raises(ActionRefused, match="调整平台计算的「学历」须写明理由"):
        submit_score(m, c.pk, **adjusted)
    first = submit_score(m, c.pk, **sheet(defence=20))
    with pytest.raises(ActionRefused, match="更正"):
        submit_score(m, c.pk, **sheet(defence=25))
    with pytest.raises(ActionRefused, match="理由"):
        correct_score(m, c.pk, reason=" ", **sheet(defence=25))
    with pytest.raises(ActionRefused, match="不在您的答辩组"):
        submit_score(m2, c.pk, **sheet())
    second = correct_score(m, c.pk, reason="第一项录入有误", **sheet(defence=25))
    old = Score.objects.get(pk=first.pk)
    assert not old.current and old.defence_total == first.defence_total and second.supersedes_id == first.pk
    assert score_summary(c).mean == second.defence_total and score_summary(c).scored == 1
    # Grassroots weighting (5c): the same sheet weighs front-line years and on-the-job results more.
    g = Candidate.objects.get(application=cases.by_user["a2"])
    s = submit_score(m2, g.pk, **sheet(work=20))
    plain = sum(float(v["points"]) for v in s.quantified.values())
    assert float(s.quantified_total) > plain  # full marks on the heavier items lift the weighted score


def test_wrong_roles_are_refused(world: World) -> None:
    cases = accepted(world, [Spec("a1")])
    m, _ = expert(world, cases.office, "e1")
    applicant = Membership.objects.get(user__username="a1", role=Role.APPLICANT)
    for who in (applicant, m):
        with pytest.raises(ActionRefused, match="评委会办公室"):
            build_groups(who, 2023)
    build_groups(cases.office, 2023)
    review_all(cases.office)
    c = Candidate.objects.get()
    with pytest.raises(ActionRefused, match="评审专家本人"):
        submit_score(cases.office, c.pk, **sheet())
    with pytest.raises(ActionRefused, match="评审专家本人"):
        declare_conflict(applicant, c.pk, "x")
    with pytest.raises(ActionRefused, match="评委会办公室"):
        open_meeting(m, 2023)
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    viewer = login(city_hr)
    assert viewer.get("/evaluation/").status_code == 200
    assert viewer.post("/evaluation/do/build/").status_code == 403
    assert login(applicant).get("/evaluation/").status_code == 403
    assert login(applicant).get("/evaluation/expert/").status_code == 403
    assert login(m).get(f"/evaluation/expert/{c.code}/").status_code == 404  # not in any group of theirs
    office_page = login(cases.office).get("/evaluation/").content.decode()
    assert c.code in office_page and "原平市测试工程有限公司" in office_page  # the office knows who is who


def test_the_demo_seeds_experts_and_groups_once(world: World) -> None:
    import io

    from zhicheng.demo import evaluation as demo

    accepted(world, [Spec("a1"), Spec("a2", grassroots=True)])
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert Expert.objects.filter(year=2023).count() == 5 and Group.objects.count() == 2
    assert Assignment.objects.count() == 4 and "专家5人" in out.getvalue()
    assert User.objects.get(username="expert2").check_password("zhicheng-demo-2023")
    assert year_settings(2023).pass_rates == demo.DEMO_PASS_RATES


PROBE_TAIL = "我单位水利建筑工程有限公司承建了该工程，身份证号142201-19880512-0314。"


def test_the_probes_summary_is_refused_at_submission_3_9(world: World) -> None:
    """Issue 10, finding 1, in the work summary: the engine's 3.9 check now reads through the formatting."""
    with pytest.raises(ActionRefused, match=r"〔3\.9〕总结中出现了工作单位、身份证号码"):
        accepted(world, [Spec("a1", employer="忻州市水利建筑工程有限公司", summary=SUMMARY + PROBE_TAIL)])


def test_the_probes_formatted_employer_and_id_number_are_caught_and_held_back_R18(world: World) -> None:
    """Issue 10, finding 1: a long summary naming the employer by its core and the ID number in groups passed the
    check and reached the expert's page verbatim. Now it is flagged, and no text reaches an expert before the office
    has marked it 已审核; an edit after the mark clears it; each step is an event (5b, R18)."""
    cases = accepted(world, [Spec("a1", employer="忻州市水利建筑工程有限公司", defence=DEFENCE + PROBE_TAIL)])
    m, e1 = expert(world, cases.office, "e1")
    build_groups(cases.office, 2023)
    c = Candidate.objects.get()
    assert needs_fixing(c) == [{"where": "答辩材料", "kinds": ["工作单位", "身份证号码"], "fixed": False}]
    first = EvaluationEvent.objects.get(action="anonymity_check", candidate=c)
    assert first.payload["hits"] == needs_fixing(c)
    group = Group.objects.get()
    apply_assignment(cases.office, 2023, {group.pk: [e1.pk]})
    client = login(m)
    page = client.get(f"/evaluation/expert/{c.code}/").content.decode()
    assert "水利建筑工程" not in page and "0314" not in page and "尚待评委会办公室审核" in page
    # The office cannot mark a text the check still flags without saying why.
    with pytest.raises(ActionRefused, match="工作单位"):
        redact_materials(
            cases.office, c.pk, summary_text=c.summary_text, defence_text=c.defence_text, mark_reviewed=True
        )
    redact_materials(cases.office, c.pk, summary_text=SUMMARY, defence_text=DEFENCE, mark_reviewed=True)
    c.refresh_from_db()
    assert c.reviewed and c.reviewed_by == cases.office.user and needs_fixing(c) == []
    page = client.get(f"/evaluation/expert/{c.code}/").content.decode()
    assert "深基坑支护" in page and "水利建筑工程" not in page
    # An edit after the mark clears it: the expert sees nothing again until the office marks it again.
    redact_materials(cases.office, c.pk, summary_text=SUMMARY + "补充。", defence_text=DEFENCE)
    c.refresh_from_db()
    assert not c.reviewed
    page = client.get(f"/evaluation/expert/{c.code}/").content.decode()
    assert "深基坑支护" not in page
    with pytest.raises(ActionRefused, match="审核匿名处理"):
        submit_score(m, c.pk, **sheet())
    actions = list(EvaluationEvent.objects.filter(candidate=c).values_list("action", flat=True))
    assert actions.count("anonymity_reviewed") == 1 and "anonymity_review_cleared" in actions


def test_a_text_the_check_flags_wrongly_is_marked_with_the_offices_note_R18(world: World) -> None:
    """A common word can look like a county (本溪 in a text about 原平?): the office may mark it with a note."""
    cases = accepted(world, [Spec("a1", defence=DEFENCE + "原平式支护")])
    build_groups(cases.office, 2023)
    c = Candidate.objects.get()
    assert needs_fixing(c)
    redact_materials(
        cases.office,
        c.pk,
        summary_text=c.summary_text,
        defence_text=c.defence_text,
        mark_reviewed=True,
        note="“原平式”为支护工法名称，非申报人所在地",
    )
    c.refresh_from_db()
    assert c.reviewed and "工法名称" in c.review_note
    event = EvaluationEvent.objects.get(action="anonymity_reviewed", candidate=c)
    assert "工法名称" in event.payload["note"]
