"""Load the demo data for `make run` (zhicheng.demo). Safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhicheng.demo import seed
from zhicheng.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Load demo organisations, accounts (one per role) and applications at each stage."

    def handle(self, *args: Any, **options: Any) -> None:
        if not seed.load(self.stdout):
            self.stdout.write("demo data already loaded")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data loaded; every demo account's password: {DEMO_PASSWORD}; the privileged accounts' "
                f"TOTP secret (two-step sign-in, add it to an authenticator app): {DEMO_TOTP_SECRET}"
            )
        )
