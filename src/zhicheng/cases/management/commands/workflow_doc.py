"""Write the workflow table and diagram into docs/platform.md from the transitions table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zhicheng.cases.workflow import markdown

BEGIN = "<!-- workflow: generated from cases/workflow.py by `python manage.py workflow_doc`; do not edit by hand -->"
END = "<!-- end of workflow -->"


def updated(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + markdown() + "\n" + text[end:]


class Command(BaseCommand):
    help = "Regenerate the workflow table and diagram in docs/platform.md."

    def handle(self, *args: Any, **options: Any) -> None:
        doc = Path(settings.PROJECT_DIR) / "docs" / "platform.md"
        doc.write_text(updated(doc.read_text(encoding="utf-8")), encoding="utf-8")
        self.stdout.write(f"updated {doc}")
