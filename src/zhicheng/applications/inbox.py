"""The to-do inbox (issue 11, item 3): for every role the cases at *its* step (待我办理), the cases it acted on
(经办过的) and everything its scope may see (全部); search and filters over them, each a single query whatever the
number of cases; the tasks of the stages above (the office's desk, an expert's scores and ballots, the city HR
bureau's confirmations) registered by those stages, since this floor may not import them; and where a file is.

Every list here starts from ``permissions.visible_applications``: the inbox narrows what a role may see, it never
widens it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from zhicheng.accounts.models import Area, Membership
from zhicheng.accounts.roles import Role
from zhicheng.applications.models import Appraisal, EntrustedCase, PeerReview, Publicity, ReviewStep
from zhicheng.applications.permissions import visible_applications
from zhicheng.cases.labels import ACTION_LABELS
from zhicheng.cases.models import LEVELS, Application, ApplicationEvent, State
from zhicheng.cases.workflow import CHANNELS, EMPLOYER, REVIEWERS, transition
from zhicheng.policy.pack import pack_for_year
from zhicheng.records import idnumbers

TABS: tuple[tuple[str, str], ...] = (("mine", "待我办理"), ("done", "经办过的"), ("all", "全部"))

# Roles with no case list: an expert's work is its evaluation tasks (candidates by code only), an administrator's
# the platform, its accounts or its trail.
NO_CASE_LIST = frozenset({Role.EXPERT, Role.ADMINISTRATOR, Role.SECURITY_ADMIN})

# A mainland ID number (18 characters, the last a digit or X; or the old 15 digits): searched by its keyed digest.
ID_NUMBER = re.compile(r"^(\d{17}[\dX]|\d{15})$")
CASE_NUMBER = re.compile(r"^(?:申报)?#?(\d{1,9})$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _my_current_step(membership: Membership) -> Exists:
    return Exists(
        ReviewStep.objects.filter(
            application=OuterRef("pk"),
            order=OuterRef("step"),
            organisation=membership.organisation,
            role=membership.role,
        )
    )


def _my_last_step(membership: Membership) -> Exists:
    """The actor's organisation is the last step of the chain: the channel that submits the case (6.1.3)."""
    last = ReviewStep.objects.filter(application=OuterRef(OuterRef("pk"))).order_by("-order").values("order")[:1]
    return Exists(
        ReviewStep.objects.filter(
            application=OuterRef("pk"),
            organisation=membership.organisation,
            role=membership.role,
            order=Subquery(last),
        )
    )


def at_my_step(membership: Membership | None) -> QuerySet[Application]:
    """The cases waiting for this actor now — whose step it is by the workflow table (cases.workflow)."""
    qs = visible_applications(membership)
    if membership is None:
        return qs.none()
    role = membership.role
    if role == Role.APPLICANT:
        return qs.filter(Q(state=State.DRAFT) | Q(state=State.RETURNED, returned_to="applicant"))
    if role in EMPLOYER:
        return qs.filter(Q(state=State.EMPLOYER_REVIEW) | Q(state=State.RETURNED, returned_to="employer"))
    if role == Role.COMMITTEE_CLERK:
        return qs.filter(state=State.IN_BATCH)  # the desk: received, to be checked and accepted or returned
    if role in REVIEWERS:
        mine = Q(state=State.CHAIN_REVIEW) & Q(_my_current_step(membership))
        if role in CHANNELS:
            # A channel also submits its ready cases to the committee, and resubmits those the office returned.
            mine |= Q(state__in=[State.READY_FOR_COMMITTEE, State.OFFICE_RETURNED]) & Q(_my_last_step(membership))
        return qs.filter(mine)
    return qs.none()


def channel_ready(membership: Membership, year: int) -> QuerySet[Application]:
    """The cases ready for the committee whose chain ends at the actor's organisation (it submits them, 6.1.3)."""
    return (
        Application.objects.filter(year=year, state=State.READY_FOR_COMMITTEE)
        .filter(_my_last_step(membership))
        .select_related("applicant", "employer")
        .order_by("pk")
    )


