"""The offices live in Excel: the channel's summary table (汇总表) of its applicants, in the office's layout."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhicheng.applications.labels import LEVEL_LABELS, VALUE_LABELS
from zhicheng.applications.models import Application, Profile
from zhicheng.policy.paths import all_paths

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


def _row(n: int, app: Application) -> list[object]:
    profile = Profile.objects.filter(user=app.applicant).first()
    facts = profile.facts if profile else {}
    identity = facts.get("identity") or {}
    education = facts.get("education") or []
    top = education[-1] if education else {}
    titles = facts.get("titles") or []
    title = titles[-1] if titles else {}
    publicities = "；".join(f"{p.get_kind_display()}{p.starts_on:%Y.%m.%d}起" for p in app.publicities.order_by("kind"))
    opinions = "；".join(
        f"{s.organisation.name}：{s.opinion or '同意'}" for s in app.steps.select_related("organisation") if s.decision
    )
    return [
        n,
        identity.get("name") or str(app.applicant),
        VALUE_LABELS.get(identity.get("sex") or "", ""),
        identity.get("birth_date") or "",
        app.employer.name,
        VALUE_LABELS.get(top.get("level") or top.get("technical_school_class") or "", ""),
        top.get("major") or "",
        VALUE_LABELS.get(title.get("level") or "", ""),
        title.get("appointed_on") or title.get("granted_on") or "",
        LEVEL_LABELS.get(app.level, app.level),
        app.specialty_name,
        PATH_NAMES.get(app.path, app.path),
        publicities,
        opinions,
    ]


def summary_workbook(title: str, applications: Iterable[Application]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总表"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for n, app in enumerate(applications, start=1):
        ws.append(_row(n, app))
    for column, width in zip("ABCDEFGHIJKLMN", (6, 10, 6, 12, 28, 10, 16, 12, 14, 12, 14, 30, 40, 40), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
