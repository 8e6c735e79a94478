"""The year's settings as the office edits them (issue 11, item 1): the receiving window (8.4), the publicity
minimums (8.1, R21), the groups' pass rates (5c, R26), the committee's parameters (R23–R25, R28) and the holiday
table of the years the calendar library does not cover (R21).

It lives on the evaluation's floor because its refusals read what the round has already made: the batches the
office received (intake), the scores submitted and the vote opened (here). The round keeps the data; every stage
reads them when it acts, so a change takes effect for what comes after it and never rewrites what was done.
Every change is kept twice: a row of the settings' own history (who, when, old → new, as the clerk reads them) and
an entry of the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from zhicheng.accounts.models import Membership
from zhicheng.accounts.roles import Role
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.models import TITLE_RANK, Expert, Group, Score
from zhicheng.intake.models import SubmissionBatch
from zhicheng.policy.calendar import load_extra_years
from zhicheng.round import clock, milestones
from zhicheng.round.clock import zh_date
from zhicheng.round.models import EvaluationYear, HolidayArrangement, YearSettingChange
from zhicheng.round.parameters import BY_KEY, OFFICE_PARAMETERS, TITLE_NAMES, OfficeParameter, shown
from zhicheng.round.year import lock_year, pack_committee_param, year_pack

SETTINGS_ROLES = frozenset({Role.COMMITTEE_CLERK, Role.CITY_HR_OFFICER})

# The rate keys every year has, besides one per defence group (5c).
RATE_LABELS = {"default": "各组通用通过率", "grassroots": "基层一线和艰苦边远地区组通过率"}


def may_edit(actor: Membership | None) -> bool:
    return actor is not None and actor.role in SETTINGS_ROLES


def _editor(actor: Membership) -> None:
    if not may_edit(actor):
        raise ActionRefused("只有评委会办公室或市人社局工作人员可以修改年度设置")


# ── reading: what the page shows ───────────────────────────────────────────────────────────────────────


def percent(value: Any) -> str:
    """0.8 → 80%; 2/3 → 66.67%: a rate as the office says it."""
    if value is None:
        return "未设置"
    number = float(Fraction(str(value))) * 100
    return f"{round(number, 2):g}%"


def rate_percent_input(value: Any) -> str:
    """The rate as the form's field holds it (80 for 0.8), empty when unset."""
    if value is None:
        return ""
    return percent(value).removesuffix("%")


@dataclass(frozen=True)
class ParameterRow:
    param: OfficeParameter
    pack_value: Any
    value: Any
    overridden: bool

    @property
    def pack_shown(self) -> str:
        return shown(self.param, self.pack_value)

    @property
    def value_shown(self) -> str:
        return shown(self.param, self.value)

    @property
    def input_value(self) -> str:
        if self.param.kind == "weights":
            return f"{round(float(self.value.get('defence', 0)) * 100, 2):g}"
        return str(self.value)


def parameter_rows(row: EvaluationYear) -> list[ParameterRow]:
    out = []
    for param in OFFICE_PARAMETERS:
        pack_value = pack_committee_param(row.year, param.key)
        overridden = param.key in (row.parameters or {})
        out.append(ParameterRow(param, pack_value, row.parameters[param.key] if overridden else pack_value, overridden))
    return out


RUBRIC_KINDS = {"defence": "答辩评分表", "quantified": "量化赋分表"}


def pack_rubric(year: int, kind: str) -> list[Any]:
    items: list[Any] = year_pack(year).param(f"evaluation.{kind}_rubric").value
    return items


def rubric_rows(row: EvaluationYear) -> list[dict[str, Any]]:
    """Each item of the two sheets with the pack's maximum and the year's (R24)."""
    maxima = (row.parameters or {}).get("rubric_max", {})
    out = []
    for kind, sheet in RUBRIC_KINDS.items():
        for item in pack_rubric(row.year, kind):
            value = maxima.get(kind, {}).get(item.id, item.max)
            out.append(
                {"kind": kind, "sheet": sheet, "id": item.id, "name": item.name, "pack": item.max, "value": value}
            )
    return out


def _rubric_shown(year: int, maxima: dict[str, dict[str, int]]) -> str:
    parts = []
    for kind, sheet in RUBRIC_KINDS.items():
        items = pack_rubric(year, kind)
        parts.append(sheet + "：" + "、".join(f"{i.name}{maxima.get(kind, {}).get(i.id, i.max)}分" for i in items))
    return "；".join(parts)


