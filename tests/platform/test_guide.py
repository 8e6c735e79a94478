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


def test_every_image_and_page_a_guide_page_names_exists() -> None:
    """Each `![…](img/…)` and each `(….md)` in a page points at a file of the guide's folder: a renamed screenshot
    or page is caught here rather than by a clerk reading a broken picture or link."""
    images = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
    links = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+\.md)(?:#[^)]*)?\)")
    for source in GUIDE.glob("*.md"):
        text = source.read_text("utf-8")
        for target in images.findall(text):
            assert target.startswith("img/"), f"{source.name}: {target} is outside img/"
            path = GUIDE / target
            assert path.is_file(), f"{source.name}: missing image {target}"
            # The same pattern the platform serves, so a name it would refuse cannot slip in.
            assert re.fullmatch(r"img/[a-z0-9-]{1,60}\.png", target), f"{source.name}: {target}"
            assert path.stat().st_size <= 300 * 1024, f"{target} is larger than 300 KB"
        for target in links.findall(text):
            assert "/" not in target, f"{source.name}: {target} leaves the guide's folder"
            assert (GUIDE / target).is_file(), f"{source.name}: missing page {target}"


def test_every_role_page_shows_at_least_one_screenshot() -> None:
    for page in set(ROLE_PAGES.values()) | {"index"}:
        text = (GUIDE / f"{page}.md").read_text("utf-8")
        assert "](img/" in text, f"{page}.md has no screenshot"


def test_every_navigation_label_the_guide_names_is_in_the_navigation() -> None:
    """“导航‘X’” sends a clerk to the bar at the top of every page: X must be one of its links, word for word."""
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text("utf-8")
    named = {m for p in GUIDE.glob("*.md") for m in re.findall(r"导航“([^”]+)”", p.read_text("utf-8"))}
    assert named, "the guide names no navigation link"
    for label in named:
        assert re.search(rf">{re.escape(label)}(<|\{{%)", base), f"导航“{label}” is not a link of the navigation"
