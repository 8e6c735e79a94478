"""Queries per page at 10, 1,000 and 5,000 cases (issue 12): the channels' pages and summaries, the office's desk,
batch summaries and export, the results pages — seeded as tests/platform/test_query_counts.py seeds them, in the
database of DATABASE_URL (SQLite in var/ by default; migrate first), inside a transaction rolled back at the end.

    .venv/bin/python bench/queries.py                 # 10, 1,000 and 5,000 cases
    .venv/bin/python bench/queries.py --sizes 10 100  # quicker
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 5000], help="cases per channel")
    sizes = sorted(parser.parse_args().sizes)

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from tests.platform import test_query_counts as q
    from tests.platform.conftest import World, verify_second_factor

    setup_test_environment()  # the test client's host, as in the tests
    plain = Client.force_login

    # As the tests' fixture does: signed in with the password and the second factor, so each page is the page.
    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        plain(self, user, backend)
        verify_second_factor(self, user)

    Client.force_login = force_login  # type: ignore[method-assign,assignment]

    def table(rows: dict[str, list[int]], label: str) -> list[str]:
        out = []
        for page, counts in rows.items():
            role, url = page.split(" ", 1)
            url = re.sub(
                rf"/(?!{q.YEAR}/)\d+/", "/<pk>/", url
            )  # the largest batch, the desk's case: their numbers vary by run
            out.append(f"| `{url}` {role}{label} | " + " | ".join(str(c) for c in counts) + " |")
        return out

    def measure(posted: bool, keep: Callable[[str], bool]) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = {}
        with transaction.atomic():
            s = q.scene(World())
            if posted:
                q.post_results(s)
            pages = [(m, url) for m, urls in s.pages().items() for url in urls if keep(url)]
            if posted:
                pages.append((None, f"/public/results/{q.YEAR}/"))

            def counts() -> dict[str, int]:
                return {
                    f"{m.role if m else 'public'} {url}": q.count(q.client_for(m) if m else Client(), url)
                    for m, url in pages
                }

            have = 0
            q.grow(s, 0)
            counts()  # the first visit fills the process's caches
            for n in sizes:
                q.grow(s, n - have)
                have = n
                for page, c in counts().items():
                    rows.setdefault(page, []).append(c)
                # A long run shows what it has so far (5,000 cases take minutes).
                print(f"… {n} cases measured", *table(rows, ""), sep="\n", file=sys.stderr, flush=True)
            transaction.set_rollback(True)  # the database is left as it was
        return rows

    before = measure(False, lambda url: True)
    after = measure(True, lambda url: "results" in url)
    print(f"Database: {connection.vendor}; cases per channel and for the results, each size added to the last.\n")
    print("| page | " + " | ".join(f"{n:,}" for n in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    for label, rows in (("", before), (" (after the publicity)", after)):
        print(*table(rows, label), sep="\n")


if __name__ == "__main__":
    main()