def parse_rubric(year: int, data: Any) -> dict[str, dict[str, int]]:
    """The maxima posted as ``rubric_<kind>_<id>``; a field left out keeps the pack's maximum."""
    out: dict[str, dict[str, int]] = {}
    reasons = []
    for kind, sheet in RUBRIC_KINDS.items():
        for item in pack_rubric(year, kind):
            text = str(data.get(f"rubric_{kind}_{item.id}", "") or "").strip()
            if not text:
                continue
            if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
                reasons.append(f"{sheet}「{item.name}」的满分须为1至100之间的整数")
                continue
            out.setdefault(kind, {})[item.id] = int(text)
    if reasons:
        raise ActionRefused(*reasons)
    return out


def national_rules(year: int) -> list[tuple[str, str, str]]:
    """The vote's national rules (R22): shown beside the office's parameters, never edited here."""
    quorum = pack_committee_param(year, "quorum_fraction")
    passing = pack_committee_param(year, "pass_fraction")
    return [
        ("出席评审会议的委员比例", percent(quorum), "评审会议须有三分之二以上评委会委员出席（人社部令第40号）"),
        ("表决通过所需同意票比例", percent(passing), "同意票数达到出席评审会议的评审专家总数三分之二以上即为通过"),
    ]


def receipts(year: int) -> tuple[dt.date | None, dt.date | None]:
    """The days (Beijing time) the office received its first and its last batch of the year."""
    found = SubmissionBatch.objects.filter(year=year).aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    first, last = found["first"], found["last"]
    return (
        timezone.localtime(first).date() if first else None,
        timezone.localtime(last).date() if last else None,
    )


def rate_keys(year: int) -> list[tuple[str, str]]:
    keys = list(RATE_LABELS.items())
    for group in Group.objects.filter(year=year).order_by("code"):
        keys.append((group.code, f"{group.name}（本组单独设置）"))
    return keys


# ── writing the year's row ─────────────────────────────────────────────────────────────────────────────


@dataclass
class YearForm:
    """What the office posted, already read into values (the view turns the form's text into these)."""

    window_start: dt.date
    window_end: dt.date
    publicity_min_workdays: int
    results_min_workdays: int
    pass_rates: dict[str, Decimal | None]  # percentages, None = not set
    parameters: dict[str, Any]  # office parameter key → value in the pack's own form
    rubric_max: dict[str, dict[str, int]] | None = None  # "defence"/"quantified" → item id → maximum (R24)


def _fraction_text(pct: Decimal) -> str:
    return format((pct / 100).normalize(), "f")


def parse_percent(text: str, label: str) -> Decimal | None:
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ActionRefused(f"{label}须填写0到100之间的数字（如80表示80%）") from exc
    if not value.is_finite() or not 0 < value <= 100:
        raise ActionRefused(f"{label}须大于0%且不超过100%（如80表示80%）")
    return value


def parse_parameter(param: OfficeParameter, text: str) -> Any:
    text = text.strip()
    if param.kind == "title":
        if text not in dict(TITLE_NAMES) or TITLE_RANK.get(text, 0) < TITLE_RANK["senior_engineer"]:
            raise ActionRefused(f"{param.label}须为高级工程师或正高级工程师")
        return text
    try:
        number = Decimal(text.removesuffix("%"))
    except InvalidOperation as exc:
        raise ActionRefused(f"{param.label}须填写数字") from exc
    if not number.is_finite() or not param.low <= number <= param.high:
        raise ActionRefused(f"{param.label}须在{param.low}至{param.high}{param.unit}之间")
    if param.kind == "weights":
        defence = number / 100
        return {"defence": float(defence), "quantified": float(1 - defence)}
    if number != number.to_integral_value():
        raise ActionRefused(f"{param.label}须为整数")
    return int(number)


