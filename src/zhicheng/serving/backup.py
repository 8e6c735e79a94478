"""`zhicheng backup DIR` and `zhicheng restore DIR`: the PostgreSQL database (pg_dump's custom format), every file of
the evidence store (MEDIA_ROOT) and a manifest with each file's SHA-256, restored and then proved: the audit chain,
every evidence file against the hash its row keeps, and the tables' row counts against the backup's (docs/deployment.md).
With the evidence in an object store (ZHICHENG_S3_BUCKET) a backup holds the database only: the bucket is kept by the
object store's own versioning and replication, which the output and docs/deployment.md say; a restore then proves that
every evidence row still finds its object.

A backup is refused rather than half made: on SQLite, into a directory that holds anything, or when pg_dump fails
(what was written is removed, so that no partial directory is taken for a backup). A restore checks every checksum
before it touches the database or the files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from zhicheng.applications.models import Evidence, private_storage
from zhicheng.audit import trail
from zhicheng.audit.models import AuditHead
from zhicheng.evaluation.models import Minutes
from zhicheng.records import idnumbers
from zhicheng.records.models import Profile

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"  # the evidence store's copy, the same tree as under MEDIA_ROOT
BEIJING = ZoneInfo("Asia/Shanghai")
FORMAT = 1


def bucket() -> str | None:
    """The object store's bucket that holds the evidence, or None when it lies under MEDIA_ROOT."""
    name = getattr(private_storage(), "bucket_name", None)
    return str(name) if name else None


class Refused(Exception):
    """A backup or restore that is not done; the message says why, in Chinese and English."""


class Failed(Refused):
    """A restore that stopped after it began changing the database or the files: what is there is not the backup."""


@dataclass
class Outcome:
    """What a restore found after it put everything back: each problem in words; none means the backup restored."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(f"通过  {text}")

    def fail(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(f"未通过  {text}")


# ── the database's connection, for PostgreSQL's own tools ──────────────────────────────────────────────────────


def _postgresql() -> dict[str, Any]:
    db: dict[str, Any] = dict(settings.DATABASES["default"].items())
    if not db["ENGINE"].endswith("postgresql"):
        raise Refused(
            "本命令只用于 PostgreSQL。使用内置 SQLite 时，请在平台停止运行时复制数据库文件"
            f"（{db['NAME']}）和证明材料目录（{settings.MEDIA_ROOT}），或改用 PostgreSQL（DATABASE_URL）。\n"
            "Backup and restore work on PostgreSQL only. On SQLite, copy the database file and the evidence "
            "directory while the platform is stopped, or use PostgreSQL (DATABASE_URL)."
        )
    return db


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq's variables: the password never appears on a command line (ps shows those)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _database_error(db: dict[str, Any], exc: DatabaseError) -> str:
    # psycopg's message names the host, the database and the reason, never the password.
    return f"数据库 {db['NAME']} 出错 (database error)：{str(exc).strip()}"


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(cmd[0]) is None:
        raise Refused(f"找不到 {cmd[0]}（PostgreSQL 客户端工具），请安装后再试。\n{cmd[0]} not found on PATH.")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"{what}失败（{cmd[0]} exit {done.returncode}）：\n{done.stderr.strip()}")


# ── files and checksums ───────────────────────────────────────────────────────────────────────────────────────


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _tree(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _empty(directory: Path) -> None:
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _has_anything(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


# ── backup ────────────────────────────────────────────────────────────────────────────────────────────────────


def _state() -> dict[str, Any]:
    """Migrations, audit head and row counts, read in the transaction whose snapshot pg_dump also reads."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
        migrations = {app: name for app, name in cursor.fetchall()}  # the last applied of each app wins
    head = AuditHead.objects.filter(pk=1).first()
    latest = trail.latest_seal()
    return {
        "migrations": dict(sorted(migrations.items())),
        "audit": {
            "head": latest,
            "entries": (head.entries - head.pruned) if head else 0,
        },
        "rows": _row_counts(),
    }


