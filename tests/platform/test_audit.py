"""The audit trail that proves itself (issue 10; MLPS level 3; Cybersecurity Law art. 21: logs kept ≥ 6 months):
every state change, sign-in and failure, and view of an ID number or the integrity register, appended and sealed;
`zhicheng audit verify` finds any change; only the audit administrator reads and exports it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.platform.conftest import PASSWORD, World
from zhicheng import cli
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry, AuditHead

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def auditor(world: World) -> Membership:
    return world.person("auditor", Role.AUDIT_ADMIN, None)


def _kinds() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("kind", flat=True))


def test_sign_in_its_failure_and_sign_out_are_recorded(world: World) -> None:
    world.person("clerk1", Role.APPLICANT, None)
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/login/", {"username": "clerk1", "password": "wrong-password"})
    client.post("/login/", {"username": "clerk1", "password": PASSWORD})
    client.post("/logout/")
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.kind for e in entries] == ["sign_in_failed", "sign_in", "sign_out"]
    assert entries[0].username == "clerk1" and entries[0].actor is None
    assert all(e.client_address == "10.1.2.3" for e in entries)
    assert "wrong-password" not in str(entries[0].payload) + entries[0].summary


def test_a_state_change_and_a_view_of_an_id_number_are_recorded(
    county_case: dict[str, Any], submit: Any, world: World
) -> None:
    submit(county_case)
    app = county_case["application"]
    change = AuditEntry.objects.filter(kind="state_change", action="submit").get()
    assert change.subject == f"申报#{app.pk}" and "草稿→用人单位审核中" in change.summary
    assert change.actor == app.applicant
    client = Client()
    client.force_login(county_case["clerk"].user)
    client.post(f"/applications/{app.pk}/id-number/")
    view = AuditEntry.objects.get(kind="personal_data")
    assert view.actor == county_case["clerk"].user and view.subject == f"申报#{app.pk}"
    assert view.summary == "查看完整身份证号码"


def test_viewing_the_integrity_register_is_recorded(world: World) -> None:
    office = world.person("office", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    client = Client()
    client.force_login(office.user)
    assert client.get("/integrity/").status_code == 200
    assert AuditEntry.objects.filter(kind="personal_data", action="view_integrity", actor=office.user).exists()


def test_verify_passes_on_an_untouched_trail_and_fails_on_a_changed_row(world: World, capsys: Any) -> None:
    for i in range(5):
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"u{i}", summary=f"第{i}条")
    checked, breaks = trail.verify()
    assert checked == 5 and breaks == []
    assert cli.main(["audit", "verify"]) == 0
    assert "校验通过：共 5 条" in capsys.readouterr().out
    third = AuditEntry.objects.order_by("pk")[2]
    with connection.cursor() as cursor:  # what one with write access to the database might do
        cursor.execute(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["改过的说明", third.pk])
    checked, breaks = trail.verify()
    assert [b.entry_id for b in breaks] == [third.pk] and "被改动" in breaks[0].problem
    assert cli.main(["audit", "verify"]) == 1
    assert f"审计记录 #{third.pk}" in capsys.readouterr().err


def test_verify_finds_a_removed_row(world: World) -> None:
    for i in range(4):
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"u{i}")
    rows = list(AuditEntry.objects.order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])
    _, breaks = trail.verify()
    assert [b.entry_id for b in breaks if b.entry_id] == [rows[2].pk] and "删除、插入" in breaks[0].problem
    assert any("记录条数不符" in b.problem for b in breaks)


def test_a_row_resealed_without_the_key_is_found(world: World, settings: Any) -> None:
    for i in range(4):
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"u{i}")
    forged = AuditEntry.objects.order_by("pk")[3]
    forged.summary = "伪造"
    real_key = settings.AUDIT_KEY
    settings.AUDIT_KEY = "a-key-the-forger-guessed"
    new_seal = trail.seal_of(forged)
    settings.AUDIT_KEY = real_key
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET summary = %s, seal = %s WHERE id = %s", ["伪造", new_seal, forged.pk])
    _, breaks = trail.verify()
    assert [b.entry_id for b in breaks if b.entry_id] == [forged.pk] and "被改动" in breaks[0].problem


def test_entries_removed_from_either_end_or_a_removed_head_are_found(world: World) -> None:
    for i in range(5):
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"u{i}")
    rows = list(AuditEntry.objects.order_by("pk"))
    head = AuditHead.objects.get(pk=1)
    # The newest two removed and the head moved back to the third (its counts and seal cannot follow without the key).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [rows[3].pk])
        cursor.execute("UPDATE audit_audithead SET last_seal = %s WHERE id = 1", [rows[2].seal])
    problems = " ".join(b.problem for b in trail.verify()[1])
    assert "链头的校验值不符" in problems and "记录条数不符" in problems
    # The oldest removed: the first kept entry no longer follows the start nor a recorded pruning.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [rows[0].pk])
    assert any(b.entry_id == rows[1].pk and "最早的记录之前" in b.problem for b in trail.verify()[1])
    # The head removed.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_audithead")
    assert any("链头缺失" in b.problem for b in trail.verify()[1])
    assert head.entries == 5


def test_rows_cannot_be_changed_or_removed_through_the_platform(world: World) -> None:
    entry = trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username="u")
    entry.summary = "改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_pruning_keeps_at_least_184_days_and_leaves_a_provable_chain(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.AUDIT_RETENTION_DAYS = 30  # below the law's floor: pruning still keeps 184 days
    now = timezone.now()
    for days_ago in (400, 190, 100, 0):
        monkeypatch.setattr(trail.timezone, "now", lambda d=days_ago: now - dt.timedelta(days=d))
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"{days_ago}天前")
    monkeypatch.setattr(trail.timezone, "now", lambda: now)
    assert trail.prune() == 2
    kept = list(AuditEntry.objects.order_by("pk").values_list("username", flat=True))
    assert kept == ["100天前", "0天前", ""]
    assert AuditEntry.objects.last().action == "prune"  # type: ignore[union-attr]
    assert trail.verify()[1] == []


def test_only_the_audit_administrator_reads_and_exports_the_trail(world: World, auditor: Membership) -> None:
    trail.record(AuditEntry.Kind.SIGN_IN_FAILED, "sign_in_failed", username='=HYPERLINK("http://x","y")')
    for role, org in (
        (Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)),
        (Role.ADMINISTRATOR, None),
        (Role.SECURITY_ADMIN, None),
    ):
        other = world.person(f"u_{role}", role, org)
        client = Client()
        client.force_login(other.user)
        assert client.get("/audit/").status_code == 403, role
        assert client.get("/audit/export.csv").status_code == 403, role
    client = Client()
    client.force_login(auditor.user)
    assert client.get("/").url == "/audit/"  # type: ignore[attr-defined]
    page = client.get("/audit/")
    text = page.content.decode()
    table = text[text.index('data-testid="entries"') :]
    assert page.status_code == 200 and "登录失败" in table and "sign_in_failed" not in table
    proof = client.post("/audit/").content.decode()
    assert "校验通过" in proof
    export = client.get("/audit/export.csv?kind=sign_in_failed")
    body = export.content.decode("utf-8-sig")
    assert export.status_code == 200 and body.splitlines()[0].startswith("序号,时间,用户名")
    assert "'=HYPERLINK" in body  # written as text, not as a formula
    # The audit administrator's own reading is in the trail too, and they can change nothing of the cases.
    assert AuditEntry.objects.filter(kind="audit", actor=auditor.user, action__in=["verify", "export"]).count() == 2
    assert client.get("/office/").status_code == 403


def test_the_trail_pages_by_fifty_and_filters(world: World, auditor: Membership) -> None:
    for i in range(120):
        trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"user{i:03d}")
    client = Client()
    client.force_login(auditor.user)
    first = client.get("/audit/").content.decode()
    assert "第1/3页" in first and "user119" in first and "user000" not in first
    only = client.get("/audit/?who=user007").content.decode()
    assert "共1条" in only


@pytest.mark.django_db(transaction=True)
def test_entries_written_at_once_from_many_connections_stay_one_chain() -> None:
    """Under the deadline rush many requests write at once: the head's row lock keeps one unbroken chain."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are measured on PostgreSQL")
    import threading

    from django.db import connections

    def write(n: int) -> None:
        try:
            for i in range(10):
                trail.record(AuditEntry.Kind.ADMINISTRATION, "test", username=f"t{n}-{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked, breaks = trail.verify()
    assert checked == 80 and breaks == []


def test_a_wrong_second_factor_code_and_a_password_change_are_recorded(world: World) -> None:
    from tests.platform.conftest import authenticator, current_code

    office = world.person("office2", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    device = authenticator(office.user)
    client = Client()
    client.post("/login/", {"username": "office2", "password": PASSWORD})
    client.post("/account/second-factor/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next wait a second; the test does not
    client.post("/account/second-factor/", {"code": current_code(device)})
    summaries = list(AuditEntry.objects.filter(action="second_factor").values_list("kind", "summary"))
    assert summaries == [("sign_in_failed", "两步验证码错误"), ("sign_in", "两步验证通过")]
    office.user.set_password("Another-pass-2026")
    office.user.save()
    changed = AuditEntry.objects.get(action="password_changed")
    assert changed.subject == "用户 office2" and "Another" not in str(changed.payload) + changed.summary


def test_a_profile_saved_and_a_file_uploaded_to_it_are_recorded(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.platform.conftest import PNG
    from zhicheng.applications import services

    employer = world.employer("原平市审计测试公司")
    applicant = world.applicant("applicant", employer)
    services.add_evidence(applicant, SimpleUploadedFile("d.png", PNG), kind="diploma", fact="education[0]")
    actions = list(AuditEntry.objects.filter(actor=applicant.user).values_list("action", flat=True))
    assert actions == ["profile_saved", "evidence"]
    assert "142201" not in str(list(AuditEntry.objects.values_list("payload", flat=True)))