def acted_on(membership: Membership | None) -> QuerySet[Application]:
    """The cases the actor or its organisation has handled (经办过的): an event of any of its people — a colleague
    who approved a case yesterday is the office's work too; the applicant's own events count for the applicant
    alone, although the applicant's account belongs to the employer."""
    qs = visible_applications(membership)
    if membership is None:
        return qs.none()
    events = ApplicationEvent.objects.all()
    if membership.role == Role.APPLICANT or membership.organisation_id is None:
        events = events.filter(actor_id=membership.user_id, role=membership.role)
    else:
        events = events.filter(organisation_id=membership.organisation_id).exclude(role=Role.APPLICANT)
    return qs.filter(pk__in=events.values("application_id"))


def tab_queryset(membership: Membership | None, tab: str) -> QuerySet[Application]:
    if tab == "done":
        return acted_on(membership)
    if tab == "all":
        return visible_applications(membership)
    return at_my_step(membership)


@dataclass(frozen=True)
class Filters:
    """What a clerk typed and chose above a list; unknown values are ignored, never an error page."""

    q: str = ""
    state: str = ""
    level: str = ""
    category: int | None = None
    area: int | None = None
    # An ID number typed in the box travels on as its keyed digest and its masked form, never in clear: the
    # addresses of the result pages end up in access logs, browser histories and Referer headers.
    id_digest: str = ""
    id_shown: str = ""

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        def number(name: str) -> int | None:
            raw = (data.get(name) or "").strip()
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None

        state = data.get("state") or ""
        level = data.get("level") or ""
        q = (data.get("q") or "").strip()[:60]
        id_digest, id_shown = (data.get("qd") or "").strip(), (data.get("qm") or "").strip()[:18]
        if not DIGEST.match(id_digest):
            id_digest, id_shown = "", ""
        typed = q.upper().replace(" ", "")
        if ID_NUMBER.match(typed):
            q, id_digest, id_shown = "", idnumbers.digest(typed), idnumbers.mask(typed)
        elif q:  # a new search typed over an earlier one by ID number
            id_digest, id_shown = "", ""
        return cls(
            q=q,
            state=state if state in State.values else "",
            level=level if level in dict(LEVELS) else "",
            category=number("category"),
            area=number("area"),
            id_digest=id_digest,
            id_shown=id_shown,
        )

    def active(self) -> bool:
        return bool(self.q or self.id_digest or self.state or self.level or self.category or self.area)

    def query_string(self) -> str:
        """The filters as a query string, for the pages' links (the page number is added by the template)."""
        pairs = [
            (k, v)
            for k, v in (
                ("q", self.q),
                ("qd", self.id_digest),
                ("qm", self.id_shown),
                ("state", self.state),
                ("level", self.level),
                ("category", self.category),
                ("area", self.area),
            )
            if v
        ]
        return urlencode(pairs)


