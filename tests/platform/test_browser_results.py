"""Results in a real browser (issue 5): the office posts the results publicity, the city HR bureau confirms it, the
holder downloads the certificate and a visitor — signed in as no one — verifies it by its code and is told plainly
that a forged code is unknown. Screenshots: test-artifacts/results/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import CHROMIUM, Walk, World
from tests.platform.test_evaluation import Spec, accepted, expert, meeting_with, one_group, sheet
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.evaluation.meeting import cast_ballot, close_meeting
from zhicheng.evaluation.models import Candidate
from zhicheng.evaluation.scoring import submit_score
from zhicheng.results.models import Certificate
from zhicheng.results.services import mask_name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


def test_results_publicity_confirmation_and_verification_in_the_browser(
    live_server: Any, browser: Any, world: World, settings: Any
) -> None:
    cases = accepted(world, [Spec("applicant"), Spec("a2")])
    experts = [expert(world, cases.office, f"e{i}") for i in range(1, 4)]
    one_group(cases, [e for _, e in experts])
    for member, _ in experts:
        for c in Candidate.objects.all():
            submit_score(member, c.pk, **sheet())
    meeting_with(cases.office, [e for _, e in experts])
    for member, _ in experts:
        for c in Candidate.objects.all():
            cast_ballot(member, 2023, c.pk, "for")
    close_meeting(cases.office, 2023)
    world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    walk = Walk(live_server, browser, "results")
    session, press, snap = walk.session, walk.press, walk.snap

    # A rehearsal date (zhicheng.round.clock): the office posts on 2023-12-28 …
    settings.ZHICHENG_TODAY = "2023-12-28"
    page = session(cases.office.user.username)
    page.goto(f"{live_server.url}/results/")
    assert "申报人applicant" in page.inner_text("[data-testid=recommended]")
    page.fill("input[name=starts_on]", "2023-12-28")
    press(page, "[data-action=post_results]")
    assert "2024年1月4日期满" in page.inner_text("ul.messages")
    snap(page, "office-posted")
    page.context.close()

    page = session(None)
    page.goto(f"{live_server.url}/public/results/2023/")
    assert "2023年12月28日至2024年1月4日" in page.inner_text("[data-testid=period]")
    snap(page, "public-results")
    page.context.close()

    # … and the bureau confirms once the 5 working days have run (R21).
    settings.ZHICHENG_TODAY = "2024-01-05"
    page = session("cityhr")
    page.goto(f"{live_server.url}/results/")
    page.fill("input[name=filing_document]", "忻人社备〔2024〕1号")
    press(page, "[data-action=confirm_results]")
    assert "发放证书2份" in page.inner_text("ul.messages")
    snap(page, "city-hr-confirmed")
    page.context.close()

    cert = Certificate.objects.get(application=cases.by_user["applicant"])
    page = session("applicant")
    page.goto(f"{live_server.url}/applications/{cert.application_id}/")
    assert cert.number in page.inner_text("[data-testid=certificate]")
    response = page.request.get(f"{live_server.url}/certificates/{cert.pk}.pdf")
    assert response.ok and response.body().startswith(b"%PDF-")
    page.context.close()

    # A visitor, signed in as no one, checks the code printed under the QR code; then a forged one.
    page = session(None)
    page.goto(f"{live_server.url}/verify/")
    page.fill("input[name=code]", cert.code)
    press(page, "main form button")
    result = page.inner_text("[data-testid=verify-result]")
    assert (
        "证书有效" in result and mask_name("申报人applicant") in result and "工程师" in result and cert.number in result
    )
    snap(page, "visitor-verified")
    page.fill("input[name=code]", "ABCDEFGHJKMN")
    press(page, "main form button")
    assert "查无此证书" in page.inner_text("[data-testid=verify-result]")
    snap(page, "visitor-forged")
    page.context.close()
