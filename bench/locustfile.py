"""The deadline rush's load (bench/rush.py, `make bench-web`): the last day's mix of the platform's people, each
signed in through the login page with an account of its own from the seed's manifest (bench/rush_seed.py), and the
bare view, in a phase of its own against the same server.

- applicants sign in, open their inbox and profile, open three sections and save two as they had them, run the
  self-check, open their case, make the pledge and submit — once: each user takes the next applicant's account from
  the pool for its next visit;
- employer leaders open the inbox and a case waiting for them, record the peer review and recommend (approve);
- county bureau clerks open the inbox and the channel's page, a case at their step, and approve it;
- the committee office's clerks open the desk and a case in a batch, record the originals seen and accept it.

Each request is named by its kind (the report's rows). A write is posted as a browser posts a form (CSRF token, no
redirect followed by the request itself), and counts as done only when the page it redirects to says so; every
done write is written to RUSH_ACKS, with each request's time to RUSH_TIMES, for bench/rush.py's report.

Environment: RUSH_MANIFEST (the seed's manifest), RUSH_ACKS and RUSH_TIMES (files written at the end), RUSH_THINK
(seconds a person takes between two requests, on average; 0: none, each user sends the next request at once).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, constant, events, task

from rush_forms import form_fields

MANIFEST: dict[str, Any] = json.loads(Path(os.environ["RUSH_MANIFEST"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("RUSH_THINK", "0") or 0)
ACKS: list[dict[str, Any]] = []
TIMES: list[tuple[str, str, float, bool]] = []

# Each role's accounts are handed out in turn: no two users sign in as one account.
_next = {role: count() for role in ("applicants", "employers", "bureaus", "office")}


def _take(role: str) -> dict[str, Any] | None:
    i = next(_next[role])
    pool = MANIFEST[role]
    return pool[i] if i < len(pool) else None


@events.request.add_listener
def _timed(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    TIMES.append((request_type, name, response_time, exception is None))


@events.quitting.add_listener
def _written(environment: Any, **_: Any) -> None:
    for var, rows in (("RUSH_ACKS", ACKS), ("RUSH_TIMES", TIMES)):
        path = os.environ.get(var)
        if path:
            with open(path, "w", encoding="utf-8") as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


class _Person(HttpUser):
    abstract = True
    wait_time = constant(0)  # the think time is taken between the requests of a visit (RUSH_THINK)
    account: dict[str, Any] | None = None

    def think(self) -> None:
        if THINK > 0:
            gevent.sleep(random.uniform(0, 2 * THINK))

    def page(self, url: str, name: str) -> str:
        self.think()
        with self.client.get(url, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {url}")
                return ""
            if "/login/" in r.url and name != "login page":
                r.failure("signed out")
                return ""
            return str(r.text)

    def sign_in(self, username: str) -> bool:
        self.client.cookies.clear()
        self.page("/login/", "login page")
        self.think()
        form = {"username": username, "password": MANIFEST["password"], "csrfmiddlewaretoken": self._csrf()}
        with self.client.post("/login/", form, name="login", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302 or "/login/" in r.headers.get("Location", ""):
                r.failure(f"not signed in: {r.status_code}")
                return False
        return True

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def write(self, url: str, form: dict[str, Any] | list[tuple[str, str]], name: str, case: int, after: str) -> bool:
        """Post a form; done when the page it redirects to (requested as ``after``) says so in a success message."""
        self.think()
        data = list(form.items()) if isinstance(form, dict) else list(form)
        data.append(("csrfmiddlewaretoken", self._csrf()))
        with self.client.post(url, data, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")
                return False
            location = r.headers.get("Location", "")
            with self.client.get(location, name=after, catch_response=True) as answer:
                page = str(answer.text)
                if answer.status_code != 200:
                    answer.failure(f"{answer.status_code} {location}")
            refused = re.search(r'<li class="error">([^<]*)', page)
            if refused or '<li class="success">' not in page:
                r.failure(f"refused: {refused.group(1) if refused else 'no message'}")
                return False
        ACKS.append({"kind": name, "case": case, "user": self.account["username"] if self.account else ""})
        return True


class ApplicantUser(_Person):
    """An applicant on the last day: the profile once more, the pledge, the submission; then the next applicant."""

    weight = 5

    @task
    def visit(self) -> None:
        account = _take("applicants")
        if account is None:  # the pool is spent: the last applicant reads their case again
            if self.account is not None:
                self.page("/", "inbox")
                self.page(f"/applications/{self.account['case']}/", "case page")
            else:
                gevent.sleep(1)
            return
        self.account = account
        case = account["case"]
        if not self.sign_in(account["username"]):
            return
        self.page("/", "inbox")
        self.page("/profile/", "profile")
        # The last look at the profile: three sections opened, two saved as they stand, the self-check.
        for key in ("specialty", "employment", "education"):
            section = self.page(f"/profile/{key}/", "profile section")
            if section and key != "education":
                self.write(f"/profile/{key}/", form_fields(section, ""), "save profile", case, "profile")
        self.page("/profile/check/", "self-check")
        self.page(f"/applications/{case}/", "case page")
        self.write(f"/applications/{case}/record/applicant_pledge/", {"agree": "on"}, "pledge", case, "case page")
        self.write(f"/applications/{case}/do/submit/", {"seen": "draft:0"}, "submit", case, "case page")


class _Clerk(_Person):
    """A clerk signed in once, working through the cases the seed left waiting for them."""

    abstract = True
    role = ""
    cases: Iterator[int]

    def on_start(self) -> None:
        self.account = _take(self.role)
        if self.account is None:
            raise RuntimeError(f"the seed made too few {self.role} for this many users")
        self.cases = iter(self.account["cases"])
        self.sign_in(self.account["username"])


class EmployerUser(_Clerk):
    weight = 2
    role = "employers"

    @task
    def visit(self) -> None:
        self.page("/", "inbox")
        case = next(self.cases, None)
        if case is None:
            self.page(f"/applications/{self.account['cases'][-1]}/", "case page")  # type: ignore[index]
            return
        self.page(f"/applications/{case}/", "case page")
        members = [("member_name", n) for n in ("甲", "乙", "丙", "丁")]
        kinds = [("member_kind", k) for k in ("masses", "peers", "leaders", "research")]
        review = [("held_on", "2023-10-09"), *members, *kinds, ("opinion", "评议组一致同意推荐")]
        self.write(f"/applications/{case}/record/peer_review/", review, "peer review", case, "case page")
        self.write(
            f"/applications/{case}/do/approve/", {"seen": "employer_review:0"}, "employer approve", case, "case page"
        )


class BureauUser(_Clerk):
    weight = 2
    role = "bureaus"

    @task
    def visit(self) -> None:
        self.page("/", "inbox")
        self.page("/channel/", "channel")
        case = next(self.cases, None)
        if case is None:
            self.page(f"/applications/{self.account['cases'][-1]}/", "case page")  # type: ignore[index]
            return
        page = self.page(f"/applications/{case}/", "case page")
        seen = re.search(r'name="seen" value="(chain_review:\d)"', page)
        form = {"seen": seen.group(1) if seen else "", "reason": "经审核，同意"}
        self.write(f"/applications/{case}/do/approve/", form, "bureau approve", case, "case page")


class OfficeUser(_Clerk):
    weight = 1
    role = "office"

    @task
    def visit(self) -> None:
        self.page("/office/", "office desk")
        case = next(self.cases, None)
        if case is None:
            self.page(f"/office/applications/{self.account['cases'][-1]}/", "desk case")  # type: ignore[index]
            return
        page = self.page(f"/office/applications/{case}/", "desk case")
        originals = [("original", v) for v in re.findall(r'name="original" value="([^"]+)"', page)]
        check = [*originals, ("notes", "原件已核验，当场退回")]
        self.write(f"/office/applications/{case}/check/", check, "desk check", case, "desk case")
        self.write(f"/office/applications/{case}/accept/", {}, "office accept", case, "desk case")


class BareUser(HttpUser):
    """The stack's own limit: one row read by its primary key, no sign-in (bench/rush.py's second phase)."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        if THINK > 0:
            gevent.sleep(random.uniform(0, 2 * THINK))
        self.client.get(f"/bench/bare/{MANIFEST['bare_pk']}/", name="bare")
