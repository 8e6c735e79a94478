"""Sign-in (argon2, lockout by user name and address, inactivity), the REST API and the pages' own assets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from tests.platform.conftest import PASSWORD, World
from zhicheng.accounts.models import User
from zhicheng.applications import services


def test_passwords_are_hashed_with_argon2(world: World) -> None:
    m = world.person("someone", "expert", None)
    assert User.objects.get(pk=m.user_id).password.startswith("argon2")


def test_repeated_failures_lock_that_user_from_that_address_only(world: World) -> None:
    world.person("clerkx", "expert", None)
    office = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        office.post("/login/", {"username": "clerkx", "password": "wrong"})
    locked = office.post("/login/", {"username": "clerkx", "password": PASSWORD})
    assert "本机的登录已暂停" in locked.content.decode()
    # The same office address can still sign in another person; the same person from elsewhere too.
    world.person("colleague", "expert", None)
    assert office.post("/login/", {"username": "colleague", "password": PASSWORD}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    assert elsewhere.post("/login/", {"username": "clerkx", "password": PASSWORD}).status_code == 302


def test_sessions_end_after_inactivity() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600


def test_debug_is_off_and_no_secret_in_the_repository() -> None:
    assert settings.DEBUG is False
    root = Path(settings.PROJECT_DIR)
    tracked = (root / "src" / "zhicheng" / "settings.py").read_text(encoding="utf-8")
    assert settings.SECRET_KEY not in tracked and settings.FIELD_KEY not in tracked


def test_pages_load_nothing_from_outside(client: Client, world: World) -> None:
    """No page may load anything from the internet: every src/href in the templates is local."""
    templates = Path(settings.BASE_DIR).rglob("*.html")
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), path
    response = client.get("/login/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert 'lang="zh-Hans"' in response.content.decode() and "登录" in response.content.decode()


def test_openapi_schema_is_published(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/applications/{application_id}/actions/{action}" in schema["paths"]


def test_the_api_runs_the_same_services(county_case: dict[str, Any], submit: Any) -> None:
    api = Client(enforce_csrf_checks=False)
    api.force_login(county_case["applicant"].user)
    pk = county_case["application"].pk
    refused = api.post(f"/api/applications/{pk}/actions/submit", {}, content_type="application/json")
    assert refused.status_code == 409 and "承诺" in refused.json()["detail"]
    services.applicant_pledge(county_case["applicant"], pk)
    done = api.post(f"/api/applications/{pk}/actions/submit", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "employer_review"
    detail = api.get(f"/api/applications/{pk}").json()
    assert detail["decision"]["pack"] == "xinzhou-engineering-2023" and detail["events"][-1]["action"] == "submit"


def test_the_api_refuses_bad_facts_with_paths(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市API测试公司"))
    api = Client()
    api.force_login(applicant.user)
    bad = api.put("/api/profile", {"identity": {"id_number": "142201198805120315"}}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()[0]["path"] == "identity.id_number"
    assert api.get("/api/profile").json()["id_number"] == "1422**********0314"


def test_the_api_needs_a_session_and_csrf(county_case: dict[str, Any]) -> None:
    assert Client().get("/api/applications").status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county_case["applicant"].user)
    pk = county_case["application"].pk
    assert (
        strict.post(f"/api/applications/{pk}/actions/withdraw", {}, content_type="application/json").status_code == 403
    )


def test_the_whole_employer_part_through_the_api(world: World) -> None:
    """The API offers the same service functions as the pages: create, pledge, the employer's records, recommend."""
    import datetime as dt

    from tests.platform.conftest import LATER
    from zhicheng.accounts.roles import Role

    employer = world.employer("原平市API全程测试公司")
    applicant = world.applicant("applicant", employer)
    leader = world.person("apileader", Role.EMPLOYER_LEADER, employer)
    a, lead = Client(), Client()
    a.force_login(applicant.user)
    lead.force_login(leader.user)
    created = a.post(
        "/api/applications", {"level": "engineer", "path": "engineer_bachelor"}, content_type="application/json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert a.post(f"/api/applications/{pk}/pledge").status_code == 200
    assert a.post(f"/api/applications/{pk}/actions/submit", {}, content_type="application/json").status_code == 200
    members = [{"name": "甲", "kind": k} for k in ("masses", "peers", "leaders", "research")]
    ok = lead.post(
        f"/api/applications/{pk}/peer-review",
        {"held_on": "2023-10-09", "members": members, "opinion": "同意"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    early = lead.post(
        f"/api/applications/{pk}/appraisal",
        {"ethics": "良好", "clauses": ["3.4.1", "3.5.1.1"], "peer_review_followed": True},
        content_type="application/json",
    )
    assert early.status_code == 409 and "期满且无异议后" in early.json()["detail"]
    for kind in ("conditions", "materials"):
        r = lead.post(
            f"/api/applications/{pk}/publicities",
            {"kind": kind, "starts_on": "2023-10-09", "explanation": "公示"},
            content_type="application/json",
        )
        assert r.status_code == 200
    assert (
        lead.post(
            f"/api/applications/{pk}/appraisal",
            {"ethics": "良好", "clauses": ["3.4.1", "3.5.1.1"], "peer_review_followed": True},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert lead.post(f"/api/applications/{pk}/appraisal/confirm").status_code == 200
    assert lead.post(f"/api/applications/{pk}/id-number").status_code == 403  # the leader does not need it
    assert a.post(f"/api/applications/{pk}/id-number").json()["id_number"] == "142201198805120314"
    refused = lead.post(f"/api/applications/{pk}/actions/approve", {}, content_type="application/json")
    assert refused.status_code == 409 and "公示" in refused.json()["detail"]
    assert dt.date(2023, 10, 9) < LATER
