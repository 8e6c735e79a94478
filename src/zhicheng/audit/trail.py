"""Appending to the audit trail, proving it unchanged, and pruning it past the retention period.

Each entry's seal is an HMAC-SHA256, under a key kept outside the database (``settings.AUDIT_KEY``), of the entry's
content and the seal of the entry before it. Changing, removing or inserting a row breaks the chain at that row; one
who can write to the database but does not hold the key cannot forge new seals."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhicheng.accounts.models import SensitiveView
from zhicheng.audit.context import Origin, current
from zhicheng.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _content(entry: AuditEntry) -> bytes:
    fields = {
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor_id,
        "username": entry.username,
        "role": entry.role,
        "kind": entry.kind,
        "action": entry.action,
        "subject": entry.subject,
        "summary": entry.summary,
        "payload": entry.payload,
        "client_address": entry.client_address,
        "request_id": entry.request_id,
        "previous_seal": entry.previous_seal,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def seal_of(entry: AuditEntry) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), _content(entry), hashlib.sha256).hexdigest()


def head_seal(head: AuditHead) -> str:
    content = json.dumps([head.last_seal, head.entries, head.pruned]).encode()
    return hmac.new(settings.AUDIT_KEY.encode(), b"head:" + content, hashlib.sha256).hexdigest()


def _clip(text: str, field: str) -> str:
    longest = getattr(AuditEntry._meta.get_field(field), "max_length", None) or 0
    return text if len(text) <= longest else text[: longest - 1] + "…"


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # made by the migration; a test that empties the tables removes it
        AuditHead.objects.get_or_create(pk=1, defaults={"last_seal": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    kind: str,
    action: str,
    *,
    user: Any = None,
    username: str = "",
    role: str = "",
    subject: str = "",
    summary: str = "",
    payload: dict[str, Any] | None = None,
    origin: Origin | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction: an action rolled back leaves no entry, and the head's lock
    orders the entries as their transactions commit."""
    origin = origin or current.get()
    with transaction.atomic():
        head = _locked_head()
        entry = AuditEntry(
            at=timezone.now(),
            actor=user if getattr(user, "pk", None) else None,
            username=_clip(username or (getattr(user, "get_username", lambda: "")() if user else ""), "username"),
            role=role,
            kind=kind,
            action=_clip(action, "action"),
            subject=_clip(subject, "subject"),
            summary=_clip(summary, "summary"),
            payload=json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str)),
            client_address=origin.client_address,
            request_id=origin.request_id,
            previous_seal=head.last_seal,
        )
        entry.seal = seal_of(entry)
        entry.save()
        head.last_seal, head.entries = entry.seal, head.entries + 1
        head.seal = head_seal(head)
        head.save(update_fields=["last_seal", "entries", "seal"])
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int
    at: dt.datetime | None
    problem: str


def verify(batch: int = 2000) -> tuple[int, list[Break]]:
    """Walk the chain from its first kept entry: each seal recomputed, each link to the one before, and the head at
    the last. Returns the number of entries checked and every break found."""
    breaks: list[Break] = []
    checked = 0
    previous: str | None = None
    first: AuditEntry | None = None
    pruned_at: set[str] = set()
    for entry in _in_order(batch):
        checked += 1
        first = first or entry
        if entry.action == "prune" and entry.kind == AuditEntry.Kind.AUDIT:
            pruned_at.add(str(entry.payload.get("last_pruned_seal", "")))
        if previous is not None and entry.previous_seal != previous:
            breaks.append(Break(entry.pk, entry.at, "与上一条记录的链接不符（记录被删除、插入或改动）"))
        if not hmac.compare_digest(seal_of(entry), entry.seal):
            breaks.append(Break(entry.pk, entry.at, "内容与校验值不符（记录被改动）"))
        previous = entry.seal
    # The first kept entry follows the chain's start, or the last entry a recorded pruning removed.
    if first is not None and first.previous_seal != GENESIS and first.previous_seal not in pruned_at:
        breaks.append(Break(first.pk, first.at, "最早的记录之前有记录被删除（不是按保存期的删除）"))
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            breaks.append(Break(0, None, "链头缺失（链头被删除）"))
        return checked, breaks
    if head.entries and not hmac.compare_digest(head_seal(head), head.seal):
        breaks.append(Break(0, None, "链头的校验值不符（链头被改动）"))
    if previous is not None and head.last_seal != previous:
        breaks.append(Break(0, None, "最后一条记录不是链头所记的记录（末尾的记录被删除或链头被改动）"))
    if checked + head.pruned != head.entries:
        breaks.append(
            Break(0, None, f"记录条数不符：链头记有{head.entries - head.pruned}条，实有{checked}条（记录被删除或插入）")
        )
    return checked, breaks


def latest_seal() -> str | None:
    """The chain's last entry's seal: what a backup records as the head, and a restore must end at."""
    return AuditEntry.objects.order_by("-pk").values_list("seal", flat=True).first()


def _in_order(batch: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def prune(*, today: dt.date | None = None) -> int:
    """Remove entries older than the retention period (``AUDIT_RETENTION_DAYS``, at least the law's 6 months); the
    first kept entry then starts the chain, and the pruning is itself an entry."""
    days = retention_days()
    cutoff = timezone.now() - dt.timedelta(days=days)
    with transaction.atomic():
        head = _locked_head()
        old = AuditEntry.objects.filter(at__lt=cutoff)
        count = old.count()
        if count:
            last = old.order_by("-pk").first()
            # The one way rows leave the trail: a raw delete, below the ORM's append-only guard.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE at < %s", [cutoff])
            head.pruned += count
            head.seal = head_seal(head)
            head.save(update_fields=["pruned", "seal"])
            record(
                AuditEntry.Kind.AUDIT,
                "prune",
                summary=f"删除保存期（{days}日）以前的审计记录{count}条",
                payload={"before": cutoff.isoformat(), "last_pruned_seal": last.seal if last else ""},
            )
    return count


VIEWED = {"id_number": "查看完整身份证号码", "integrity": "查看诚信档案"}


def viewed(actor: Any, what: str, subject: str) -> None:
    """A view of protected personal data (an ID number, the integrity register): the legacy view log and the trail."""
    SensitiveView.objects.create(
        user=actor.user, role=actor.role, organisation=actor.organisation, what=what, subject=subject
    )
    record(
        AuditEntry.Kind.PERSONAL_DATA,
        f"view_{what}",
        user=actor.user,
        role=actor.role,
        subject=subject.replace("application:", "申报#"),
        summary=VIEWED.get(what, "查看个人敏感信息"),
    )


def retention_days() -> int:
    return max(int(settings.AUDIT_RETENTION_DAYS), 184)
