"""The year settings page (年度设置) of the committee office and the city HR bureau: a thin page over
evaluation.year_settings, which checks the role and every refusal again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from zhicheng.accounts.models import Membership
from zhicheng.cases.pages import posted_date, posted_int, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation import year_settings as svc
from zhicheng.evaluation.caps import cap
from zhicheng.evaluation.models import Group, Score
from zhicheng.policy.calendar import CalendarYearMissing
from zhicheng.round import milestones
from zhicheng.round.calendar import office_calendar
from zhicheng.round.clock import zh_date
from zhicheng.round.models import HolidayArrangement, YearSettingChange
from zhicheng.round.parameters import OFFICE_PARAMETERS, TITLE_CHOICES
from zhicheng.round.year import year_pack, year_settings


def _membership(request: HttpRequest) -> Membership | None:
    membership: Membership | None = getattr(request, "membership", None)
    return membership


def _int(data: QueryDict, name: str, label: str, most: int = 60) -> int:
    """A count of days or years the office types: digits only (not ² or ５), and within what a round can hold."""
    text = (data.get(name) or "").strip()
    if not (text.isascii() and text.isdigit()):
        raise ActionRefused(f"{label}须填写整数")
    if not 1 <= int(text) <= most:
        raise ActionRefused(f"{label}须在1至{most}之间")
    return int(text)


def _form_from(data: QueryDict, year: int) -> svc.YearForm:
    """Every field read, every problem named at once (the view shows them all next to the form it keeps)."""
    reasons: list[str] = []
    values: dict[str, Any] = {}

    def read(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ActionRefused as exc:
            reasons.extend(exc.reasons)
            return None

    values["window_start"] = read("window_start", posted_date, data, "window_start", "材料报送开始日期")
    values["window_end"] = read("window_end", posted_date, data, "window_end", "材料报送截止日期")
    values["publicity"] = read("p", _int, data, "publicity_min_workdays", "公示期最少工作日")
    values["results"] = read("r", _int, data, "results_min_workdays", "评审结果公示期最少工作日")
    rates: dict[str, Any] = {}
    for key, label in svc.rate_keys(year):
        rates[key] = read(key, svc.parse_percent, data.get(f"rate_{key}", ""), label)
    params: dict[str, Any] = {}
    for param in OFFICE_PARAMETERS:
        value = read(param.key, svc.parse_parameter, param, data.get(f"param_{param.key}", ""))
        if value is not None:
            params[param.key] = value
    rubric_max = read("rubric", svc.parse_rubric, year, data)
    if reasons:
        raise ActionRefused(*reasons)
    return svc.YearForm(
        window_start=values["window_start"],
        window_end=values["window_end"],
        publicity_min_workdays=values["publicity"],
        results_min_workdays=values["results"],
        pass_rates=rates,
        parameters=params,
        rubric_max=rubric_max,
    )


def _calendar_years(row: Any) -> list[int]:
    years = {row.window_start.year, row.window_end.year, row.window_end.year + 1}
    years |= {d.year for d in HolidayArrangement.objects.dates("day", "year")}
    return sorted(years)


def _window_workdays(row: Any) -> str:
    try:
        n = office_calendar().workdays_between(row.window_start, row.window_end)
    except CalendarYearMissing as exc:
        return f"无法计算：{exc.year}年的节假日安排尚未录入，请在下方“节假日安排”中录入"
    return f"报送期内共{n}个工作日（公休日除外）"


@login_required
def page(request: HttpRequest) -> HttpResponse:
    actor = _membership(request)
    if not svc.may_edit(actor):
        raise PermissionDenied("只有评委会办公室或市人社局工作人员可以查看和修改年度设置")
    assert actor is not None
    year = settings.ZHICHENG_YEAR
    posted: QueryDict | None = None
    if request.method == "POST":
        what = request.POST.get("what", "")
        try:
            if what == "year":
                made = svc.save_year(actor, year, _form_from(request.POST, year))
                messages.success(request, f"已保存，变更{len(made)}项，对此后的办理生效" if made else "没有改动")
            elif what == "add_day":
                day = posted_date(request.POST, "day", "日期")
                svc.add_day(actor, year, day, request.POST.get("kind", ""), request.POST.get("note", ""))
                messages.success(request, f"已录入{zh_date(day)}")
                return redirect(f"{request.path}?cal={day.year}#holidays")
            elif what == "remove_day":
                svc.remove_day(actor, year, posted_int(request.POST, "entry"))
                messages.success(request, "已删除该日期")
                return redirect(f"{request.path}?cal={request.POST.get('cal', '')}#holidays")
            else:
                raise ActionRefused("未知的操作")
        except ActionRefused as exc:
            refused(request, exc)
            posted = request.POST  # the form keeps what the clerk typed
        else:
            return redirect(request.path)
    return render(request, "evaluation/year_settings.html", _context(year, posted, request.GET.get("cal")))


def _context(year: int, posted: QueryDict | None, cal: str | None) -> dict[str, Any]:
    row = year_settings(year)
    pack = year_pack(year)
    rates = row.pass_rates or {}
    groups = {g.code: g for g in Group.objects.filter(year=year)}
    rate_rows = []
    for key, label in svc.rate_keys(year):
        group = groups.get(key)
        stored = rates.get(key)
        rate_rows.append(
            {
                "key": key,
                "label": label,
                "value": posted.get(f"rate_{key}", "") if posted else svc.rate_percent_input(stored),
                "shown": svc.percent(stored),
                "cap": cap(group) if group is not None else None,
                "size": group.candidates.count() if group is not None else None,
            }
        )
    params: list[dict[str, Any]] = []
    for prow in svc.parameter_rows(row):
        value = posted.get(f"param_{prow.param.key}", "") if posted else prow.input_value
        params.append({"row": prow, "value": value})
    years = _calendar_years(row)
    try:
        cal_year = int(cal) if cal else row.window_start.year
    except ValueError:
        cal_year = row.window_start.year
    if not 2000 <= cal_year <= 2100:  # a year a calendar can be entered for; anything else shows the round's own
        cal_year = row.window_start.year
    if cal_year not in years:
        years = sorted({*years, cal_year})
    first, last = svc.receipts(year)
    voting = milestones.reached(year, milestones.MEETING_OPENED)
    scored = Score.objects.filter(candidate__year=year).exists()
    for p in params:
        # What may no longer change is shown fixed (the service refuses it all the same).
        shown_row: svc.ParameterRow = p["row"]
        p["fixed"] = voting or (shown_row.param.fixed_after == "scores" and scored)
    return {
        "voting": voting,
        "start_fixed": first is not None,
        "year": year,
        "row": row,
        "pack_name": pack.meta.name,
        "notice": pack.meta.notice,
        "pack_window": (
            zh_date(pack.param("receiving_window.start").value),
            zh_date(pack.param("receiving_window.end").value),
        ),
        "pack_publicity": pack.param("publicity.min_workdays").value,
        "pack_results": pack.param("publicity.results_min_workdays").value,
        "values": {
            "window_start": posted.get("window_start", "") if posted else row.window_start.isoformat(),
            "window_end": posted.get("window_end", "") if posted else row.window_end.isoformat(),
            "publicity_min_workdays": posted.get("publicity_min_workdays", "")
            if posted
            else row.publicity_min_workdays,
            "results_min_workdays": posted.get("results_min_workdays", "") if posted else row.results_min_workdays,
        },
        "window_shown": f"{zh_date(row.window_start)}至{zh_date(row.window_end)}",
        "window_workdays": _window_workdays(row),
        "first_receipt": zh_date(first) if first else None,
        "last_receipt": zh_date(last) if last else None,
        "rate_rows": rate_rows,
        "params": params,
        "rubric": [
            {**r, "value": posted.get(f"rubric_{r['kind']}_{r['id']}", "") if posted else r["value"]}
            for r in svc.rubric_rows(row)
        ],
        "rubric_fixed": scored or Group.objects.filter(year=year).exists(),
        "titles": TITLE_CHOICES,
        "national": svc.national_rules(year),
        "cal_years": years,
        "cal_year": cal_year,
        "cal_source": svc.read_only_source(cal_year),
        "cal_days": svc.year_days(cal_year),
        "cal_entries": svc.office_entries(cal_year) if svc.read_only_source(cal_year) else [],
        "kinds": HolidayArrangement.Kind.choices,
        "changes": YearSettingChange.objects.filter(year=year).select_related("changed_by")[:50],
    }
