"""Helpers every workbook the platform reads or writes shares."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def column_letter(index: int) -> str:
    """The Excel column (A, B, … AA) of a 0-based index."""
    return get_column_letter(index + 1)


class ImportProblem(ValueError):
    """A workbook that cannot be read at all."""
