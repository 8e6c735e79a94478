"""Who may see what (every list and page is filtered here, in the query) and who may act."""

from __future__ import annotations

from django.db.models import F, QuerySet

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import ADMINISTRATOR_ROLES, Role
from zhicheng.cases.models import Application, State

# Roles that may ask to see a whole ID number (each view is logged).
ID_NUMBER_ROLES = frozenset(
    {Role.APPLICANT, Role.EMPLOYER_CLERK, Role.COUNTY_HR_REVIEWER, Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER}
)


# The states of a case that has reached the committee office (it never sees a case before a channel submits it).
OFFICE_STATES = [
    State.IN_BATCH,
    State.OFFICE_RETURNED,
    State.ACCEPTED,
    State.RECOGNITION_DECIDED,
    State.GRANTED,
    State.NOT_GRANTED,
]


def visible_applications(membership: Membership | None) -> QuerySet[Application]:
    """The applications an actor may see, as a query: an applicant their own, an employer its staff, a reviewer
    the cases whose chain includes its organisation once they reached it, the city HR bureau all submitted ones, the
    administrators none."""
    qs = Application.objects.all()
    if membership is None:
        return qs.none()
    role, org = membership.role, membership.organisation
    if role == Role.CITY_HR_OFFICER:
        return qs.exclude(state=State.DRAFT)
    if role in ADMINISTRATOR_ROLES:
        # The three administrators run the platform, the accounts and the audit trail; none of them works on a
        # case, so none reads one (三权分立, least privilege: zhicheng.accounts.duties).
        return qs.none()
    if role == Role.APPLICANT:
        return qs.filter(applicant=membership.user)
    if org is None:
        return qs.none()
    if role in (Role.EMPLOYER_CLERK, Role.EMPLOYER_LEADER):
        return qs.filter(employer=org).exclude(state=State.DRAFT)
    if role == Role.COMMITTEE_CLERK:
        # The office never takes a case from an individual or an employer: it sees what a channel submitted.
        return qs.filter(state__in=OFFICE_STATES)
    # A reviewer sees a case once the chain has reached its step (steps exist from the employer's approval on),
    # and keeps seeing it afterwards.
    return qs.filter(steps__organisation=org, steps__role=role, step__gte=F("steps__order")).distinct()


def can_view(membership: Membership | None, application: Application) -> bool:
    return visible_applications(membership).filter(pk=application.pk).exists()


def acts_for_current_step(membership: Membership, application: Application) -> bool:
    """The actor is the reviewer of the step the case is at."""
    if application.state != State.CHAIN_REVIEW:
        return False
    step = application.steps.filter(order=application.step).first()
    return step is not None and step.organisation_id == membership.organisation_id and step.role == membership.role


def acts_for_employer(membership: Membership, application: Application) -> bool:
    return (
        membership.role in (Role.EMPLOYER_CLERK, Role.EMPLOYER_LEADER)
        and membership.organisation_id == application.employer_id
    )