def _refusals(row: EvaluationYear, form: YearForm, changed: set[str]) -> list[str]:
    """Every reason the change may not happen (all of them at once, so the clerk corrects the form in one go)."""
    year = row.year
    pack = year_pack(year)
    reasons: list[str] = []
    if form.window_end < form.window_start:
        reasons.append("材料报送截止日期不能早于开始日期")
    first, last = receipts(year)
    if "window_start" in changed and first is not None:
        # Once a batch is in, the first day of receipt is a fact the round was judged on (R1: 2.1.2's reference
        # day for retirement and the other exclusions): it stays as it was.
        reasons.append(
            f"已有报送批次于{zh_date(first)}收到，材料报送开始日期不能再更改"
            "（申报条件以开始受理之日为界，已收到的材料不能落在报送时间之外）"
        )
    if "window_end" in changed and last is not None and form.window_end < last:
        reasons.append(
            f"已有报送批次于{zh_date(last)}收到，材料报送截止日期不能提前到{zh_date(form.window_end)}"
            "（已收到的材料不能落在报送时间之外）"
        )
    least = pack.param("publicity.min_workdays").value
    if form.publicity_min_workdays < least:
        reasons.append(f"公示期不少于{least}个工作日（通知八（一））")
    least_results = pack.param("publicity.results_min_workdays").value
    if form.results_min_workdays < least_results:
        reasons.append(f"评审结果公示期不少于{least_results}个工作日")
    if "results_min_workdays" in changed and milestones.reached(year, milestones.RESULTS_POSTED):
        reasons.append("评审结果已公示，结果公示期不能再更改")
    voting = milestones.reached(year, milestones.MEETING_OPENED)
    if "pass_rates" in changed and voting:
        reasons.append("评审会议已开始表决，各组通过率不能再更改")
    for key in sorted(changed & set(BY_KEY)):
        param = BY_KEY[key]
        if param.fixed_after == "meeting" and voting:
            reasons.append(f"评审会议已开始表决，“{param.label}”不能再更改")
        if param.fixed_after == "scores" and Score.objects.filter(candidate__year=year).exists():
            reasons.append(f"已有专家提交评分，“{param.label}”本年度不能再更改")
    if "rubric_max" in changed and Score.objects.filter(candidate__year=year).exists():
        reasons.append("已有专家提交评分，评分表各项满分本年度不能再更改")
    if "rubric_max" in changed and Group.objects.filter(year=year).exists():
        # The computed items were written with the maxima in force when the groups were built (kept per candidate).
        reasons.append("答辩组已经编排，量化赋分已按原评分表计算，评分表各项满分不能再更改")
    if "expert_min_title" in changed:
        need = TITLE_RANK[str(form.parameters["expert_min_title"])]
        below = Expert.objects.filter(year=year).select_related("user")
        names = [str(e.user) for e in below if TITLE_RANK.get(e.title, 0) < need]
        if names:
            reasons.append(
                f"专家库中{'、'.join(names)}的职称低于{TITLE_NAMES[str(form.parameters['expert_min_title'])]}，"
                "不能提高最低职称要求"
            )
    if "expert_max_term_years" in changed:
        years = int(form.parameters["expert_max_term_years"])
        longer = [
            str(e.user)
            for e in Expert.objects.filter(year=year).select_related("user")
            if e.term_end > clock.add_years(e.term_start, years)
        ]
        if longer:
            reasons.append(f"专家库中{'、'.join(longer)}的任期超过{years}年，不能缩短任期上限")
    return reasons


def _rates_from(form: YearForm) -> dict[str, str]:
    return {k: _fraction_text(v) for k, v in form.pass_rates.items() if v is not None}


def _overrides_from(row: EvaluationYear, form: YearForm) -> dict[str, Any]:
    """Only the values that differ from the pack: a key left out keeps following the pack."""
    out = {}
    for param in OFFICE_PARAMETERS:
        if param.key not in form.parameters:
            if param.key in (row.parameters or {}):
                out[param.key] = row.parameters[param.key]
            continue
        value = form.parameters[param.key]
        if value != pack_committee_param(row.year, param.key):
            out[param.key] = value
    maxima = _rubric_from(row, form)
    if maxima:
        out["rubric_max"] = maxima
    return out


def _rubric_from(row: EvaluationYear, form: YearForm) -> dict[str, dict[str, int]]:
    """The maxima that differ from the pack's (the form's, or the stored ones when the form has none)."""
    posted = form.rubric_max if form.rubric_max is not None else (row.parameters or {}).get("rubric_max", {})
    out: dict[str, dict[str, int]] = {}
    for kind in RUBRIC_KINDS:
        for item in pack_rubric(row.year, kind):
            value = posted.get(kind, {}).get(item.id)
            if value is not None and int(value) != item.max:
                out.setdefault(kind, {})[item.id] = int(value)
    return out


