from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhicheng.accounts import passwords, second_factor
from zhicheng.accounts.middleware import SESSION_KEY
from zhicheng.accounts.models import Membership, User

DISABLED = "该账号已停用，不能登录；如有疑问，请联系为您开通账号的单位。"


class SignInForm(AuthenticationForm):
    """Django's sign-in form; a disabled account (never deleted, ``records.people.disable``) is told so — but only
    to someone who typed its right password, so the form tells a stranger nothing about which accounts exist."""

    disabled_account = False
    disabled_message = DISABLED

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            user = User.objects.filter(username=username, is_active=False).first() if username else None
            if user is not None and password and user.check_password(password):
                self.disabled_account = True
            elif user is None:
                # The same hashing work either way, so the answer's timing does not tell a disabled account apart.
                User().set_password(password or "")  # as Django's ModelBackend does for an unknown user
            raise


class SignIn(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm


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
        if isinstance(form.user, User):
            passwords.chosen_by_owner(form.user)
        messages.success(self.request, "密码已修改。")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["first_time"] = isinstance(user, User) and user.must_change_password
        return context


@login_required
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """两步验证: the 6-digit code from the person's authenticator, after the password."""
    user = request.user
    assert isinstance(user, User)
    if second_factor.device_of(user) is None:
        return redirect("second_factor_enrol")
    error = ""
    if request.method == "POST":
        if second_factor.verify(request, user, request.POST.get("code", "")):
            return redirect(next_page(request))
        error = WRONG_CODE
    return render(request, "accounts/second_factor.html", {"error": error, "next": request.GET.get("next", "")})


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """The first time: the authenticator app scans the QR code (or the secret is typed in), then a code from it
    confirms that it works. A person already enrolled is sent to the code page (a reset is the security
    administrator's, who removes the old authenticator)."""
    user = request.user
    assert isinstance(user, User)
    if second_factor.device_of(user) is not None:
        return redirect("second_factor")
    error = ""
    if request.method == "POST":
        if second_factor.confirm_enrolment(request, user, request.POST.get("code", "")):
            messages.success(request, "身份验证器已绑定，两步验证已开启。")
            return redirect("dashboard")
        error = WRONG_CODE
    device = second_factor.pending_device(user)
    context = {"qr": second_factor.qr_svg(device), "secret": second_factor.secret_text(device), "error": error}
    return render(request, "accounts/second_factor_enrol.html", context)


WRONG_CODE = "验证码不正确或已使用过，请输入身份验证器上当前显示的6位验证码（多次输错后须稍等片刻再试）。"


def next_page(request: HttpRequest) -> str:
    """Where the person was going, if it is a page of this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return str(reverse("dashboard"))
