from django.urls import path

from zhicheng.applications import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox/approve/", views.batch_approve, name="batch_approve"),
    path("profile/", views.profile, name="profile"),
    path("profile/check/", views.self_check, name="self_check"),
    path("profile/<slug:key>/", views.profile_section, name="profile_section"),
    path("evidence/", views.upload_evidence, name="upload_evidence"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/do/<slug:action>/", views.application_action, name="application_action"),
    path("applications/<int:pk>/record/<slug:what>/", views.employer_record, name="employer_record"),
    path("applications/<int:pk>/id-number/", views.reveal_id_number, name="reveal_id_number"),
    path("applications/<int:pk>/entrustment/", views.entrustment_record, name="entrustment_record"),
]
