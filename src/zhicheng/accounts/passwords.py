"""What a password must be (MLPS 2.0 level 3, GB/T 22239-2019 8.1.4.1 a: 身份鉴别信息具有复杂度要求 — the
composition rule; docs/security.md says why it is kept although OWASP ASVS 5.0 advises against it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from zhicheng.accounts.models import User

MIN_LENGTH = 10
CLASSES_NEEDED = 3


def character_classes(password: str) -> int:
    """How many of the four classes (upper case, lower case, digits, symbols) the password uses."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class StrongPasswordValidator:
    """At least 10 characters, three of the four classes, and not containing the user name."""

    def validate(self, password: str, user: Any = None) -> None:
        problems = []
        if len(password) < MIN_LENGTH:
            problems.append(ValidationError(f"密码至少{MIN_LENGTH}个字符。", code="password_too_short"))
        if character_classes(password) < CLASSES_NEEDED:
            problems.append(
                ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple")
            )
        username = str(getattr(user, "username", "") or "")
        if username and username.casefold() in password.casefold():
            problems.append(ValidationError("密码不能包含用户名。", code="password_contains_username"))
        if problems:
            raise ValidationError(problems)

    def get_help_text(self) -> str:
        return f"至少{MIN_LENGTH}个字符，包含大写字母、小写字母、数字、符号中的至少三类，且不能包含用户名。"


def chosen_by_owner(user: User) -> None:
    """The person has just set a password of their own: a first password someone else chose is gone."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
