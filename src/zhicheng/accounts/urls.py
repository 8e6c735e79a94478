from django.contrib.auth import views as auth_views
from django.urls import path

from zhicheng.accounts import views

urlpatterns = [
    path("login/", views.SignIn.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("role/", views.switch_role, name="switch_role"),
    path("account/password/", views.PasswordChange.as_view(), name="password_change"),
    path("account/second-factor/", views.second_factor_page, name="second_factor"),
    path("account/second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
]
