"""`zhicheng backup` and `zhicheng restore` as a person runs them (issue 12, "Backups that restore"): the demo
backed up, restored into an empty database and a fresh evidence directory, and proved — the audit chain, every
evidence file by its SHA-256, every table's row count. A damaged backup is refused before anything is touched.

PostgreSQL only (pg_dump, pg_restore); CI runs the suite on it. The demo is seeded into a scratch database of its
own, not the test database: the commands run in subprocesses and commit, which the test database's rollback would
not undo, and the flush of a transactional test would take the organisations the migrations load away from the
tests after it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ZHICHENG = str(Path(sys.executable).with_name("zhicheng"))
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup and restore use pg_dump and pg_restore: PostgreSQL only (set DATABASE_URL; CI runs both)",
)


def _env(**extra: str) -> dict[str, str]:
    """A subprocess's environment: this one's, without what would leak in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHENG_") and k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "zhicheng.settings", "PYTHONPATH": str(ROOT), **extra})
    return env


def _run(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@dataclass(frozen=True)
class Server:
    """PostgreSQL as the test database reaches it, and databases made beside it."""

    host: str
    port: str
    user: str
    password: str
    test_name: str

    def url(self, name: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{name}"

    def _admin(self) -> dict[str, str]:
        return {
            **os.environ,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
        }

    def create(self, name: str) -> None:
        self.drop(name)
        subprocess.run(["createdb", name], env=self._admin(), check=True, capture_output=True, timeout=30)

    def drop(self, name: str) -> None:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", name], env=self._admin(), check=True, capture_output=True, timeout=30
        )

    def rows(self, name: str) -> dict[str, int]:
        with psycopg.connect(self.url(name)) as db:
            tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}  # type: ignore[index]

    def evidence(self, name: str) -> dict[str, str]:
        with psycopg.connect(self.url(name)) as db:
            return dict(db.execute("SELECT file, sha256 FROM applications_evidence").fetchall())

    def latest_seal(self, name: str) -> str:
        with psycopg.connect(self.url(name)) as db:
            row = db.execute("SELECT seal FROM audit_auditentry ORDER BY id DESC LIMIT 1").fetchone()
            assert row is not None
            return str(row[0])