def save_year(actor: Membership, year: int, form: YearForm) -> list[YearSettingChange]:
    """Save what changed, or nothing with every reason. Returns the changes recorded (empty if none)."""
    _editor(actor)
    with transaction.atomic():
        row = lock_year(year)
        before = _snapshot(row)
        rates = _rates_from(form)
        overrides = _overrides_from(row, form)
        after = {
            "window_start": form.window_start,
            "window_end": form.window_end,
            "publicity_min_workdays": form.publicity_min_workdays,
            "results_min_workdays": form.results_min_workdays,
            "pass_rates": rates,
        }
        changed = {k for k, v in after.items() if before[k] != v}
        if _same_rates(row.pass_rates or {}, rates):
            changed.discard("pass_rates")
        old_params = {
            p.key: (row.parameters or {}).get(p.key, pack_committee_param(year, p.key)) for p in OFFICE_PARAMETERS
        }
        new_params = {p.key: overrides.get(p.key, pack_committee_param(year, p.key)) for p in OFFICE_PARAMETERS}
        changed |= {k for k in old_params if old_params[k] != new_params[k]}
        old_rubric = (row.parameters or {}).get("rubric_max", {})
        new_rubric = overrides.get("rubric_max", {})
        if old_rubric != new_rubric:
            changed.add("rubric_max")
        if not changed:
            return []
        reasons = _refusals(row, form, changed)
        if reasons:
            raise ActionRefused(*reasons)
        row.window_start, row.window_end = form.window_start, form.window_end
        row.publicity_min_workdays = form.publicity_min_workdays
        row.results_min_workdays = form.results_min_workdays
        row.pass_rates = rates
        row.parameters = overrides
        try:
            row.full_clean()
        except ValidationError as exc:  # the model's own bounds, in its Chinese words, as a refusal like the others
            raise ActionRefused(*[f"{m}" for messages in exc.message_dict.values() for m in messages]) from exc
        row.save()
        made = []
        for key in sorted(changed):
            if key == "rubric_max":
                label, old, new = "评分表各项满分", _rubric_shown(year, old_rubric), _rubric_shown(year, new_rubric)
            elif key in BY_KEY:
                param = BY_KEY[key]
                label, old, new = param.label, shown(param, old_params[key]), shown(param, new_params[key])
            else:
                label, old, new = FIELD_LABELS[key], _shown(key, before[key]), _shown(key, after[key])
            made.append(_change(actor, year, key, label, old, new))
        # The audit entry last: it takes the trail's lock until commit, so nothing is locked after it.
        _audit(actor, year, "year_settings", made)
    return made


FIELD_LABELS = {
    "window_start": "材料报送开始日期",
    "window_end": "材料报送截止日期",
    "publicity_min_workdays": "公示期最少工作日",
    "results_min_workdays": "评审结果公示期最少工作日",
    "pass_rates": "各组通过率",
}


def _same_rates(old: dict[str, Any], new: dict[str, str]) -> bool:
    """The stored rates (0.8, "4/5", 1.0) and the posted ones read as the same fractions."""
    if set(old) != set(new):
        return False
    try:
        return all(Fraction(str(old[k])) == Fraction(new[k]) for k in new)
    except (ValueError, ZeroDivisionError):
        return False


def _snapshot(row: EvaluationYear) -> dict[str, Any]:
    return {
        "window_start": row.window_start,
        "window_end": row.window_end,
        "publicity_min_workdays": row.publicity_min_workdays,
        "results_min_workdays": row.results_min_workdays,
        "pass_rates": dict(row.pass_rates or {}),
    }


