"""Integrity records (8.2, R20): recorded by the committee office, seen by it and the city HR bureau only, every
view logged; a ban blocks a new application through the engine's integrity rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.cases.events import record_event
from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused
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
    if not 0 <= ban_years <= 3:
        raise ActionRefused("取消申报资格的年限为1至3年（不取消填0）")
    with transaction.atomic():
        record = IntegrityRecord.objects.create(
            id_number_digest=idnumbers.digest(number),
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
        profile = Profile.objects.filter(id_number_digest=record.id_number_digest).first()
        if profile is not None:
            for app in Application.objects.filter(applicant=profile.user).select_for_update():
                record_event(app, actor, "integrity_finding", reason=note, payload={"record": record.pk, "kind": kind})
    return record


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
