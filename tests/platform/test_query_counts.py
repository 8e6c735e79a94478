"""Queries that do not grow with the cases (issue 12): every channel's page, the summary workbooks and PDFs, the
office's desk, batch summaries and export, and the results pages take as many queries for 1,000 cases as for 10.
The seeding here is shared with bench/queries.py, which prints the same counts at 10, 1,000 and 5,000 cases."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.platform.conftest import World
from tests.platform.test_inbox import bulk_cases, client_for
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications.models import EntrustedCase, Entrustment, Publicity, ReviewStep
from zhicheng.cases.models import Application, State
from zhicheng.evaluation.models import Candidate, Group
from zhicheng.intake.models import BatchEntry, RecognitionDecision, SubmissionBatch
from zhicheng.records.models import Profile
from zhicheng.results.models import Certificate, ResultEntry, ResultsPublicity

YEAR = 2023
_seq = itertools.count(1)


@dataclass
class Scene:
    """The people whose pages are counted, and the batches, letters and publicity the cases are added to."""

    hr: Membership
    iit: Membership
    department: Membership
    city_hr: Membership
    office: Membership
    county_employer: Organisation
    city_employer: Organisation
    batches: dict[str, SubmissionBatch] = field(default_factory=dict)
    group: Group | None = None
    publicity: ResultsPublicity | None = None
    one_case: Application | None = None

    def pages(self) -> dict[Membership, list[str]]:
        assert self.one_case is not None
        largest = self.batches["iit"].pk
        return {
            self.hr: ["/channel/", "/channel/summary.xlsx", "/channel/summary.pdf"],
            self.iit: ["/channel/", "/channel/summary.xlsx", "/channel/summary.pdf"],
            self.department: ["/channel/", "/channel/summary.xlsx", "/channel/summary.pdf"],
            self.city_hr: [
                "/channel/",
                f"/channel/?batch={self.batches['city_hr'].pk}&cases=2",
                "/channel/summary.xlsx",
                "/channel/summary.pdf",
                "/results/",
            ],
            self.office: [
                "/office/",
                "/office/?q=批量&page=2",
                f"/office/batches/{largest}/summary.xlsx",
                f"/office/batches/{largest}/summary.pdf",
                "/office/export.xlsx",
                f"/office/applications/{self.one_case.pk}/",
                "/results/",
            ],
        }


def scene(world: World) -> Scene:
    """The county's two bureaux, a competent department, the city HR bureau and the office, each with a batch."""
    hr = world.bureau("q_hr", "原平市", "hr")
    iit = world.bureau("q_iit", "原平市", "iit")
    department = world.person(
        "q_cd", Role.COMPETENT_DEPARTMENT_REVIEWER, Organisation.objects.get(name="忻州市住房和城乡建设局")
    )
    city_hr = world.person("q_cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    office = world.person("q_office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    s = Scene(
        hr=hr,
        iit=iit,
        department=department,
        city_hr=city_hr,
        office=office,
        county_employer=world.employer("原平市计数工程有限公司"),
        city_employer=world.employer(
            "忻州市计数建设有限公司", "忻州市", level="city", competent="忻州市住房和城乡建设局"
        ),
    )
    for name, m in (("hr", hr), ("iit", iit), ("department", department), ("city_hr", city_hr)):
        s.batches[name] = SubmissionBatch.objects.create(
            channel=m.organisation,
            year=YEAR,
            submitted_by=m.user,
            entrustment=_letters(1, city_hr)[0] if name == "city_hr" else None,
        )
    # The desk's one case: its page reads one case, whatever the batch around it.
    s.one_case = _filled(bulk_cases(1, s.county_employer, state=State.IN_BATCH, steps=[hr, iit], step=1), hr)[0]
    _batched(s.batches["iit"], [s.one_case])
    s.group = Group.objects.create(year=YEAR, code="Q1", name="计数组", level="engineer", specialty_category=1)
    return s


def _letters(n: int, city_hr: Membership) -> list[Entrustment]:
    k = next(_seq)
    return Entrustment.objects.bulk_create(
        [
            Entrustment(
                year=YEAR,
                entrusting_department="中国计数铁路工程集团有限公司",
                letter_number=f"中铁计人〔2023〕{k}-{i}号",
                letter_date=dt.date(2023, 9, 28),
                forwarding_number=f"忻人社函〔2023〕{k}-{i}号",
                forwarded_on=dt.date(2023, 10, 10),
                recorded_by=city_hr.user,
            )
            for i in range(n)
        ]
    )


def _filled(apps: list[Application], decider: Membership) -> list[Application]:
    """What the summary table reads of each case: the applicant's profile, the three publicities, the opinions."""
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=a.applicant_id,
                facts={
                    "identity": {"name": f"计数{a.applicant_id}", "sex": "male", "birth_date": "1988-05-12"},
                    "education": [{"level": "bachelor", "major": "土木工程"}],
                    "titles": [{"level": "assistant_engineer", "appointed_on": "2018-07-01"}],
                },
            )
            for a in apps
        ]
    )
    Publicity.objects.bulk_create(
        [
            Publicity(
                application=a,
                kind=kind,
                starts_on=dt.date(2023, 10, 9),
                earliest_end=dt.date(2023, 10, 13),
                explanation="公示无异议",
            )
            for a in apps
            for kind in Publicity.Kind.values
        ]
    )
    ReviewStep.objects.filter(application__in=apps).update(
        decision="approve", decided_by=decider.user, decided_at=timezone.now(), opinion="同意"
    )
    return apps


