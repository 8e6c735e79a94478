"""The deadline rush (issue 12, `make bench-web`): the last day of the receiving window, on the production server.

1. A fresh PostgreSQL database (RUSH_DATABASE, zc_rush by default, on the server of RUSH_POSTGRES), migrated, seeded
   by bench/rush_seed.py (at least 5,000 applicants across the counties, cases in every state, the accounts the load
   signs in as), the static files collected.
2. gunicorn as `make serve` starts it (workers per zhicheng.serving.gunicorn_conf, DEBUG off, the collected static
   files), with ZHICHENG_SECOND_FACTOR=0 (the load signs in with passwords only: the bureaus' and the office's TOTP
   codes are not asked), ZHICHENG_BENCH_BARE=1 (the bare view) and ZHICHENG_TODAY on the window's last day.
3. locust headless against the same server: the bare view alone, the mix (bench/locustfile.py), the bare view again,
   at the same number of users; the bare view's two halves, around the mix, are taken together (on a machine shared
   with other work the load drifts: the mix is compared with the bare view before and after it).
4. The report: each kind's throughput and p50/p95/p99 (locust's CSV), the pages' and the writes' together (each
   request's time), errors, the mix's throughput against the bare view's, the goals; then the rows: every write
   the load saw done is in the database once (its event and its audit entry), none lost, none doubled, and the
   audit trail's seals still hold.

    .venv/bin/python bench/rush.py                          # 6,000 applicants, 50 users, 60 s + 60 s
    .venv/bin/python bench/rush.py --users 20 --duration 20 --bare-duration 10 --applicants 5000
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(ROOT), str(ROOT / "src")]

# The goals of issue 12.
PAGE_P95_MS = 300
WRITE_P95_MS = 1000
RATIO = 0.5
# The writes whose rows are counted: the request's kind, the event it leaves, who made the case wait for it.
COUNTED = {
    "submit": ("submit", "applicants"),
    "employer approve": ("approve", "employers"),
    "bureau approve": ("approve", "bureaus"),
    "office accept": ("accept", "office"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    print(f"· {what} ({time.monotonic() - started:.0f} s){': ' + done.stdout.strip() if done.stdout.strip() else ''}")


def fresh_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def server_env(database_url: str, out: Path, *, collected: bool) -> dict[str, str]:
    from rush_seed import RUSH_TODAY

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHENG_") and k != "DATABASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "zhicheng.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DATABASE_URL": database_url,
        # The keys are made once in the run's var/ and kept there (settings.py), for whatever reads the run's data.
        "ZHICHENG_VAR_DIR": str(out / "var"),
        "ZHICHENG_MEDIA_ROOT": str(out / "var" / "evidence"),
        "ZHICHENG_DEBUG": "0",
        "ZHICHENG_TODAY": RUSH_TODAY,
        "ZHICHENG_SECOND_FACTOR": "0",
        "ZHICHENG_BENCH_BARE": "1",
        "ZHICHENG_LOG_LEVEL": "WARNING",
    }
    if collected:
        env |= {"ZHICHENG_STATIC_COLLECTED": "1", "ZHICHENG_STATIC_ROOT": str(out / "static")}
    if os.environ.get("ZHICHENG_WORKERS"):
        env["ZHICHENG_WORKERS"] = os.environ["ZHICHENG_WORKERS"]
    if os.environ.get("ZHICHENG_DB_CONN_MAX_AGE"):
        env["ZHICHENG_DB_CONN_MAX_AGE"] = os.environ["ZHICHENG_DB_CONN_MAX_AGE"]
    return env


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:zhicheng.serving.gunicorn_conf", "zhicheng.wsgi"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            cmd, cwd=ROOT, env=env | {"ZHICHENG_BIND": f"127.0.0.1:{port}"}, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=5) as r:
                if r.status == 200:
                    return server, base
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not start:\n" + log.read_text(encoding="utf-8")[-3000:])


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_locust(
    base: str, env: dict[str, str], out: Path, phase: str, users: int, rate: int, seconds: int, classes: list[str]
) -> str:
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(out / phase),
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    phase_env = env | {
        "RUSH_ACKS": str(out / f"{phase}_acks.jsonl"),
        "RUSH_TIMES": str(out / f"{phase}_times.jsonl"),
    }
    started, load = time.monotonic(), os.getloadavg()[0]
    done = subprocess.run(cmd, cwd=BENCH, env=phase_env, capture_output=True, text=True)
    (out / f"{phase}_locust.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode:
        raise SystemExit(f"locust ({phase}) failed:\n{done.stderr[-3000:]}")
    print(f"· locust, {phase}: {users} users for {seconds} s ({time.monotonic() - started:.0f} s)")
    # The machine's load before and after (the server and the load generator share it with whatever else runs).
    return f"{phase} {load:.1f} → {os.getloadavg()[0]:.1f}"


# ── the report ───────────────────────────────────────────────────────────────────────────────────────────


def read_stats(path: Path) -> dict[str, dict[str, Any]]:
    """Locust's ``*_stats.csv``: per request name (and "Aggregated"), the count, failures, req/s and percentiles."""
    rows: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = r["Name"] if r["Name"] != "Aggregated" else "all"
            rows[name] = {
                "method": r["Type"],
                "count": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "rps": float(r["Requests/s"]),
                "p50": float(r["50%"] or 0),
                "p95": float(r["95%"] or 0),
                "p99": float(r["99%"] or 0),
            }
    return rows


