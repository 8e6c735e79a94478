"""Fixtures for the platform's tests: the real organisations (loaded by the migration) and people in roles."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from tests.policy.support import example
from zhicheng.accounts.models import Area, Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.cases.models import Application

PASSWORD = "test-password-123"
CHROMIUM = "/usr/bin/chromium"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# After every publicity of the fixtures has run its 5 working days (10-09…10-13, then 10-16…10-20).
LATER = dt.date(2023, 10, 23)


def credit_code(seed: int) -> str:
    body = f"91140900{seed:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class World:
    """Organisations and people, made on demand."""

    def __init__(self) -> None:
        self.n = 0

    def area(self, name: str) -> Area:
        return Area.objects.get(name=name)

    def employer(
        self,
        name: str,
        area: str = "原平市",
        *,
        sector: str = "state_owned_enterprise",
        level: str = "county",
        competent: str | None = None,
    ) -> Organisation:
        self.n += 1
        return Organisation.objects.create(
            name=name,
            kind=OrgKind.EMPLOYER,
            area=self.area(area),
            sector=sector,
            level=level,
            credit_code=credit_code(self.n),
            competent_department=Organisation.objects.get(name=competent) if competent else None,
        )

    def agency(self, name: str, kind: str, area: str = "忻州市") -> Organisation:
        return Organisation.objects.create(name=name, kind=kind, area=self.area(area), level="city")

    def person(self, username: str, role: str, org: Organisation | None) -> Membership:
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username=username, password=PASSWORD, full_name=username
        )
        return Membership.objects.create(user=user, role=role, organisation=org)

    def applicant(
        self,
        username: str,
        employer: Organisation,
        profile: str = "01-bachelor-assistant-engineer",
        changes: dict[str, Any] | None = None,
        kind: str = "employee",
    ) -> Membership:
        m = self.person(username, Role.APPLICANT, employer)
        data = example(profile)
        data["identity"] = {**data["identity"], "name": f"申报人{username}"}
        data["employment"] = {
            **data["employment"],
            "employer_name": employer.name,
            "county": employer.area.name,
            "kind": kind,
        }
        if username != "applicant":  # each person needs an ID number of their own
            data["identity"].pop("id_number", None)
        data.update(changes or {})
        services.save_profile(m.user, data)
        return m

    def bureau(self, username: str, area: str, kind: str) -> Membership:
        a = self.area(area)
        org = a.hr_bureau if kind == "hr" else a.iit_bureau
        role = Role.COUNTY_HR_REVIEWER if kind == "hr" else Role.COUNTY_IIT_REVIEWER
        return self.person(username, role, org)


def authenticator(user: User) -> TOTPDevice:
    """The person's confirmed TOTP device, enrolled here if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator shows now — or, when this time step's code was used already (each code
    signs in once), the next step's, which the device accepts too (its tolerance is one step)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def verify_second_factor(client: Client, user: Any) -> None:
    """Mark the client's session as having passed the second factor, as django_otp.login does after a right code."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


@pytest.fixture(autouse=True)
def signed_in_with_both_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' `force_login` signs a person in with the password *and* the second factor, so that the tests of
    what each role may do need not pass the two-step page; the second factor itself is tested by signing in
    through the pages (test_accounts_defended.py)."""
    plain = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        plain(self, user, backend)
        verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def world(db: Any) -> World:
    # A transactional test (the browser's live server, the concurrency test) empties the tables after it ran,
    # migration data included; the city's structure is loaded again where it is gone.
    if not Area.objects.exists():
        from zhicheng.accounts import xinzhou

        xinzhou.load(Area, Organisation)
    return World()


def through_employer(application: Application, leader: Membership, *, start: dt.date = dt.date(2023, 10, 9)) -> None:
    """Do the employer's part in the notice's order and recommend: the peer review; the conditions and materials
    publicities (5 working days, photos); then the appraisal, confirmed; its publicity; the pledge (6.1.2, 8.1, 8.2)."""
    services.record_peer_review(
        leader,
        application.pk,
        held_on=start,
        members=[
            {"name": n, "kind": k}
            for n, k in (("甲", "masses"), ("乙", "peers"), ("丙", "leaders"), ("丁", "research"))
        ],
        opinion="同意推荐",
    )

    def publicity(kind: str, on: dt.date) -> dt.date:
        pub = services.post_publicity(leader, application.pk, kind=kind, starts_on=on, explanation="公示无异议")
        services.add_evidence(
            leader,
            SimpleUploadedFile("p.png", PNG),
            kind="publicity_photo",
            fact=f"publicity:{kind}",
            application_id=application.pk,
        )
        return pub.earliest_end

    end = max(publicity("conditions", start), publicity("materials", start))
    after = end + dt.timedelta(days=3)  # the Monday after a Friday end
    services.record_appraisal(
        leader, application.pk, ethics="品德良好", clauses=["3.4.1", "3.5.1.1"], peer_review_followed=True, today=after
    )
    services.confirm_appraisal(leader, application.pk)
    publicity("appraisal", after)
    services.employer_pledge(leader, application.pk)
    services.perform(leader, application.pk, "approve", today=LATER)


