"""Integrity records (8.2, R20): recorded by the committee office, seen by it and the city HR bureau only, every
view logged; a ban blocks a new application through the engine's integrity rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.events import record_event
from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused
from zhicheng.policy.facts import BAN_YEARS_MAX
from zhicheng.records import idnumbers
from zhicheng.records.models import IntegrityRecord, Profile

READERS = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})


def record_finding(
    actor: Membership,
    *,
    id_number: str,
    name: str,
    kind: str,
    found_on: dt.date,
    ban_years: int,
    cancelled_year: int | None = None,
    title_revoked: bool = False,
    document: str = "",
    note: str = "",
) -> IntegrityRecord:
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室可以记录诚信档案")
    try:
        number = str(ric.validate(id_number))
    except StdnumError as exc:
        raise ActionRefused("居民身份证号码无效（校验位或格式错误）") from exc
    if kind not in IntegrityRecord.Kind.values:
        raise ActionRefused("请选择弄虚作假的情形")
    if not 0 <= ban_years <= BAN_YEARS_MAX:
        raise ActionRefused(f"取消申报资格的年限为1至{BAN_YEARS_MAX}年（不取消填0）")
    digest = idnumbers.digest(number)
    record = IntegrityRecord(
        id_number_digest=digest,
        id_number_masked=idnumbers.mask(number),
        name=name,
        kind=kind,
        found_on=found_on,
        ban_years=ban_years,
        cancelled_year=cancelled_year,
        title_revoked=title_revoked,
        document=document,
        note=note,
        recorded_by=actor.user,
    )
    _check_fields(record)
    if IntegrityRecord.objects.filter(id_number_digest=digest, kind=kind, found_on=found_on).exists():
        raise AlreadyRecorded()
    try:
        with transaction.atomic():
            record.save()
            profile = Profile.objects.filter(id_number_digest=record.id_number_digest).first()
            if profile is not None:
                for app in Application.objects.filter(applicant=profile.user).select_for_update():
                    record_event(
                        app, actor, "integrity_finding", reason=note, payload={"record": record.pk, "kind": kind}
                    )
            # The register's own entry, whether or not the person has a case on the platform.
            trail.record(
                AuditEntry.Kind.STATE_CHANGE,
                "integrity_record",
                user=actor.user,
                role=actor.role,
                subject=f"诚信档案#{record.pk}",
                summary=f"记入诚信档案：{record.get_kind_display()}，身份证号码{record.id_number_masked}",
            )
    except IntegrityError as exc:
        # The same finding posted twice at once (a double click, a retried request): the database's unique
        # constraint lets one through, and the other is told it is already there (issue 10, finding 8).
        if IntegrityRecord.objects.filter(id_number_digest=digest, kind=kind, found_on=found_on).exists():
            raise AlreadyRecorded() from exc
        raise
    return record


class AlreadyRecorded(ActionRefused):
    """The same finding (one person, one kind, one day it was found) is already in the register."""

    def __init__(self) -> None:
        super().__init__("该记录已在诚信档案中（同一人、同一情形、同一查实日期），未重复记录")


def _check_fields(record: IntegrityRecord) -> None:
    """Every field within the database's lengths and ranges (policy/facts.py), refused in Chinese by field — never a
    DataError from the database (issue 10, finding 3)."""
    try:
        record.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        reasons = [
            f"{getattr(IntegrityRecord._meta.get_field(name), 'verbose_name', name)}：{_reason(error)}"
            for name, errors in exc.error_dict.items()
            for error in errors
        ]
        raise ActionRefused(*reasons) from exc


def _reason(error: ValidationError) -> str:
    params = error.params or {}
    if error.code == "max_length":  # worded as the facts' own limits are (policy/facts.py)
        return f"不能超过{params['limit_value']}个字符，现为{params['show_value']}个"
    return " ".join(error.messages)


def records_for_digest(digest: str) -> list[dict[str, Any]]:
    """The engine's facts of a person's records (the office's register is authoritative: none is a known none)."""
    return [r.as_fact() for r in IntegrityRecord.objects.filter(id_number_digest=digest)]


def visible_records(actor: Membership | None) -> QuerySet[IntegrityRecord]:
    """The register, for the office and the city HR bureau only; the caller logs the view."""
    if actor is None or actor.role not in READERS:
        return IntegrityRecord.objects.none()
    return IntegrityRecord.objects.all()


def log_view(actor: Membership, subject: str) -> None:
    trail.viewed(actor, "integrity", subject)
