"""The platform's URLs plus one view that fails, for the tests of error logging."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from zhicheng.urls import urlpatterns as platform


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("测试用的服务器错误")


urlpatterns = [path("test-boom/", boom), *platform]
