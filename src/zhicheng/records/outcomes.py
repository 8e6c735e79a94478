"""Last year's outcomes (7.2, R19): the platform keeps each person's outcome of a year, so that next year the engine
reads it from the record instead of the applicant's word. The years before the platform are imported by the office
from a workbook: every row is checked first, and a workbook with any problem writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.events import record_event
from zhicheng.cases.labels import LEVEL_LABELS
from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused
from zhicheng.documents.workbooks import ImportProblem, column_letter, template_workbook
from zhicheng.records import idnumbers
from zhicheng.records.models import EvaluationOutcome, Profile

OUTCOME_BY_NAME = {label: code for code, label in EvaluationOutcome.Outcome.choices}
LEVEL_BY_NAME = {label: code for code, label in LEVEL_LABELS.items() if code != "technician"}
IMPORT_HEADERS = ["姓名", "身份证号码", "评审年度", "申报层级", "评审结果", "申报日期"]


def last_year_fact(id_number_digest: str, year: int) -> dict[str, Any] | None:
    """The engine's ``last_year`` facts for a person applying in ``year``, if the platform knows year − 1."""
    if not id_number_digest:
        return None
    record = EvaluationOutcome.objects.filter(id_number_digest=id_number_digest, year=year - 1).first()
    return record.as_fact() if record is not None else None


def record_outcome(actor: Membership, application: Application, outcome: str) -> EvaluationOutcome:
    """The platform's own record of a case's outcome, written when the year's results are confirmed (7.2)."""
    if outcome not in EvaluationOutcome.Outcome.values:
        raise ActionRefused("评审结果无效")
    profile = Profile.objects.get(user=application.applicant)
    if not profile.id_number_digest:
        raise ActionRefused("申报人未登记身份证号码，无法记录评审结果")
    record, _ = EvaluationOutcome.objects.update_or_create(
        id_number_digest=profile.id_number_digest,
        year=application.year,
        defaults={
            "id_number_masked": profile.id_number_masked,
            "name": (profile.facts.get("identity") or {}).get("name") or str(application.applicant),
            "level": application.level,
            "outcome": outcome,
            "applied_on": application.submitted_at.date() if application.submitted_at else None,
            "application": application,
            "source": "platform",
            "recorded_by": actor.user,
        },
    )
    record_event(application, actor, "outcome_recorded", payload={"outcome": outcome})
    return record


@dataclass
class ImportReport:
    written: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    name: str
    number: str
    year: int
    level: str
    outcome: str
    applied_on: dt.date | None


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))