def search(qs: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    """Narrow a list by the search box and the filters, in the database.

    An ID number is found through the keyed digest stored beside the cipher (records.idnumbers): the query compares
    digests and never reads, let alone decrypts, any row's number. A name, an employer or a case number is matched
    as typed."""
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.category:
        qs = qs.filter(specialty_category=filters.category)
    if filters.area:
        qs = qs.filter(area_id=filters.area)
    if filters.id_digest:
        return qs.filter(applicant__profile__id_number_digest=filters.id_digest)
    q = filters.q.upper().replace(" ", "")
    if not q:
        return qs
    number = CASE_NUMBER.match(q)
    if number:  # a number alone is a case number (names and employers are words)
        return qs.filter(pk=int(number.group(1)))
    return qs.filter(
        Q(applicant__full_name__icontains=filters.q)
        | Q(applicant__username__iexact=filters.q)
        | Q(employer__name__icontains=filters.q)
    )


def listed(qs: QuerySet[Application]) -> QuerySet[Application]:
    """What a list row shows, fetched with the page (two queries a page: the rows, and their steps)."""
    return (
        qs.select_related("applicant", "employer", "area")
        .prefetch_related("steps__organisation")
        .order_by("-updated_at", "-pk")
    )


def filter_choices(year: int) -> dict[str, Any]:
    """The choices of the filters: the states, levels, the pack's specialty categories, the areas (one query)."""
    pack = pack_for_year(year)
    return {
        "states": State.choices,
        "levels": LEVELS,
        "categories": [(n, c.name) for n, c in sorted(pack.categories.items())],
        "areas": list(Area.objects.order_by("pk").values_list("pk", "name")),
    }


# ── tasks: what waits for a role besides its cases ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Task:
    """One kind of work waiting, in the notice's words, with how many and where to do it."""

    label: str
    count: int
    url: str
    note: str = ""


TaskProvider = Callable[[Membership], Iterable[Task]]
_PROVIDERS: list[TaskProvider] = []


def register(provider: TaskProvider) -> TaskProvider:
    """A stage above (intake, evaluation, results) adds the tasks it knows; each provider runs a fixed number of
    queries, whatever the number of cases."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def tasks(membership: Membership | None, today: dt.date) -> list[Task]:
    if membership is None:
        return []
    out = list(_own_tasks(membership, today))
    for provider in _PROVIDERS:
        out.extend(provider(membership))
    return [t for t in out if t.count]


def _own_tasks(membership: Membership, today: dt.date) -> Iterable[Task]:
    """The employer's part (6.1.2, 8.1) and a bureau's approvals: counted in the database."""
    role = membership.role
    if role in EMPLOYER:
        reviewing = visible_applications(membership).filter(state=State.EMPLOYER_REVIEW)
        yield Task(
            "待记录民主评议",
            reviewing.exclude(Exists(PeerReview.objects.filter(application=OuterRef("pk")))).count(),
            reverse("dashboard") + "?tab=mine&state=employer_review",
        )
        yield Task(
            "公示期已满、可进行下一步的公示",
            Publicity.objects.filter(application__in=reviewing, earliest_end__lt=today).count(),
            reverse("dashboard") + "?tab=mine&state=employer_review",
            "公示须满5个工作日（8.1）",
        )
        yield Task(
            "公示中、尚未期满的公示",
            Publicity.objects.filter(application__in=reviewing, earliest_end__gte=today).count(),
            reverse("dashboard") + "?tab=mine&state=employer_review",
        )
        yield Task(
            "待出具鉴定意见",
            reviewing.exclude(Exists(Appraisal.objects.filter(application=OuterRef("pk")))).count(),
            reverse("dashboard") + "?tab=mine&state=employer_review",
        )
        if role == Role.EMPLOYER_LEADER:
            yield Task(
                "鉴定意见待负责人确认",
                Appraisal.objects.filter(application__in=reviewing, confirmed_at__isnull=True).count(),
                reverse("dashboard") + "?tab=mine&state=employer_review",
            )
    elif role in REVIEWERS:
        yield Task(
            "待审核的申报",
            at_my_step(membership).filter(state=State.CHAIN_REVIEW).count(),
            reverse("dashboard") + "?tab=mine&state=chain_review",
        )
        if role == Role.CITY_HR_OFFICER:
            yield Task(
                "委托评审待登记委托函和函转文号的申报",
                at_my_step(membership)
                .filter(state=State.CHAIN_REVIEW, entrusted=True)
                .exclude(Exists(EntrustedCase.objects.filter(application=OuterRef("pk"))))
                .count(),
                reverse("dashboard") + "?tab=mine&state=chain_review",
                "委托评审（7.1）须先登记，方可审核通过",
            )
        if role in CHANNELS:
            yield Task(
                "待统一报送评委会的申报",
                at_my_step(membership).filter(state=State.READY_FOR_COMMITTEE).count(),
                reverse("channel"),
            )
            yield Task(
                "评委会办公室退回、待重新报送的申报",
                at_my_step(membership).filter(state=State.OFFICE_RETURNED).count(),
                reverse("channel"),
            )


def inbox_count(membership: Membership | None) -> int:
    """The number shown beside 工作台 in the navigation: the cases at my step, or for an expert its tasks."""
    if membership is None:
        return 0
    if membership.role in NO_CASE_LIST:
        return sum(t.count for provider in _PROVIDERS for t in provider(membership))
    return at_my_step(membership).count()


# ── where the file is (the applicant's question) ───────────────────────────────────────────────────────────


@dataclass
class Whereabouts:
    where: str  # the organisation whose step it is, or who holds the file
    doing: str  # what is done there
    since: dt.datetime | None
    handled: list[dict[str, Any]] = field(default_factory=list)  # who handled it before: date, organisation, role


def _action_label(event: ApplicationEvent) -> str:
    """The workflow's own label where the step names it (an approval is a recommendation at the employer and an
    approval in the chain), else the event's."""
    t = transition(event.from_state, event.action) if event.from_state else None
    return t.label if t is not None else ACTION_LABELS.get(event.action, "办理")


