from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from zhicheng.accounts.models import Area, Membership, Organisation, SensitiveView, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class ZhichengUserAdmin(UserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "full_name", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("职称", {"fields": ("full_name",)}))


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
