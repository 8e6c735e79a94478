"""Faults during the rush (issue 12): the database out of reach under load, the file store unavailable, a worker
killed in the middle of a request. Each leaves what was acknowledged saved, nothing half-done, and the service back
by itself.

The database's outage is made with a relay between the server and PostgreSQL that can be cut: while cut it drops
every connection it carries and each new one, as a restart or a failover does, without touching the PostgreSQL the
other tests use."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings

from tests.platform.conftest import PASSWORD, PDF, World, through_employer
from tests.platform.test_serving import _database_url, _free_port, _get, start_gunicorn
from tests.platform.test_shared_nothing import Browser, _bucket_storage, _csrf
from zhicheng.applications.models import Evidence, ReviewStep
from zhicheng.applications.services import STORE_UNAVAILABLE
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry, AuditHead
from zhicheng.cases.models import Application, State
from zhicheng.records.models import Profile

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server and the test share PostgreSQL's database (DATABASE_URL)"
)


# ── the file store ───────────────────────────────────────────────────────────────────────────────────────────


class DiskFillsUp(FileSystemStorage):
    """A disk that fills up in the middle of a file: part of it is written, then ENOSPC, as a full disk answers."""

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(100))
        raise OSError(errno.ENOSPC, "No space left on device", str(path))


def _upload(client: Client) -> str:
    response = client.post("/evidence/", {"kind": "diploma", "file": SimpleUploadedFile("毕业证.pdf", PDF)})
    assert response.status_code == 302
    return " ".join(str(m) for m in response.wsgi_request._messages)  # type: ignore[attr-defined]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_upload_to_a_store_that_is_down_is_refused_and_leaves_nothing(world: World, tmp_path: Path) -> None:
    applicant = world.applicant("applicant", world.employer("原平市存储故障测试公司"))
    client = Client()
    client.force_login(applicant.user)
    entries = AuditEntry.objects.count()

    # The store's directory cannot be made (a file stands where it should be: the mount is gone, say).
    blocked = tmp_path / "evidence"
    blocked.write_text("not a directory")
    local = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocked)}}
    with override_settings(STORAGES={**settings.STORAGES, "evidence": local}):
        assert STORE_UNAVAILABLE in _upload(client)
    # The object store answers nothing (no server on its port).
    nowhere = _bucket_storage(f"http://127.0.0.1:{_free_port()}", "zc-evidence-down")
    with override_settings(STORAGES=nowhere):
        assert STORE_UNAVAILABLE in _upload(client)
    # The disk fills up half-way through the file: the part written is removed with the refusal.
    full = tmp_path / "full"
    filling = {"BACKEND": f"{__name__}.DiskFillsUp", "OPTIONS": {"location": str(full)}}
    with override_settings(STORAGES={**settings.STORAGES, "evidence": filling}):
        assert STORE_UNAVAILABLE in _upload(client)
    assert _files(full) == []

    assert Evidence.objects.count() == 0 and AuditEntry.objects.count() == entries
    # And the store back, the same upload goes through.
    ok = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "ok")}}
    with override_settings(STORAGES={**settings.STORAGES, "evidence": ok}):
        assert "已上传：毕业证.pdf" in _upload(client)
    assert Evidence.objects.count() == 1 and len(_files(tmp_path / "ok")) == 1


# ── the database out of reach ────────────────────────────────────────────────────────────────────────────────


class Relay:
    """A TCP relay to PostgreSQL that can be cut. Cut, it closes every connection it carries and each new one as
    soon as it is made; restored, it relays again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.carried: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                near.close()
                continue
            try:
                far = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                near.close()
                continue
            far.settimeout(None)
            with self.lock:
                self.carried |= {near, far}
            threading.Thread(target=self._pump, args=(near, far), daemon=True).start()
            threading.Thread(target=self._pump, args=(far, near), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
            with self.lock:
                self.carried.discard(s)

    def down(self) -> None:
        self.cut.set()
        with self.lock:
            carried = list(self.carried)
        self._drop(*carried)

    def up(self) -> None:
        self.cut.clear()

    def close(self) -> None:
        self.down()
        self.listener.close()


@pytest.fixture
def relay() -> Iterator[Relay]:
    s = connection.settings_dict
    r = Relay((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))
    yield r
    r.close()


def _through(url: str, port: int) -> str:
    parts = urllib.parse.urlsplit(url)
    auth = parts.netloc.rsplit("@", 1)[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{auth}@127.0.0.1:{port}"))


def _same_keys() -> dict[str, str]:
    """This process's keys: what the server seals and encrypts, the test reads back (the trail, the ID numbers)."""
    return {
        "ZHICHENG_SECRET_KEY": settings.SECRET_KEY,
        "ZHICHENG_FIELD_KEY": settings.FIELD_KEY,
        "ZHICHENG_AUDIT_KEY": settings.AUDIT_KEY,
        "ZHICHENG_SECOND_FACTOR": "0",  # the reviewers' TOTP step is tested elsewhere
    }


def _signed_in(base: str, username: str) -> Browser:
    browser = Browser(base)
    status, _, page = browser.go("GET", "/login/")
    assert status == 200
    form = {"csrfmiddlewaretoken": _csrf(page), "username": username, "password": PASSWORD}
    status, location, _ = browser.go("POST", "/login/", form)
    assert status == 302 and "/login/" not in location, "signed in"
    return browser


def _assessments(browser: Browser, grade: str) -> tuple[int, str, str]:
    status, _, page = browser.go("GET", "/profile/annual_assessments/")
    assert status == 200, page[:300]
    form = {
        "csrfmiddlewaretoken": _csrf(page),
        "annual_assessments-TOTAL_FORMS": "3",
        "annual_assessments-INITIAL_FORMS": "0",
        **{f"annual_assessments-{i}-year": str(2020 + i) for i in range(3)},
        **{f"annual_assessments-{i}-grade": grade for i in range(3)},
    }
    return browser.go("POST", "/profile/annual_assessments/", form)


def _saves(user: Any) -> int:
    return AuditEntry.objects.filter(action="profile_saved", actor=user).count()


@on_postgresql
@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_the_database_out_of_reach_under_load_gets_a_chinese_page_loses_nothing_and_passes(
    world: World, tmp_path: Path, relay: Relay
) -> None:
    applicant = world.applicant("applicant", world.employer("原平市数据库故障测试公司"))
    server, base = start_gunicorn(
        tmp_path / "gunicorn.log",
        DATABASE_URL=_through(_database_url(), relay.port),
        ZHICHENG_VAR_DIR=str(tmp_path),
        ZHICHENG_DB_CONN_MAX_AGE="60",  # kept connections: the hardest case, each is lost in the outage
        **_same_keys(),
    )
    readers_done = threading.Event()
    answers: list[int] = []
    try:
        browser = _signed_in(base, "applicant")
        before = _saves(applicant.user)
        status, location, _ = _assessments(browser, "qualified")
        assert (status, location) == (302, "/profile/")

        # The load: someone else keeps opening a page while the database goes away and comes back.
        reader = _signed_in(base, "applicant")

        def read() -> None:
            while not readers_done.is_set():
                answers.append(reader.go("GET", "/profile/")[0])
                time.sleep(0.05)

        threading.Thread(target=read, daemon=True).start()
        time.sleep(0.5)
        relay.down()
        time.sleep(0.5)
        status, _, page = browser.go("GET", "/profile/")
        assert status == 503 and "系统暂时无法连接数据库" in page and "Traceback" not in page
        assert "即未保存" in page
        status, _, page = _assessments_during_outage(browser, base)
        assert status == 503, "a save in the outage is refused, not half-done"
        assert _get(f"{base}/healthz")[0] == 200, "the process itself is well: the balancer must not restart it"
        assert _get(f"{base}/readyz")[:1] == (503,)
        relay.up()

        # Back by itself: the kept connections lost in the outage are replaced at the next request's start.
        status, _, page = browser.go("GET", "/profile/")
        assert status == 200, page[:300]
        status, location, _ = _assessments(browser, "excellent")
        assert (status, location) == (302, "/profile/"), "still signed in: the session lives in the database"
        time.sleep(0.3)
    finally:
        readers_done.set()
        relay.up()
        server.terminate()
        server.wait(timeout=30)
    # Every answer the load got was a page or the outage's page: never a 500, never a dropped connection.
    assert set(answers) == {200, 503}, answers
    # Both acknowledged saves are kept, the refused one is not; the last is what the profile holds.
    assert _saves(applicant.user) == before + 2
    assert set(Profile.objects.get(user=applicant.user).facts["annual_assessments"].values()) == {"excellent"}
    assert trail.verify()[1] == []


def _assessments_during_outage(browser: Browser, base: str) -> tuple[int, str, str]:
    """The form as it was read before the outage, posted during it (its token from the last page the person saw)."""
    form = {
        "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
        "annual_assessments-TOTAL_FORMS": "1",
        "annual_assessments-INITIAL_FORMS": "0",
        "annual_assessments-0-year": "2020",
        "annual_assessments-0-grade": "unqualified",
    }
    return browser.go("POST", "/profile/annual_assessments/", form)


# ── a worker killed in the middle of a request ───────────────────────────────────────────────────────────────


def _waiting_on_the_trail(admin: Any, deadline: float, answered: list[Any]) -> int:
    """The PostgreSQL backend of the request that waits for the trail's head: it has changed the case already."""
    while time.monotonic() < deadline:
        # The activity is read once per transaction, and this connection holds one open (the lock): read it afresh.
        admin.execute("select pg_stat_clear_snapshot()")
        row = admin.execute(
            "select pid from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() "
            "and pid <> pg_backend_pid()"
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.05)
    raise AssertionError(f"the request never reached the trail: {answered}")


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@on_postgresql
@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_request_leaves_the_case_as_it_was_and_the_next_worker_takes_the_action(
    county_case: dict[str, Any], submit: Any, tmp_path: Path
) -> None:
    import psycopg

    submit(county_case)
    through_employer(county_case["application"], county_case["leader"])
    case = county_case["application"]
    case.refresh_from_db()
    assert (case.state, case.step) == (State.CHAIN_REVIEW, 0)
    server, base = start_gunicorn(
        tmp_path / "gunicorn.log", DATABASE_URL=_database_url(), ZHICHENG_VAR_DIR=str(tmp_path), **_same_keys()
    )
    s = connection.settings_dict
    admin = psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], autocommit=True
    )
    try:
        browser = _signed_in(base, "yp_hr")
        entries = AuditEntry.objects.count()  # the sign-in's among them
        approvals = AuditEntry.objects.filter(action="approve").count()  # the employer's
        status, _, page = browser.go("GET", f"/applications/{case.pk}/")
        assert status == 200
        token = _csrf(page)
        # Hold the trail's head: the approval changes the case and its step, then waits to append its entry.
        AuditHead.objects.get_or_create(pk=1, defaults={"last_seal": trail.GENESIS})
        admin.execute("begin")
        admin.execute(f"select * from {AuditHead._meta.db_table} where id = 1 for update")
        answered: list[Any] = []

        def approve() -> None:
            try:
                answered.append(
                    browser.go("POST", f"/applications/{case.pk}/do/approve/", {"csrfmiddlewaretoken": token})
                )
            except OSError as exc:  # the worker died: the connection is dropped
                answered.append(exc)

        thread = threading.Thread(target=approve)
        thread.start()
        backend = _waiting_on_the_trail(admin, time.monotonic() + 20, answered)
        (worker,) = _workers(server.pid)
        os.kill(worker, signal.SIGKILL)
        thread.join(timeout=20)
        admin.execute("rollback")  # the head released: the dead request's transaction can only end rolled back
        deadline = time.monotonic() + 20
        while admin.execute("select 1 from pg_stat_activity where pid = %s", [backend]).fetchone():
            assert time.monotonic() < deadline, "the killed request's database session lingers"
            time.sleep(0.1)
        assert (
            len(answered) == 1
            and isinstance(answered[0], OSError | tuple)
            and not (isinstance(answered[0], tuple) and answered[0][0] in (200, 302))
        ), answered

        case.refresh_from_db()
        assert (case.state, case.step) == (State.CHAIN_REVIEW, 0), "the case in its old state"
        assert ReviewStep.objects.get(application=case, order=0).decision == ""
        assert AuditEntry.objects.count() == entries

        # gunicorn's master starts another worker; the same action, taken again, is done once.
        deadline = time.monotonic() + 30
        while not (len(_workers(server.pid)) == 1 and _workers(server.pid) != [worker]):
            assert time.monotonic() < deadline, "no new worker"
            time.sleep(0.2)
        status, _, page = browser.go("GET", f"/applications/{case.pk}/")
        assert status == 200
        status, _, _ = browser.go("POST", f"/applications/{case.pk}/do/approve/", {"csrfmiddlewaretoken": _csrf(page)})
        assert status == 302
    finally:
        admin.close()
        server.terminate()
        server.wait(timeout=30)
    case.refresh_from_db()
    assert (case.state, case.step) == (State.CHAIN_REVIEW, 1), "the case in its new state"
    assert ReviewStep.objects.get(application=case, order=0).decision == "approved"
    assert AuditEntry.objects.filter(action="approve").count() == approvals + 1, "the bureau's approval, once"
    assert trail.verify()[1] == []
    assert Application.objects.filter(pk=case.pk).count() == 1
