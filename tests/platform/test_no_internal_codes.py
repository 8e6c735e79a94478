"""No internal codes on any page (issue 11, item 5): every page and every message, for every role of the demo.

The walk is generic, so that pages added later are walked too: for each demo membership (and for a visitor who is
not signed in) it starts at the home page and follows every link, ``hx-get`` and GET form of the site; then it
opens every URL pattern of the site that the links did not reach, its arguments filled from the demo's objects
(the cases', batches' and meetings' ids, the profile's sections, the candidates' and certificates' codes, the
guide's pages); then it posts every POST form it found twice, once empty and once with bad values (a date that
is no date, a number that is no number, a choice that is no choice), follows the redirect and reads the message —
inside a transaction rolled back afterwards, so that one role's post changes nothing another role sees.

What a person reads is checked: the text of the page (not scripts or styles), the ``title``, ``placeholder``,
``aria-label``, ``alt`` and confirmation texts and the captions of buttons. It fails on

- an English identifier: a snake_case word, or an ASCII word that is not one of the allowed tokens (``ALLOWED``:
  file formats, the numbers' own names such as ISSN, the authenticator apps the sign-in page names); emails and
  web addresses are not words; a token joined to digits (a case number, a candidate's code) is a code, not a word;
- a Python value: ``None``, ``True``, ``False``, a float such as ``1.0`` or ``0.3333333``;
- a clause id where words are expected: an element whose whole text is clause ids (``3.5.1.1``, ``3.5.1.1、3.4.1``).
  A citation after words is allowed — "符合条件（3.5.1）", "依据8.2条" — because the words are there;
- a date in ISO form (``2023-10-16``) in the text: dates are shown as 2023年10月16日;
- a field without a label: an input, select or textarea (not hidden, not a button) with no ``<label>`` around it
  or pointing to it and no ``aria-label`` or ``title``.

Not read as words: text inside ``<code>`` (a first password, a second-factor secret, a SHA-256 digest — codes a
person copies sign by sign), an account's name, an acronym in capitals (PLC in a paper's title), a file's name as
uploaded, and an ASCII value the page quotes back to the person who typed it (“abc”).

Not walked: the Django admin site (Django's own pages, for the two administrators; our models' names there are
Chinese, tested in test_organisations.py), the JSON API (for programs), and files that are not HTML (PDF, Excel,
CSV, images: test_outputs.py reads them).
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from zhicheng.accounts.middleware import SESSION_KEY
from zhicheng.accounts.models import Membership

ALLOWED = {
    # file formats and sizes the pages name
    "PDF",
    "Excel",
    "JPEG",
    "JPG",
    "PNG",
    "MB",
    "KB",
    "CSV",
    "xlsx",
    # the numbers' and codes' own names
    "ID",
    "CN",
    "ISSN",
    "ISBN",
    "CIP",
    "QR",
    "TOTP",
    # the authenticator apps the two-step sign-in names, and the platform's name
    "FreeOTP",
    "Microsoft",
    "Google",
    "Authenticator",
    "Zhicheng",
    # keys a page tells a person to press
    "Ctrl",
}
# Pages that are not read by a person as text, or are Django's own.
USERNAMES: set[str] = set()  # the demo's account names, filled by the test
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/logout/")
PAGES_PER_ROLE = 400

CLAUSE = r"\d+(?:\.\d+)+[a-z]?"
_EMAIL_OR_URL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|(?:[\w-]+\.)+(?:cn|com|org|gov)(?:/\S*)?"
    r"|(?<![\d.])\d{2,3}(?:\.\d{1,3}){3}(?![\d.])"  # an IP address (the audit trail's; a clause id starts with one digit)
    r"|[\w.-]+\.(?:pdf|png|jpe?g|xlsx|csv)\b"  # a file's name as its owner uploaded it
)
# What a person typed and the page quotes back to them ("验证码“abc”不是本平台签发的") is their own text.
_QUOTED_INPUT = re.compile(r"“[A-Za-z0-9_-]+”")
_SNAKE = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w-])")
_WORD = re.compile(r"(?<![A-Za-z0-9_\-./])[A-Za-z]{2,}(?![A-Za-z0-9_\-])")
_KEBAB = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\w-])")
_PYTHON = re.compile(r"(?<![A-Za-z0-9_])(?:None|True|False)(?![A-Za-z0-9_])")
_FLOAT = re.compile(r"(?<![\d.])\d+\.0(?![\d.])|\d\.\d{5,}")
_ONLY_CLAUSES = re.compile(rf"^[（(]?{CLAUSE}(?:\s*[、,，;；]\s*{CLAUSE})*[)）]?$")
_ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm", "hx-confirm")


@dataclass
class FormSeen:
    action: str
    method: str
    fields: list[dict[str, Any]] = field(default_factory=list)


class Page(HTMLParser):
    """What a person reads on a page, its links and its forms, and its fields without a label."""

    VOID: ClassVar[set[str]] = {
        "input",
        "br",
        "img",
        "meta",
        "link",
        "hr",
        "source",
        "area",
        "base",
        "col",
        "embed",
        "wbr",
    }

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.texts: list[str] = []  # one per element's run of text
        self.links: list[str] = []
        self.forms: list[FormSeen] = []
        self.stack: list[str] = []
        self.skip = 0
        self.code_depth = 0  # inside <code>/<kbd>/<samp>: a code copied sign by sign (a first password, a hash)
        self.label_depth = 0
        self.labelled_ids: set[str] = set()
        self.fields: list[tuple[str, dict[str, str], bool]] = []  # (tag, attrs, inside a label)
        self.form: FormSeen | None = None
        self.select: dict[str, Any] | None = None
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text and not self.code_depth:
            self.texts.append(text)
        self.buffer = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        self.flush()
        if tag in ("script", "style", "template"):
            self.skip += 1
        if tag in ("code", "kbd", "samp"):
            self.code_depth += 1
        if tag not in self.VOID:
            self.stack.append(tag)
        for name in READ_ATTRIBUTES:
            if attrs.get(name, "").strip():
                self.texts.append(attrs[name].strip())
        if tag == "optgroup" and attrs.get("label"):
            self.texts.append(attrs["label"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
        if attrs.get("hx-post"):
            self.forms.append(FormSeen(attrs["hx-post"], "post"))
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.labelled_ids.add(attrs["for"])
        if tag == "form":
            self.form = FormSeen(attrs.get("action") or self.url, (attrs.get("method") or "get").lower())
            self.forms.append(self.form)
        if tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if kind in ("submit", "button", "reset", "image"):
                if attrs.get("value"):
                    self.texts.append(attrs["value"])
            elif kind != "hidden":
                self.fields.append((tag, attrs, self.label_depth > 0))
            if self.form is not None and attrs.get("name"):
                entry = {"name": attrs["name"], "kind": kind, "value": attrs.get("value", ""), "options": []}
                self.form.fields.append(entry)
                if tag == "select":
                    self.select = entry
        if tag == "option" and self.select is not None:
            self.select["options"].append(attrs.get("value", ""))
        if tag == "button" and self.form is not None and attrs.get("name"):
            self.form.fields.append({"name": attrs["name"], "kind": "button", "value": attrs.get("value", "")})

    def handle_endtag(self, tag: str) -> None:
        self.flush()
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1
        if tag in ("code", "kbd", "samp") and self.code_depth:
            self.code_depth -= 1
        if tag == "label" and self.label_depth:
            self.label_depth -= 1
        if tag == "form":
            self.form = None
        if tag == "select":
            self.select = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buffer.append(data)

    def close(self) -> None:
        super().close()
        self.flush()

    def unlabelled(self) -> list[str]:
        out = []
        for tag, attrs, in_label in self.fields:
            named = attrs.get("aria-label") or attrs.get("aria-labelledby") or attrs.get("title")
            if not (in_label or named or attrs.get("id", "\0") in self.labelled_ids):
                out.append(f"<{tag} name={attrs.get('name', '')!r}>")
        return out


def problems_in(text: str) -> list[str]:
    """What is wrong with one run of text a person reads."""
    out = []
    plain = _EMAIL_OR_URL.sub(" ", text)
    for m in _PYTHON.finditer(plain):
        out.append(f"Python 值 {m.group()!r}")
    words = _SNAKE.sub(" ", _QUOTED_INPUT.sub(" ", plain))
    for m in _SNAKE.finditer(_QUOTED_INPUT.sub(" ", plain)):
        if m.group() not in USERNAMES:
            out.append(f"英文标识符 {m.group()!r}")
    for m in _KEBAB.finditer(_QUOTED_INPUT.sub(" ", plain)):
        out.append(f"英文标识符 {m.group()!r}")
    words = _KEBAB.sub(" ", words)
    for m in _WORD.finditer(words):
        word = m.group()
        # An acronym in capitals (PLC, BIM in a paper's title) is a word of the trade; an account's name is what
        # its owner types at sign-in (the audit trail shows it).
        if word in ALLOWED or word in USERNAMES or _PYTHON.fullmatch(word) or (word.isupper() and len(word) <= 6):
            continue
        out.append(f"英文单词 {word!r}")
    for m in _FLOAT.finditer(plain):
        out.append(f"小数 {m.group()!r}")
    if _ONLY_CLAUSES.match(plain.strip()):
        out.append(f"只有条款号 {plain.strip()!r}")
    for m in _ISO_DATE.finditer(plain):
        out.append(f"日期格式 {m.group()!r}")
    return out


def check_page(html: str, url: str) -> tuple[Page, list[str]]:
    page = Page(url)
    page.feed(html)
    page.close()
    found = [f"{p}：…{t[:80]}…" for t in page.texts for p in problems_in(t)]
    found += [f"字段没有标签 {f}" for f in page.unlabelled()]
    return page, found


# ── the walk ────────────────────────────────────────────────────────────────────────────────────────────


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in (resolver or get_resolver()).url_patterns:
        route = str(p.pattern._route) if isinstance(p.pattern, RoutePattern) else None
        if route is None:
            continue
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + route)
        else:
            yield prefix + route, p


def _argument_values() -> dict[str, list[str]]:
    """Values for the URL patterns' arguments, from the demo's objects."""
    from zhicheng.applications.factsforms import SECTIONS
    from zhicheng.cases.models import Application
    from zhicheng.evaluation.models import Candidate, Meeting, Minutes
    from zhicheng.intake.models import SubmissionBatch
    from zhicheng.results.models import Certificate

    ints = {
        str(pk)
        for model in (Application, SubmissionBatch, Meeting, Minutes, Certificate)
        for pk in model.objects.values_list("pk", flat=True)
    }
    strings = [s.key for s in SECTIONS]
    strings += list(Candidate.objects.values_list("code", flat=True))
    strings += list(Certificate.objects.values_list("code", flat=True))
    strings += ["index", "applicant", "employer", "office", "expert", "channel", "city-hr", "administrators"]
    strings += ["pdf", "xlsx", "csv"]
    return {"int": sorted(ints, key=int), "str": strings, "slug": strings}


def _fill(route: str, values: dict[str, list[str]]) -> Iterator[str]:
    """Every URL of a route pattern with its arguments taken from ``values`` (the first few of each)."""
    parts = re.split(r"<(?:(\w+):)?(\w+)>", route)
    urls = [""]
    for i in range(0, len(parts), 3):
        urls = [u + parts[i] for u in urls]
        if i + 1 < len(parts):
            converter = parts[i + 1] or "str"
            urls = [u + v for u in urls for v in values.get(converter, values["str"])]
    yield from ("/" + u for u in urls)


@dataclass
class Walk:
    client: Client
    who: str
    values: dict[str, list[str]]
    found: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    visited: set[str] = field(default_factory=set)
    forms: dict[tuple[str, tuple[str, ...]], FormSeen] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)  # the url names whose page was read

    def walkable(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return None
        if parts.path.startswith(SKIPPED_PREFIXES):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def read(self, response: Any, url: str) -> Page | None:
        if "text/html" not in response.get("Content-Type", ""):
            return None
        html = response.content.decode()
        page, problems = check_page(html, url)
        for p in problems:
            self.found[p].add(f"{self.who} {url}")
        return page

    def get(self, url: str) -> int:
        self.visited.add(url)
        response = self.client.get(url, follow=True)
        page = self.read(response, url)
        if response.status_code == 200 and page is not None:
            with contextlib.suppress(Resolver404):
                self.reached.add(resolve(urlsplit(url).path).url_name or "")
            self.learn(page)
        return response.status_code

    def learn(self, page: Page) -> None:
        for link in page.links:
            target = self.walkable(link)
            if target and target not in self.visited and len(self.visited) < PAGES_PER_ROLE:
                self.queue.append(target)
        for form in page.forms:
            action = self.walkable(form.action)
            if action is None:
                continue
            key = (action, tuple(sorted(f["name"] for f in form.fields)))
            if form.method == "post":
                self.forms.setdefault(key, FormSeen(action, "post", form.fields))
            else:
                query = urlencode({f["name"]: "不存在的选项" for f in form.fields if f["kind"] != "button"})
                target = f"{urlsplit(action).path}?{query}"
                if target not in self.visited:
                    self.queue.append(target)

    def crawl(self) -> None:
        self.queue: list[str] = ["/"]
        while self.queue:
            url = self.queue.pop(0)
            if url not in self.visited:
                self.get(url)
        # The URL patterns no link reached: each with the demo's values, until one page opens.
        for route, pattern in _patterns():
            if pattern.name in self.reached or ("/" + route).startswith(SKIPPED_PREFIXES):
                continue
            for url in _fill(route, self.values):
                if url in self.visited:
                    continue
                status = self.get(url)
                if status in (200, 405) or pattern.name in self.reached:
                    break
                self.queue = []  # pages reached from here are walked by their own patterns

    def post_forms(self) -> None:
        """Every POST form, empty and with bad values; nothing stays written."""
        for form in self.forms.values():
            for data in (_empty(form), _bad(form)):
                with transaction.atomic():
                    response = self.client.post(form.action, data, follow=True)
                    assert response.status_code < 500, f"{self.who} POST {form.action} {data}"
                    self.read(response, f"POST {form.action} {sorted(data)}")
                    transaction.set_rollback(True)


def _empty(form: FormSeen) -> dict[str, str]:
    return {f["name"]: f["value"] for f in form.fields if f["kind"] in ("hidden", "button") and f["value"]}


def _bad(form: FormSeen) -> dict[str, str]:
    data = _empty(form)
    for f in form.fields:
        kind = f["kind"]
        if kind in ("hidden", "button", "file", "checkbox", "radio"):
            continue
        if kind == "date":
            data[f["name"]] = "2023-02-30"
        elif kind == "number":
            data[f["name"]] = "一二三"
        elif "id_number" in f["name"]:
            data[f["name"]] = "142201198805120315"  # an ID number with a wrong check digit
        elif kind == "select":
            data[f["name"]] = "不存在的选项"
        else:
            data[f["name"]] = "超长的内容" * 60  # too long for most fields, and no word of English
    return data


@pytest.fixture
def demo(world: Any) -> None:
    call_command("seed_demo", verbosity=0)


def test_the_checks_find_what_they_are_meant_to_find() -> None:
    """The checks themselves, on the defects issue 11 names and on texts that are right."""
    for bad in (
        "已取得economics系列",
        "(profile)：请填写",
        "号码有误 (wrong check digit)",
        "“None”无效",
        "apply_assignment",
        "政策包 xinzhou-engineering-2023",
        "通过率 1.0",
        "3.5.1.1",
        "3.4.1、3.5.1.1",
        "2023-10-16",
    ):
        assert problems_in(bad), bad
    for good in (
        "符合条件（3.5.1）",
        "依据8.2条不予受理",
        "请上传 PDF 或 JPEG 文件，单个不超过10 MB",
        "通过率 100%",
        "2023年10月16日",
        "申报编号 ZC-2023-0001",
        "联系 office@xinzhou.gov.cn",
    ):
        assert not problems_in(good), good
    _, found = check_page('<form><input name="a"><label>名称 <input name="b"></label></form>', "/")
    assert found == ["字段没有标签 <input name='a'>"]


def test_no_page_and_no_message_shows_an_internal_code_to_any_role(demo: None) -> None:
    values = _argument_values()
    USERNAMES.update(Membership.objects.values_list("user__username", flat=True))
    found: dict[str, set[str]] = defaultdict(set)
    walks = [Walk(Client(), "（未登录）", values)]
    for membership in Membership.objects.select_related("user").order_by("pk"):
        client = Client()
        client.force_login(membership.user)
        session = client.session
        session[SESSION_KEY] = membership.pk
        session.save()
        walks.append(Walk(client, f"{membership.user.username}/{membership.role}", values))
    reached: set[str] = set()
    for walk in walks:
        walk.crawl()
        walk.post_forms()
        reached |= walk.reached
        for problem, where in walk.found.items():
            found[problem] |= where
    # The walk is honest only if it reached the pages: every page pattern of the site opened for some role.
    pages = {p.name for route, p in _patterns() if not ("/" + route).startswith(SKIPPED_PREFIXES)}
    assert {"dashboard", "profile", "profile_section", "application", "application_new", "desk", "office"} <= reached
    report = [f"{p}  ← {len(w)}处，如 {sorted(w)[0]}" for p, w in sorted(found.items())]
    assert not report, f"{len(report)} problems (pages reached: {len(reached)} of {len(pages)}):\n" + "\n".join(
        report[:150]
    )
