"""Helpers every workbook the platform reads or writes shares."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def column_letter(index: int) -> str:
    """The Excel column (A, B, … AA) of a 0-based index."""
    return get_column_letter(index + 1)


class ImportProblem(ValueError):
    """A workbook that cannot be read at all."""


# A cell that begins with one of these is read by Excel and LibreOffice as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run as a formula is written with a leading apostrophe,
    which the spreadsheet shows as text (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
