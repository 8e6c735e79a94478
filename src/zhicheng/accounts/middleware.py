"""The role a person acts in: one of their memberships, chosen at sign-in and kept in the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from zhicheng.accounts.models import Membership, User

SESSION_KEY = "acting_membership"


def current_membership(request: HttpRequest) -> Membership | None:
    user = request.user
    if not isinstance(user, User):
        return None
    memberships = list(Membership.objects.filter(user=user).select_related("organisation", "organisation__area"))
    chosen = request.session.get(SESSION_KEY)
    for m in memberships:
        if m.pk == chosen:
            return m
    return memberships[0] if memberships else None


class ActingRoleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = current_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)


def acting_role(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    others = []
    if membership is not None:
        others = list(
            Membership.objects.filter(user_id=membership.user_id)
            .exclude(pk=membership.pk)
            .select_related("organisation")
        )
    return {"membership": membership, "other_memberships": others}
