"""ID numbers at rest: encrypted (Fernet), found again by a keyed digest, shown masked (1422**********1234)."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_KEY.encode())


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(cipher: str) -> str:
    return _fernet().decrypt(cipher.encode()).decode()


def digest(number: str) -> str:
    return hmac.new(settings.FIELD_KEY.encode(), number.upper().encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)