def read_lines(path: Path) -> list[Any]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def groups(times: list[list[Any]]) -> dict[str, dict[str, float]]:
    """The pages (GET), the submissions (the forms posted) and the sign-ins together, from each request's own time."""
    out = {}
    for group, keep in (
        ("pages", lambda t: t[0] == "GET"),
        ("submissions", lambda t: t[0] == "POST" and t[1] != "login"),
        ("sign-in", lambda t: t[1] == "login"),
    ):
        ms = [t[2] for t in times if keep(t)]
        out[group] = {"count": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99)}
    return out


def merged(runs: list[dict[str, dict[str, Any]]], times: list[list[Any]]) -> dict[str, dict[str, Any]]:
    """The bare view's phases as one: their requests and errors added, their throughputs averaged (the phases are
    equally long), the percentiles of all their requests' times together."""
    rows = [r.get("all") or r["bare"] for r in runs]
    ms = [t[2] for t in times]
    return {
        "all": {
            "method": "GET",
            "count": sum(r["count"] for r in rows),
            "failures": sum(r["failures"] for r in rows),
            "rps": sum(r["rps"] for r in rows) / len(rows),
            "p50": percentile(ms, 50),
            "p95": percentile(ms, 95),
            "p99": percentile(ms, 99),
            "phases": [r["rps"] for r in rows],
        }
    }


