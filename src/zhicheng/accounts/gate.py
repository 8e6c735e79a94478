"""The gate after the password: what a signed-in person must do before any other page opens.

1. Choose their own password, when someone else chose the one they signed in with (``User.must_change_password``).
2. Prove the second factor, for the privileged roles (zhicheng.accounts.second_factor): the code from their
   authenticator, or, the first time, enrol one. The password comes first, so that a first password someone else
   chose cannot be used to enrol an authenticator of one's own.

Only the due step's pages, signing out and the static files pass the gate; the REST API answers 403. So the
password cannot be changed before the second factor is proved, nor an authenticator enrolled before a first
password is replaced.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from zhicheng.accounts import second_factor
from zhicheng.accounts.models import User

MUST_CHANGE_PASSWORD = "请先修改初始密码。"
MUST_VERIFY = "请先完成两步验证（输入身份验证器上的6位验证码）。"
MUST_ENROL = "请先绑定身份验证器，开启两步验证。"


def open_paths(url_name: str) -> tuple[str, ...]:
    """What a person with this step due may still open: that step's pages (both of the second factor's, which send
    to each other), signing in and out, the static files — and nothing else, not even the other step's pages."""
    steps = ("second_factor", "second_factor_enrol") if url_name.startswith("second_factor") else (url_name,)
    return (*(reverse(step) for step in steps), reverse("logout"), reverse("login"), "/static/")


def step_due(request: HttpRequest) -> tuple[str, str] | None:
    """The page the person must go to first, and why (None: nothing is due)."""
    user = request.user
    if not isinstance(user, User):
        return None
    if user.must_change_password:
        return "password_change", MUST_CHANGE_PASSWORD
    verified = getattr(user, "is_verified", None)  # installed by django-otp's middleware
    if not (verified is not None and verified()) and second_factor.required_for(user):
        if second_factor.device_of(user) is None:
            return "second_factor_enrol", MUST_ENROL
        return "second_factor", MUST_VERIFY
    return None


class SignInGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        due = step_due(request)
        if due is None or request.path.startswith(open_paths(due[0])):
            return self.get_response(request)
        url_name, why = due
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": why}, status=403)
        target = reverse(url_name)
        if request.method == "GET" and url_name != "password_change":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
