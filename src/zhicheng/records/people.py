"""Accounts the way the offices enrol people (issue 11, item 2).

- An employer's clerk enrols its staff: name, ID number (check digit verified; it also makes the applicant's profile
  identity, encrypted and digested as every ID number is, ``records.idnumbers``) and mobile number, which is the
  account's user name.
- The committee office and the city HR bureau open the channels' and agencies' reviewers' and the experts' accounts,
  one at a time or from a workbook (all rows or none, every bad cell named, as the outcomes import does).
- The enrolling side (or the security administrator) resets a password or disables an account; who may manage whom
  is ``accounts.enrolment.manages``.

Every new or reset password is a first password: generated here, shown once to the person who hands it over, and
changed by its owner at the first sign-in (``accounts.gate``). Each action is written to the audit trail — never the
password, never the whole ID number.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.accounts.enrolment import OFFICE_OPENS, OFFICES, clean_phone, first_password, manages
from zhicheng.accounts.models import Area, Membership, Organisation, User
from zhicheng.accounts.roles import ROLE_ORG_KINDS, Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.refusals import ActionRefused, check_lengths
from zhicheng.documents.workbooks import ImportProblem, column_letter, template_workbook
from zhicheng.records import idnumbers
from zhicheng.records.models import Profile

ROLE_BY_NAME = {Role(r).label: r for r in OFFICE_OPENS}
IMPORT_HEADERS = ["姓名", "手机号码", "角色", "机构名称", "所在区域"]
REQUIRED_HEADERS = ["姓名", "手机号码", "角色"]
# The county bureaus are found from the area alone (each area names its HR and IIT bureau).
BUREAU_OF_AREA: dict[str, str] = {Role.COUNTY_HR_REVIEWER: "hr_bureau", Role.COUNTY_IIT_REVIEWER: "iit_bureau"}
REASON_MAX = User._meta.get_field("disabled_reason").max_length or 200


@dataclass(frozen=True)
class Opened:
    """An account just opened or reset, with its first password — shown once, never stored in clear."""

    user: User
    password: str
    role_label: str = ""
    organisation: str = ""


# ── checks shared by the single forms and the workbook ──────────────────────────────────────────────────────


def _id_number(value: object) -> str:
    try:
        return str(ric.validate(str(value or "").strip().upper()))
    except StdnumError as exc:
        raise ValidationError("居民身份证号码无效（校验位或格式错误）") from exc


def _name(value: object) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationError("姓名为空")
    limit = User._meta.get_field("full_name").max_length or 0
    if len(name) > limit:
        raise ValidationError(f"姓名不能超过{limit}个字符")
    return name


def _phone_free(phone: str) -> None:
    if User.objects.filter(Q(username=phone) | Q(phone=phone)).exists():
        raise ValidationError(f"手机号码{phone}已开通账号，不能重复开通")


def _organisation_for(role: str, org_name: str, area_name: str) -> tuple[Organisation | None, list[tuple[str, str]]]:
    """The organisation a reviewer acts for, looked up by name (or, for a county bureau's reviewer, from the area);
    the problems as (column, reason)."""
    problems: list[tuple[str, str]] = []
    area = None
    if area_name:
        area = Area.objects.filter(name=area_name).first()
        if area is None:
            problems.append(("所在区域", f"平台中没有名为“{area_name}”的区域"))
    if role == Role.EXPERT:
        if org_name:
            problems.append(("机构名称", "评审专家不填机构：其工作单位在“评审工作”中把专家列入本年度专家库时登记"))
        return None, problems
    org = None
    if org_name:
        org = Organisation.objects.filter(name=org_name).select_related("area").first()
        if org is None:
            problems.append(("机构名称", f"平台中没有名为“{org_name}”的机构"))
    elif role in BUREAU_OF_AREA and area is not None:
        org = getattr(area, BUREAU_OF_AREA[role])
        if org is None:
            problems.append(("所在区域", f"{area.name}尚未登记相应的主管部门"))
    elif not problems:
        need = "机构名称或所在区域" if role in BUREAU_OF_AREA else "机构名称"
        problems.append(("机构名称", f"请填写{need}"))
    if org is not None:
        kinds = ROLE_ORG_KINDS[role] or ()
        if org.kind not in kinds:
            problems.append(("机构名称", f"“{org.name}”是{org.get_kind_display()}，不能设{Role(role).label}"))
        elif area is not None and org.area_id != area.pk:
            problems.append(("所在区域", f"“{org.name}”不在{area.name}"))
    return org, problems


def _open(actor: Membership, *, name: str, phone: str, role: str, organisation: Organisation | None) -> Opened:
    """Make the account and its role, with a first password to change at the first sign-in (inside the caller's
    transaction)."""
    user = User(username=phone, full_name=name, phone=phone, must_change_password=True, enrolled_by=actor.organisation)
    password = first_password(user)
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, role=role, organisation=organisation)
    _account_event(
        actor,
        user,
        "account_opened",
        f"开通账号：{name}（{Role(role).label}{'，' + organisation.name if organisation else ''}）",
    )
    org_name = organisation.name if organisation else ""
    return Opened(user, password, Role(role).label, org_name)


def _account_event(
    actor: Membership, target: User, action: str, summary: str, payload: dict[str, Any] | None = None
) -> None:
    """An account's change in the audit trail: who did it, on whose account, in words."""
    trail.record(
        AuditEntry.Kind.ADMINISTRATION,
        action,
        user=actor.user,
        role=actor.role,
        subject=f"用户 {target.username}",
        summary=summary,
        payload=payload,
    )


# ── an employer's staff ─────────────────────────────────────────────────────────────────────────────────────


def staff_of(actor: Membership) -> QuerySet[User]:
    """The accounts of the clerk's own organisation's applicants, newest first (with their profiles, one query)."""
    if actor.role != Role.EMPLOYER_CLERK or actor.organisation_id is None:
        raise ActionRefused("只有用人单位经办人可以管理本单位人员账号")
    return (
        User.objects.filter(memberships__role=Role.APPLICANT, memberships__organisation_id=actor.organisation_id)
        .select_related("profile", "disabled_by")
        .distinct()
        .order_by("-date_joined", "-pk")
    )


def enrol_staff(actor: Membership, *, name: str, id_number: str, phone: str) -> Opened:
    """An employer's clerk opens an applicant's account for one of its staff; the ID number makes the profile's
    identity. An ID number or mobile number already enrolled is refused with the reason, and nothing is written."""
    if actor.role != Role.EMPLOYER_CLERK or actor.organisation is None:
        raise ActionRefused("只有用人单位经办人可以为本单位人员开通账号")
    problems = []
    try:
        name = _name(name)
    except ValidationError as exc:
        problems.extend(exc.messages)
    number = ""
    try:
        number = _id_number(id_number)
    except ValidationError as exc:
        problems.extend(exc.messages)
    try:
        phone = clean_phone(phone)
        _phone_free(phone)
    except ValidationError as exc:
        problems.extend(exc.messages)
    if number and Profile.objects.filter(id_number_digest=idnumbers.digest(number)).exists():
        problems.append(
            f"身份证号码{idnumbers.mask(number)}已登记账号，不能重复开通；本人忘记密码的，可在人员账号中重置密码"
        )
    if problems:
        raise ActionRefused(*problems)
    try:
        with transaction.atomic():
            opened = _open(actor, name=name, phone=phone, role=Role.APPLICANT, organisation=actor.organisation)
            Profile.objects.create(
                user=opened.user,
                facts={"identity": {"name": name}},
                id_number_cipher=idnumbers.encrypt(number),
                id_number_digest=idnumbers.digest(number),
                id_number_masked=idnumbers.mask(number),
            )
    except IntegrityError as exc:  # the same mobile number or ID number enrolled at the same moment elsewhere
        raise ActionRefused(f"手机号码{phone}或该身份证号码刚刚已开通账号，不能重复开通") from exc
    return opened


# ── the reviewers' and experts' accounts ────────────────────────────────────────────────────────────────────


def managed_by(actor: Membership) -> QuerySet[User]:
    """The accounts the 账号管理 page lists: the reviewers' and experts' for the offices, every account for the
    security administrator."""
    users = (
        User.objects.select_related("disabled_by", "enrolled_by")
        .prefetch_related("memberships__organisation")
        .order_by("-date_joined", "-pk")
    )
    if actor.role == Role.SECURITY_ADMIN:
        return users
    if actor.role not in OFFICES:
        raise ActionRefused("当前角色无权管理账号")
    others = Membership.objects.exclude(role__in=OFFICE_OPENS).values("user_id")
    return users.filter(memberships__role__in=OFFICE_OPENS).exclude(pk__in=others).distinct()


def open_account(
    actor: Membership, *, name: str, phone: str, role: str, organisation: str = "", area: str = ""
) -> Opened:
    """The office or the city HR bureau opens one reviewer's or expert's account."""
    if actor.role not in OFFICES:
        raise ActionRefused("只有评委会办公室和市人社局可以开通审核人和评审专家的账号")
    problems = _check_row(name, phone, role, organisation.strip(), area.strip())
    if problems:
        raise ActionRefused(*(reason for _, reason in problems))
    org, _ = _organisation_for(role, organisation.strip(), area.strip())
    try:
        with transaction.atomic():
            return _open(actor, name=name.strip(), phone=clean_phone(phone), role=role, organisation=org)
    except IntegrityError as exc:
        raise ActionRefused("该手机号码刚刚已由他人开通账号，不能重复开通") from exc


def _check_row(name: Any, phone: Any, role: str, org_name: str, area_name: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    try:
        _name(name)
    except ValidationError as exc:
        problems.append(("姓名", exc.messages[0]))
    try:
        _phone_free(clean_phone(phone))
    except ValidationError as exc:
        problems.append(("手机号码", exc.messages[0]))
    if role not in OFFICE_OPENS:
        problems.append(("角色", "须为“" + "”“".join(ROLE_BY_NAME) + "”之一"))
    else:
        problems.extend(_organisation_for(role, org_name, area_name)[1])
    return problems


@dataclass
class AccountsImport:
    opened: list[Opened] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def import_accounts(actor: Membership, data: bytes) -> AccountsImport:
    """The reviewers' and experts' accounts from the office's workbook (columns IMPORT_HEADERS). Every row is checked
    first; a workbook with any bad cell opens no account and names every bad cell (row, column, reason)."""
    if actor.role not in OFFICES:
        raise ActionRefused("只有评委会办公室和市人社局可以导入账号")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportProblem("无法读取：请上传 Excel 工作簿（.xlsx）") from exc
    ws = wb.active
    if ws is None:
        raise ImportProblem("工作簿中没有工作表")
    rows = list(ws.iter_rows(values_only=True))
    header_at = next((i for i, r in enumerate(rows[:5]) if r and "手机号码" in [str(c or "").strip() for c in r]), None)
    if header_at is None:
        raise ImportProblem("找不到表头：前五行中须有“手机号码”列（可下载导入模板）")
    header = [str(c or "").strip() for c in rows[header_at]]
    absent = [h for h in REQUIRED_HEADERS if h not in header]
    if absent:
        raise ImportProblem("缺少列：" + "、".join(absent))
    col = {name: header.index(name) for name in IMPORT_HEADERS if name in header}
    report = AccountsImport()
    parsed: list[tuple[str, str, str, str, str]] = []
    seen: dict[str, int] = {}

    def cell(row: tuple[Any, ...], name: str) -> str:
        i = col.get(name)
        value = row[i] if i is not None and i < len(row) else None
        if isinstance(value, float) and value.is_integer():  # a mobile number typed into a number cell
            value = int(value)
        return str(value if value is not None else "").strip()

    sheet = ws.title
    for r, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row or all(v in (None, "") for v in row):
            continue
        name, phone, role_name = cell(row, "姓名"), cell(row, "手机号码"), cell(row, "角色")
        org_name, area_name = cell(row, "机构名称"), cell(row, "所在区域")
        role = ROLE_BY_NAME.get(role_name, "")
        problems = _check_row(name, phone, role, org_name, area_name)
        if not problems:
            number = clean_phone(phone)
            if number in seen:
                problems.append(("手机号码", f"与第{seen[number]}行的手机号码相同"))
            else:
                seen[number] = r
        for column, reason in problems:
            where = column_letter(col[column]) + "列" if column in col else ""
            report.problems.append(f"工作表“{sheet}”第{r}行{where}（{column}）：{reason}")
        if not problems:
            parsed.append((name, clean_phone(phone), role, org_name, area_name))
    if not parsed and not report.problems:
        raise ImportProblem("工作簿中没有要开通的账号")
    if report.problems:
        return report  # nothing is written while any cell has a problem
    try:
        with transaction.atomic():
            for name, phone, role, org_name, area_name in parsed:
                org, _ = _organisation_for(role, org_name, area_name)
                report.opened.append(_open(actor, name=name, phone=phone, role=role, organisation=org))
            trail.record(
                AuditEntry.Kind.ADMINISTRATION,
                "accounts_import",
                user=actor.user,
                role=actor.role,
                subject="账号导入",
                summary=f"从工作簿开通账号{len(parsed)}个",
            )
    except IntegrityError:
        report.opened = []
        report.problems.append("导入时另有人员同时开通了其中的账号，未开通任何账号；请刷新后重新导入")
    return report


def import_template() -> bytes:
    """An empty workbook in the import's layout, with what each column takes on a second sheet."""
    return template_workbook(
        "账号",
        IMPORT_HEADERS,
        [
            ("姓名", "本人姓名"),
            ("手机号码", "11位手机号码，即登录用户名；模板中该列已是“文本”格式，请勿改为数字"),
            ("角色", "、".join(ROLE_BY_NAME)),
            ("机构名称", "平台中机构的全称；县（市、区）人社局、工信局审核人可不填，由所在区域确定；评审专家不填"),
            ("所在区域", "如 原平市、忻府区；填写时核对机构是否在该区域"),
        ],
    )


# ── resets and disabling ────────────────────────────────────────────────────────────────────────────────────


def _target(actor: Membership, user_id: int) -> User:
    """The account, or PermissionDenied-worthy refusal: ``Forbidden`` carries the Chinese reason."""
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Forbidden("账号不存在")
    why = manages(actor, target)
    if why is not None:
        raise Forbidden(why)
    return target


class Forbidden(ActionRefused):
    """The actor may not manage this account at all (answered 403), as opposed to a refused step."""


def reset_password(actor: Membership, user_id: int) -> Opened:
    """A new first password for someone who forgot theirs; they must change it at the next sign-in. Their open
    sessions end (Django checks the password's hash on every request)."""
    with transaction.atomic():
        target = _target(actor, user_id)
        target = User.objects.select_for_update().get(pk=target.pk)
        if not target.is_active:
            raise ActionRefused("该账号已停用，不能重置密码")
        password = first_password(target)
        target.set_password(password)
        target.must_change_password = True
        target.save(update_fields=["password", "must_change_password"])
        _account_event(actor, target, "account_password_reset", f"重置密码：{target}（须在下次登录时修改）")
    return Opened(target, password)


def disable(actor: Membership, user_id: int, reason: str) -> User:
    """Disable an account (never delete it): it can no longer sign in, and its open sessions end."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写停用原因")
    check_lengths(User, disabled_reason=reason)
    with transaction.atomic():
        target = _target(actor, user_id)
        target = User.objects.select_for_update().get(pk=target.pk)
        if not target.is_active:
            raise ActionRefused("该账号已停用")
        target.is_active = False
        target.disabled_at = timezone.now()
        target.disabled_by = actor.user
        target.disabled_reason = reason
        target.save(update_fields=["is_active", "disabled_at", "disabled_by", "disabled_reason"])
        _account_event(actor, target, "account_disabled", f"停用账号：{target}", {"reason": reason})
    return target


def enable(actor: Membership, user_id: int) -> User:
    """Enable a disabled account again (a person who came back); the first password they had still applies, or the
    enrolling side resets it."""
    with transaction.atomic():
        target = _target(actor, user_id)
        target = User.objects.select_for_update().get(pk=target.pk)
        if target.is_active:
            raise ActionRefused("该账号未停用")
        # An account the security administrator stopped (a compromised one, say) comes back only by their hand: the
        # enrolling side could otherwise switch it on and reset its password.
        by = target.disabled_by_id
        stopped_by_security = (
            by is not None and Membership.objects.filter(user_id=by, role=Role.SECURITY_ADMIN).exists()
        )
        if actor.role != Role.SECURITY_ADMIN and stopped_by_security:
            raise ActionRefused("该账号由安全管理员停用，只能由安全管理员重新启用")
        reason = target.disabled_reason
        target.is_active = True
        target.disabled_at, target.disabled_by, target.disabled_reason = None, None, ""
        target.save(update_fields=["is_active", "disabled_at", "disabled_by", "disabled_reason"])
        _account_event(actor, target, "account_enabled", f"重新启用账号：{target}", {"disabled_for": reason})
    return target
