from django.urls import path

from zhicheng.intake import views

urlpatterns = [
    path("channel/", views.channel, name="channel"),
    path("channel/submit/", views.channel_submit, name="channel_submit"),
    path("channel/resubmit/<int:pk>/", views.channel_resubmit, name="channel_resubmit"),
    path("channel/summary.<slug:fmt>", views.channel_summary, name="channel_summary"),
    path("channel/check/", views.channel_check, name="channel_check"),
    path("office/", views.office, name="office"),
    path("office/batches/<int:pk>/summary.<slug:fmt>", views.office_batch_summary, name="office_batch_summary"),
    path("office/export.xlsx", views.office_export, name="office_export"),
    path("office/applications/<int:pk>/", views.desk, name="desk"),
    path("office/applications/<int:pk>/<slug:what>/", views.desk_action, name="desk_action"),
]
