from django.urls import path

from zhicheng.evaluation import settings_views

urlpatterns = [
    path("year/", settings_views.page, name="year_settings"),
]
