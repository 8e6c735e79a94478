"""The offices live in Excel: the channel's summary table (汇总表) of its applicants, in the office's layout."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.db.models import Prefetch, prefetch_related_objects

from zhicheng.applications.models import Publicity, ReviewStep
from zhicheng.cases.kinds import case_kind
from zhicheng.cases.labels import LEVEL_LABELS, VALUE_LABELS
from zhicheng.cases.models import Application
from zhicheng.documents import pdf
from zhicheng.documents.workbooks import ImportProblem, Sheet, as_date, column_letter, office_workbook
from zhicheng.policy.paths import all_paths
from zhicheng.records.models import profile_of

HEADERS = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "工作单位",
    "学历",
    "所学专业",
    "现职称",
    "取得（聘任）时间",
    "申报层级",
    "申报专业",
    "申报路径",
    "三公示时间",
    "审核意见",
]
PATH_NAMES = {p.id: p.name for p in all_paths()}


def _with_what_rows_read(applications: Iterable[Application]) -> list[Application]:
    """The cases with all a row reads fetched beside them — a query per relation, not per row: a county's batch
    holds hundreds."""
    apps = list(applications)
    prefetch_related_objects(
        apps,
        "applicant__profile",
        "employer",
        Prefetch("publicities", queryset=Publicity.objects.order_by("kind")),
        Prefetch("steps", queryset=ReviewStep.objects.select_related("organisation")),
    )
    return apps


def _row(n: int, app: Application) -> list[object]:
    profile = profile_of(app.applicant)
    facts = profile.facts if profile else {}
    identity = facts.get("identity") or {}
    education = facts.get("education") or []
    top = education[-1] if education else {}
    titles = facts.get("titles") or []
    title = titles[-1] if titles else {}
    publicities = "；".join(f"{p.get_kind_display()}{p.starts_on:%Y.%m.%d}起" for p in app.publicities.all())
    opinions = "；".join(f"{s.organisation.name}：{s.opinion or '同意'}" for s in app.steps.all() if s.decision)
    return [
        n,
        identity.get("name") or str(app.applicant),
        VALUE_LABELS.get(identity.get("sex") or "", ""),
        as_date(identity.get("birth_date") or ""),
        app.employer.name,
        VALUE_LABELS.get(top.get("level") or top.get("technical_school_class") or "", ""),
        top.get("major") or "",
        VALUE_LABELS.get(title.get("level") or "", ""),
        as_date(title.get("appointed_on") or title.get("granted_on") or ""),
        LEVEL_LABELS.get(app.level, app.level),
        app.specialty_name,
        PATH_NAMES.get(app.path, app.path),
        publicities,
        opinions,
    ]


def summary_rows(applications: Iterable[Application]) -> list[list[object]]:
    return [_row(n, app) for n, app in enumerate(_with_what_rows_read(applications), start=1)]


def summary_workbook(title: str, applications: Iterable[Application]) -> bytes:
    """The summary table of one batch (or of what a channel has yet to send) as a workbook."""
    return office_workbook([Sheet("汇总表", title, HEADERS, summary_rows(applications))])


def batches_workbook(title: str, batches: Sequence[tuple[str, Sequence[Application]]]) -> bytes:
    """A channel's summary tables, one sheet per batch it sent (the city HR bureau sends one per entrustment
    letter): each batch is numbered and filed on its own."""
    every = [a for _, apps in batches for a in apps]  # read together: the rows' relations in one query each
    rows = {a.pk: row for a, row in zip(every, summary_rows(every), strict=True)}
    sheets = []
    for name, apps in batches:
        numbered = [[n, *rows[a.pk][1:]] for n, a in enumerate(apps, start=1)]
        sheets.append(Sheet(name, f"{title}（{name}）", HEADERS, numbered))
    return office_workbook(sheets)


def printed(value: object) -> str:
    """A cell's value as the notice writes it on paper: dates as 2023年10月16日."""
    return f"{value.year}年{value.month}月{value.day}日" if isinstance(value, dt.date) else str(value)