def _shown(key: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return zh_date(value)
    if key == "pass_rates":
        names = dict(RATE_LABELS)
        parts = [f"{names.get(k, f'答辩组{k}')}：{percent(v)}" for k, v in sorted(value.items())]
        return "；".join(parts) or "未设置"
    if key.endswith("_workdays"):
        return f"{value}个工作日"
    return str(value)


def _change(actor: Membership, year: int, key: str, label: str, old: str, new: str) -> YearSettingChange:
    return YearSettingChange.objects.create(
        year=year,
        field=key,
        label=label,
        before=old[:300],
        after=new[:300],
        changed_by=actor.user,
        role=actor.role,
    )


def _audit(actor: Membership, year: int, action: str, made: list[YearSettingChange]) -> None:
    trail.record(
        AuditEntry.Kind.ADMINISTRATION,
        action,
        user=actor.user,
        role=actor.role,
        subject=f"{year}年度设置",
        summary="；".join(f"{c.label}：{c.before or '无'} → {c.after or '无'}" for c in made),
        payload={"changes": [{"field": c.field, "before": c.before, "after": c.after} for c in made]},
    )


# ── the holiday table (R21) ────────────────────────────────────────────────────────────────────────────


def library_covers(year: int) -> bool:
    """The chinese-calendar library has the State Council's arrangement for the year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def read_only_source(year: int) -> str | None:
    """Where a year's arrangement comes from when the office may not edit it, or None when it is the office's."""
    if library_covers(year):
        return "日历库（国务院办公厅部分节假日安排通知）"
    if year in dict(load_extra_years()):
        return "平台随附的节假日安排文件"
    return None


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    kind: str
    note: str
    pk: int | None = None

    @property
    def shown(self) -> str:
        return zh_date(self.day)

    @property
    def kind_label(self) -> str:
        return dict(HolidayArrangement.Kind.choices)[self.kind]


def year_days(year: int) -> list[DayRow]:
    """The year's arrangement: the library's (or the file's) days read-only, or the days the office entered."""
    if library_covers(year):
        rows = [
            DayRow(d, HolidayArrangement.Kind.HOLIDAY, _holiday_name(n))
            for d, n in chinese_calendar.holidays.items()
            if d.year == year
        ]
        rows += [
            DayRow(d, HolidayArrangement.Kind.WORKDAY, _holiday_name(n))
            for d, n in chinese_calendar.workdays.items()
            if d.year == year and d.weekday() >= 5
        ]
        return sorted(rows, key=lambda r: r.day)
    extra = dict(load_extra_years()).get(year)
    if extra is not None:
        rows = [DayRow(d, HolidayArrangement.Kind.HOLIDAY, "") for d in extra.holidays]
        rows += [DayRow(d, HolidayArrangement.Kind.WORKDAY, "") for d in extra.workdays]
        return sorted(rows, key=lambda r: r.day)
    return [
        DayRow(h.day, h.kind, h.note, h.pk) for h in HolidayArrangement.objects.filter(day__year=year).order_by("day")
    ]


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(name: Any) -> str:
    text = str(name) if name else ""
    return HOLIDAY_NAMES.get(text, "" if text.isascii() else text)


def office_entries(year: int) -> list[DayRow]:
    """The days entered in the table for a year the library covers (corrections, the demo's working weekends):
    shown so that nothing the calendar counts is hidden."""
    return [
        DayRow(h.day, h.kind, h.note, h.pk) for h in HolidayArrangement.objects.filter(day__year=year).order_by("day")
    ]


def _editable_day(day: dt.date) -> None:
    source = read_only_source(day.year)
    if source is not None:
        raise ActionRefused(f"{day.year}年的节假日安排以{source}为准，只能查看，不能在此录入或删除")
    if day <= clock.today():
        raise ActionRefused(f"{zh_date(day)}已经过去，按原安排计算的期限不变，不能再录入或删除")


def add_day(actor: Membership, year: int, day: dt.date, kind: str, note: str) -> HolidayArrangement:
    """A day of the State Council's arrangement for a year the library does not cover (R21)."""
    _editor(actor)
    if kind not in HolidayArrangement.Kind.values:
        raise ActionRefused("请选择“放假（休息日）”或“调休上班”")
    _editable_day(day)
    if kind == HolidayArrangement.Kind.WORKDAY and day.weekday() < 5:
        raise ActionRefused(f"{zh_date(day)}是工作日，无需录入为调休上班；调休上班日须为周六或周日")
    note = note.strip()
    if len(note) > 100:
        raise ActionRefused(f"说明不能超过100个字符，现为{len(note)}个")
    with transaction.atomic():
        lock_year(year)  # one clerk's entry at a time, as the year's other settings
        if HolidayArrangement.objects.filter(day=day).exists():
            raise ActionRefused(f"{zh_date(day)}已经录入，如需更改请先删除该日")
        entry = HolidayArrangement.objects.create(day=day, kind=kind, note=note)
        made = _change(
            actor, year, "holiday", "节假日安排", "", f"{zh_date(day)} {entry.get_kind_display()} {note}".strip()
        )
        _audit(actor, year, "holiday_added", [made])
    return entry


def remove_day(actor: Membership, year: int, pk: int) -> None:
    _editor(actor)
    with transaction.atomic():
        lock_year(year)
        entry = HolidayArrangement.objects.select_for_update().filter(pk=pk).first()
        if entry is None:
            raise ActionRefused("该日期不在节假日安排表中")
        _editable_day(entry.day)
        made = _change(
            actor,
            year,
            "holiday",
            "节假日安排",
            f"{zh_date(entry.day)} {entry.get_kind_display()} {entry.note}".strip(),
            "",
        )
        entry.delete()
        _audit(actor, year, "holiday_removed", [made])
