"""The to-do inbox (issue 11, item 3): each role's 待我办理 holds exactly the cases at its step (6.1: whose step a
state is, by the workflow table); search by name, ID number (through the digest only), case number and employer;
filters; pagination; batch approval one case at a time; the queries of every list constant in the number of cases;
and the applicant's "where the file is"."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from stdnum.cn import ric

from tests.platform.conftest import CHROMIUM, LATER, Walk, World, through_employer
from tests.policy.support import example
from zhicheng.accounts.middleware import SESSION_KEY
from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import inbox, services
from zhicheng.applications.models import ReviewStep
from zhicheng.cases.models import Application, ApplicationEvent, State
from zhicheng.cases.pages import PAGE_SIZE
from zhicheng.intake.models import BatchEntry, SubmissionBatch
from zhicheng.records import idnumbers
from zhicheng.records.models import IntegrityRecord, Profile
from zhicheng.results.models import ResultEntry, ResultsPublicity

ID_NUMBER = "142201198805120314"  # the example profile's (tests/…/01-bachelor-assistant-engineer.yaml)
_seq = itertools.count(1)
NUMBERS: dict[int, str] = {}  # the ID numbers real_cases gave, by case (the profile keeps only the cipher)


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


def bulk_cases(
    n: int,
    employer: Organisation,
    *,
    state: str = State.CHAIN_REVIEW,
    steps: list[Membership] | None = None,
    step: int = 0,
    level: str = "engineer",
    category: int = 1,
) -> list[Application]:
    """``n`` cases made with bulk_create (people, applications, their chain), fast enough for 1,000."""
    k = next(_seq)
    users = User.objects.bulk_create(
        [User(username=f"bulk{k}-{i}", full_name=f"批量{k}号{i}", password="!") for i in range(n)]
    )
    apps = Application.objects.bulk_create(
        [
            Application(
                applicant=u,
                year=2023,
                level=level,
                specialty_category=category,
                specialty_name="建筑工程",
                path="engineer_bachelor",
                employer=employer,
                area=employer.area,
                state=state,
                step=step,
                route="county",
            )
            for u in users
        ]
    )
    ReviewStep.objects.bulk_create(
        [
            ReviewStep(application=a, order=order, kind="step", organisation=m.organisation, role=m.role)
            for a in apps
            for order, m in enumerate(steps or [])
        ]
    )
    return apps


def real_cases(world: World, case: dict[str, Any], n: int) -> list[Application]:
    """``n`` cases of the county employer's staff taken through the services to the first review step."""
    out = []
    for _ in range(n):
        k = next(_seq)
        body = f"14220119880512{101 + 2 * k:03d}"  # an ID number of each one's own (the engine needs the birth date)
        identity = {**example("01-bachelor-assistant-engineer")["identity"], "name": f"职工{k}"}
        identity["id_number"] = body + ric.calc_check_digit(body + "0")
        person = world.applicant(f"staff{k}", case["employer"], changes={"identity": identity})
        app = services.create_application(
            person, level="engineer", path="engineer_bachelor", employer=case["employer"], area=case["employer"].area
        )
        services.applicant_pledge(person, app.pk)
        services.perform(person, app.pk, "submit")
        through_employer(app, case["leader"])
        out.append(Application.objects.get(pk=app.pk))
        NUMBERS[app.pk] = identity["id_number"]
    return out


def listed_pks(client: Client, query: str = "") -> list[int]:
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="application-list"', 1)[1].split("</table>", 1)[0]
    return sorted(int(pk) for pk in re.findall(r'href="/applications/(\d+)/"', table))


