from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhicheng.accounts.middleware import SESSION_KEY
from zhicheng.accounts.models import Membership


@login_required
@require_POST
def switch_role(request: HttpRequest) -> HttpResponse:
    """Act in another of one's own roles (only one's own memberships can be chosen)."""
    wanted = request.POST.get("membership", "")
    chosen = Membership.objects.filter(user_id=request.user.pk or 0, pk=int(wanted) if wanted.isdigit() else 0).first()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.pk
    return redirect("dashboard")
