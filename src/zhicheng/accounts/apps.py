from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class AccountsConfig(AppConfig):
    default = True  # this module holds three configurations; "zhicheng.accounts" means this one
    name = "zhicheng.accounts"
    label = "accounts"
    verbose_name = "机构与人员"


# The two sign-in libraries under Chinese names in the admin site (their own are English; the pages' other words
# are translated in zhicheng/locale).
class SignInGuardConfig(AxesAppConfig):  # type: ignore[misc]  # the library ships no types
    verbose_name = "登录防护"


class SecondFactorConfig(TOTPAppConfig):  # type: ignore[misc]
    verbose_name = "两步验证"

    def ready(self) -> None:
        super().ready()
        options = self.get_model("TOTPDevice")._meta
        # Shown only: the model's declared options (what migrations see) stay the library's.
        options.verbose_name = options.verbose_name_plural = "身份验证器"
