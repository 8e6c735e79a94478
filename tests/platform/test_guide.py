"""The clerks' guide (issue 11, item 8): docs/guide/ served by the platform, one page per role, linked from every
page's footer, with the screenshots it names present and nothing outside its folder reachable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from zhicheng.accounts.roles import Role
from zhicheng.guide.views import ROLE_PAGES

pytestmark = pytest.mark.django_db

GUIDE = Path(settings.GUIDE_DIR)
PAGES = sorted(p.stem for p in GUIDE.glob("*.md"))


def test_every_role_has_a_page_and_the_index_links_each() -> None:
    assert set(ROLE_PAGES) == {r.value for r in Role}, "a role without a guide page"
    for page in set(ROLE_PAGES.values()):
        assert page in PAGES
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    for page in set(ROLE_PAGES.values()):
        assert f"({page}.md)" in index


def test_the_footer_links_the_guide_and_the_pages_render_in_chinese(client: Client) -> None:
    login = client.get("/login/").content.decode()
    assert 'href="/guide/"' in login and "使用指南" in login
    for name in PAGES:
        url = "/guide/" if name == "index" else f"/guide/{name}"
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        title = (GUIDE / f"{name}.md").read_text("utf-8").splitlines()[0].removeprefix("# ")
        assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", html), url
        assert f"<title>{title}" in html, url
        # Links between pages point at the platform's pages, not at the repository's .md files.
        assert not re.search(r'href="[a-z-]+\.md"', html), url


def test_every_screenshot_the_guide_names_is_there_and_served(client: Client) -> None:
    named = {m for p in GUIDE.glob("*.md") for m in re.findall(r"\]\(img/([a-z0-9-]+\.png)\)", p.read_text("utf-8"))}
    for name in named:
        assert (GUIDE / "img" / name).is_file(), name
        response = client.get(f"/guide/img/{name}")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"


@pytest.mark.parametrize("url", ["/guide/..", "/guide/img/..%2F..%2Fpyproject.toml", "/guide/img/x.svg", "/guide/nope"])
def test_nothing_outside_the_guide_is_served(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_signed_in_person_is_pointed_to_their_role_s_page(client: Client, world: Any) -> None:
    employer = world.employer("忻州指南测试有限公司")
    clerk = world.person("guide_clerk", Role.EMPLOYER_CLERK, employer)
    client.force_login(clerk.user)
    html = client.get("/guide/").content.decode()
    assert 'href="/guide/employer"' in html and "我的角色怎么做" in html