@pytest.fixture
def chain(county_case: dict[str, Any], submit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The county case submitted and recommended by its employer: at its first review step."""
    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    app = Application.objects.get(pk=county_case["application"].pk)
    assert app.state == State.CHAIN_REVIEW
    first = app.steps.get(order=0)
    county_case["first"] = county_case["hr"] if first.role == Role.COUNTY_HR_REVIEWER else county_case["iit"]
    county_case["second"] = county_case["iit"] if county_case["first"] is county_case["hr"] else county_case["hr"]
    return county_case


def test_each_roles_inbox_holds_exactly_the_cases_at_its_step(
    county_case: dict[str, Any], submit: Callable[[dict[str, Any]], None], world: World
) -> None:
    """6.1: a draft is the applicant's, a submitted case the employer's, then each review step's in turn; a case
    elsewhere in the chain, or of another county, is not in 待我办理 (though a reviewer keeps seeing what it did)."""
    case = county_case
    applicant, clerk, leader = case["applicant"], case["clerk"], case["leader"]
    pk = case["application"].pk
    assert list(inbox.at_my_step(applicant).values_list("pk", flat=True)) == [pk]
    assert not inbox.at_my_step(clerk).exists() and not inbox.at_my_step(leader).exists()

    submit(case)
    assert not inbox.at_my_step(applicant).exists()
    assert [a.pk for a in inbox.at_my_step(clerk)] == [pk] == [a.pk for a in inbox.at_my_step(leader)]
    assert [a.pk for a in inbox.acted_on(applicant)] == [pk]  # 经办过的: the applicant submitted it

    through_employer(case["application"], leader)
    app = Application.objects.get(pk=pk)
    first_step = app.steps.get(order=0)
    first = case["hr"] if first_step.role == Role.COUNTY_HR_REVIEWER else case["iit"]
    second = case["iit"] if first is case["hr"] else case["hr"]
    # Other cases: one of another county at its first step, one of this county one step further on.
    xinfu_hr = world.bureau("xf_hr", "忻府区", "hr")
    other = bulk_cases(1, world.employer("忻府区某公司", "忻府区"), steps=[xinfu_hr])
    further = bulk_cases(1, case["employer"], steps=[first, second], step=1)
    assert not inbox.at_my_step(clerk).exists()
    assert [a.pk for a in inbox.at_my_step(first)] == [pk]
    assert [a.pk for a in inbox.at_my_step(second)] == [further[0].pk]
    assert [a.pk for a in inbox.at_my_step(xinfu_hr)] == [other[0].pk]

    services.perform(first, pk, "approve", today=LATER)
    assert not inbox.at_my_step(first).exists()
    assert [a.pk for a in inbox.acted_on(first)] == [pk]
    assert sorted(a.pk for a in inbox.visible_applications(first)) == sorted([pk, further[0].pk])
    assert sorted(a.pk for a in inbox.at_my_step(second)) == sorted([pk, further[0].pk])

    # The last step's approval makes it the channel's, to be submitted to the committee (8.4) …
    services.perform(second, pk, "approve", today=LATER)
    channel = second if second.role in inbox.CHANNELS else first
    assert pk in {a.pk for a in inbox.at_my_step(channel)}
    # … and once submitted, the committee office's desk holds it: IN_BATCH and nothing else.
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    batch = bulk_cases(2, case["employer"], state=State.IN_BATCH)
    bulk_cases(1, case["employer"], state=State.ACCEPTED)
    assert sorted(a.pk for a in inbox.at_my_step(office)) == sorted(a.pk for a in batch)

    # The page shows the same, with the counts of the three tabs and the number in the navigation.
    page = client_for(second).get("/").content.decode()
    assert channel is second  # the county's IIT bureau submits (6.1.3)
    assert listed_pks(client_for(second)) == sorted([pk, further[0].pk])  # to submit, and to review
    assert "待我办理" in page and "经办过的" in page and "全部" in page and 'data-testid="nav-inbox"' in page


def test_an_expert_sees_its_evaluation_tasks_not_a_list_of_cases(world: World) -> None:
    expert = world.person("an_expert", Role.EXPERT, None)
    page = client_for(expert).get("/").content.decode()
    assert 'data-testid="tasks"' in page
    assert 'data-testid="application-list"' not in page and "待我办理" not in page


def test_search_by_id_number_goes_through_the_digest_and_never_reads_a_number(chain: dict[str, Any]) -> None:
    hr = chain["first"]
    pk = chain["application"].pk
    bulk_cases(5, chain["employer"], steps=[hr])
    client = client_for(hr)
    # The box posts; the answer's address holds the digest and the masked number, never the number (logs, history).
    answer = client.post("/", {"tab": "all", "q": ID_NUMBER.lower()})
    assert answer.status_code == 302 and ID_NUMBER not in answer.url and ID_NUMBER.lower() not in answer.url
    assert idnumbers.digest(ID_NUMBER) in answer.url
    # An old link with the number in clear is answered with the same address without it.
    assert client.get(f"/?tab=all&q={ID_NUMBER}").url == answer.url
    with CaptureQueriesContext(connection) as queries:
        assert listed_pks(client, answer.url.split("?", 1)[1]) == [pk]
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert idnumbers.digest(ID_NUMBER) in sql  # compared digest to digest …
    assert "id_number_cipher" not in sql  # … no cipher read, so none decrypted
    assert Profile.objects.get(user=chain["applicant"].user).id_number_digest == idnumbers.digest(ID_NUMBER)
    # A lower-case x, spaces: the same number. Another number: nothing.
    other = client.post("/", {"tab": "all", "q": "142201198805120315"}).url
    assert listed_pks(client, other.split("?", 1)[1]) == []
    # By name, case number and employer.
    name = chain["applicant"].user.full_name
    assert listed_pks(client, f"tab=all&q={name}") == [pk]
    assert listed_pks(client, f"tab=all&q=%23{pk}") == [pk]
    assert listed_pks(client, f"tab=all&q={pk}") == [pk]
    assert len(listed_pks(client, "tab=all&q=原平市测试工程")) == 6
    assert listed_pks(client, "tab=all&q=没有这个单位") == []


def test_filters_by_state_level_specialty_category_and_county(chain: dict[str, Any], world: World) -> None:
    hr = chain["first"]
    pk = chain["application"].pk
    assistant = bulk_cases(2, chain["employer"], steps=[hr], level="assistant_engineer", category=3)
    ready = bulk_cases(1, chain["employer"], state=State.READY_FOR_COMMITTEE, steps=[hr], step=0)
    client = client_for(hr)
    assert listed_pks(client, "tab=all&level=assistant_engineer") == sorted(a.pk for a in assistant)
    assert listed_pks(client, "tab=all&category=3") == sorted(a.pk for a in assistant)
    assert listed_pks(client, "tab=all&state=ready_for_committee") == [ready[0].pk]
    area = chain["employer"].area_id
    assert len(listed_pks(client, f"tab=all&area={area}")) == 4
    assert listed_pks(client, f"tab=all&area={world.area('忻府区').pk}") == []
    # Filters combine; a value that is no state, level or number is ignored, never an error page.
    assert listed_pks(client, "tab=all&level=engineer&state=chain_review") == [pk]
    assert client.get("/?tab=nonsense&state=bogus&category=abc&area=-1&page=x").status_code == 200


def test_every_inbox_tab_is_paginated(county_case: dict[str, Any]) -> None:
    hr = county_case["hr"]
    bulk_cases(PAGE_SIZE * 2 + 7, county_case["employer"], steps=[hr])
    client = client_for(hr)
    first = client.get("/?tab=mine").content.decode()
    assert len(listed_pks(client, "tab=mine")) == PAGE_SIZE
    assert "第1页，共3页" in first and 'data-testid="next-page"' in first
    assert len(listed_pks(client, "tab=mine&page=3")) == 7
    assert len(listed_pks(client, "tab=all&page=2")) == PAGE_SIZE
    assert len(listed_pks(client, "tab=mine&page=99")) == 7  # past the end: the last page


def test_batch_approval_checks_and_records_each_case_and_names_the_one_refused(
    county_case: dict[str, Any], world: World
) -> None:
    a, b, c = real_cases(world, county_case, 3)
    hr = county_case["hr"] if a.steps.get(order=0).role == Role.COUNTY_HR_REVIEWER else county_case["iit"]
    client = client_for(hr)
    # Three at this bureau's step as the list showed them; meanwhile a colleague approved the third.
    colleague = world.person("colleague", hr.role, hr.organisation)
    services.perform(colleague, c.pk, "approve", today=LATER)
    page = client.get("/?tab=mine").content.decode()
    assert "批量审核通过" in page and "data-confirm=" in page
    response = client.post("/inbox/approve/", {"application": [a.pk, b.pk, c.pk], "reason": "材料齐全"}, follow=True)
    text = response.content.decode()
    assert Application.objects.get(pk=a.pk).step == 1 and Application.objects.get(pk=b.pk).step == 1
    assert Application.objects.get(pk=c.pk).step == 1  # unchanged: still the colleague's doing
    events = ApplicationEvent.objects.filter(action="approve", actor=hr.user)
    assert sorted(events.values_list("application_id", flat=True)) == sorted([a.pk, b.pk])
    assert all(e.reason == "材料齐全" and e.organisation_id == hr.organisation_id for e in events)
    assert ReviewStep.objects.filter(application__in=[a, b], order=0, decision="approved").count() == 2
    assert "已审核通过2份" in text
    # 经办过的: the bureau's work, the colleague's approval included.
    assert sorted(x.pk for x in inbox.acted_on(hr)) == sorted([a.pk, b.pk, c.pk])
    assert not inbox.acted_on(county_case["applicant"]).filter(pk__in=[a.pk, b.pk, c.pk]).exists()
    assert f"{c.applicant}（申报#{c.pk}）未通过审核：该申报当前不在您所在机构的审核环节" in text


def test_batch_approval_is_refused_to_a_wrong_role_and_outside_the_scope(
    county_case: dict[str, Any], world: World
) -> None:
    hr, iit = county_case["hr"], county_case["iit"]
    cases = bulk_cases(2, county_case["employer"], steps=[hr, iit])
    ids = [a.pk for a in cases]
    # The employer's clerk is no reviewer: refused as a whole, nothing changed.
    text = client_for(county_case["clerk"]).post("/inbox/approve/", {"application": ids}, follow=True)
    assert "只有审核单位的审核人可以批量审核通过" in text.content.decode()
    # Another county's bureau: each refused, named by number only (it may not read whose case it is).
    other = world.bureau("xf_hr2", "忻府区", "hr")
    text = client_for(other).post("/inbox/approve/", {"application": ids}, follow=True).content.decode()
    for a in cases:
        assert f"申报#{a.pk}未通过审核：申报不存在或无权查看" in text
        assert str(a.applicant) not in text
    # The next step's bureau, not yet its turn.
    text = client_for(iit).post("/inbox/approve/", {"application": ids}, follow=True).content.decode()
    assert "申报不存在或无权查看" in text
    assert not ApplicationEvent.objects.filter(application__in=cases).exists()
    assert set(Application.objects.filter(pk__in=ids).values_list("step", flat=True)) == {0}
    assert client_for(hr).get("/inbox/approve/").status_code == 405


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def test_the_inbox_and_every_list_page_take_as_many_queries_for_1000_cases_as_for_10(
    county_case: dict[str, Any], world: World
) -> None:
    hr, iit = county_case["hr"], county_case["iit"]
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    pages = {
        hr: [
            "/?tab=mine",
            "/?tab=done",
            "/?tab=all",
            "/?tab=all&q=批量",
            f"/?tab=all&qd={idnumbers.digest(ID_NUMBER)}&qm={idnumbers.mask(ID_NUMBER)}",
            "/channel/",
        ],
        iit: ["/channel/"],
        county_case["clerk"]: ["/?tab=mine", "/?tab=all"],
        office: ["/", "/office/", "/integrity/", "/office/outcomes/", "/results/", "/?tab=all&state=accepted"],
        city_hr: ["/", "/?tab=all", "/integrity/", "/results/"],
    }

    batch = SubmissionBatch.objects.create(channel=iit.organisation, year=2023, submitted_by=iit.user)
    publicity = ResultsPublicity.objects.create(
        year=2023, starts_on=dt.date(2023, 12, 1), earliest_end=dt.date(2023, 12, 7), posted_by=office.user
    )

    def grow(n: int) -> dict[str, int]:
        bulk_cases(n, county_case["employer"], steps=[hr, iit])
        bulk_cases(n, county_case["employer"], state=State.READY_FOR_COMMITTEE, steps=[hr, iit], step=1)
        bulk_cases(n, county_case["employer"], state=State.EMPLOYER_REVIEW)
        sent = bulk_cases(n, county_case["employer"], state=State.IN_BATCH, steps=[hr, iit], step=1)
        accepted = bulk_cases(n, county_case["employer"], state=State.ACCEPTED, steps=[hr, iit], step=1)
        BatchEntry.objects.bulk_create([BatchEntry(batch=batch, application=a) for a in sent + accepted])
        start = ResultEntry.objects.count()
        ResultEntry.objects.bulk_create(
            [
                ResultEntry(
                    publicity=publicity,
                    application=a,
                    number=start + i + 1,
                    name=str(a.applicant),
                    employer_name=str(a.employer),
                    level=a.level,
                    specialty_name=a.specialty_name,
                    way="evaluation",
                )
                for i, a in enumerate(accepted)
            ]
        )
        k = next(_seq)
        IntegrityRecord.objects.bulk_create(
            [
                IntegrityRecord(
                    id_number_digest=f"{k}-{i}",
                    id_number_masked="1422**********0000",
                    name=f"某{i}",
                    kind="false_materials",
                    found_on=dt.date(2023, 1, 1) + dt.timedelta(days=i % 300),
                    recorded_by=office.user,
                )
                for i in range(n)
            ]
        )
        return {f"{m.role} {url}": _queries(client_for(m), url) for m, urls in pages.items() for url in urls}

    grow(0)  # the first visit fills the process's caches (the year's settings, the calendar): not the lists' doing
    small = grow(10)
    large = grow(990)
    assert all(count < 40 for count in large.values()), large
    assert large == small


def test_the_applicant_sees_where_the_file_is_and_who_handled_it(chain: dict[str, Any]) -> None:
    first, second = chain["first"], chain["second"]
    pk = chain["application"].pk
    services.perform(first, pk, "approve", today=LATER)
    page = client_for(chain["applicant"]).get(f"/applications/{pk}/").content.decode()
    block = page.split('data-testid="whereabouts"', 1)[1].split("</section>", 1)[0]
    assert f'<strong data-testid="where">{second.organisation}</strong>' in block
    assert "逐级审核第2级，共2级" in block
    last = ApplicationEvent.objects.filter(application_id=pk).last()
    assert last is not None
    assert f"自{last.at.astimezone(dt.UTC).year}年" in block or "自" in block
    handled = block.split('data-testid="handled"', 1)[1]
    assert str(first.organisation) in handled and first.get_role_display() in handled and "审核通过" in handled
    assert str(chain["employer"]) in handled and "用人单位负责人" in handled and "单位推荐，报送审核" in handled
    assert "申报人本人" in handled and "提交用人单位" in handled
    for code in ("approve", "chain_review", "county_hr", "None"):
        assert code not in block


def test_every_demo_role_finds_its_work_in_the_inbox(world: World) -> None:
    """The demo's people, each in its role: the page answers, in Chinese, with the tasks the demo left for it."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    expected = {
        "county_hr": [],
        "committee_clerk": [
            "已报送、待受理的申报（核验原件）</a>：<strong>2<",
            "有待受理申报的报送批次</a>：<strong>1<",
        ],
        "city_hr": ["待审核的申报</a>：<strong>1<", "委托评审待登记委托函和函转文号的申报</a>：<strong>1<"],
        "expert": [],
        "employer_clerk": [],
        "applicant": [],
    }
    for username, tasks in expected.items():
        membership = Membership.objects.filter(user__username=username).first()
        assert membership is not None, username
        page = client_for(membership).get("/").content.decode()
        body = page.split("<main>", 1)[1]
        for task in tasks:
            assert task in body, (username, task)
        for code in ("None", "True", "chain_review", "in_batch", "employer_review"):
            assert f">{code}<" not in body and f"：{code}" not in body, (username, code)
        if membership.role == Role.EXPERT:
            assert 'data-testid="application-list"' not in body
        else:
            assert 'data-testid="inbox-tabs"' in body
    # Every demo applicant reads where the file is, whatever its state.
    for app in Application.objects.select_related("applicant"):
        own = Membership.objects.get(user=app.applicant, role=Role.APPLICANT)
        page = client_for(own).get(f"/applications/{app.pk}/").content.decode()
        where = page.split('data-testid="where">', 1)[1].split("<", 1)[0]
        assert where.strip() and where not in ("None", "—"), (app.pk, app.state)
    # The committee office's desk: the two received cases are its 待我办理, counted in the navigation; candidates
    # whose texts it has not read as experts will see them wait for it (R18) before any expert may score them.
    from django.utils import timezone

    from zhicheng.evaluation.models import Assignment, Candidate

    office = Membership.objects.get(user__username="committee_clerk")
    assignment = Assignment.objects.select_related("expert__user").first()
    assert assignment is not None
    expert = Membership.objects.get(user=assignment.expert.user, role=Role.EXPERT)
    Candidate.objects.update(reviewed_at=None)
    page = client_for(office).get("/").content.decode()
    assert 'title="待我办理">2<' in page
    assert "匿名材料待审核的候选人</a>：<strong>4</strong>" in page
    assert len(listed_pks(client_for(office))) == 2
    assert "待评分的候选人" not in client_for(expert).get("/").content.decode()
    # Once read and marked, each expert's inbox holds the candidates of its group to score, by number only.
    Candidate.objects.update(reviewed_at=timezone.now())
    mine = Candidate.objects.filter(group=assignment.group).exclude(conflicts__expert=assignment.expert).count()
    page = client_for(expert).get("/").content.decode()
    assert f"待评分的候选人</a>：<strong>{mine}</strong>" in page and f'title="待我办理">{mine}<' in page
    assert "申报人" not in page.split("<main>", 1)[1]  # no name of any candidate


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_a_reviewer_works_from_the_inbox_in_the_browser(
    live_server: Any, browser: Any, world: World, county_case: dict[str, Any]
) -> None:
    """The county bureau's reviewer opens 工作台: three cases wait at its step (the number beside 工作台); it finds
    one by ID number, then ticks two, confirms 批量审核通过 and reads which went through. test-artifacts/inbox/."""
    a, b, c = real_cases(world, county_case, 3)
    first_role = a.steps.get(order=0).role
    reviewer = county_case["hr"] if first_role == Role.COUNTY_HR_REVIEWER else county_case["iit"]
    walk = Walk(live_server, browser, "inbox")
    page = walk.session(reviewer.user.username)
    assert page.locator("[data-testid=nav-inbox] .nav-count").inner_text() == "3"
    assert page.locator("[data-testid=tab-mine]").inner_text() == "待我办理（3）"
    walk.snap(page, "inbox")

    number = NUMBERS[b.pk]
    page.fill("input[name=q]", number)
    walk.press(page, "[data-testid=inbox-search] button[type=submit]")
    rows = page.locator("[data-testid=application-list] tbody tr")
    assert rows.count() == 1 and str(b.applicant) in rows.first.inner_text()
    walk.snap(page, "found-by-id-number")
    walk.press(page, "text=清除条件")

    page.check(f"input[name=application][value='{a.pk}']")
    page.check(f"input[name=application][value='{c.pk}']")
    walk.press(page, "[data-testid=batch-approve]")
    assert walk.asked and "不能撤回" in walk.asked[-1]
    text = page.locator(".messages").inner_text()
    assert "已审核通过2份" in text and str(a.applicant) in text and str(c.applicant) in text
    assert page.locator("[data-testid=tab-mine]").inner_text() == "待我办理（1）"
    walk.snap(page, "batch-approved")
    assert Application.objects.get(pk=a.pk).step == 1 and Application.objects.get(pk=b.pk).step == 0

    # The applicant of the first case reads where the file is now, and who handled it before.
    mine = walk.session(a.applicant.username)
    mine.goto(f"{walk.url}/applications/{a.pk}/")
    where = mine.locator("[data-testid=whereabouts]")
    nxt = a.steps.get(order=1).organisation
    assert mine.locator("[data-testid=where]").inner_text() == str(nxt)
    assert str(reviewer.organisation) in where.inner_text() and "审核通过" in where.inner_text()
    where.scroll_into_view_if_needed()
    where.screenshot(path=str(walk.artifacts / f"{next(walk.shots):02d}-where-the-file-is.png"))


