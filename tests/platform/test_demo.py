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