def _batched(batch: SubmissionBatch, apps: list[Application]) -> None:
    BatchEntry.objects.bulk_create([BatchEntry(batch=batch, application=a) for a in apps])


def grow(s: Scene, n: int) -> None:
    """``n`` more cases for each channel, ready and in its batch, and ``n`` more for the results: accepted and
    recommended (before the publicity) or publicised with a certificate (after it)."""
    county, city = s.county_employer, s.city_employer
    for channel, chain in (("iit", [s.hr, s.iit]), ("hr", [s.iit, s.hr])):
        _filled(bulk_cases(n, county, state=State.READY_FOR_COMMITTEE, steps=chain, step=1), s.hr)
        _batched(s.batches[channel], _filled(bulk_cases(n, county, state=State.IN_BATCH, steps=chain, step=1), s.hr))
    _filled(bulk_cases(n, city, state=State.READY_FOR_COMMITTEE, steps=[s.department]), s.department)
    _batched(
        s.batches["department"],
        _filled(bulk_cases(n, city, state=State.IN_BATCH, steps=[s.department]), s.department),
    )
    # The bureau's cases are entrusted (7.1): each ready one under a letter of its own, the sent ones under the
    # batch's letter.
    ready = _filled(bulk_cases(n, city, state=State.READY_FOR_COMMITTEE, steps=[s.city_hr]), s.city_hr)
    sent = _filled(bulk_cases(n, city, state=State.IN_BATCH, steps=[s.city_hr]), s.city_hr)
    Application.objects.filter(pk__in=[a.pk for a in ready + sent]).update(entrusted=True, route="entrusted")
    batch_letter = s.batches["city_hr"].entrustment
    assert batch_letter is not None
    EntrustedCase.objects.bulk_create(
        [EntrustedCase(entrustment=e, application=a) for e, a in zip(_letters(n, s.city_hr), ready, strict=True)]
        + [EntrustedCase(entrustment=batch_letter, application=a) for a in sent]
    )
    _batched(s.batches["city_hr"], sent)
    # It forwards each letter in a batch of its own (7.1): its list of batches grows with the letters.
    for letter in _letters(n // 100 + (1 if n else 0), s.city_hr):
        forwarded = SubmissionBatch.objects.create(
            channel=s.city_hr.organisation, year=YEAR, submitted_by=s.city_hr.user, entrustment=letter
        )
        _batched(forwarded, _filled(bulk_cases(2, city, state=State.IN_BATCH, steps=[s.city_hr]), s.city_hr))
    # For the results: accepted cases of the county, half passed the vote, half recognised by the committee.
    accepted = _filled(bulk_cases(n, county, state=State.ACCEPTED, steps=[s.hr, s.iit], step=1), s.hr)
    _batched(s.batches["iit"], accepted)
    k = next(_seq)
    half = len(accepted) // 2
    assert s.group is not None
    Candidate.objects.bulk_create(
        [
            Candidate(
                application=a,
                year=YEAR,
                code=f"2023-Q-{k}-{i}",
                group=s.group,
                reviewed_at=timezone.now(),
                reviewed_by=s.office.user,
                passed_vote=True,
                within_cap=True,
                rank_in_group=i + 1,
            )
            for i, a in enumerate(accepted[:half])
        ]
    )
    RecognitionDecision.objects.bulk_create(
        [
            RecognitionDecision(
                application=a,
                recognised=True,
                reasons="业绩突出",
                decided_on=dt.date(2023, 11, 20),
                recorded_by=s.office.user,
            )
            for a in accepted[half:]
        ]
    )
    if s.publicity is not None:
        start = ResultEntry.objects.count()
        entries = ResultEntry.objects.bulk_create(
            [
                ResultEntry(
                    publicity=s.publicity,
                    application=a,
                    number=start + i + 1,
                    name=f"计数{a.applicant_id}",
                    employer_name=county.name,
                    level=a.level,
                    specialty_name=a.specialty_name,
                    way="evaluation" if i < half else "recognition",
                    status=ResultEntry.Status.GRANTED,
                )
                for i, a in enumerate(accepted)
            ]
        )
        Certificate.objects.bulk_create(
            [
                Certificate(
                    application_id=e.application_id,
                    number=f"Q{k}-{e.number}",
                    code=f"Q{k}C{e.number}",
                    holder_name=e.name,
                    level=e.level,
                    specialty_name=e.specialty_name,
                    year=YEAR,
                    committee="忻州市工程系列中级评审委员会",
                    issued_on=dt.date(2023, 12, 20),
                    way=e.way,
                )
                for e in entries
            ]
        )


def post_results(s: Scene) -> None:
    """The publicity posted (the page then lists the publicised names and their certificates, not the proposal)."""
    s.publicity = ResultsPublicity.objects.create(
        year=YEAR, starts_on=dt.date(2023, 12, 1), earliest_end=dt.date(2023, 12, 7), posted_by=s.office.user
    )


def count(client: Client, url: str) -> int:
    # The capture reads a log that keeps the last 9,000 queries only: emptied first, a page's count stays right.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def counts(s: Scene, *, public: bool = False) -> dict[str, int]:
    out = {f"{m.role} {url}": count(client_for(m), url) for m, urls in s.pages().items() for url in urls}
    if public:
        out[f"public /public/results/{YEAR}/"] = count(Client(), f"/public/results/{YEAR}/")
    return out


def test_the_channels_office_and_results_pages_take_as_many_queries_for_1000_cases_as_for_10(world: World) -> None:
    s = scene(world)
    grow(s, 0)
    counts(s)  # the first visit fills the process's caches (the year's settings, the calendar): not the lists' doing
    grow(s, 10)
    small = counts(s)
    grow(s, 990)
    large = counts(s)
    assert all(c < 60 for c in large.values()), large
    assert large == small
    # The bureau's batches, one per letter (7.1), are a list of their own; one batch's cases are shown at a time.
    city_hr = client_for(s.city_hr)
    batches = SubmissionBatch.objects.filter(channel=s.city_hr.organisation).order_by("pk")
    assert batches.count() == 12
    newest = city_hr.get("/channel/").content.decode()
    assert "已报送评委会的批次（共12批" in newest and newest.count("查看本批") == 11
    assert f"委托评审函 {batches.last().entrustment.forwarding_number}，2份）" in newest  # type: ignore[union-attr]
    first = city_hr.get(f"/channel/?batch={batches.first().pk}").content.decode()  # type: ignore[union-attr]
    assert "，1000份）" in first and "第1页，共20页（1000条）" in first
    # Another channel's batch is not shown to it: the page falls back to its own newest.
    assert city_hr.get(f"/channel/?batch={s.batches['hr'].pk}").content.decode().count("，2份）") == 1
    # The proposed results are read a page at a time, as the channels' and the office's lists are.
    proposed = client_for(s.office).get("/results/").content.decode().split('data-testid="recommended"', 1)[1]
    assert proposed.split("</table>", 1)[0].count("<tr><td>") == 50
    assert "第1页，共" in proposed


def test_the_results_pages_after_the_publicity_take_as_many_queries_for_1000_cases_as_for_10(world: World) -> None:
    s = scene(world)
    post_results(s)
    grow(s, 0)
    counts(s, public=True)
    grow(s, 10)
    small = counts(s, public=True)
    grow(s, 990)
    large = counts(s, public=True)
    assert all(c < 60 for c in large.values()), large
    assert large == small
    # The public list too: a page at a time, numbered on from the page before.
    second = Client().get(f"/public/results/{YEAR}/?page=2").content.decode()
    assert "第2页，共" in second and "<tr><td>51</td>" in second
