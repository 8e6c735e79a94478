"""`make run`'s demo data: what the README's walk-through promises is there, and works through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from zhicheng.cases.models import Application, State
from zhicheng.cases.refusals import ActionRefused
from zhicheng.intake import services as intake
from zhicheng.intake.models import SubmissionBatch
from zhicheng.records import integrity
from zhicheng.records.facts import engine_facts


@pytest.fixture
def demo(world: Any) -> None:
    call_command("seed_demo", verbosity=0)


def test_the_demo_office_receives_batches_accepts_returns_and_a_ban_stops_an_application(demo: None) -> None:
    office = Membership.objects.get(user__username="committee_clerk")
    waiting = Application.objects.filter(state=State.IN_BATCH).order_by("pk")
    assert SubmissionBatch.objects.count() == 2 and waiting.count() == 2
    assert Application.objects.filter(state=State.ACCEPTED).count() == 4  # the evaluation's candidates
    from zhicheng.evaluation.models import Assignment, Candidate

    assert Candidate.objects.count() == 4 and Assignment.objects.exists()  # groups built, experts assigned
    first, second = waiting
    intake.record_check(office, first.pk, originals=[k for k, _ in intake.required_originals(first)], notes="")
    intake.accept(office, first.pk)
    intake.office_return(office, second.pk, reason="鉴定意见未加盖公章")
    assert Application.objects.get(pk=second.pk).state == State.OFFICE_RETURNED

    # The README's integrity demo: a finding against applicant4 (刘洋), whose application is then refused (8.2).
    integrity.record_finding(
        office,
        id_number="142201198805120517",
        name="刘洋",
        kind="false_materials",
        found_on=dt.date(2023, 3, 1),
        ban_years=2,
    )
    applicant4 = Membership.objects.get(user__username="applicant4")
    employer = applicant4.organisation
    assert employer is not None
    app = services.create_application(
        applicant4, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    services.applicant_pledge(applicant4, app.pk)
    with pytest.raises(ActionRefused, match=r"8\.2"):
        services.perform(applicant4, app.pk, "submit")


def test_the_demo_entrusted_case_waits_for_the_city_hr_bureau_and_last_year_is_on_record(demo: None) -> None:
    entrusted = Application.objects.get(applicant__username="applicant10")
    assert entrusted.route == "entrusted" and entrusted.state == State.CHAIN_REVIEW
    city_hr = Membership.objects.get(user__username="city_hr")
    assert entrusted.steps.get().role == Role.CITY_HR_OFFICER
    with pytest.raises(ActionRefused, match="委托函"):
        services.perform(city_hr, entrusted.pk, "approve")
    facts = engine_facts(entrusted.applicant.profile, 2023)
    assert facts.last_year is not None and facts.last_year.outcome == "failed_committee"


def test_the_demo_loads_once(demo: None) -> None:
    call_command("seed_demo", verbosity=0)
    assert Application.objects.filter(applicant__username="applicant2").count() == 1


def test_the_demo_accounts_sign_in_as_the_readme_says(demo: None) -> None:
    """Every demo account has the README's password (which passes the password rules); the privileged ones sign
    in with a code from the README's TOTP secret, the others with the password alone."""
    import base64
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth.password_validation import validate_password
    from django.test import Client
    from django_otp.oath import TOTP

    from zhicheng.accounts.models import User
    from zhicheng.accounts.second_factor import required_for
    from zhicheng.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET

    readme = (Path(settings.PROJECT_DIR) / "README.md").read_text(encoding="utf-8")
    assert DEMO_PASSWORD in readme and DEMO_TOTP_SECRET in readme
    key = base64.b32decode(DEMO_TOTP_SECRET)
    privileged = set()
    for user in User.objects.all():
        validate_password(DEMO_PASSWORD, user)
        assert user.check_password(DEMO_PASSWORD) and not user.must_change_password, user.username
        client = Client()
        assert client.post("/login/", {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
        if required_for(user):
            privileged.add(user.username)
            assert client.get("/")["Location"].startswith("/account/second-factor/?"), user.username
            code = f"{TOTP(key).token():06d}"  # what an authenticator app on the secret shows now
            assert client.post("/account/second-factor/", {"code": code}).status_code == 302, user.username
        assert client.get("/", follow=True).status_code == 200, user.username  # the auditor lands on /audit/
    assert {"committee_clerk", "city_hr", "expert", "expert5", "admin", "security", "auditor"} <= privileged
    assert "applicant" not in privileged and "county_hr" not in privileged
