"""Server errors leave a trace (issue 10, finding 7): the traceback is logged with the request's id, which the
response returns; kept database connections are health-checked (finding 8)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from zhicheng.accounts.requestid import HEADER, RequestIdFilter


def _logged_500(caplog: pytest.LogCaptureFixture, client: Client, **headers: str) -> tuple[Any, logging.LogRecord]:
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-boom/", headers=headers)
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    return response, errors[0]


@pytest.mark.urls("tests.platform.urls_boom")
@pytest.mark.django_db
def test_a_server_error_is_logged_with_its_traceback_and_request_id(caplog: pytest.LogCaptureFixture) -> None:
    response, record = _logged_500(caplog, Client(raise_request_exception=False))
    rid = response[HEADER]
    assert len(rid) == 32
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    # The platform's handler writes the line as configured: request id, logger, message, then the traceback.
    handler = logging.getLogger("django").handlers[0]
    assert any(isinstance(f, RequestIdFilter) for f in handler.filters)
    assert record.request_id == rid  # type: ignore[attr-defined]
    line = handler.format(record)
    assert f"[{rid}] django.request: Internal Server Error: /test-boom/" in line
    assert "Traceback (most recent call last)" in line and "RuntimeError: 测试用的服务器错误" in line
    assert all(f"[{rid}]" in each for each in line.splitlines())  # the traceback's lines too


@pytest.mark.urls("tests.platform.urls_boom")
@pytest.mark.django_db
def test_an_incoming_request_id_is_kept_and_a_forged_one_replaced(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    response, record = _logged_500(caplog, client, x_request_id="proxy-1234.abc")
    assert response[HEADER] == "proxy-1234.abc"
    assert record.request_id == "proxy-1234.abc"  # type: ignore[attr-defined]
    caplog.clear()
    response, _ = _logged_500(caplog, client, x_request_id="x\nFAKE ERROR line")
    assert "\n" not in response[HEADER] and len(response[HEADER]) == 32


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client: Client) -> None:
    assert len(client.get("/login/")[HEADER]) == 32


def test_request_errors_and_the_platform_go_to_stderr_and_the_log_file(tmp_path: Any) -> None:
    log = tmp_path / "zhicheng.log"
    code = (
        "import logging, django; django.setup();"
        "logging.getLogger('django.request').error('服务器错误 probe');"
        "logging.getLogger('zhicheng.intake').info('平台 probe')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhicheng.settings", "ZHICHENG_LOG_FILE": str(log)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    written = log.read_text(encoding="utf-8")
    for out in (done.stderr, written):
        assert "ERROR [-] django.request: 服务器错误 probe" in out
        assert "INFO [-] zhicheng.intake: 平台 probe" in out


def test_kept_connections_are_health_checked() -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    code = "from zhicheng import settings as s; d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/zc_unused",
        "ZHICHENG_DB_CONN_MAX_AGE": "60",
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["60", "True"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a database restart needs PostgreSQL (DATABASE_URL)")
def test_a_kept_connection_lost_in_a_database_restart_is_replaced_before_the_next_request() -> None:
    """Finding 8: with CONN_MAX_AGE set, the first request of each worker after a database restart was a 500 —
    Django reused the dead connection. With health checks, the check at the request's start replaces it."""
    import psycopg

    def lose_connection() -> None:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
        with psycopg.connect(**dsn, autocommit=True) as admin:
            admin.execute("select pg_terminate_backend(%s)", [pid])

    kept = {"CONN_MAX_AGE": connection.settings_dict["CONN_MAX_AGE"], "health": connection.health_check_enabled}
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        connection.close()
        lose_connection()
        assert connection.health_check_enabled
        connection.close_if_unusable_or_obsolete()  # what Django does when a request starts (request_started)
        with connection.cursor() as cursor:
            cursor.execute("select 1")
            assert cursor.fetchone() == (1,)
        # Without the health check the same sequence fails: the reproduction of the 500.
        lose_connection()
        connection.health_check_enabled = False
        connection.close_if_unusable_or_obsolete()
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("select 1")
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept["CONN_MAX_AGE"]
        connection.close()
        connection.health_check_enabled = kept["health"]
