from django.urls import path

from zhicheng.evaluation import views

urlpatterns = [
    path("", views.office, name="evaluation"),
    path("do/<slug:what>/", views.office_action, name="evaluation_action"),
    path("minutes/<int:pk>.pdf", views.minutes_download, name="evaluation_minutes"),
    path("expert/", views.expert_home, name="expert_home"),
    path("expert/<str:code>/", views.expert_candidate, name="expert_candidate"),
    path("expert/<str:code>/<slug:what>/", views.expert_action, name="expert_action"),
]
