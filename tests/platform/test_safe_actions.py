"""Safe actions (issue 11, item 6): an irreversible step asks first, a step posted twice is done once and answered
with the state it produced, SQLite waits instead of failing, and a button shows only while its step applies."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests.platform.conftest import World, through_employer
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.cases.workflow import CONSEQUENCES, TRANSITIONS

SRC = Path(__file__).resolve().parents[2] / "src" / "zhicheng"


def said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _action(client: Client, app: Application, action: str, seen: str, **data: str) -> Any:
    return client.post(reverse("application_action", args=[app.pk, action]), {"seen": seen, **data})


def test_a_double_submit_is_done_once_and_answered_with_its_state(county_case: dict[str, Any]) -> None:
    app = county_case["application"]
    services.applicant_pledge(county_case["applicant"], app.pk)
    client = signed_in(county_case["applicant"].user)
    first = _action(client, app, "submit", "draft:0")
    second = _action(client, app, "submit", "draft:0")
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("application", args=[app.pk])
    messages = said(second)
    assert any("该操作已办理（提交用人单位）" in m and "用人单位审核" in m for m in messages), messages
    assert list(app.events.filter(action="submit").values_list("actor", flat=True)) == [app.applicant_id]
    assert Application.objects.get(pk=app.pk).state == State.EMPLOYER_REVIEW
    # The answer shows as information on the case page, not as an error.
    page = client.get(second.url)
    assert page.status_code == 200


def test_a_reviewer_who_approves_twice_approves_one_step(county_case: dict[str, Any], submit: Any) -> None:
    submit(county_case)
    app = county_case["application"]
    through_employer(app, county_case["leader"])
    client = signed_in(county_case["hr"].user)
    assert _action(client, app, "approve", "chain_review:0").status_code == 302
    again = _action(client, app, "approve", "chain_review:0")
    assert any("该操作已办理" in m for m in said(again))
    app.refresh_from_db()
    assert (app.state, app.step) == (State.CHAIN_REVIEW, 1)
    assert app.steps.filter(decision="approved").count() == 1


def test_a_page_left_open_while_someone_else_acted_is_refused_with_the_news(
    county_case: dict[str, Any], submit: Any
) -> None:
    submit(county_case)
    app = county_case["application"]
    # The leader opened the case; meanwhile the clerk sent it back to the applicant.
    services.perform(county_case["clerk"], app.pk, "return", reason="请补充继续教育证明")
    leader = signed_in(county_case["leader"].user)
    answer = _action(leader, app, "reject", "employer_review:0", reason="不符合条件")
    assert any("已由他人办理" in m and "退回修改" in m for m in said(answer)), said(answer)
    app.refresh_from_db()
    assert app.state == State.RETURNED
    assert not app.events.filter(action="reject").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (DATABASE_URL)")
def test_two_submits_at_the_same_moment_make_one_submission(world: World) -> None:
    employer = world.employer("原平市双击测试公司")
    applicant = world.applicant("applicant", employer)
    app = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant, app.pk)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def click() -> None:
        client = signed_in(applicant.user)
        barrier.wait()
        try:
            codes.append(_action(client, app, "submit", "draft:0").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302, 302]
    assert Application.objects.get(pk=app.pk).events.filter(action="submit").count() == 1


def test_sqlite_writers_wait_for_each_other(tmp_path: Path, django_db_blocker: Any) -> None:
    """Two transactions that read and then write at once (two clicks): with the platform's SQLite settings both
    finish; with SQLite's default deferred transactions one of them fails at once with "database is locked"."""
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5

    def run(config: dict[str, Any]) -> list[str]:
        name = tmp_path / f"race-{len(list(tmp_path.iterdir()))}.sqlite3"
        db = sqlite3.connect(name)
        db.execute("create table clicks (n integer)")
        db.commit()
        db.close()
        barrier = threading.Barrier(2, timeout=10)
        outcomes: list[str] = []

        def click() -> None:
            wrapper = DatabaseWrapper(
                {
                    **settings.DATABASES["default"],
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(name),
                    "OPTIONS": config,
                    "TIME_ZONE": None,
                    "CONN_MAX_AGE": 0,
                    "CONN_HEALTH_CHECKS": False,
                    "AUTOCOMMIT": True,
                    "ATOMIC_REQUESTS": False,
                }
            )
            try:
                barrier.wait()
                with wrapper.cursor() as cursor:
                    # What Django's atomic() does on SQLite: BEGIN in the configured mode (DEFERRED by default).
                    cursor.execute(f"BEGIN {config.get('transaction_mode', 'DEFERRED')}")
                    cursor.execute("select count(*) from clicks").fetchone()
                    time.sleep(0.2)
                    cursor.execute("insert into clicks values (1)")
                    cursor.execute("COMMIT")
                outcomes.append("ok")
            except Exception as exc:
                outcomes.append(f"{type(exc).__name__}: {exc}")
            finally:
                wrapper.close()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        return outcomes

    platform = {k: v for k, v in options.items()} if options.get("transaction_mode") else {}
    platform = platform or {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    with django_db_blocker.unblock():  # connections of our own to files of our own, not the test database
        assert run(platform) == ["ok", "ok"]
        default = run({"timeout": 20})
    assert any("locked" in o for o in default), f"the deferred default should fail, the test is blind: {default}"


def test_sqlite_runs_in_wal_mode(tmp_path: Path, django_db_blocker: Any) -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the platform runs on PostgreSQL here; its SQLite options are tested where it runs on SQLite")
    wrapper = DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "NAME": str(tmp_path / "wal.sqlite3"),
            "TIME_ZONE": None,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
        }
    )
    with django_db_blocker.unblock(), wrapper.cursor() as cursor:
        assert cursor.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert "journal_mode=WAL" in options["init_command"]
    wrapper.close()


