"""Who opens, resets and disables whose account, and the first passwords they hand over (issue 11, item 2).

The offices enrol people as the notice's work is shared out: an employer's clerk (用人单位经办人) enrols its own
staff, who apply; the committee office and the city HR bureau open the accounts of the channels' and agencies'
reviewers and of the experts; the security administrator (三权分立, ``duties.py``) may reset or disable any account
but their own. The pages and the records they write are one floor up (``zhicheng.records.people``), since enrolling
an applicant also makes their profile; what is decided here needs only the accounts.
"""

from __future__ import annotations

import re
import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from zhicheng.accounts.models import Membership, User
from zhicheng.accounts.roles import Role

# The reviewers' and experts' roles the committee office and the city HR bureau open accounts for.
OFFICE_OPENS = (
    Role.COUNTY_HR_REVIEWER,
    Role.COUNTY_IIT_REVIEWER,
    Role.COMPETENT_DEPARTMENT_REVIEWER,
    Role.TALENT_AGENCY_REVIEWER,
    Role.PERSONNEL_AGENCY_REVIEWER,
    Role.DISPATCH_AGENCY_REVIEWER,
    Role.HR_ASSOCIATION_REVIEWER,
    Role.EXPERT,
)
OFFICES = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})
# Who manages accounts on the 账号管理 page (the security administrator resets and disables; the offices also open).
ACCOUNT_MANAGERS = OFFICES | {Role.SECURITY_ADMIN}

PHONE = re.compile(r"1[3-9]\d{9}")
# A first password is read off a paper slip and typed once: no characters that look alike (0/O, 1/l/I).
_UPPER = "".join(c for c in string.ascii_uppercase if c not in "IO")
_LOWER = "".join(c for c in string.ascii_lowercase if c not in "lo")
_DIGITS = "23456789"
_SYMBOLS = "#%+=?@"
FIRST_PASSWORD_LENGTH = 12


def clean_phone(value: object) -> str:
    """The 11-digit mobile number (spaces, dashes and +86 taken away), or ValidationError in Chinese."""
    text = re.sub(r"[\s-]", "", str(value or ""))
    text = text.removeprefix("+86")
    if not PHONE.fullmatch(text):
        raise ValidationError("手机号码须为11位中国大陆手机号码（如13912345678）")
    return text


def first_password(user: User | None = None) -> str:
    """A random first password that passes the platform's rules (docs/security.md): 12 characters with every class."""
    classes = (_UPPER, _LOWER, _DIGITS, _SYMBOLS)
    alphabet = _UPPER + _LOWER + _DIGITS
    while True:
        chars = [secrets.choice(c) for c in classes]
        chars += [secrets.choice(alphabet) for _ in range(FIRST_PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # e.g. it happened to contain the user name: draw again
        return password


def manages(actor: Membership, target: User) -> str | None:
    """Why ``actor`` may not reset or disable ``target``'s account (None: it may).

    - no one manages their own account (they change their own password at 修改密码);
    - an employer's clerk manages its own organisation's applicants only, never an account holding another role
      (a leader's, a reviewer's, a privileged one);
    - the committee office and the city HR bureau manage the reviewers' and experts' accounts;
    - the security administrator manages every account but their own.
    """
    if target.pk == actor.user_id:
        return "不能重置或停用自己的账号；修改自己的密码请用“修改密码”"
    roles = list(Membership.objects.filter(user=target).values_list("role", "organisation_id"))
    if actor.role == Role.SECURITY_ADMIN:
        return None
    if actor.role == Role.EMPLOYER_CLERK:
        own_staff = bool(roles) and all(r == Role.APPLICANT and o == actor.organisation_id for r, o in roles)
        return None if own_staff else "只能管理本单位申报人的账号"
    if actor.role in OFFICES:
        theirs = bool(roles) and all(r in OFFICE_OPENS for r, _ in roles)
        return None if theirs else "只能管理各审核单位审核人和评审专家的账号；其他账号请联系安全管理员"
    return "当前角色无权管理账号"