def where_is(application: Application, steps: list[ReviewStep], events: list[ApplicationEvent]) -> Whereabouts:
    """Which organisation's step the case is at, since when, and who handled it before — from the steps and the
    events already fetched for the page (no query of its own)."""
    state = application.state
    by_order = {s.order: s for s in steps}
    last = by_order[max(by_order)] if by_order else None
    employer = str(application.employer)
    places: dict[str, tuple[str, str]] = {
        State.DRAFT: ("申报人本人", "填写申报材料，作出承诺后提交用人单位"),
        State.EMPLOYER_REVIEW: (employer, "用人单位审核：民主评议、公示、鉴定意见、推荐"),
        State.IN_BATCH: ("评委会办公室", "已报送评委会，待受理（核验原件）"),
        State.ACCEPTED: ("评委会", "评委会已受理，评审中"),
        State.RECOGNITION_DECIDED: ("评委会", "评委会已作出认定结论，待市人社局确认"),
        State.GRANTED: ("市人社局", "评审通过，已确认备案；办理结束"),
        State.NOT_GRANTED: ("评委会", "未通过评审；办理结束"),
        State.REJECTED: ("—", "不予推荐；办理结束"),
        State.WITHDRAWN: ("申报人本人", "已撤回；办理结束"),
        State.DEFERRED: ("评委会办公室", "已移出本年度评审；办理结束"),
    }
    where, doing = places.get(state, ("", ""))
    if state == State.CHAIN_REVIEW:
        step = by_order.get(application.step)
        where = str(step.organisation) if step else "审核单位"
        doing = f"逐级审核第{application.step + 1}级，共{len(by_order)}级"
    elif state == State.RETURNED:
        where = "申报人本人" if application.returned_to == "applicant" else employer
        doing = f"已退回{application.get_returned_to_display()}修改，修改后重新提交"
    elif state == State.READY_FOR_COMMITTEE:
        where = str(last.organisation) if last else "报送单位"
        doing = "审核已全部通过，待统一报送评委会"
    elif state == State.OFFICE_RETURNED:
        where = str(last.organisation) if last else "报送单位"
        doing = "评委会办公室退回报送单位，待重新报送"
    since = next((e.at for e in reversed(events) if e.to_state == state), None) or application.updated_at
    handled = [
        {
            "at": e.at,
            # The applicant acts for themself, though their account belongs to the employer.
            "organisation": "申报人本人" if e.role == Role.APPLICANT else str(e.organisation or "—"),
            "role": e.get_role_display(),
            "action": _action_label(e),
        }
        for e in events
    ]
    return Whereabouts(where=where, doing=doing, since=since, handled=handled)