def test_every_workflow_step_that_cannot_be_undone_names_its_consequence() -> None:
    for t in TRANSITIONS:
        assert t.action in CONSEQUENCES, t.action
        assert t.confirm.startswith(f"确定「{t.label}」？") and len(t.confirm) > len(t.label) + 8


# The posts that cannot be taken back, by the URL they post to: each form must ask first.
IRREVERSIBLE = (
    "application_action",
    "applicant_pledge",
    "employer_pledge",
    "confirm_appraisal",
    "channel_submit",
    "channel_resubmit",
    "'accept'",
    "'return'",
    "'defer'",
    "'recognition'",
    "'build'",
    "'apply_plan'",
    "'open'",
    "'close'",
    "'ballot'",
    "'conflict'",
    "results_action' 'post'",
    "results_action' 'confirm'",
    "integrity_record",
)


def test_every_irreversible_form_asks_first() -> None:
    forms = []
    for template in SRC.rglob("*.html"):
        for form in re.findall(r"<form[^>]*>", template.read_text(encoding="utf-8")):
            if 'method="post"' in form and any(key in form for key in IRREVERSIBLE):
                forms.append((template.name, form))
    assert len(forms) >= 19
    missing = [f for f in forms if "data-confirm=" not in f[1]]
    assert not missing, missing


def test_the_case_page_asks_before_submit_and_withdraw(county_case: dict[str, Any]) -> None:
    app = county_case["application"]
    page = signed_in(county_case["applicant"].user).get(reverse("application", args=[app.pk])).content.decode()
    for action in ("submit", "withdraw"):
        form = re.search(rf"<form[^>]*do/{action}/[^>]*>", page)
        assert form and 'data-confirm="确定「' in form.group(0), action
        assert CONSEQUENCES[action] in form.group(0)
    assert 'name="seen" value="draft:0"' in page


def test_the_batch_is_offered_only_inside_the_window(county_case: dict[str, Any], submit: Any, settings: Any) -> None:
    """8.4: the office receives inside its window; the channel's button to submit goes with it."""
    submit(county_case)
    app = county_case["application"]
    through_employer(app, county_case["leader"])
    services.perform(county_case["hr"], app.pk, "approve")
    services.perform(county_case["iit"], app.pk, "approve")
    client = signed_in(county_case["iit"].user)
    settings.ZHICHENG_TODAY = "2023-10-16"  # a Monday inside the 2023 window
    inside = client.get(reverse("channel")).content.decode()
    assert 'data-action="submit_batch"' in inside
    settings.ZHICHENG_TODAY = "2023-11-13"  # the Monday after it closed
    closed = client.get(reverse("channel")).content.decode()
    assert "受理已截止" in closed and "不在受理时间内，不能报送" in closed
    assert 'data-action="submit_batch"' not in closed


def test_nothing_is_regrouped_once_the_vote_has_begun(world: World) -> None:
    from zhicheng.accounts.models import Organisation
    from zhicheng.accounts.roles import OrgKind
    from zhicheng.evaluation.models import Meeting

    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    client = signed_in(office.user)
    before = client.get(reverse("evaluation")).content.decode()
    assert "按已受理申报编排答辩组" in before
    Meeting.objects.create(year=settings.ZHICHENG_YEAR, held_on="2023-12-01", status=Meeting.Status.OPEN)
    after = client.get(reverse("evaluation")).content.decode()
    assert "按已受理申报编排答辩组" not in after
    assert "加入专家库" not in after


def test_the_profile_is_offered_for_reading_only_while_it_is_reviewed(county_case: dict[str, Any], submit: Any) -> None:
    from zhicheng.records.models import Profile

    client = signed_in(county_case["applicant"].user)
    assert ">填写</a>" in client.get(reverse("profile")).content.decode()
    submit(county_case)
    page = client.get(reverse("profile")).content.decode()
    assert ">填写</a>" not in page and ">查看</a>" in page and 'data-testid="profile-locked"' in page
    section = client.get(reverse("profile_section", args=["identity"])).content.decode()
    assert '<fieldset class="plain" disabled>' in section and ">保存</button>" not in section
    before = Profile.objects.get(user=county_case["applicant"].user).facts
    answer = client.post(reverse("profile_section", args=["identity"]), {"name": "改过的名字"})
    assert answer.status_code == 302
    assert any("申报正在审核中" in m for m in said(answer))
    assert Profile.objects.get(user=county_case["applicant"].user).facts == before
