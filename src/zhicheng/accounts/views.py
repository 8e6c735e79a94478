from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from zhicheng.accounts.middleware import SESSION_KEY
from zhicheng.accounts.models import Membership, User


@login_required
@require_POST
def switch_role(request: HttpRequest) -> HttpResponse:
    """Act in another of one's own roles (only one's own memberships can be chosen)."""
    wanted = request.POST.get("membership", "")
    chosen = Membership.objects.filter(user_id=request.user.pk or 0, pk=int(wanted) if wanted.isdigit() else 0).first()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.pk
    return redirect("dashboard")


class PasswordChange(auth_views.PasswordChangeView):
    """Django's own page (the old password asked, the new one twice, the validators), in the site's style; it also
    ends a first password someone else chose."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        if isinstance(user, User) and user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, "密码已修改。")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["first_time"] = isinstance(user, User) and user.must_change_password
        return context
