"""The guide's pages: Markdown files of docs/guide/ rendered as pages of the platform, and their screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

# A page's name is its file's stem; only these characters, so no path can leave the guide's folder.
_PAGE = re.compile(r"^[a-z0-9-]{1,40}$")
_MD_LINK = re.compile(r'href="([a-z0-9-]{1,40})\.md"')
_IMAGE = re.compile(r"^[a-z0-9-]{1,60}\.png$")

# Which page a signed-in person is sent to first: the page of the role they are acting in.
ROLE_PAGES = {
    "applicant": "applicant",
    "employer_clerk": "employer",
    "employer_leader": "employer",
    "county_hr_reviewer": "channel",
    "county_iit_reviewer": "channel",
    "competent_department_reviewer": "channel",
    "talent_agency_reviewer": "channel",
    "personnel_agency_reviewer": "channel",
    "dispatch_agency_reviewer": "channel",
    "hr_association_reviewer": "channel",
    "committee_clerk": "office",
    "expert": "expert",
    "city_hr_officer": "city-hr",
    "administrator": "administrators",
    "security_admin": "administrators",
    "audit_admin": "administrators",
}


def _folder() -> Path:
    return Path(settings.GUIDE_DIR)


def _title(text: str) -> str:
    first = next((line for line in text.splitlines() if line.startswith("# ")), "使用指南")
    return first.removeprefix("# ").strip()


def page(request: HttpRequest, name: str = "index") -> HttpResponse:
    if not _PAGE.match(name):
        raise Http404("没有这一页")
    source = _folder() / f"{name}.md"
    if not source.is_file():
        raise Http404("没有这一页")
    text = source.read_text(encoding="utf-8")
    body = markdown.markdown(text, extensions=["tables", "sane_lists", "toc"], output_format="html")
    # The same files read on the repository's web page link to "office.md"; on the platform the page is "office".
    body = _MD_LINK.sub(r'href="\1"', body)
    membership = getattr(request, "membership", None)
    mine = ROLE_PAGES.get(getattr(membership, "role", ""), "")
    return render(request, "guide/page.html", {"title": _title(text), "body": body, "mine": mine, "name": name})


def image(request: HttpRequest, name: str) -> FileResponse:
    if not _IMAGE.match(name):
        raise Http404("没有这张图")
    path = _folder() / "img" / name
    if not path.is_file():
        raise Http404("没有这张图")
    return FileResponse(path.open("rb"), content_type="image/png")
