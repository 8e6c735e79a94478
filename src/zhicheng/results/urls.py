from django.urls import path

from zhicheng.results import views

urlpatterns = [
    path("results/", views.office, name="results_office"),
    path("results/<slug:what>/", views.office_action, name="results_action"),
    path("public/results/<int:year>/", views.public, name="results_public"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate_pdf"),
    path("verify/", views.verify_page, name="verify"),
    path("verify/<str:code>/", views.verify_page, name="verify_code"),
]
