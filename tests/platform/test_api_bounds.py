"""API bounds (issue 10, finding 8): body depth and size limited before parsing, schema violations refused, and an
upload the request parser cannot read answered on its page in Chinese."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings

from tests.platform.conftest import PNG, World
from zhicheng.api import BODY_MAX_DEPTH
from zhicheng.applications.models import Evidence
from zhicheng.documents.uploads import UNREADABLE


def _api(world: World) -> tuple[Client, Any]:
    applicant = world.applicant("applicant", world.employer("原平市接口测试公司"))
    client = Client()
    client.force_login(applicant.user)
    return client, applicant


def test_a_body_nested_100000_deep_is_refused_with_400_not_a_recursion_error(world: World) -> None:
    api, _ = _api(world)
    deep = "[" * 100_000 + "]" * 100_000
    for method, url in (("put", "/api/profile"), ("post", "/api/applications")):
        response = getattr(api, method)(url, deep, content_type="application/json")
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": f"请求内容嵌套过深：不能超过{BODY_MAX_DEPTH}层"}


def test_brackets_inside_text_do_not_count_as_depth(world: World) -> None:
    api, _ = _api(world)
    facts = api.get("/api/profile").json()["facts"]
    facts["work_summary"] = {"text": "［" + "[" * 50 + '\\"]' + "{" * 50}
    response = api.put("/api/profile", facts, content_type="application/json")
    assert response.status_code == 200, response.content[:300]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_body_over_the_size_limit_is_refused_with_413(world: World) -> None:
    api, _ = _api(world)
    big = '{"work_summary": {"text": "' + "长" * 400_000 + '"}}'  # 1.2 MB
    response = api.put("/api/profile", big, content_type="application/json")
    assert response.status_code == 413 and response.json() == {"detail": "请求内容过大：不能超过1MB"}
    response = api.post("/api/applications", big, content_type="application/json")
    assert response.status_code == 413


def test_bad_json_and_schema_violations_are_refused_in_chinese(world: World) -> None:
    api, _ = _api(world)
    assert api.put("/api/profile", "{not json", content_type="application/json").json() == {
        "detail": "请求内容不是有效的 JSON"
    }
    assert api.post("/api/applications", "{not json", content_type="application/json").status_code == 400
    wrong = api.post("/api/applications", {"level": "professor", "path": "x" * 51}, content_type="application/json")
    assert wrong.status_code == 422
    assert {e["loc"][-1] for e in wrong.json()["detail"]} == {"level", "path"}
    assert all(e["msg"].startswith("请求参数不符合接口定义") for e in wrong.json()["detail"])
    huge_id = api.get(f"/api/applications/{2**64}")
    assert huge_id.status_code == 422  # beyond any row id: refused, never an overflow in the database driver
    assert api.get("/api/applications/0").status_code == 422


def test_a_400_character_file_name_gives_the_page_a_chinese_error_not_a_bare_400(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市上传测试公司"))
    client = Client(raise_request_exception=False)
    client.force_login(applicant.user)
    name = ("长" * 396 + ".png").encode()  # 1,200 bytes: beyond Django's 1,024 bytes of a part's headers
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="kind"\r\n\r\ndiploma\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--XX--\r\n"
    )
    response = client.generic(
        "POST",
        "/evidence/",
        body,
        content_type="multipart/form-data; boundary=XX",
        headers={"referer": "http://testserver/profile/"},
    )
    assert response.status_code == 302 and response["Location"] == "http://testserver/profile/"
    page = client.get("/profile/").content.decode()
    assert UNREADABLE in page
    assert not Evidence.objects.exists()
    elsewhere = client.generic(
        "POST",
        "/evidence/",
        body,
        content_type="multipart/form-data; boundary=XX",
        headers={"referer": "http://evil.example/"},
    )
    assert elsewhere["Location"] == "/"  # back to our own pages only


def test_an_unterminated_string_of_escaped_quotes_is_refused_at_once(world: World) -> None:
    """The depth scan reads the body once: a string of 600,000 escaped quotes that never closes took the first scan
    quadratic time (about 28 s for 40 KB) — a request that ties up a worker."""
    import time

    api, _ = _api(world)
    body = '"' + '\\"' * 600_000  # 1.2 MB
    started = time.monotonic()
    response = api.put("/api/profile", body, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": "请求内容不是有效的 JSON"}
    assert time.monotonic() - started < 5
