from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.forms import ModelForm
from django.http import HttpRequest

from zhicheng.accounts.models import Area, Membership, Organisation, SensitiveView, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


class ResetPasswordForm(AdminPasswordChangeForm[User]):
    """A password set for someone by the security administrator is a first password: they must change it."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class ZhichengUserAdmin(UserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "full_name", "is_active", "must_change_password")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("职称", {"fields": ("full_name", "must_change_password")}))
    change_password_form = ResetPasswordForm

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        if not change:  # a new account's password was chosen by the one who made it
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "area", "level", "sector")
    list_filter = ("kind", "area", "level", "sector")
    search_fields = ("name", "credit_code")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ("name", "kind", "hr_bureau", "iit_bureau")


@admin.register(SensitiveView)
class SensitiveViewAdmin(admin.ModelAdmin[SensitiveView]):
    list_display = ("at", "user", "role", "what", "subject")

    def has_change_permission(self, request: HttpRequest, obj: SensitiveView | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SensitiveView | None = None) -> bool:
        return False