def test_the_employer_and_the_city_hr_bureau_find_the_tasks_of_their_part(
    county_case: dict[str, Any], submit: Callable[[dict[str, Any]], None], world: World
) -> None:
    """6.1.2 and 8.1: the employer's peer review, its publicities (running, then due to end: 5 working days) and
    its appraisal; R21: the city HR bureau's results to confirm once their publicity has run."""
    clerk, leader, pk = county_case["clerk"], county_case["leader"], county_case["application"].pk

    def tasks(m: Membership, today: dt.date) -> dict[str, int]:
        return {t.label: t.count for t in inbox.tasks(m, today)}

    submit(county_case)
    assert tasks(clerk, dt.date(2023, 10, 9)) == {"待记录民主评议": 1, "待出具鉴定意见": 1}
    members = [
        {"name": n, "kind": k} for n, k in (("甲", "masses"), ("乙", "peers"), ("丙", "leaders"), ("丁", "research"))
    ]
    services.record_peer_review(clerk, pk, held_on=dt.date(2023, 10, 9), members=members, opinion="同意推荐")
    publicity = services.post_publicity(
        clerk, pk, kind="conditions", starts_on=dt.date(2023, 10, 9), explanation="公示无异议"
    )
    assert tasks(clerk, dt.date(2023, 10, 10)) == {"公示中、尚未期满的公示": 1, "待出具鉴定意见": 1}
    after = publicity.earliest_end + dt.timedelta(days=1)
    assert tasks(leader, after) == {"公示期已满、可进行下一步的公示": 1, "待出具鉴定意见": 1}

    city_hr = world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    assert tasks(city_hr, after) == {}
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    results = ResultsPublicity.objects.create(
        year=2023, starts_on=dt.date(2023, 1, 2), earliest_end=dt.date(2023, 1, 6), posted_by=office.user
    )
    accepted = bulk_cases(3, county_case["employer"], state=State.ACCEPTED)
    ResultEntry.objects.bulk_create(
        [
            ResultEntry(
                publicity=results,
                application=a,
                number=i + 1,
                name=str(a.applicant),
                employer_name="某单位",
                level=a.level,
                specialty_name=a.specialty_name,
                way="evaluation",
            )
            for i, a in enumerate(accepted)
        ]
    )
    assert tasks(city_hr, after) == {"公示期满、待确认备案的评审结果": 3}
    assert tasks(office, after) == {}  # no objection waits; the publicity is posted already