def entrusted_through_city_hr(world: World, city_hr: Membership, people: list[tuple[str, str]]) -> list[Any]:
    """Entrusted cases of a city-level employer, one for each (username, name), each recommended, under an
    entrustment letter of its own and approved by the city HR bureau (7.1): the letters, in order."""
    employer = world.employer("中铁测试局忻州工程有限公司", "忻州市", level="city")
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    letters = []
    for n, (username, name) in enumerate(people):
        identity = {"name": name, "id_number": ("142201198805120314", "142201198805120517")[n]}
        applicant = world.applicant(username, employer, changes={"identity": identity})
        app = services.create_application(
            applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area, entrusted=True
        )
        services.applicant_pledge(applicant, app.pk)
        services.perform(applicant, app.pk, "submit")
        through_employer(app, leader)
        letters.append(
            services.record_entrustment(
                city_hr,
                app.pk,
                entrusting_department="中国测试铁路工程集团有限公司",
                letter_number=f"中铁测人〔2023〕{12 + n}号",
                letter_date=dt.date(2023, 9, 28),
                forwarding_number=f"忻人社函〔2023〕{88 + n}号",
                forwarded_on=dt.date(2023, 10, 10),
            )
        )
        services.perform(city_hr, app.pk, "approve")
    return letters


@pytest.fixture
def county_case(world: World) -> dict[str, Any]:
    """A county-owned employer in 原平市, its applicant, leader and clerk, and the county's two reviewers."""
    employer = world.employer("原平市测试工程有限公司")
    applicant = world.applicant("applicant", employer)
    leader = world.person("leader", Role.EMPLOYER_LEADER, employer)
    clerk = world.person("clerk", Role.EMPLOYER_CLERK, employer)
    hr = world.bureau("yp_hr", "原平市", "hr")
    iit = world.bureau("yp_iit", "原平市", "iit")
    application = services.create_application(
        applicant, level="engineer", path="engineer_bachelor", employer=employer, area=employer.area
    )
    return {
        "employer": employer,
        "applicant": applicant,
        "leader": leader,
        "clerk": clerk,
        "hr": hr,
        "iit": iit,
        "application": application,
    }


@pytest.fixture
def submit() -> Callable[[dict[str, Any]], None]:
    def go(case: dict[str, Any]) -> None:
        services.applicant_pledge(case["applicant"], case["application"].pk)
        services.perform(case["applicant"], case["application"].pk, "submit")

    return go


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in_browser(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, and type the authenticator's code on the two-step page when it asks."""
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/account/second-factor/" in page.url:
        user = User.objects.get(username=username)
        # The first time, the page shows a new secret to enrol (the test reads it from the database, as the
        # person's app would from the QR code); afterwards it asks the enrolled authenticator's code.
        enrolling = "/enrol/" in page.url
        device = TOTPDevice.objects.get(user=user, confirmed=False) if enrolling else authenticator(user)
        page.fill("input[name=code]", current_code(device))
        with page.expect_navigation():
            page.click("main button[type=submit]")  # not the header's 退出
    # The dashboard, or the audit trail where the audit administrator's work starts.
    page.wait_for_url(re.compile(re.escape(url) + r"/(audit/)?$"))


class Walk:
    """A walk through the pages as people do it: each person signs in in a browser context of their own; a click
    that posts a form waits for the page that answers; screenshots are numbered in test-artifacts/<name>/."""

    def __init__(self, live_server: Any, browser: Any, name: str, password: str = PASSWORD) -> None:
        from pathlib import Path

        self.url, self.browser, self.password = live_server.url, browser, password
        self.artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / name
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.shots = iter(range(1, 1000))
        # Every question an irreversible button asked (data-confirm), in order: the person reads it and says yes.
        self.asked: list[str] = []

    def session(self, username: str | None) -> Any:
        """A new browser context, signed in as ``username`` (None: a visitor signed in as no one)."""
        page = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        page.on("dialog", lambda dialog: (self.asked.append(dialog.message), dialog.accept()))
        if username:
            sign_in_browser(page, self.url, username, self.password)
        return page

    @staticmethod
    def press(page: Any, selector: str) -> None:
        with page.expect_navigation():
            page.locator(selector).first.click()

    def snap(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.artifacts / f"{next(self.shots):02d}-{name}.png"), full_page=True)
