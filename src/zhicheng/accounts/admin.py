"""The admin site's pages for the accounts floor, each answering to the three administrators' duties
(zhicheng.accounts.duties): the security administrator's accounts, the system administrator's organisations and
areas, the audit administrator's records of sensitive views and sign-ins."""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhicheng.accounts.duties import DutyAdmin, DutyInline, with_duties
from zhicheng.accounts.models import Area, Membership, Organisation, SensitiveView, User


class MembershipInline(DutyInline):
    model = Membership
    extra = 0


class ResetPasswordForm(AdminPasswordChangeForm[User]):
    """A password set for someone by the security administrator is a first password: they must change it."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class ZhichengUserAdmin(DutyAdmin, UserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "full_name", "is_active", "must_change_password")
    # Who may do what is the roles' (Membership), never Django's superuser flag, groups or per-user permissions.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email", "phone")}),
        ("状态", {"fields": ("is_active", "is_staff", "must_change_password", "last_login", "date_joined")}),
        ("开户与停用", {"fields": ("enrolled_by", "disabled_reason", "disabled_at", "disabled_by")}),
    )
    readonly_fields = ("last_login", "date_joined", "enrolled_by", "disabled_at", "disabled_by")
    change_password_form = ResetPasswordForm

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        if not change:  # a new account's password was chosen by the one who made it
            obj.must_change_password = True
        if obj.is_active:
            obj.disabled_at, obj.disabled_by, obj.disabled_reason = (
                None,
                None,
                "",
            )  # enabled again: history in the trail
        elif obj.disabled_at is None:  # disabled here rather than on 账号管理: who and when are kept the same way
            obj.disabled_at, obj.disabled_by = timezone.now(), request.user if isinstance(request.user, User) else None
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(DutyAdmin):
    list_display = ("name", "kind", "area", "level", "sector")
    list_filter = ("kind", "area", "level", "sector")
    search_fields = ("name", "credit_code")


@admin.register(Area)
class AreaAdmin(DutyAdmin):
    list_display = ("name", "kind", "hr_bureau", "iit_bureau")


@admin.register(SensitiveView)
class SensitiveViewAdmin(DutyAdmin):
    list_display = ("at", "user", "role", "what", "subject")


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(DutyAdmin):
    """The people's authenticators. The security administrator resets a second factor by removing one (the person
    enrols a new one at the next sign-in); the secret is never shown here — the library's own page would show it
    as a QR code, letting whoever reads it make the person's codes."""

    list_display = ("owner", "enrolled", "made", "used")
    fields = readonly_fields = ("owner", "enrolled", "made", "used")
    search_fields = ("user__username", "user__full_name")

    @admin.display(description="用户")
    def owner(self, device: TOTPDevice) -> str:
        return f"{device.user}（{device.user.get_username()}）"

    @admin.display(description="已绑定", boolean=True)
    def enrolled(self, device: TOTPDevice) -> bool:
        return bool(device.confirmed)

    @admin.display(description="添加时间")
    def made(self, device: TOTPDevice) -> Any:
        return device.created_at

    @admin.display(description="最近使用")
    def used(self, device: TOTPDevice) -> Any:
        return device.last_used_at


# The pages other libraries bring: groups, sign-in pauses and records (translated in zhicheng/locale).
for model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    with_duties(model)
