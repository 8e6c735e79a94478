"""The production way to serve (issue 12): the load balancer's probes, the HTTPS settings, the request id in the
logs, `zhicheng check-deploy`, and gunicorn itself serving a page and the compressed static files."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from tests.platform.conftest import PASSWORD, World
from zhicheng.accounts.requestid import HEADER
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
# The HTTPS settings as ZHICHENG_HTTPS=1 makes them (settings.py), for the tests that run in this process.
HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
}


def _env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess: this one's, without what would leak in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHENG_") and k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "zhicheng.settings", "PYTHONPATH": str(ROOT), **extra})
    return env


def _database_url() -> str:
    """The test database as a URL, for a subprocess to use the same one (PostgreSQL only: SQLite's is in memory)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _production_keys() -> dict[str, str]:
    return {
        "ZHICHENG_SECRET_KEY": secrets.token_urlsafe(50),
        "ZHICHENG_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ZHICHENG_AUDIT_KEY": secrets.token_urlsafe(32),
    }


@pytest.fixture(scope="session")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files collected as `make serve` does (hashed names, gzip and brotli), the admin's left out: they
    are two thirds of the files and most of the time, and these tests read the platform's pages only."""
    root = tmp_path_factory.mktemp("static")
    var = tmp_path_factory.mktemp("var")
    env = _env(ZHICHENG_STATIC_COLLECTED="1", ZHICHENG_STATIC_ROOT=str(root), ZHICHENG_VAR_DIR=str(var))
    cmd = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0", "--ignore", "admin/*"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    return root


# ── the probes ────────────────────────────────────────────────────────────────────────────────────────────────


def test_healthz_answers_ok_without_touching_the_database() -> None:
    """No django_db mark: a query would fail the test. Any host name, plain HTTP with the HTTPS redirect on, no
    sign-in: the load balancer probes the server's own address."""
    with override_settings(**HTTPS_ON):
        response = Client().get("/healthz", headers={"host": "10.20.30.40:8000"})
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert len(response[HEADER]) == 32


@pytest.mark.django_db
def test_readyz_answers_ready_when_the_database_and_the_file_store_work(tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path / "evidence"):
        response = Client().get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")
    assert not any((tmp_path / "evidence").rglob("*.txt")), "the probe's file is removed"


@pytest.mark.django_db
def test_readyz_answers_503_when_the_file_store_cannot_be_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The store under a plain file cannot be made (a read-only directory would not stop root, who runs CI); the
    warning in the log carries the probe's request id."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with (
        override_settings(MEDIA_ROOT=tmp_path / "a-file" / "evidence"),
        caplog.at_level(logging.WARNING, logger="zhicheng.serving"),
    ):
        response = Client().get("/readyz", headers={HEADER: "probe-42"})
    assert (response.status_code, response.content) == (503, b"file store not writable\n")
    assert response[HEADER] == "probe-42"
    record = next(r for r in caplog.records if r.name == "zhicheng.serving.health")
    assert record.request_id == "probe-42"  # type: ignore[attr-defined]
    assert "a-file" not in response.content.decode(), "the reason names the part, not the error's text"


def test_readyz_answers_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    """A database on a port where nothing listens: /readyz says so, /healthz stays 200."""
    code = (
        "import django; django.setup(); from django.test import Client; c = Client();"
        "r = c.get('/readyz'); h = c.get('/healthz');"
        "print(r.status_code, r.content.decode().strip(), '|', h.status_code)"
    )
    env = _env(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere", ZHICHENG_VAR_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "503 database unreachable | 200", done.stderr


def test_probes_take_only_get_and_head() -> None:
    response = Client().post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


# ── HTTPS and the proxy ──────────────────────────────────────────────────────────────────────────────────────


def _settings_under(**env: str) -> dict[str, Any]:
    names = [
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
    ]
    code = f"import json; from zhicheng import settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(ZHICHENG_VAR_DIR=str(ROOT / "var"), **env),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_https_settings_are_applied_with_zhicheng_https() -> None:
    on = _settings_under(ZHICHENG_HTTPS="1")
    assert on == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DEBUG": False,
    }
    off = _settings_under()
    assert not off["SECURE_SSL_REDIRECT"] and not off["SESSION_COOKIE_SECURE"] and not off["SECURE_HSTS_SECONDS"]
    assert off["SECURE_PROXY_SSL_HEADER"] is None, "without the proxy no client may claim HTTPS"


@pytest.mark.django_db
def test_behind_the_https_proxy_plain_http_is_redirected_and_https_gets_hsts() -> None:
    with override_settings(**HTTPS_ON, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        client = Client()
        plain = client.get("/login/")
        proxied = client.get("/login/", headers={"x-forwarded-proto": "https"})
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert proxied.cookies["csrftoken"]["secure"]


@override_settings(ZHICHENG_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", ZHICHENG_TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_the_trusted_proxy_the_audit_trail_records_the_clients_address(world: World) -> None:
    """The proxy's header names the client for the audit trail as for the sign-in pause; the same header from a
    machine that is not the proxy is not believed."""
    world.person("clerk1", Role.APPLICANT, None)
    through_proxy = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    through_proxy.post("/login/", {"username": "clerk1", "password": PASSWORD})
    forged = Client(REMOTE_ADDR="192.0.2.44", HTTP_X_FORWARDED_FOR="198.51.100.7")
    forged.post("/login/", {"username": "clerk1", "password": PASSWORD})
    entries = list(AuditEntry.objects.filter(kind="sign_in").order_by("pk"))
    assert [e.client_address for e in entries] == ["198.51.100.7", "192.0.2.44"]


# ── check-deploy ─────────────────────────────────────────────────────────────────────────────────────────────


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhicheng.cli", "check-deploy"],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_fails_on_a_trial_setup(tmp_path: Path) -> None:
    """The keys made under var/, SQLite, no HTTPS, static files not collected: each said, and exit 1."""
    done = _check_deploy(ZHICHENG_VAR_DIR=str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    for words in (
        "未通过  ZHICHENG_SECRET_KEY（会话和表单的签名密钥）未在环境中设置",
        "未通过  ZHICHENG_FIELD_KEY",
        "未通过  ZHICHENG_AUDIT_KEY",
        "未通过  ZHICHENG_HTTPS 未设为 1",
        "未通过  数据库是 sqlite",
        "未通过  ZHICHENG_STATIC_COLLECTED 未设为 1",
        "security.W008",
        "通过  调试模式已关闭",
    ):
        assert words in out, out
    assert out.rstrip().splitlines()[-1].startswith("部署检查未通过：")


def test_check_deploy_fails_on_a_development_secret_and_debug(tmp_path: Path) -> None:
    done = _check_deploy(
        ZHICHENG_VAR_DIR=str(tmp_path),
        ZHICHENG_SECRET_KEY="django-insecure-dev-key",
        ZHICHENG_FIELD_KEY="not-a-key",
        ZHICHENG_DEBUG="1",
    )
    assert done.returncode == 1
    assert "security.W009" in done.stdout  # Django's: a short or django-insecure- key
    assert "未通过  调试模式已打开" in done.stdout
    assert "未通过  ZHICHENG_FIELD_KEY 不是有效的加密密钥" in done.stdout


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a deployment runs on PostgreSQL (DATABASE_URL)")
def test_check_deploy_passes_with_a_production_environment(tmp_path: Path, collected: Path) -> None:
    production = {
        "DATABASE_URL": _database_url(),
        "ZHICHENG_VAR_DIR": str(tmp_path),
        "ZHICHENG_MEDIA_ROOT": str(tmp_path / "evidence"),
        "ZHICHENG_STATIC_COLLECTED": "1",
        "ZHICHENG_STATIC_ROOT": str(collected),
        "ZHICHENG_HTTPS": "1",
        "ZHICHENG_ALLOWED_HOSTS": "zhicheng.xinzhou.example",
        "ZHICHENG_TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR",
        "ZHICHENG_TRUSTED_PROXIES": "10.0.0.0/24",
        **_production_keys(),
    }
    done = _check_deploy(**production)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "未通过" not in done.stdout
    assert "2023年度的受理期 2023-10-16至2023-11-10 在工作日历之内（20 个工作日）" in done.stdout
    # The same environment behind an HTTPS proxy that is not named: the client addresses would be the proxy's.
    unnamed = _check_deploy(**{**production, "ZHICHENG_TRUSTED_PROXIES": ""})
    assert (
        unnamed.returncode == 1 and "未设置 ZHICHENG_TRUSTED_PROXY_HEADER 和 ZHICHENG_TRUSTED_PROXIES" in unnamed.stdout
    )


# ── gunicorn ──────────────────────────────────────────────────────────────────────────────────────────────────


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL's test database when the tests run on it; else a SQLite file migrated for the server."""
    if connection.vendor == "postgresql":
        yield _database_url()
        return
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    env = _env(DATABASE_URL=url, ZHICHENG_VAR_DIR=str(tmp_path))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    yield url


def start_gunicorn(log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with one worker on a free port, in this environment, once its /healthz answers: the process and
    its base URL (the caller stops it)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:zhicheng.serving.gunicorn_conf", "zhicheng.wsgi"]
    environment = _env(ZHICHENG_BIND=f"127.0.0.1:{port}", ZHICHENG_WORKERS="1", **env)
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return server, base
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.terminate()
            server.wait(timeout=30)
            raise AssertionError(log.read_text(encoding="utf-8"))
        time.sleep(0.2)


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_a_page_and_the_compressed_static_files(
    tmp_path: Path, collected: Path, server_database: str
) -> None:
    log = tmp_path / "gunicorn.log"
    server, base = start_gunicorn(
        log,
        DATABASE_URL=server_database,
        ZHICHENG_VAR_DIR=str(tmp_path),
        ZHICHENG_STATIC_COLLECTED="1",
        ZHICHENG_STATIC_ROOT=str(collected),
    )
    try:
        assert _get(f"{base}/readyz")[:1] == (200,)

        status, headers, body = _get(f"{base}/login/", **{HEADER: "served-page-1"})
        assert status == 200 and headers[HEADER.lower()] == "served-page-1"
        page = body.decode()
        assert "登录" in page
        # The page names the stylesheet by its hashed name, which browsers may keep for a year.
        css = next(
            part.split('"')[0] for part in page.split('href="/static/')[1:] if part.split('"')[0].endswith(".css")
        )
        assert css.count(".") >= 2, f"not a hashed name: {css}"
        status, headers, body = _get(f"{base}/static/{css}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert "max-age=315360000" in headers["cache-control"] and "immutable" in headers["cache-control"]
        status, headers, _ = _get(f"{base}/static/{css}", **{"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers["content-encoding"] == "br"
        status, headers, plain = _get(f"{base}/static/{css}")
        assert status == 200 and "content-encoding" not in headers and b"{" in plain
        assert _get(f"{base}/static/css/no-such-file.css")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
    # gunicorn's access log carries the request id the application set.
    assert '"GET /login/ HTTP/1.1" 200' in log.read_text(encoding="utf-8")
    assert "[served-page-1]" in log.read_text(encoding="utf-8")
