from django.urls import path

from zhicheng.guide import views

urlpatterns = [
    path("guide/", views.page, name="guide"),
    path("guide/img/<str:name>", views.image, name="guide_image"),
    path("guide/<slug:name>", views.page, name="guide_page"),
]
