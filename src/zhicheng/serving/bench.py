"""The bare view of the deadline-rush benchmark (bench/rush.py, `make bench-web`): one row read by its primary
key and answered as text, through the whole middleware stack — the most a page of this stack can do, against which
the rush's mix is measured. Mounted only when ZHICHENG_BENCH_BARE=1 (zhicheng.urls); a production server has no
such URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from zhicheng.accounts.models import Area


def bare(request: HttpRequest, pk: int) -> HttpResponse:
    """One indexed query: an area's name by its primary key."""
    name = Area.objects.filter(pk=pk).values_list("name", flat=True).first()
    if name is None:
        raise Http404
    return HttpResponse(name, content_type="text/plain; charset=utf-8")


urlpatterns = [path("<int:pk>/", bare, name="bench_bare")]