@dataclass(frozen=True)
class Demo:
    server: Server
    source: str  # the seeded database's name
    scratch: str  # the empty one restored into
    var: Path  # the keys, shared as a real deployment shares them with the machine it restores on
    media: Path
    backup: Path

    def env(self, database: str, media: Path, **extra: str) -> dict[str, str]:
        return _env(
            DATABASE_URL=self.server.url(database),
            ZHICHENG_VAR_DIR=str(self.var),
            ZHICHENG_MEDIA_ROOT=str(media),
            **extra,
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo seeded as `make run` seeds it (migrate, seed_demo), then backed up."""
    s = connection.settings_dict
    server = Server(str(s["HOST"] or "127.0.0.1"), str(s["PORT"] or 5432), s["USER"], s["PASSWORD"] or "", s["NAME"])
    base = tmp_path_factory.mktemp("backup")
    made = Demo(server, f"{s['NAME']}_source", f"{s['NAME']}_restore", base / "var", base / "media", base / "backup")
    server.create(made.source)
    try:
        env = made.env(made.source, made.media)
        for step in (["migrate", "--noinput", "--verbosity", "0"], ["seed_demo"]):
            done = _run(sys.executable, "manage.py", *step, env=env)
            assert done.returncode == 0, done.stdout + done.stderr
        done = _run(ZHICHENG, "backup", str(made.backup), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "备份完成" in done.stdout
        yield made
    finally:
        server.drop(made.source)
        server.drop(made.scratch)


@on_postgresql
def test_the_manifest_lists_every_file_with_its_checksum_and_the_database_state(demo: Demo) -> None:
    manifest = json.loads((demo.backup / "manifest.json").read_text(encoding="utf-8"))
    assert demo.backup.stat().st_mode & 0o777 == 0o700  # personal data: the backup's owner only
    assert manifest["created_at"].endswith("+08:00")
    assert manifest["platform_version"] == "0.1.0" and manifest["database"] == demo.source
    with psycopg.connect(demo.server.url(demo.source)) as db:
        applied = db.execute("SELECT app, name FROM django_migrations ORDER BY applied, id").fetchall()
    assert manifest["migrations"] == dict(applied) and manifest["migrations"]["audit"].startswith("0002")
    assert manifest["audit"]["head"] == demo.server.latest_seal(demo.source)
    assert manifest["rows"] == demo.server.rows(demo.source)
    listed = {f["path"]: f for f in manifest["files"]}
    stored = {f"files/{name}" for name in demo.server.evidence(demo.source)}
    assert set(listed) == {"database.dump"} | stored and len(stored) == manifest["rows"]["applications_evidence"] > 0
    for path, entry in listed.items():
        assert entry["size"] == (demo.backup / path).stat().st_size and entry["sha256"] == sha256(demo.backup / path)
    # A second backup into the same directory would mix two backups: refused.
    again = _run(ZHICHENG, "backup", str(demo.backup), env=demo.env(demo.source, demo.media))
    assert again.returncode == 2 and "已存在且不为空" in again.stderr and "not empty" in again.stderr


@on_postgresql
def test_a_backup_restores_into_an_empty_database_and_proves_itself(demo: Demo, tmp_path: Path) -> None:
    demo.server.create(demo.scratch)
    fresh = tmp_path / "evidence"
    env = demo.env(demo.scratch, fresh)

    # One byte changed in the dump: refused, naming the file, before the database or the files are touched.
    damaged = tmp_path / "damaged"
    shutil.copytree(demo.backup, damaged)
    dump = bytearray((damaged / "database.dump").read_bytes())
    dump[len(dump) // 2] ^= 0x01
    (damaged / "database.dump").write_bytes(dump)
    refused = _run(ZHICHENG, "restore", str(damaged), "--replace", env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "database.dump：校验值不符" in refused.stderr and "nothing was restored" in refused.stderr
    assert demo.server.rows(demo.scratch) == {} and not fresh.exists()

    done = _run(ZHICHENG, "restore", str(demo.backup), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过  审计记录链完整" in done.stdout and "未通过" not in done.stdout
    assert "恢复完成，核验全部通过" in done.stdout

    # Proved again from outside the command: the project's own verification, the files, the rows.
    verified = _run(ZHICHENG, "audit", "verify", env=env)
    assert verified.returncode == 0 and "审计记录校验通过" in verified.stdout, verified.stdout + verified.stderr
    evidence = demo.server.evidence(demo.scratch)
    assert evidence == demo.server.evidence(demo.source) and evidence
    for name, digest in evidence.items():
        assert sha256(fresh / name) == digest == sha256(demo.media / name)
    assert demo.server.rows(demo.scratch) == demo.server.rows(demo.source)

    # Restoring over data needs --replace; with it, on a machine without the deployment's keys (kept apart from
    # the backups), the restore goes through and says what cannot be proved or read.
    over = _run(ZHICHENG, "restore", str(demo.backup), env=env)
    assert over.returncode == 2 and "--replace" in over.stderr
    strange = {**env, "ZHICHENG_VAR_DIR": str(tmp_path / "other-keys")}
    keyless = _run(ZHICHENG, "restore", str(demo.backup), "--replace", env=strange)
    assert keyless.returncode == 1, keyless.stdout + keyless.stderr
    assert "未通过  审计记录链校验失败" in keyless.stdout and "ZHICHENG_AUDIT_KEY 与备份时相同" in keyless.stdout
    assert "身份证号码无法解密：请确认 ZHICHENG_FIELD_KEY" in keyless.stdout
    assert demo.server.rows(demo.scratch) == demo.server.rows(demo.source)


@on_postgresql
def test_with_the_evidence_in_a_bucket_the_backup_is_the_database_and_the_restore_proves_the_objects(
    demo: Demo, tmp_path: Path
) -> None:
    """The demo's evidence moved into a bucket of moto's S3 server as docs/deployment.md says (the same names): the
    backup holds the database only and says who keeps the bucket; the restore leaves the bucket alone and opens
    every evidence row's object; an object gone from the bucket is named."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        keys = {"ZHICHENG_S3_ACCESS_KEY": "testing", "ZHICHENG_S3_SECRET_KEY": "testing"}
        bucket = {"ZHICHENG_S3_BUCKET": "evidence", "ZHICHENG_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}", **keys}
        bucket["ZHICHENG_S3_REGION"] = "us-east-1"
        s3 = boto3.client(
            "s3",
            endpoint_url=bucket["ZHICHENG_S3_ENDPOINT_URL"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket="evidence")
        for path in demo.media.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), "evidence", path.relative_to(demo.media).as_posix())
        empty = tmp_path / "no-evidence-here"
        target = tmp_path / "backup"
        done = _run(ZHICHENG, "backup", str(target), env=demo.env(demo.source, empty, **bucket))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "证明材料在对象存储桶 evidence 中，未复制到备份" in done.stdout and "versioning" in done.stdout
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["evidence_bucket"] == "evidence"
        assert [f["path"] for f in manifest["files"]] == ["database.dump"]

        demo.server.create(demo.scratch)
        env = demo.env(demo.scratch, empty, **bucket)
        restored = _run(ZHICHENG, "restore", str(target), env=env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "证明材料仍在对象存储桶 evidence 中" in restored.stdout
        assert "每个文件都能打开，校验值与记录相符" in restored.stdout and not empty.exists()

        gone = next(iter(demo.server.evidence(demo.scratch)))
        s3.delete_object(Bucket="evidence", Key=gone)
        again = _run(ZHICHENG, "restore", str(target), "--replace", env=env)
        assert again.returncode == 1 and f"（{gone}）无法打开" in again.stdout, again.stdout + again.stderr
    finally:
        moto.stop()


@on_postgresql
def test_a_failing_pg_dump_is_refused_and_leaves_no_backup(demo: Demo, tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text('#!/bin/sh\necho "pg_dump: error: $*" >&2\nexit 1\n')
    fake.chmod(0o755)
    target = tmp_path / "backup"
    env = demo.env(demo.source, demo.media, PATH=f"{tools}:{os.environ['PATH']}")
    done = _run(ZHICHENG, "backup", str(target), env=env)
    assert done.returncode == 2 and "pg_dump" in done.stderr and "备份未完成" in done.stderr
    assert not target.exists()
    if demo.server.password:  # the connection goes to pg_dump in its environment, never on its command line
        assert demo.server.password not in done.stdout + done.stderr


def test_backup_on_sqlite_is_refused_with_what_to_do_instead(tmp_path: Path) -> None:
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", ZHICHENG_VAR_DIR=str(tmp_path / "var"))
    done = _run(ZHICHENG, "backup", str(tmp_path / "backup"), env=env)
    assert done.returncode == 2 and not (tmp_path / "backup").exists()
    assert "请在平台停止运行时复制数据库文件" in done.stderr and "or use PostgreSQL" in done.stderr
