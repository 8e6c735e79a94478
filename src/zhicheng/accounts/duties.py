"""The separation of the three administrators' duties (三权分立; MLPS 2.0 level 3, GB/T 22239-2019 8.1.4.2 d:
授予管理用户所需的最小权限，实现管理用户的权限分离; 8.1.5.1–8.1.5.3: the system, audit and security administrators).

- 系统管理员 (administrator) runs the platform: the organisations and areas (and the year's settings when they come
  to the admin site) — not the accounts, their roles or second factors, not the audit trail, and no case.
- 安全管理员 (security_admin) manages the accounts: people, their roles, password and second-factor resets, the
  sign-in lockouts — not the platform's settings, no case, not the audit trail.
- 审计管理员 (audit_admin) reads the audit trail and the sign-in records, and changes nothing.

No person holds two of these roles, nor one of them with a role that works on cases (``roles.check_roles_apart``);
no one manages their own account. The admin site asks here, per model, what the acting role may do (``DutyAdmin``); superuser status gives
nothing extra.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from zhicheng.accounts.roles import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERYTHING = frozenset({VIEW, ADD, CHANGE, DELETE})
READ_ONLY = frozenset({VIEW})

# model ("app_label.model_name") → role → what that role may do with it in the admin site; nothing else is allowed.
DUTIES: dict[str, dict[str, frozenset[str]]] = {
    # The platform: the system administrator's.
    "accounts.organisation": {Role.ADMINISTRATOR: EVERYTHING},
    "accounts.area": {Role.ADMINISTRATOR: EVERYTHING},
    # Accounts, roles and factors: the security administrator's.
    "accounts.user": {Role.SECURITY_ADMIN: frozenset({VIEW, ADD, CHANGE})},  # an account is deactivated, not deleted
    "accounts.membership": {Role.SECURITY_ADMIN: EVERYTHING},
    "auth.group": {Role.SECURITY_ADMIN: EVERYTHING},
    "otp_totp.totpdevice": {Role.SECURITY_ADMIN: frozenset({VIEW, DELETE})},  # a reset removes the authenticator
    "axes.accessattempt": {Role.SECURITY_ADMIN: frozenset({VIEW, DELETE}), Role.AUDIT_ADMIN: READ_ONLY},  # unlock
    # The records of who saw and who signed in: read by the audit administrator, changed by no one.
    "accounts.sensitiveview": {Role.AUDIT_ADMIN: READ_ONLY},
    "axes.accesslog": {Role.AUDIT_ADMIN: READ_ONLY},
    "axes.accessfailurelog": {Role.AUDIT_ADMIN: READ_ONLY},
}


def acting_role(request: HttpRequest) -> str | None:
    membership = getattr(request, "membership", None)
    return None if membership is None else str(membership.role)


def allowed(request: HttpRequest, model: type[Model], action: str) -> bool:
    """May the person, in the role they act in, do this with this kind of record in the admin site?"""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    role = acting_role(request)
    return role is not None and action in DUTIES.get(model._meta.label_lower, {}).get(role, frozenset())


class DutyAdmin(admin.ModelAdmin[Any]):
    """An admin page that answers from ``DUTIES`` alone (Django's per-user permissions and superuser status are not
    consulted, so no account can be given every power)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return any(allowed(request, self.model, action) for action in EVERYTHING)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, VIEW) or self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return allowed(request, self.model, ADD)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, CHANGE) and not own_account(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, DELETE) and not own_account(request, obj)


class DutyInline(admin.TabularInline[Any, Any]):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, VIEW)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, ADD) and not own_account(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, CHANGE) and not own_account(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request, self.model, DELETE) and not own_account(request, obj)


def own_account(request: HttpRequest, obj: Any) -> bool:
    """The record is the person's own account, one of their roles or their authenticator: no one grants
    themselves a role or resets their own factor."""
    if obj is None:
        return False
    owner = obj.pk if obj._meta.label_lower == "accounts.user" else getattr(obj, "user_id", None)
    return owner is not None and owner == request.user.pk


def with_duties(model: type[Model]) -> None:
    """Put a model another library registered in the admin site under ``DUTIES`` (its page stays as it was)."""
    site = admin.site
    if not site.is_registered(model):
        return
    existing = type(site.get_model_admin(model))
    site.unregister(model)
    site.register(model, type(f"Duty{existing.__name__}", (DutyAdmin, existing), {}))
