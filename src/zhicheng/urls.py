from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from zhicheng.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("zhicheng.accounts.urls")),
    path("", include("zhicheng.audit.urls")),
    path("", include("zhicheng.records.urls")),
    path("", include("zhicheng.applications.urls")),
    path("", include("zhicheng.intake.urls")),
    path("evaluation/", include("zhicheng.evaluation.urls")),
    path("settings/", include("zhicheng.evaluation.settings_urls")),
    path("", include("zhicheng.results.urls")),
    path("", include("zhicheng.guide.urls")),
]

# A failure's page, in Chinese; a 503 that asks to try again when the database is down (zhicheng.serving.errors).
handler500 = "zhicheng.serving.errors.server_error"

# The bare view of the deadline-rush benchmark (bench/rush.py): only on a server started with ZHICHENG_BENCH_BARE=1.
if settings.ZHICHENG_BENCH_BARE:
    urlpatterns.append(path("bench/bare/", include("zhicheng.serving.bench")))