def _row_counts() -> dict[str, int]:
    """Every table's, Django's own and the many-to-many ones included: a restore must bring back all of them."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(target: Path, out: TextIO) -> None:
    db = _postgresql()
    if target.exists() and (not target.is_dir() or _has_anything(target)):
        raise Refused(
            f"目标目录 {target} 已存在且不为空：备份只写入新的或空的目录，以免混入或覆盖其他文件。\n"
            f"The target {target} exists and is not empty; give a new or empty directory."
        )
    made = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # names, profiles and evidence: readable by the backup's owner only
    try:
        try:
            _write_backup(target, db, out)
        except DatabaseError as exc:
            raise Refused(_database_error(db, exc)) from exc
    except BaseException:
        # A half-written directory must not be taken for a backup later.
        if made:
            shutil.rmtree(target, ignore_errors=True)
        else:
            _empty(target)
        raise


def _write_backup(target: Path, db: dict[str, Any], out: TextIO) -> None:
    env = _pg_env(db)
    # One snapshot for everything the manifest says about the database: pg_dump reads the snapshot this
    # transaction exports, so the counts and the audit head describe exactly the dumped data even while the
    # platform keeps serving.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "-Fc", "--snapshot", snapshot, "-f", str(target / DUMP)], env, "数据库导出 (pg_dump)")
        state = _state()
    # The files after the dump: a row in the dump always finds its file (evidence files are only ever added).
    # Copying a bucket object by object would be slow, and no better than the store's own versioning and
    # replication, which keep every version where the evidence already is.
    in_bucket = bucket()
    media = Path(settings.MEDIA_ROOT)
    for source in [] if in_bucket else _tree(media):
        copy = target / FILES / source.relative_to(media)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
    files: list[dict[str, Any]] = [
        {"path": path.relative_to(target).as_posix(), "size": path.stat().st_size, "sha256": sha256_of(path)}
        for path in [target / DUMP, *_tree(target / FILES)]
    ]
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
        "platform_version": metadata.version("zhicheng"),
        "database": db["NAME"],
        "evidence_bucket": in_bucket,
        **state,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    evidence = len(files) - 1
    size = sum(f["size"] for f in files)
    out.write(
        f"备份完成：{target}\n"
        f"  数据库 {db['NAME']}（{DUMP}，{files[0]['size']:,} 字节），证明材料文件 {evidence} 个，共 {size:,} 字节\n"
        f"  审计记录 {state['audit']['entries']} 条，链头 {state['audit']['head'] or '（无记录）'}\n"
        f"  清单与校验值：{target / MANIFEST}\n"
    )
    if in_bucket:
        out.write(
            f"  证明材料在对象存储桶 {in_bucket} 中，未复制到备份：由对象存储自身的版本控制和复制保存（docs/deployment.md）\n"
            f"  The evidence is in the bucket {in_bucket} and not in this backup: keep it with the object store's\n"
            "  own versioning and replication.\n"
        )


# ── restore ───────────────────────────────────────────────────────────────────────────────────────────────────


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Refused(f"无法读取备份清单 {path}：{exc}\nCannot read the backup's manifest.") from exc
    if manifest.get("format") != FORMAT or not any(f.get("path") == DUMP for f in manifest.get("files", [])):
        raise Refused(f"{path} 不是本平台的备份清单。\n{path} is not a Zhicheng backup manifest.")
    return manifest


def check_files(source: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest names, at its size and hash; any difference refuses the restore before it begins."""
    bad: list[str] = []
    root = source.resolve()
    for entry in manifest["files"]:
        path = (source / entry["path"]).resolve()
        # A file is put back under MEDIA_ROOT by its path: none may lead out of the backup's files/ (a "..", a link).
        if not path.is_relative_to(root if entry["path"] == DUMP else root / FILES):
            bad.append(f"{entry['path']}：路径在备份目录之外 (outside the backup)")
        elif not path.is_file():
            bad.append(f"{entry['path']}：文件缺失 (missing)")
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            bad.append(f"{entry['path']}：校验值不符 (checksum mismatch)")
    if bad:
        raise Refused(
            "备份已损坏，未做任何恢复 (the backup is damaged; nothing was restored):\n"
            + "\n".join(f"  {b}" for b in bad)
        )


def _public_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return [row[0] for row in cursor.fetchall()]


def restore(source: Path, *, replace: bool, out: TextIO) -> Outcome:
    db = _postgresql()
    try:
        return _restore(source, db, replace=replace, out=out)
    except DatabaseError as exc:
        raise Refused(_database_error(db, exc)) from exc


