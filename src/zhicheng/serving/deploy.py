"""`zhicheng check-deploy`: Django's deployment checks and the platform's own, in plain words, before a server
takes requests. Each check says what it found; any failure makes the command exit 1 (docs/deployment.md).

The platform's checks are those a missing setting would only show later, in a worse place: keys made on one machine
(another server, or the restored backup, could not read the ID numbers or prove the audit trail), the embedded SQLite,
migrations not applied, a file store the server cannot write, static files not collected (pages without styles),
the year's receiving window on days the working-day calendar does not know (the window's pages would refuse every
submission), a rehearsal date or a switched-off second factor left over from a trial.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from zhicheng.applications.models import private_storage
from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.policy.pack import PackError, pack_for_year
from zhicheng.round.calendar import office_calendar
from zhicheng.round.models import EvaluationYear
from zhicheng.serving.health import store_problem

KEYS = (
    ("ZHICHENG_SECRET_KEY", "会话和表单的签名密钥"),
    ("ZHICHENG_FIELD_KEY", "身份证号码的加密密钥"),
    ("ZHICHENG_AUDIT_KEY", "审计记录的封存密钥"),
)
# The host names ALLOWED_HOSTS has when ZHICHENG_ALLOWED_HOSTS is not set: the server's own, never the public name.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]"}


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str
    blocks: bool = False  # a failure the checks that need the database cannot go on after


def _pass(text: str) -> Finding:
    return Finding(True, text)


def _fail(text: str) -> Finding:
    return Finding(False, text)


def django_checks() -> Iterator[Finding]:
    """`manage.py check --deploy`, each warning or error a failure (the silenced ones are settled in settings.py)."""
    found = [
        m
        for m in checks.run_checks(include_deployment_checks=True)
        if m.level >= checks.WARNING and not m.is_silenced()
    ]
    for m in found:
        hint = f"（{m.hint}）" if m.hint else ""
        yield _fail(f"Django 部署检查 {m.id}：{m.msg}{hint}")
    if not found:
        yield _pass("Django 的部署检查（check --deploy）全部通过")


def keys() -> Iterator[Finding]:
    """Every key from the environment: a key made under var/ lives on one machine only, and a second server, or the
    machine a backup is restored on, would make its own."""
    values = []
    for env, what in KEYS:
        value = os.environ.get(env, "")
        if not value:
            yield _fail(f"{env}（{what}）未在环境中设置：现用的是本机 var/ 下自动生成的密钥，只适合试用")
            continue
        values.append(value)
        yield _pass(f"{env}（{what}）取自环境")
    field_key = os.environ.get("ZHICHENG_FIELD_KEY", "")
    if field_key:
        try:
            Fernet(field_key.encode())
        except ValueError:
            yield _fail("ZHICHENG_FIELD_KEY 不是有效的加密密钥（应为 32 字节的 URL 安全 base64 编码）")
    audit_key = os.environ.get("ZHICHENG_AUDIT_KEY", "")
    if audit_key and len(audit_key) < 32:
        yield _fail("ZHICHENG_AUDIT_KEY 太短（至少 32 个字符）")
    if len(set(values)) < len(values):
        yield _fail("两个密钥相同：每个密钥应各自生成、各自保管")


def debug_off() -> Iterator[Finding]:
    if settings.DEBUG:
        yield _fail("调试模式已打开（ZHICHENG_DEBUG=1）：出错时页面会显示代码和设置，生产环境必须关闭")
    else:
        yield _pass("调试模式已关闭")


def https() -> Iterator[Finding]:
    if not settings.HTTPS:
        yield _fail("ZHICHENG_HTTPS 未设为 1：Cookie 可经明文传输，浏览器不会被引导到 HTTPS")
        return
    yield _pass("HTTPS：安全 Cookie、HSTS（一年，含子域名）、跳转到 HTTPS，信任代理的 X-Forwarded-Proto")
    if not (settings.ZHICHENG_TRUSTED_PROXY_HEADER and settings.ZHICHENG_TRUSTED_PROXIES):
        yield _fail(
            "反向代理之后未设置 ZHICHENG_TRUSTED_PROXY_HEADER 和 ZHICHENG_TRUSTED_PROXIES："
            "所有请求都显示为代理的地址，登录失败的暂停和审计记录的来源地址都会按代理而非用户计"
        )
    else:
        yield _pass(f"客户端地址取自可信代理的 {settings.ZHICHENG_TRUSTED_PROXY_HEADER}")


def hosts() -> Iterator[Finding]:
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if not public:
        yield _fail("ZHICHENG_ALLOWED_HOSTS 未设置对外的域名：只有本机地址可以访问")
    else:
        yield _pass(f"对外域名：{', '.join(public)}")


def rehearsal_left_over() -> Iterator[Finding]:
    if settings.ZHICHENG_TODAY:
        yield _fail(f"ZHICHENG_TODAY={settings.ZHICHENG_TODAY}：平台日期被改动（演练用），生产环境必须为空")
    if not settings.ZHICHENG_SECOND_FACTOR:
        yield _fail("ZHICHENG_SECOND_FACTOR=0：特权角色登录不需要两步验证（仅供演示）")
    if settings.ZHICHENG_BENCH_BARE:
        yield _fail("ZHICHENG_BENCH_BARE=1：性能测试的页面 /bench/bare/ 已开放（仅供性能测试），生产环境必须为空")


def database() -> Iterator[Finding]:
    """PostgreSQL, reachable, every migration applied. The calendar's check needs the database's tables: it is
    skipped when the database cannot be reached or is not migrated (that failure is already said)."""
    if connection.vendor != "postgresql":
        yield _fail(
            f"数据库是 {connection.vendor}：内置的 SQLite 只适合试用，生产环境请用 DATABASE_URL 指向 PostgreSQL"
        )
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        yield Finding(False, f"数据库无法连接：{exc}".strip(), blocks=True)
        return
    yield _pass(f"数据库可以连接（{connection.vendor}，{connection.settings_dict.get('NAME')}）")
    if pending:
        yield Finding(False, f"数据库还有 {len(pending)} 个迁移未执行：请先运行 manage.py migrate", blocks=True)
    else:
        yield _pass("数据库迁移均已执行")


def file_store() -> Iterator[Finding]:
    bucket = getattr(private_storage(), "bucket_name", None)
    where = f"对象存储桶 {bucket}" if bucket else str(settings.MEDIA_ROOT)
    problem = store_problem()
    if problem:
        yield _fail(f"材料文件存储不可用（{where}）：{problem}")
    else:
        yield _pass(f"材料文件存储可写可读（{where}）")


def static_files() -> Iterator[Finding]:
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not settings.STATIC_COLLECTED:
        yield _fail("ZHICHENG_STATIC_COLLECTED 未设为 1：应用不提供静态文件，页面会没有样式和脚本（make serve 会设置）")
    elif not manifest.exists():
        yield _fail(f"静态文件尚未收集（{manifest} 不存在）：请运行 manage.py collectstatic")
    else:
        yield _pass(f"静态文件已收集（{settings.STATIC_ROOT}），由应用压缩提供")


def calendar() -> Iterator[Finding]:
    """The year in force: its receiving window, as the office set it (or the pack's, before the office did), lies on
    days the working-day calendar knows."""
    year = settings.ZHICHENG_YEAR
    try:
        row = EvaluationYear.objects.filter(year=year).first()
        if row is not None:
            start, end = row.window_start, row.window_end
        else:
            window = pack_for_year(year).meta.parameters.receiving_window
            start, end = window.start.value, window.end.value
        days = office_calendar().workdays_between(start, end)
    except PackError as exc:
        yield _fail(f"{year}年度（ZHICHENG_YEAR）没有可用的政策包：{exc}")
        return
    except CalendarYearMissing as exc:
        yield _fail(f"{year}年度的受理期 {start}至{end}：{exc}")
        return
    yield _pass(f"{year}年度的受理期 {start}至{end} 在工作日历之内（{days} 个工作日）")


Check = Callable[[], Iterator[Finding]]
CHECKS: tuple[Check, ...] = (
    django_checks,
    keys,
    debug_off,
    https,
    hosts,
    rehearsal_left_over,
    file_store,
    static_files,
    database,
)
WITH_DATABASE: tuple[Check, ...] = (calendar,)


def findings() -> list[Finding]:
    out = [f for check in CHECKS for f in check()]
    if not any(f.blocks for f in out):
        out += [f for check in WITH_DATABASE for f in check()]
    return out


def report(out: TextIO) -> int:
    """Prints every finding and the verdict; 0 when all pass, 1 otherwise."""
    found = findings()
    for f in found:
        print(f"  {'通过' if f.ok else '未通过'}  {f.text}", file=out)
    failed = sum(not f.ok for f in found)
    if failed:
        print(f"部署检查未通过：{failed} 项需要处理", file=out)
        return 1
    print(f"部署检查通过：共 {len(found)} 项", file=out)
    return 0
