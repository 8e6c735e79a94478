"""The deadline-rush benchmark (bench/rush.py, `make bench-web`; issue 12) in small: the bare view exists only with
its flag; the seed makes every state, and each account the load signs in as can do, through the pages, the one
write it was seeded for; a profile's section posted back as the page shows it saves; the report reads locust's CSV.
The benchmark itself is run by hand (bench/README.md), not here."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

import zhicheng.urls
from tests.platform.conftest import World
from zhicheng.accounts.models import Area
from zhicheng.cases.models import Application, ApplicationEvent, State

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import rush  # noqa: E402
import rush_forms  # noqa: E402
import rush_seed  # noqa: E402


def _mounted(flag: bool) -> None:
    with override_settings(ZHICHENG_BENCH_BARE=flag):
        importlib.reload(zhicheng.urls)
    clear_url_caches()


def test_the_bare_view_is_mounted_only_with_its_flag(world: World) -> None:
    pk = Area.objects.get(name="原平市").pk
    assert Client().get(f"/bench/bare/{pk}/").status_code == 404
    try:
        _mounted(True)
        with override_settings(ZHICHENG_BENCH_BARE=True):
            response = Client().get(f"/bench/bare/{pk}/")
            assert (response.status_code, response.content.decode()) == (200, "原平市")
            assert Client().get("/bench/bare/999999/").status_code == 404
    finally:
        _mounted(False)
    assert Client().get(f"/bench/bare/{pk}/").status_code == 404


def test_check_deploy_fails_while_the_bare_view_is_mounted() -> None:
    from zhicheng.serving.deploy import rehearsal_left_over

    with override_settings(ZHICHENG_BENCH_BARE=True, ZHICHENG_TODAY="", ZHICHENG_SECOND_FACTOR=True):
        assert any("ZHICHENG_BENCH_BARE=1" in f.text and not f.ok for f in rehearsal_left_over())
    with override_settings(ZHICHENG_BENCH_BARE=False, ZHICHENG_TODAY="", ZHICHENG_SECOND_FACTOR=True):
        assert list(rehearsal_left_over()) == []


def _signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302 and "/login/" not in response["Location"], username
    return client


def _done(response: Any) -> str:
    """The page a write redirects to, which says it was done."""
    assert response.status_code == 200
    page: str = response.content.decode()
    assert '<li class="success">' in page and '<li class="error">' not in page, re.findall(r'class="error">[^<]*', page)
    return page


@override_settings(ZHICHENG_SECOND_FACTOR=False, ZHICHENG_TODAY=rush_seed.RUSH_TODAY)
def test_the_seed_has_every_state_and_work_waiting_for_each_account(world: World) -> None:
    m = rush_seed.seed(applicants=120, users=2, per_actor=2, say=lambda _: None)
    assert Application.objects.count() == 120
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert Application.objects.values("area").distinct().count() == Area.objects.filter(kind="county").count()
    assert [len(m[role]) for role in ("applicants", "employers", "bureaus", "office")] == [4, 2, 2, 2]
    password = m["password"]

    # An applicant saves a section as the page shows it, pledges and submits.
    applicant = m["applicants"][0]
    client = _signed_in(applicant["username"], password)
    section = client.get("/profile/employment/").content.decode()
    fields = rush_forms.form_fields(section, "")
    assert dict(fields)["kind"] == "employee" and dict(fields)["county"] == "忻府区"
    _done(client.post("/profile/employment/", dict(fields), follow=True))
    case = applicant["case"]
    _done(client.post(f"/applications/{case}/record/applicant_pledge/", {"agree": "on"}, follow=True))
    _done(client.post(f"/applications/{case}/do/submit/", {"seen": "draft:0"}, follow=True))
    assert Application.objects.get(pk=case).state == State.EMPLOYER_REVIEW

    # The employer records the peer review and recommends; each bureau approves at its step; the office accepts.
    case = m["employers"][0]["cases"][0]
    client = _signed_in(m["employers"][0]["username"], password)
    review = {"held_on": "2023-10-09", "opinion": "同意推荐"}
    review |= {"member_name": ["甲", "乙", "丙", "丁"], "member_kind": ["masses", "peers", "leaders", "research"]}
    _done(client.post(f"/applications/{case}/record/peer_review/", review, follow=True))
    _done(client.post(f"/applications/{case}/do/approve/", {"seen": "employer_review:0"}, follow=True))
    assert Application.objects.get(pk=case).state == State.CHAIN_REVIEW
    for step, clerk in enumerate(m["bureaus"]):
        case = clerk["cases"][0]
        client = _signed_in(clerk["username"], password)
        form = {"seen": f"chain_review:{step}", "reason": "同意"}
        _done(client.post(f"/applications/{case}/do/approve/", form, follow=True))
    assert Application.objects.get(pk=m["bureaus"][1]["cases"][0]).state == State.READY_FOR_COMMITTEE
    case = m["office"][0]["cases"][0]
    client = _signed_in(m["office"][0]["username"], password)
    desk = client.get(f"/office/applications/{case}/").content.decode()
    check = {"original": re.findall(r'name="original" value="([^"]+)"', desk), "notes": "原件已核验"}
    _done(client.post(f"/office/applications/{case}/check/", check, follow=True))
    _done(client.post(f"/office/applications/{case}/accept/", {}, follow=True))
    assert Application.objects.get(pk=case).state == State.ACCEPTED

    # The rows the report counts: each write once, with its audit entry.
    acks = [
        {"kind": "submit", "case": applicant["case"]},
        {"kind": "employer approve", "case": m["employers"][0]["cases"][0]},
        *({"kind": "bureau approve", "case": c["cases"][0]} for c in m["bureaus"]),
        {"kind": "office accept", "case": case},
    ]
    rows, ok = rush.count_rows(m, acks)
    assert ok, rows
    assert "| bureau approve | 2 | 2 | 2 | 0 | 0 | 0 |" in rows
    assert ApplicationEvent.objects.filter(action="submit").count() == 1


HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def _stats(path: Path, rows: list[tuple[str, str, int, int, float, int, int, int]]) -> Path:
    lines = [HEADER]
    for method, name, n, fails, rps, p50, p95, p99 in rows:
        lines.append(
            f"{method},{name},{n},{fails},{p50},{p50},1,{p99},10,{rps},0,{p50},{p50},{p50},{p95},{p95},{p95},{p99},"
            f"{p99},{p99},{p99},{p99}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_report_reads_locusts_csv_and_checks_the_goals(tmp_path: Path) -> None:
    mix = rush.read_stats(
        _stats(
            tmp_path / "mix_stats.csv",
            [
                ("GET", "inbox", 90, 0, 9.0, 40, 120, 200),
                ("POST", "submit", 10, 0, 1.0, 80, 400, 500),
                ("", "Aggregated", 100, 0, 10.0, 45, 150, 300),
            ],
        )
    )
    bare = rush.read_stats(_stats(tmp_path / "bare_stats.csv", [("GET", "bare", 400, 0, 16.0, 5, 9, 12)]))
    assert mix["all"]["rps"] == 10.0 and mix["inbox"]["p95"] == 120 and bare["bare"]["count"] == 400
    times = [["GET", "inbox", 100.0, True]] * 19 + [["GET", "inbox", 900.0, True], ["POST", "login", 2000.0, True]]
    lines = rush.report(mix, bare, times)
    text = "\n".join(lines)
    assert "| GET inbox | 90 | 0 | 9.0 | 40 | 120 | 200 |" in text
    assert "| pages | 20 | 100 | 100 | 900 |" in text and "| sign-in | 1 |" in text
    assert "ratio 0.62 (62% of the bare view's throughput)" in text
    assert "- met    pages p95 100 ms < 300 ms" in text
    assert "- met    the mix's throughput 62% of the bare view's ≥ 50%" in text
    slow = rush.report(mix | {"inbox": mix["inbox"] | {"p95": 450.0}}, bare, [["GET", "inbox", 450.0, True]])
    assert "- MISSED pages p95 450 ms < 300 ms" in slow and "- kinds over their goal: GET inbox (p95 450 ms)" in slow
    assert json.dumps(rush.percentile([], 95)) == "0.0"
    # The bare view before and after the mix, as one: requests added, throughputs averaged, every time's percentiles.
    after = rush.read_stats(_stats(tmp_path / "after_stats.csv", [("GET", "bare", 800, 1, 32.0, 5, 9, 12)]))
    both = rush.merged([bare, after], [["GET", "bare", float(ms), True] for ms in range(1, 101)])
    assert both["all"] | {"phases": None} == {
        "method": "GET",
        "count": 1200,
        "failures": 1,
        "rps": 24.0,
        "p50": 50.0,
        "p95": 95.0,
        "p99": 99.0,
        "phases": None,
    }
    assert "the bare view: 24.0 req/s (16.0 before, 32.0 after the mix); ratio 0.42" in "\n".join(
        rush.report(mix, both, times)
    )


@pytest.mark.parametrize("page", ['<form method="post"><input name="a" value="1"><input type="checkbox" name="b">'])
def test_a_form_is_posted_as_the_browser_would(page: str) -> None:
    page += '<input type="checkbox" name="c" value="x" checked><select name="d"><option value="1">'
    page += '<option value="2" selected></select><textarea name="e">文字</textarea></form><input name="f">'
    assert rush_forms.form_fields(page, "") == [("a", "1"), ("c", "x"), ("d", "2"), ("e", "文字")]