def test_the_desk_is_searched_like_the_inbox_and_each_batch_on_the_channel_page_turns_its_pages(
    county_case: dict[str, Any], world: World
) -> None:
    iit = county_case["iit"]
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    batch = SubmissionBatch.objects.create(channel=iit.organisation, year=2023, submitted_by=iit.user)
    sent = bulk_cases(PAGE_SIZE + 3, county_case["employer"], state=State.IN_BATCH, steps=[iit], step=0)
    BatchEntry.objects.bulk_create([BatchEntry(batch=batch, application=a) for a in sent])
    client = client_for(office)

    def desk_pks(query: str) -> list[int]:
        page = client.get(f"/office/?{query}").content.decode()
        table = page.split('data-testid="office-list"', 1)[1].split("</table>", 1)[0]
        return sorted(int(pk) for pk in re.findall(r'href="/office/applications/(\d+)/"', table))

    assert len(desk_pks("")) == PAGE_SIZE and len(desk_pks("page=2")) == 3
    one = sent[7]
    assert desk_pks(f"q={one.applicant.full_name}") == [one.pk]
    assert desk_pks(f"q=%23{one.pk}") == [one.pk]
    assert desk_pks("q=没有这个人") == []
    # The box posts and answers with an address that holds no ID number in clear, as the inbox does.
    answer = client.post("/office/", {"q": ID_NUMBER})
    assert answer.status_code == 302 and ID_NUMBER not in answer.url and idnumbers.digest(ID_NUMBER) in answer.url
    assert "按所填条件找到0份" in client.get(answer.url).content.decode()

    channel = client_for(iit)
    first = channel.get("/channel/").content.decode()
    assert "cases=2#batch" in first
    rows = re.findall(r'href="/applications/(\d+)/"', channel.get("/channel/?cases=2").content.decode())
    assert sorted(int(pk) for pk in rows) == sorted(a.pk for a in sent[PAGE_SIZE:])
