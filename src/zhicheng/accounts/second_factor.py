"""The second factor (两步验证) of the privileged roles: a time-based one-time code (TOTP, RFC 6238) from an
authenticator app, through django-otp.

MLPS 2.0 level 3 (GB/T 22239-2019 8.1.4.1 d) asks two or more kinds of authentication, one of them cryptographic,
for the users who can do most harm: those who decide cases (the committee office, the city HR bureau, the experts)
and those who run the platform (the three administrators). Applicants, employers and the channels' reviewers sign
in with the password alone.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhicheng.accounts.models import Membership, User
from zhicheng.accounts.roles import Role
from zhicheng.accounts.signals import second_factor_checked

PRIVILEGED_ROLES = frozenset(
    {
        Role.COMMITTEE_CLERK,
        Role.CITY_HR_OFFICER,
        Role.EXPERT,
        Role.ADMINISTRATOR,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)
DEVICE_NAME = "身份验证器"


def required_for(user: User) -> bool:
    """Whether this person signs in with a second factor: any of their roles is privileged (a role can be switched
    to without signing in again, so the strongest role decides)."""
    if not getattr(settings, "ZHICHENG_SECOND_FACTOR", True):
        return False
    return Membership.objects.filter(user=user, role__in=PRIVILEGED_ROLES).exists()


def device_of(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: a new secret, kept unconfirmed until a code from it is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in (base32, in groups of four)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, drawn here as inline SVG (nothing is fetched from elsewhere)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f2328", light="#ffffff"))


def verify(request: HttpRequest, user: User, code: str) -> bool:
    """Check a code against the person's authenticator; a right code marks this session as verified.

    django-otp refuses a code already used (each code signs in once) and slows down repeated wrong codes; the
    device's row is locked while the code is checked, so two requests racing with one code cannot both pass."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        passed = device is not None and right_code(device, code)
    second_factor_checked.send(__name__, request=request, user=user, passed=passed, enrolment=False)
    if not passed or device is None:
        return False
    otp_login(request, device)
    return True


def confirm_enrolment(request: HttpRequest, user: User, code: str) -> bool:
    """Confirm the pending authenticator with a first code from it; the session is then verified."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not right_code(device, code):
            second_factor_checked.send(__name__, request=request, user=user, passed=False, enrolment=True)
            return False
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    second_factor_checked.send(__name__, request=request, user=user, passed=True, enrolment=True)
    otp_login(request, device)
    return True


def right_code(device: TOTPDevice, code: str) -> bool:
    code = code.strip()
    return len(code) == device.digits and code.isdigit() and bool(device.verify_token(code))
