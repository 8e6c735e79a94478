"""Shared-nothing application servers (issue 12): the evidence in an S3-compatible bucket (moto's server, started
here), read back only through the permission-checked view; and two gunicorn servers behind one round-robin proxy
serving one person's session alternately."""

from __future__ import annotations

import http.client
import http.server
import itertools
import json
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tests.platform.conftest import PASSWORD, PDF, World
from tests.platform.test_serving import (
    ROOT,
    _env,
    _free_port,
    _production_keys,
    server_database,  # noqa: F401 (the fixture)
    start_gunicorn,
)
from zhicheng.applications.models import Evidence, private_storage

KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


# ── object storage ────────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )


def _bucket_storage(endpoint: str, bucket: str) -> dict[str, Any]:
    """STORAGES as settings.py makes them with ZHICHENG_S3_BUCKET (its options are checked apart, below)."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        # A store that is down must fail the probe at once, not after boto's retries.
        "client_config": Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
        **KEYS,
    }
    return {**settings.STORAGES, "evidence": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"zc-evidence-{uuid.uuid4().hex[:8]}"
    _client(s3_endpoint).create_bucket(Bucket=name)
    return name


def test_settings_name_the_bucket_from_the_environment() -> None:
    code = (
        "import json; from zhicheng import settings as s; e = s.STORAGES['evidence'];"
        "o = {k: v for k, v in e.get('OPTIONS', {}).items() if k != 'client_config'};"
        "print(json.dumps([e['BACKEND'], o]))"
    )
    env = {
        "ZHICHENG_VAR_DIR": str(ROOT / "var"),
        "ZHICHENG_S3_BUCKET": "evidence",
        "ZHICHENG_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "ZHICHENG_S3_REGION": "cn-north-1",
        "ZHICHENG_S3_ACCESS_KEY": "AK",
        "ZHICHENG_S3_SECRET_KEY": "SK",
    }
    run = [sys.executable, "-c", code]
    backend, options = json.loads(subprocess.run(run, env=_env(**env), capture_output=True, check=True).stdout)
    assert backend == "storages.backends.s3.S3Storage"
    assert options == {
        "bucket_name": "evidence",
        "endpoint_url": "http://minio.internal:9000",
        "region_name": "cn-north-1",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "access_key": "AK",
        "secret_key": "SK",
    }
    plain = subprocess.run(run, env=_env(ZHICHENG_VAR_DIR=str(ROOT / "var")), capture_output=True, check=True)
    assert json.loads(plain.stdout) == ["django.core.files.storage.FileSystemStorage", {}]


def test_evidence_goes_to_the_bucket_and_comes_back_only_through_the_view(
    world: World, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    with override_settings(STORAGES=_bucket_storage(s3_endpoint, bucket), MEDIA_ROOT=media):
        employer = world.employer("原平市对象存储测试公司")
        applicant = world.applicant("applicant", employer)
        client = Client()
        client.force_login(applicant.user)
        response = client.post("/evidence/", {"kind": "diploma", "file": SimpleUploadedFile("毕业证.pdf", PDF)})
        assert response.status_code == 302
        evidence = Evidence.objects.get()
        s3 = _client(s3_endpoint)
        listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == [evidence.file.name]
        assert s3.get_object(Bucket=bucket, Key=evidence.file.name)["Body"].read() == PDF
        grants = s3.get_object_acl(Bucket=bucket, Key=evidence.file.name)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"], "the owner's only: no public read"
        assert not media.exists(), "nothing written on this server's disk"

        download = client.get(f"/evidence/{evidence.pk}/")
        assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
        stranger = Client()
        stranger.force_login(world.applicant("stranger", employer).user)
        assert stranger.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_readyz_writes_through_the_bucket_and_fails_when_it_is_down(
    db: Any, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    with override_settings(STORAGES=_bucket_storage(s3_endpoint, bucket), MEDIA_ROOT=tmp_path / "media"):
        assert private_storage().bucket_name == bucket  # type: ignore[attr-defined]
        response = Client().get("/readyz")
        assert (response.status_code, response.content) == (200, b"ready\n")
        assert "Contents" not in _client(s3_endpoint).list_objects_v2(Bucket=bucket), "the probe's file is removed"
    nowhere = f"http://127.0.0.1:{_free_port()}"
    with override_settings(STORAGES=_bucket_storage(nowhere, bucket), MEDIA_ROOT=tmp_path / "media"):
        response = Client().get("/readyz")
    assert (response.status_code, response.content) == (503, b"file store not writable\n")


# ── sessions, sign-in pauses, the cache ──────────────────────────────────────────────────────────────────


def test_nothing_that_must_be_shared_is_kept_in_a_process() -> None:
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_with_zhicheng_redis_url_two_processes_share_the_cache() -> None:
    key = f"shared-{uuid.uuid4().hex}"
    code = (
        "import sys, django; django.setup(); from django.conf import settings; from django.core.cache import cache;"
        "print(settings.CACHES['default']['BACKEND']);"
        "cache.set(sys.argv[1], 'from one', 30) if sys.argv[2] == 'set' else print(cache.get(sys.argv[1]))"
    )
    env = _env(ZHICHENG_VAR_DIR=str(ROOT / "var"), ZHICHENG_REDIS_URL="redis://127.0.0.1:6379/15")
    one = subprocess.run([sys.executable, "-c", code, key, "set"], env=env, capture_output=True, text=True)
    two = subprocess.run([sys.executable, "-c", code, key, "get"], env=env, capture_output=True, text=True)
    assert one.stdout.splitlines() == ["django.core.cache.backends.redis.RedisCache"], one.stderr
    assert two.stdout.splitlines()[-1] == "from one", two.stderr


# ── two application servers ──────────────────────────────────────────────────────────────────────────────────


class RoundRobin(http.server.ThreadingHTTPServer):
    """Each request to the next backend in turn, headers and body as they came (cookies are headers); `served`
    logs which backend answered what."""

    def __init__(self, backends: list[str]) -> None:
        self.turns = itertools.cycle(urllib.parse.urlsplit(b).netloc for b in backends)
        self.served: list[tuple[str, str, str, int]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Forward)


class Forward(http.server.BaseHTTPRequestHandler):
    server: RoundRobin

    def forward(self) -> None:
        with self.server.lock:
            backend = next(self.server.turns)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(backend, timeout=20)
        upstream.request(self.command, self.path, body or None, dict(self.headers.items()))
        answer = upstream.getresponse()
        payload = answer.read()
        self.server.served.append((backend, self.command, self.path, answer.status))
        self.send_response(answer.status)
        for name, value in answer.getheaders():  # Set-Cookie may come more than once
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    do_GET = do_POST = do_HEAD = forward

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the served list is the log


class Browser:
    """A browser's cookie jar without its redirects: each answer is seen as the server gave it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def go(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        host = urllib.parse.urlsplit(self.base).netloc
        connection = http.client.HTTPConnection(host, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urllib.parse.urlencode(form or {}) if method == "POST" else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        page = response.read().decode()
        connection.close()
        return response.status, response.getheader("Location") or "", page


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


SETUP = """
import django; django.setup()
from tests.policy.support import example
from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from tests.platform.conftest import credit_code
from zhicheng.accounts.models import Area
# A transactional test before this one may have flushed the city's areas the migrations load: made again if so.
area, _ = Area.objects.get_or_create(name="原平市", defaults={{"kind": "county"}})
employer = Organisation.objects.create(
    name="原平市两台服务器测试公司", kind="employer", area=area,
    sector="state_owned_enterprise", level="county", credit_code=credit_code(1),
)
user = User.objects.create_user(username="twoservers", password={password!r}, full_name="两台服务器")
Membership.objects.create(user=user, role=Role.APPLICANT, organisation=employer)
data = example("01-bachelor-assistant-engineer")
data["employment"] = {{**data["employment"], "employer_name": employer.name, "county": employer.area.name}}
services.save_profile(user, data)
"""


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_two_servers_behind_one_proxy_serve_one_session_alternately(
    tmp_path: Path,
    server_database: str,  # noqa: F811
) -> None:
    # The same keys and database for both: that is all they share; the files would be the bucket's.
    shared = {"DATABASE_URL": server_database, "ZHICHENG_VAR_DIR": str(tmp_path), **_production_keys()}
    setup = [sys.executable, "-c", SETUP.format(password=PASSWORD)]
    done = subprocess.run(setup, cwd=ROOT, env=_env(**shared), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    one, base_one = start_gunicorn(tmp_path / "one.log", **shared)
    try:
        two, base_two = start_gunicorn(tmp_path / "two.log", **shared)
    except BaseException:
        one.terminate()
        raise
    proxy = RoundRobin([base_one, base_two])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        browser = Browser(f"http://127.0.0.1:{proxy.server_address[1]}")
        status, _, page = browser.go("GET", "/login/")
        assert status == 200
        status, location, _ = browser.go(
            "POST", "/login/", {"csrfmiddlewaretoken": _csrf(page), "username": "twoservers", "password": PASSWORD}
        )
        assert status == 302 and "/login/" not in location, "signed in"
        for path in ("/", "/profile/", "/guide/", "/profile/check/", "/profile/annual_assessments/"):
            status, location, page = browser.go("GET", path)
            assert status == 200, (path, status, location)
        # A form read from one server and posted to the other: the CSRF token and the session are both theirs.
        years = {f"annual_assessments-{i}-year": str(2020 + i) for i in range(3)}
        grades = {f"annual_assessments-{i}-grade": "qualified" for i in range(3)}
        form = {"csrfmiddlewaretoken": _csrf(page), "annual_assessments-TOTAL_FORMS": "3", **years, **grades}
        status, location, page = browser.go(
            "POST", "/profile/annual_assessments/", form | {"annual_assessments-INITIAL_FORMS": "0"}
        )
        assert (status, location) == (302, "/profile/"), page
        status, _, page = browser.go("GET", "/profile/")
        assert status == 200 and "已保存" in page, "the message the other server left in the session"
    finally:
        proxy.shutdown()
        for server in (one, two):
            server.terminate()
            server.wait(timeout=30)
    backends = [backend for backend, *_ in proxy.served]
    assert len(set(backends)) == 2 and all(a != b for a, b in itertools.pairwise(backends)), proxy.served
    assert proxy.served[0][1:3] == ("GET", "/login/") and proxy.served[1][1:3] == ("POST", "/login/")
    assert all(code in (200, 302) for *_, code in proxy.served), proxy.served
