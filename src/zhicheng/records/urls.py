from django.urls import path

from zhicheng.records import views

urlpatterns = [
    path("office/outcomes/", views.outcomes, name="outcomes"),
    path("office/outcomes/template.xlsx", views.outcomes_template, name="outcomes_template"),
    path("integrity/", views.integrity_register, name="integrity"),
    path("integrity/record/", views.integrity_record, name="integrity_record"),
]