def report(mix: dict[str, dict[str, Any]], bare: dict[str, dict[str, Any]], times: list[list[Any]]) -> list[str]:
    lines = [
        "| kind | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in sorted(mix.items(), key=lambda kv: (kv[0] == "all", kv[1]["method"], kv[0])):
        label = "**the mix, all**" if name == "all" else f"{r['method']} {name}"
        lines.append(
            f"| {label} | {r['count']:,} | {r['failures']:,} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} |"
        )
    b = bare.get("all") or bare.get("bare") or {"count": 0, "failures": 0, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0}
    lines.append(
        f"| **the bare view** | {b['count']:,} | {b['failures']:,} | {b['rps']:.1f} | {b['p50']:.0f} | "
        f"{b['p95']:.0f} | {b['p99']:.0f} |"
    )
    g = groups(times)
    lines += ["", "| together | requests | p50 ms | p95 ms | p99 ms |", "| --- | --- | --- | --- | --- |"]
    for name, r in g.items():
        lines.append(f"| {name} | {r['count']:,} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} |")
    total = mix.get("all", {"rps": 0.0, "failures": 0})
    ratio = total["rps"] / b["rps"] if b["rps"] else 0.0
    errors = total["failures"] + b["failures"]
    lines += [
        "",
        f"The mix: {total['rps']:.1f} req/s; the bare view: {b['rps']:.1f} req/s"
        + (f" ({' before, '.join(f'{x:.1f}' for x in b['phases'])} after the mix)" if b.get("phases") else "")
        + f"; ratio {ratio:.2f} ({ratio:.0%} of the bare view's throughput).",
        "",
        "Goals:",
        _goal(g["pages"]["p95"] < PAGE_P95_MS, f"pages p95 {g['pages']['p95']:.0f} ms < {PAGE_P95_MS} ms"),
        _goal(
            g["submissions"]["p95"] < WRITE_P95_MS,
            f"submissions p95 {g['submissions']['p95']:.0f} ms < {WRITE_P95_MS} ms",
        ),
        _goal(errors == 0, f"errors {errors} = 0"),
        _goal(ratio >= RATIO, f"the mix's throughput {ratio:.0%} of the bare view's ≥ {RATIO:.0%}"),
    ]
    slow = [
        f"{r['method']} {n} (p95 {r['p95']:.0f} ms)"
        for n, r in mix.items()
        if n not in ("all", "login") and r["p95"] >= (WRITE_P95_MS if r["method"] == "POST" else PAGE_P95_MS)
    ]
    if slow:
        lines.append("- kinds over their goal: " + "; ".join(slow))
    return lines


def _goal(met: bool, text: str) -> str:
    return f"- {'met   ' if met else 'MISSED'} {text}"


def count_rows(manifest: dict[str, Any], acks: list[dict[str, Any]]) -> tuple[list[str], bool]:
    """Every write the load saw done is in the database once — its event and its audit entry — and none that it
    did not see done is there either; the audit trail's seals hold."""
    import django

    django.setup()
    from django.db.models import Count

    from zhicheng.audit import trail
    from zhicheng.audit.models import AuditEntry
    from zhicheng.cases.models import ApplicationEvent

    lines = [
        "| write | done (HTTP) | events in the database | audit entries | lost | doubled | done unseen |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    ok = True
    for kind, (action, role) in COUNTED.items():
        cases = (
            [a["case"] for a in manifest[role]]
            if role == "applicants"
            else [c for a in manifest[role] for c in a["cases"]]
        )
        acked = [a["case"] for a in acks if a["kind"] == kind]
        events = dict(
            ApplicationEvent.objects.filter(application_id__in=cases, action=action)
            .values_list("application_id")
            .annotate(n=Count("pk"))
        )
        subjects = [f"申报#{pk}" for pk in cases]
        audited = AuditEntry.objects.filter(subject__in=subjects, action=action).count()
        lost = sum(1 for pk in set(acked) if events.get(pk, 0) == 0)
        doubled = sum(1 for n in events.values() if n > 1) + (len(acked) - len(set(acked)))
        unseen = sum(1 for pk in events if pk not in set(acked))
        total = sum(events.values())
        ok &= lost == 0 and doubled == 0 and audited == total
        lines.append(f"| {kind} | {len(acked):,} | {total:,} | {audited:,} | {lost} | {doubled} | {unseen} |")
    checked, breaks = trail.verify()
    ok &= not breaks
    lines += ["", f"The audit trail: {checked:,} entries checked, {len(breaks)} broken seals."]
    return lines, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=6000, help="applicants seeded (≥ 5,000 for the figures)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users, in each phase")
    parser.add_argument("--spawn-rate", type=int, default=10, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mix")
    parser.add_argument(
        "--bare-duration", type=int, default=None, help="seconds of the bare view, half before the mix and half after"
    )
    parser.add_argument("--think", type=float, default=0.0, help="a person's seconds between requests, on average")
    parser.add_argument("--per-actor", type=int, default=15, help="cases waiting for each clerk")
    parser.add_argument("--database", default=os.environ.get("RUSH_DATABASE", "zc_rush"))
    parser.add_argument("--postgres", default=os.environ.get("RUSH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "rush", help="the run's files and report")
    parser.add_argument("--no-static", action="store_true", help="serve without collecting the static files")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*_*.*"):
        old.unlink()

    url = fresh_database(args.postgres, args.database)
    env = server_env(url, out, collected=not args.no_static)
    manifest_path = out / "manifest.json"
    print(f"The deadline rush on {url}: {args.applicants:,} applicants, {args.users} users")
    _run([sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env, "migrated")
    seed = [sys.executable, str(BENCH / "rush_seed.py"), "--applicants", str(args.applicants)]
    seed += ["--users", str(args.users), "--per-actor", str(args.per_actor), "--manifest", str(manifest_path)]
    _run(seed, env, "seeded")
    if not args.no_static:
        _run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env, "static collected")
    load_env = env | {"RUSH_MANIFEST": str(manifest_path), "RUSH_THINK": str(args.think)}
    server, base = start_server(env, out / "gunicorn.log")
    try:
        mix_classes = ["ApplicantUser", "EmployerUser", "BureauUser", "OfficeUser"]
        half = max(1, (args.bare_duration or args.duration) // 2)
        bare = ["BareUser"]
        loads = [run_locust(base, load_env, out, "bare_before", args.users, args.spawn_rate, half, bare)]
        loads.append(run_locust(base, load_env, out, "mix", args.users, args.spawn_rate, args.duration, mix_classes))
        loads.append(run_locust(base, load_env, out, "bare_after", args.users, args.spawn_rate, half, bare))
    finally:
        stop_server(server)

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    lines = [
        f"`bench/rush.py --applicants {args.applicants} --users {args.users} --duration {args.duration} "
        f"--bare-duration {args.bare_duration or args.duration} --think {args.think:g}`",
        "",
        *report(
            read_stats(out / "mix_stats.csv"),
            merged(
                [read_stats(out / f"bare_{when}_stats.csv") for when in ("before", "after")],
                [t for when in ("before", "after") for t in read_lines(out / f"bare_{when}_times.jsonl")],
            ),
            read_lines(out / "mix_times.jsonl"),
        ),
        "",
        f"The machine's load (1-minute average, {os.cpu_count()} cores) before and after each phase: {'; '.join(loads)}.",
        "",
    ]
    os.environ.update({k: v for k, v in env.items() if k.startswith("ZHICHENG_") or k == "DATABASE_URL"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhicheng.settings"
    rows, ok = count_rows(manifest, read_lines(out / "mix_acks.jsonl"))
    lines += rows
    lines.append(_goal(ok, "no write lost or doubled, every one with its audit entry, the trail's seals whole"))
    text = "\n".join(lines)
    (out / "report.md").write_text(text + "\n", encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