def import_outcomes(actor: Membership, data: bytes, *, current_year: int) -> ImportReport:
    """Past years' outcomes from the office's workbook (columns IMPORT_HEADERS). All rows or none."""
    if actor.role != Role.COMMITTEE_CLERK:
        raise ActionRefused("只有评委会办公室可以导入历年评审结果")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportProblem("无法读取：请上传 Excel 工作簿（.xlsx）") from exc
    ws = wb.active
    if ws is None:
        raise ImportProblem("工作簿中没有工作表")
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(
        (i for i, r in enumerate(rows[:5]) if r and "身份证号码" in [str(c or "").strip() for c in r]), None
    )
    if header_at is None:
        raise ImportProblem("找不到表头：前五行中须有“身份证号码”列（可下载导入模板）")
    header = [str(c or "").strip() for c in rows[header_at]]
    absent = [h for h in IMPORT_HEADERS if h not in header and h != "申报日期"]
    if absent:
        raise ImportProblem("缺少列：" + "、".join(absent))
    col = {name: header.index(name) for name in IMPORT_HEADERS if name in header}
    report = ImportReport()
    parsed: list[tuple[int, _Row]] = []
    seen: dict[tuple[str, int], int] = {}

    def cell(row: tuple[Any, ...], name: str) -> Any:
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else None

    for r, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row or all(v in (None, "") for v in row):
            continue
        before = len(report.problems)

        def problem(name: str, text: str, r: int = r) -> None:
            report.problems.append(f"第{r}行{column_letter(col[name])}列（{name}）：{text}")

        name = str(cell(row, "姓名") or "").strip()
        if not name:
            problem("姓名", "姓名为空")
        number = str(cell(row, "身份证号码") or "").strip().upper()
        try:
            number = str(ric.validate(number))
        except StdnumError:
            problem(
                "身份证号码",
                f"“{number}”不是有效的居民身份证号码（校验位或格式错误；请将该列设置为“文本”格式后重新填写，"
                "否则Excel会把18位号码改成科学计数）",
            )
        year_value = cell(row, "评审年度")
        try:
            year = int(str(year_value).strip().removesuffix("年度").removesuffix("年"))
            if not 2000 <= year < current_year:
                raise ValueError
        except (TypeError, ValueError):
            year = 0
            given = "未填写" if year_value in (None, "") else f"“{year_value}”无效"  # an empty cell is None
            problem("评审年度", f"{given}，须为{current_year}年以前的年份")
        level = LEVEL_BY_NAME.get(str(cell(row, "申报层级") or "").strip(), "")
        if not level:
            problem("申报层级", "须为“" + "”或“".join(LEVEL_BY_NAME) + "”")
        outcome = OUTCOME_BY_NAME.get(str(cell(row, "评审结果") or "").strip(), "")
        if not outcome:
            problem("评审结果", "须为“" + "”“".join(OUTCOME_BY_NAME) + "”之一")
        applied_on: dt.date | None = None
        if "申报日期" in col:
            try:
                applied_on = _date(cell(row, "申报日期"))
            except ValueError:
                problem("申报日期", f"“{cell(row, '申报日期')}”不是日期（如2022-10-20）")
        if outcome == "failed_defence" and applied_on is None and "申报日期" in col:
            problem("申报日期", "答辩未通过的须填申报日期（7.2：新论文须在其后）")
        if len(report.problems) > before:
            continue
        key = (number, year)
        if key in seen:
            report.problems.append(f"第{r}行：与第{seen[key]}行重复（同一人同一年度）")
            continue
        seen[key] = r
        parsed.append((r, _Row(name, number, year, level, outcome, applied_on)))
    keyed = {(idnumbers.digest(row.number), row.year): (r, row) for r, row in parsed}
    existing = EvaluationOutcome.objects.filter(id_number_digest__in=[d for d, _ in keyed])
    for record in existing:
        hit = keyed.get((record.id_number_digest, record.year))
        if hit is not None:
            report.problems.append(f"第{hit[0]}行：{hit[1].name} {hit[1].year}年度的评审结果已有记录，不重复导入")
    if report.problems:
        return report  # nothing is written while any row has a problem
    try:
        _write(actor, parsed)
    except IntegrityError:
        report.problems.append("导入时另有人员同时录入了其中的评审结果，未导入任何记录；请刷新后重新导入")
        return report
    report.written = len(parsed)
    return report


def _write(actor: Membership, parsed: list[tuple[int, _Row]]) -> None:
    with transaction.atomic():
        for _, item in parsed:
            EvaluationOutcome.objects.create(
                id_number_digest=idnumbers.digest(item.number),
                id_number_masked=idnumbers.mask(item.number),
                name=item.name,
                year=item.year,
                level=item.level,
                outcome=item.outcome,
                applied_on=item.applied_on,
                source="import",
                recorded_by=actor.user,
            )
        trail.record(
            AuditEntry.Kind.STATE_CHANGE,
            "outcomes_import",
            user=actor.user,
            role=actor.role,
            subject="历年评审结果",
            summary=f"导入历年评审结果{len(parsed)}条",
        )


def import_template() -> bytes:
    """An empty workbook in the import's layout, with what each column takes on a second sheet."""
    return template_workbook(
        "历年评审结果",
        IMPORT_HEADERS,
        [
            ("身份证号码", "18位居民身份证号码（校验位须正确）；模板中该列已是“文本”格式，请勿改为数字"),
            ("评审年度", "如 2022"),
            ("申报层级", "、".join(LEVEL_BY_NAME)),
            ("评审结果", "、".join(OUTCOME_BY_NAME)),
            ("申报日期", "如 2022-10-20；答辩未通过的必填（7.2）"),
        ],
    )
