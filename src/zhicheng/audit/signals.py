"""Sign-ins, their failures and sign-outs, and the admin site's changes, written to the trail as they happen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save

from zhicheng.accounts.signals import second_factor_checked
from zhicheng.audit import trail
from zhicheng.audit.context import origin_of
from zhicheng.audit.models import AuditEntry


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    trail.record(AuditEntry.Kind.SIGN_IN, "sign_in", user=user, origin=origin_of(request) if request else None)


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        trail.record(AuditEntry.Kind.SIGN_OUT, "sign_out", user=user, origin=origin_of(request) if request else None)


def _failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Django passes the credentials with the password already masked; only the user name is kept.
    trail.record(
        AuditEntry.Kind.SIGN_IN_FAILED,
        "sign_in_failed",
        username=str(credentials.get("username", ""))[:150],
        summary="用户名或密码错误",
        origin=origin_of(request) if request else None,
    )


_ADMIN_FLAGS = {1: "新增", 2: "修改", 3: "删除"}


def _admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created:
        trail.record(
            AuditEntry.Kind.ADMINISTRATION,
            f"admin_{instance.action_flag}",
            user=instance.user,
            subject=f"{instance.content_type}：{instance.object_repr}"[:120],
            summary=f"管理后台{_ADMIN_FLAGS.get(instance.action_flag, '操作')}",
            payload={"change": instance.change_message},
        )


def _second_factor(sender: Any, request: Any, user: Any, passed: bool, enrolment: bool, **kwargs: Any) -> None:
    if passed:
        kind, summary = AuditEntry.Kind.SIGN_IN, "启用身份验证器" if enrolment else "两步验证通过"
    else:
        kind, summary = AuditEntry.Kind.SIGN_IN_FAILED, "两步验证码错误"
    trail.record(kind, "second_factor", user=user, summary=summary, origin=origin_of(request) if request else None)


def _password_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A password changed by its owner, reset by the security administrator or set in the admin site."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = type(instance).objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        trail.record(
            AuditEntry.Kind.ADMINISTRATION,
            "password_changed",
            subject=f"用户 {instance.get_username()}",
            summary="密码已修改",
        )


def connect() -> None:
    pre_save.connect(_password_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_password")
    second_factor_checked.connect(_second_factor, dispatch_uid="audit_second_factor")
    user_logged_in.connect(_signed_in, dispatch_uid="audit_sign_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_sign_out")
    user_login_failed.connect(_failed, dispatch_uid="audit_sign_in_failed")
    post_save.connect(_admin_change, sender=LogEntry, dispatch_uid="audit_admin_change")
