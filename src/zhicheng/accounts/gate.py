"""The gate after the password: what a signed-in person must do before any other page opens.

1. Choose their own password, when someone else chose the one they signed in with (``User.must_change_password``).
2. Prove the second factor, for the privileged roles (zhicheng.accounts.second_factor).

Only the pages that do these things, signing out and the static files pass the gate; the REST API answers 403.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhicheng.accounts.models import User

MUST_CHANGE_PASSWORD = "请先修改初始密码。"


def open_paths() -> tuple[str, ...]:
    return (reverse("password_change"), reverse("logout"), reverse("login"), "/static/")


def step_due(request: HttpRequest) -> tuple[str, str] | None:
    """The page the person must go to first, and why (None: nothing is due)."""
    user = request.user
    if not isinstance(user, User):
        return None
    if user.must_change_password:
        return "password_change", MUST_CHANGE_PASSWORD
    return None


class SignInGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        due = step_due(request)
        if due is None or request.path.startswith(open_paths()):
            return self.get_response(request)
        url_name, why = due
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": why}, status=403)
        return redirect(url_name)
