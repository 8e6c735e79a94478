from django.urls import path

from zhicheng.records import people_views, views

urlpatterns = [
    path("office/outcomes/", views.outcomes, name="outcomes"),
    path("office/outcomes/template.xlsx", views.outcomes_template, name="outcomes_template"),
    path("integrity/", views.integrity_register, name="integrity"),
    path("people/staff/", people_views.staff, name="people_staff"),
    path("people/accounts/", people_views.manage, name="people_manage"),
    path("people/accounts/template.xlsx", people_views.manage_template, name="people_manage_template"),
    path("people/<int:pk>/reset/", people_views.reset, name="people_reset"),
    path("people/<int:pk>/disable/", people_views.disable, name="people_disable"),
    path("people/<int:pk>/enable/", people_views.enable, name="people_enable"),
    path("integrity/record/", views.integrity_record, name="integrity_record"),
]
