"""Issue 5's "done when", in a real browser on `make run`'s own demo data: the experts score the 忻府区 batch by code,
the office holds the meeting and the experts vote, the office posts the results publicity, the city HR bureau
confirms it once its 5 working days have run (a rehearsal date), the holder downloads the certificate and a visitor
verifies it. Screenshots: test-artifacts/demo/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.platform.conftest import CHROMIUM, Walk
from zhicheng.cases.models import Application, State
from zhicheng.evaluation.models import Assignment, Candidate, Meeting
from zhicheng.results.models import Certificate, ResultsPublicity

DEMO_PASSWORD = "zhicheng-demo-2023"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_the_demo_batch_from_groups_to_a_verified_certificate(
    live_server: Any, browser: Any, world: Any, settings: Any
) -> None:
    call_command("seed_demo", verbosity=0)
    # The rehearsal date: the first receiving day of the demo's window (the demo sets it around the real today).
    today = timezone.localdate()
    settings.ZHICHENG_TODAY = today.isoformat()
    walk = Walk(live_server, browser, "demo", DEMO_PASSWORD)
    session, press, snap = walk.session, walk.press, walk.snap

    # The office's reading of the texts as experts will see them: each candidate reviewed (已审核) or waiting.
    page = session("committee_clerk")
    page.goto(f"{live_server.url}/evaluation/")
    assert "已审核" in page.inner_text("main")
    page.locator("details summary").first.click()
    snap(page, "office-anonymity-review")
    page.context.close()

    # Each assigned expert scores the candidates of the group, by code only.
    assigned = sorted({a.expert.user.username for a in Assignment.objects.select_related("expert__user")})
    assert assigned
    for username in assigned:
        page = session(username)
        page.goto(f"{live_server.url}/evaluation/expert/")
        codes = [a.inner_text() for a in page.locator("[data-testid=my-group] a").all()]
        assert codes
        for code in codes:
            page.goto(f"{live_server.url}/evaluation/expert/{code}/")
            for name in ("theory", "practice"):
                page.fill(f"input[name=d_{name}]", "24")
            for name in ("paper", "answers"):
                page.fill(f"input[name=d_{name}]", "16")
            page.fill("input[name=q_awards]", "6")
            page.fill("input[name=r_awards]", "获市级奖项")
            page.fill("input[name=q_work_performance]", "16")
            page.fill("input[name=r_work_performance]", "现场业绩突出")
            press(page, "[data-testid=score] button[type=submit]")
            assert "评分已提交" in page.inner_text("ul.messages"), page.inner_text("main")[:600]
        snap(page, f"{username}-scored")
        page.context.close()

    # The office: the meeting on the rehearsal date, every member present, opened.
    page = session("committee_clerk")
    page.goto(f"{live_server.url}/evaluation/")
    page.fill("input[name=held_on]", today.isoformat())
    press(page, "form[action$='/prepare_meeting/'] button")
    for box in page.locator("form[action$='/attendance/'] input[name=present]").all():
        box.check()
    press(page, "form[action$='/attendance/'] button")
    press(page, "form[action$='/open/'] button")
    assert Meeting.objects.get().status == Meeting.Status.OPEN
    snap(page, "office-meeting-open")
    page.context.close()

    # Every member present votes on every candidate: for.
    for expert in Meeting.objects.get().present.select_related("user"):
        page = session(expert.user.username)
        page.goto(f"{live_server.url}/evaluation/expert/")
        while page.locator("form[data-ballot]").count():
            form = page.locator("form[data-ballot]").first
            form.locator("input[value=for]").check()
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
        page.context.close()

    page = session("committee_clerk")
    page.goto(f"{live_server.url}/evaluation/")
    press(page, "form[action$='/close/'] button")
    assert Meeting.objects.get().status == Meeting.Status.CLOSED
    passed = Candidate.objects.filter(passed_vote=True, within_cap=True).count()
    assert passed >= 1
    snap(page, "office-meeting-closed")
    page.goto(f"{live_server.url}/results/")
    page.fill("input[name=starts_on]", today.isoformat())
    press(page, "[data-action=post_results]")
    assert "期满" in page.inner_text("ul.messages"), page.inner_text("main")[:600]
    snap(page, "office-results-posted")
    page.context.close()

    # The city HR bureau confirms once the publicity has run (the rehearsal date moved past its end).
    settings.ZHICHENG_TODAY = (ResultsPublicity.objects.get().earliest_end + dt.timedelta(days=1)).isoformat()
    page = session("city_hr")
    page.goto(f"{live_server.url}/results/")
    page.fill("input[name=filing_document]", "忻人社备〔2023〕12号")
    press(page, "[data-action=confirm_results]")
    assert f"发放证书{passed}份" in page.inner_text("ul.messages"), page.inner_text("main")[:600]
    snap(page, "city-hr-confirmed")
    page.context.close()

    cert = Certificate.objects.select_related("application__applicant").first()
    assert cert is not None and Application.objects.get(pk=cert.application_id).state == State.GRANTED
    page = session(cert.application.applicant.username)
    page.goto(f"{live_server.url}/applications/{cert.application_id}/")
    assert cert.code in page.inner_text("[data-testid=certificate]")
    page.context.close()
    page = session(None)
    page.goto(f"{live_server.url}/verify/")
    page.fill("input[name=code]", cert.code)
    press(page, "main form button")
    assert "证书有效" in page.inner_text("[data-testid=verify-result]")
    snap(page, "visitor-verified")
    page.context.close()