def _restore(source: Path, db: dict[str, Any], *, replace: bool, out: TextIO) -> Outcome:
    manifest = read_manifest(source)
    check_files(source, manifest)
    media = Path(settings.MEDIA_ROOT)
    tables = _public_tables()
    if tables and not replace:
        raise Refused(
            f"数据库 {db['NAME']} 已有 {len(tables)} 张表：恢复会替换其全部数据，确认后加 --replace 再运行。\n"
            f"The database {db['NAME']} has tables; add --replace to drop them and restore the backup."
        )
    in_bucket = manifest.get("evidence_bucket")
    if not in_bucket and _has_anything(media) and not replace:
        raise Refused(
            f"证明材料目录 {media} 不为空：恢复会替换其中的文件，确认后加 --replace 再运行。\n"
            f"MEDIA_ROOT {media} is not empty; add --replace to replace its files."
        )
    out.write(f"备份 {source}（{manifest['created_at']}，平台版本 {manifest['platform_version']}）校验值全部相符\n")
    if tables:
        # Dropping the schema, not pg_restore --clean: a table the backup does not have would otherwise stay.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    stored = [e for e in manifest["files"] if e["path"].startswith(f"{FILES}/")]
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                str(db["NAME"]),
                str(source / DUMP),
            ],
            _pg_env(db),
            "数据库恢复 (pg_restore)",
        )
        if media.is_dir() and not in_bucket:
            _empty(media)
        for entry in stored:
            copy = media / entry["path"].removeprefix(f"{FILES}/")
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / entry["path"], copy)
    except (Refused, OSError) as exc:
        raise Failed(
            f"{exc}\n数据库 {db['NAME']} 和目录 {media} 现在只有部分数据：排除原因后加 --replace 重新恢复。\n"
            "The restore stopped part way; fix the cause and run it again with --replace."
        ) from exc
    if in_bucket:
        out.write(f"已恢复数据库 {db['NAME']}；证明材料仍在对象存储桶 {in_bucket} 中，正在核验……\n")
    else:
        out.write(f"已恢复数据库 {db['NAME']} 和证明材料文件 {len(stored)} 个（{media}），正在核验……\n")
    return verify_restored(manifest)


def verify_restored(manifest: dict[str, Any]) -> Outcome:
    outcome = Outcome()
    checked, breaks = trail.verify()
    if breaks:
        # The seals are keyed: a machine restored without the deployment's ZHICHENG_AUDIT_KEY fails every one.
        outcome.fail(
            f"审计记录链校验失败：共 {checked} 条，{len(breaks)} 处异常（{breaks[0].problem}）；"
            "请确认 ZHICHENG_AUDIT_KEY 与备份时相同，再运行 zhicheng audit verify 查看每一处"
        )
    else:
        outcome.ok(f"审计记录链完整：共 {checked} 条")
    head = manifest["audit"]["head"]
    if trail.latest_seal() != head:
        outcome.fail("最后一条审计记录与备份清单所记的链头不同")
    elif head:
        outcome.ok("最后一条审计记录即备份时的链头")
    unreadable: list[str] = []
    count = 0
    for evidence in Evidence.objects.only("pk", "file", "sha256").order_by("pk").iterator():
        count += 1
        try:
            with evidence.file.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except Exception:  # a disk's OSError, an object store's client error for a missing object
            unreadable.append(f"证明材料 #{evidence.pk}（{evidence.file.name}）无法打开")
            continue
        if digest != evidence.sha256:
            unreadable.append(f"证明材料 #{evidence.pk}（{evidence.file.name}）的内容与记录的校验值不符")
    for problem in unreadable:
        outcome.fail(problem)
    if not unreadable:
        outcome.ok(f"证明材料 {count} 份，每个文件都能打开，校验值与记录相符")
    kept = list(Minutes.objects.order_by("pk"))
    minutes = [m.pk for m in kept if hashlib.sha256(bytes(m.pdf)).hexdigest() != m.sha256]
    if minutes:
        outcome.fail(f"会议纪要 {minutes} 的内容与记录的校验值不符")
    elif kept:
        outcome.ok(f"会议纪要 {len(kept)} 份，内容与记录的校验值相符")
    # The ID numbers are encrypted under ZHICHENG_FIELD_KEY, which a backup deliberately does not hold.
    profiles = unreadable_ids = 0
    for cipher, digest in (
        Profile.objects.exclude(id_number_cipher="").values_list("id_number_cipher", "id_number_digest").iterator()
    ):
        profiles += 1
        try:
            unreadable_ids += idnumbers.digest(idnumbers.decrypt(cipher)) != digest
        except InvalidToken:
            unreadable_ids += 1
    if unreadable_ids:
        outcome.fail(f"{unreadable_ids} 份档案的身份证号码无法解密：请确认 ZHICHENG_FIELD_KEY 与备份时相同")
    elif profiles:
        outcome.ok(f"{profiles} 份档案的身份证号码都能以本机的密钥解密")
    rows = _row_counts()
    differ = [f"{t}（备份 {n}，恢复后 {rows.get(t)}）" for t, n in manifest["rows"].items() if rows.get(t) != n]
    if differ:
        outcome.fail("行数与备份不符：" + "；".join(differ))
    else:
        outcome.ok(f"{len(rows)} 张表的行数与备份时相同（共 {sum(rows.values()):,} 行）")
    if manifest["platform_version"] != metadata.version("zhicheng"):
        outcome.lines.append(
            f"提示  备份来自平台版本 {manifest['platform_version']}，当前为 {metadata.version('zhicheng')}："
            "如有未应用的迁移，请运行 manage.py migrate"
        )
    return outcome