def summary_pdf(title: str, applications: Iterable[Application]) -> bytes:
    """The same table, printable: A4 landscape, CJK text in the PDF's built-in CID font (no font file needed)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle

    font = pdf.cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    head = ParagraphStyle("head", fontName=font, fontSize=14, leading=18, alignment=1)
    data = [[pdf.para(h, cell) for h in HEADERS]]
    data += [[pdf.para(printed(v), cell) for v in row] for row in summary_rows(applications)]
    table = pdf.table(data, [22, 40, 22, 50, 90, 40, 55, 40, 50, 45, 50, 80, 110, 110])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=20, rightMargin=20, topMargin=24, bottomMargin=24, title=title
    )
    doc.build([pdf.para(title, head), Spacer(1, 8), table])
    return buffer.getvalue()


LIST_HEADERS = ["编号", "申报人", "用人单位", "属地", "层级", "申报专业", "申报类别", "申报路径", "状态", "报送单位"]


def list_workbook(title: str, applications: Iterable[Application]) -> bytes:
    """Any list the office sees, as a workbook."""
    rows = (
        [
            app.pk,
            str(app.applicant),
            app.employer.name,
            app.area.name,
            LEVEL_LABELS.get(app.level, app.level),
            app.specialty_name,
            case_kind(app),
            PATH_NAMES.get(app.path, app.path),
            app.get_state_display(),
            entry.batch.channel.name if (entry := getattr(app, "batch_entry", None)) else "",
        ]
        for app in applications
    )
    return office_workbook([Sheet("列表", title, LIST_HEADERS, rows)])


def check_applicant_list(data: bytes, applications: Iterable[Application]) -> dict[str, list[str]]:
    """A channel's own applicant list against the platform: who is missing on either side, who differs — each
    problem by row and column. Nothing is written: the platform's records are not changed by a workbook."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportProblem("无法读取：请上传 Excel 工作簿（.xlsx）") from exc
    ws = wb.active
    if ws is None:
        raise ImportProblem("工作簿中没有工作表")
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(
        (i for i, r in enumerate(rows) if r and "姓名" in [str(c).strip() for c in r if c is not None]), None
    )
    if header_at is None:
        raise ImportProblem("找不到表头：第一行或第二行须有“姓名”列（可使用本系统下载的汇总表）")
    header = [str(c).strip() if c is not None else "" for c in rows[header_at]]
    col = {name: i for i, name in enumerate(header) if name}
    ours: dict[str, Application] = {}
    found_in = list(applications)
    prefetch_related_objects(found_in, "applicant__profile", "employer")
    for app in found_in:
        profile = profile_of(app.applicant)
        name = ((profile.facts.get("identity") or {}).get("name") if profile else None) or str(app.applicant)
        ours[name] = app
    problems: list[str] = []
    seen: set[str] = set()
    for r, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row or all(v in (None, "") for v in row):
            continue
        name = str(row[col["姓名"]] or "").strip()
        if not name:
            problems.append(f"第{r}行{column_letter(col['姓名'])}列：姓名为空")
            continue
        seen.add(name)
        found = ours.get(name)
        if found is None:
            problems.append(f"第{r}行：{name} 在本系统中没有待报送或已报送的申报")
            continue
        checks = {
            "工作单位": found.employer.name,
            "申报专业": found.specialty_name,
            "申报层级": LEVEL_LABELS.get(found.level, found.level),
        }
        for column, expected in checks.items():
            if column in col:
                given = str(row[col[column]] or "").strip()
                if given and given != expected:
                    problems.append(
                        f"第{r}行{column_letter(col[column])}列（{column}）：表中为“{given}”，系统中为“{expected}”"
                    )
    missing = [n for n in ours if n not in seen]
    return {"problems": problems, "missing_from_list": missing}
