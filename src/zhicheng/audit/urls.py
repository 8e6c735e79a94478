from django.urls import path

from zhicheng.audit import views

urlpatterns = [
    path("audit/", views.trail_page, name="audit"),
    path("audit/export.csv", views.trail_export, name="audit_export"),
]
