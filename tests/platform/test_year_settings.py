"""年度设置 (issue 11, item 1): the office and the city HR bureau edit the year's window (8.4), publicity minimums
(8.1, R21), pass rates (5c, R26), committee parameters and the holiday table (R21) on their own page; a change
takes effect for what comes after it, is recorded (who, when, old → new) and is refused, with nothing changed,
where it would break what exists."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.platform.conftest import World
from tests.platform.test_evaluation import Spec, accepted, office_clerk
from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation import year_settings as svc
from zhicheng.round.calendar import office_calendar
from zhicheng.round.models import EvaluationYear, HolidayArrangement, YearSettingChange
from zhicheng.round.window import window_state
from zhicheng.round.year import committee_param, year_settings

BEIJING = ZoneInfo("Asia/Shanghai")
URL = "/settings/year/"


def login(m: Membership) -> Client:
    client = Client()
    client.force_login(m.user)
    return client


def form(row: EvaluationYear, **changes: Any) -> dict[str, Any]:
    """The page's form as the clerk would post it, with the year's current values and ``changes``."""
    data: dict[str, Any] = {
        "what": "year",
        "window_start": row.window_start.isoformat(),
        "window_end": row.window_end.isoformat(),
        "publicity_min_workdays": row.publicity_min_workdays,
        "results_min_workdays": row.results_min_workdays,
    }
    for key, _ in svc.rate_keys(row.year):
        data[f"rate_{key}"] = svc.rate_percent_input((row.pass_rates or {}).get(key))
    for prow in svc.parameter_rows(row):
        data[f"param_{prow.param.key}"] = prow.input_value
    for r in svc.rubric_rows(row):
        data[f"rubric_{r['kind']}_{r['id']}"] = r["value"]
    data.update(changes)
    return data


def city_hr(world: World) -> Membership:
    return world.person("cityhr", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))


def test_office_edits_the_window_it_takes_effect_and_is_recorded_8_4(world: World) -> None:
    office = office_clerk(world)
    row = year_settings(2023)
    late = dt.datetime(2023, 11, 15, 9, 0, tzinfo=BEIJING)  # a Wednesday after the notice's 11月10日
    assert not window_state(2023, late).open
    page = login(office).get(URL).content.decode()
    assert "2023年10月16日至2023年11月10日" in page and "材料报送开始日期" in page

    response = login(office).post(URL, form(row, window_end="2023-11-17", rate_default="80"), follow=True)
    text = response.content.decode()
    assert "已保存，变更2项" in text
    row.refresh_from_db()
    assert row.window_end == dt.date(2023, 11, 17) and row.pass_rates == {"default": "0.8"}
    assert window_state(2023, late).open  # what comes after the change follows it
    assert "80%" in text and "0.8" not in text  # a rate is shown as the office says it
    change = YearSettingChange.objects.get(field="window_end")
    assert (change.before, change.after, change.changed_by) == ("2023年11月10日", "2023年11月17日", office.user)
    assert "2023年11月10日" in text and "2023年11月17日" in text  # the page's history
    entry = AuditEntry.objects.filter(action="year_settings").get()
    assert entry.actor == office.user and "材料报送截止日期：2023年11月10日 → 2023年11月17日" in entry.summary

    # The city HR bureau edits the same page; an unchanged form records nothing.
    hr = city_hr(world)
    assert "没有改动" in login(hr).post(URL, form(row), follow=True).content.decode()
    assert YearSettingChange.objects.count() == 2


def test_window_moved_after_a_received_batch_is_refused_and_nothing_changes_8_4(world: World) -> None:
    cases = accepted(world, [Spec("a1")])  # the county's batch, received (and accepted) today
    received = dt.datetime.now(BEIJING).date()
    row = year_settings(2023)
    before = (row.window_start, row.window_end, row.pass_rates)
    later = received + dt.timedelta(days=7)
    earlier = received - dt.timedelta(days=1)
    response = login(cases.office).post(
        URL, form(row, window_start=later.isoformat(), window_end=earlier.isoformat(), rate_default="90")
    )
    text = response.content.decode()
    zh = f"{received.year}年{received.month}月{received.day}日"
    assert f"已有报送批次于{zh}收到，材料报送开始日期不能再更改" in text
    assert f"已有报送批次于{zh}收到，材料报送截止日期不能提前到" in text
    assert "材料报送截止日期不能早于开始日期" in text
    assert f'value="{later.isoformat()}"' in text  # the form keeps what was typed
    row.refresh_from_db()
    assert (row.window_start, row.window_end, row.pass_rates) == before
    assert not YearSettingChange.objects.exists() and not AuditEntry.objects.filter(action="year_settings").exists()
    page = login(cases.office).get(URL).content.decode()
    assert "已收到报送批次，开始日期不能再更改" in page  # shown fixed, not only refused


def test_publicity_minimum_below_the_notice_is_refused_8_1(world: World) -> None:
    office = office_clerk(world)
    row = year_settings(2023)
    text = login(office).post(URL, form(row, publicity_min_workdays="3")).content.decode()
    assert "公示期不少于5个工作日" in text
    row.refresh_from_db()
    assert row.publicity_min_workdays == 5


@pytest.mark.parametrize("role", [Role.EMPLOYER_CLERK, Role.APPLICANT, Role.EXPERT, Role.COUNTY_HR_REVIEWER])
def test_wrong_role_gets_403_and_the_service_refuses(world: World, role: str) -> None:
    org = None
    if role in (Role.EMPLOYER_CLERK, Role.APPLICANT):
        org = world.employer("原平市测试工程有限公司")
    elif role == Role.COUNTY_HR_REVIEWER:
        org = world.area("原平市").hr_bureau
    m = world.person("someone", role, org)
    row = year_settings(2023)
    assert login(m).get(URL).status_code == 403
    assert login(m).post(URL, form(row, window_end="2023-11-30")).status_code == 403
    with pytest.raises(ActionRefused, match="只有评委会办公室或市人社局工作人员"):
        svc.add_day(m, 2023, dt.date(2099, 1, 1), "holiday", "")
    row.refresh_from_db()
    assert row.window_end == dt.date(2023, 11, 10)
    assert "年度设置" not in login(m).get("/").content.decode()


def test_holiday_row_added_changes_the_workday_count_R21(world: World, settings: Any) -> None:
    settings.ZHICHENG_TODAY = "2026-06-01"  # the days entered are ahead of the platform's date
    office = office_clerk(world)
    assert svc.read_only_source(2027) is None  # the library stops before 2027
    client = login(office)
    text = client.get(URL + "?cal=2027").content.decode()
    assert "日历库尚未收录" in text
    client.post(URL, {"what": "add_day", "day": "2027-10-01", "kind": "holiday", "note": "国庆节"})
    span = (dt.date(2027, 9, 26), dt.date(2027, 10, 8))
    counted = office_calendar().workdays_between(*span)
    assert counted == 9  # the ten weekdays of 9-27 … 10-8 less 10-1
    response = client.post(
        URL, {"what": "add_day", "day": "2027-10-04", "kind": "holiday", "note": "国庆节"}, follow=True
    )
    assert "已录入2027年10月4日" in response.content.decode()
    assert office_calendar().workdays_between(*span) == counted - 1
    client.post(URL, {"what": "add_day", "day": "2027-09-26", "kind": "workday", "note": "国庆节调休"})
    assert office_calendar().workdays_between(*span) == counted
    # a weekday is no adjusted working day; a day entered twice is refused
    text = client.post(URL, {"what": "add_day", "day": "2027-09-27", "kind": "workday"}).content.decode()
    assert "调休上班日须为周六或周日" in text
    text = client.post(URL, {"what": "add_day", "day": "2027-10-04", "kind": "holiday"}).content.decode()
    assert "2027年10月4日已经录入" in text
    assert HolidayArrangement.objects.filter(day__year=2027).count() == 3
    page = client.get(URL + "?cal=2027").content.decode()
    assert "2027年10月4日" in page and "国庆节调休" in page
    change = YearSettingChange.objects.filter(field="holiday").first()
    assert change is not None and change.changed_by == office.user
    # removing a day gives it back to the plain week
    entry = HolidayArrangement.objects.get(day=dt.date(2027, 10, 4))
    client.post(URL, {"what": "remove_day", "entry": entry.pk, "cal": "2027"})
    assert office_calendar().workdays_between(*span) == counted + 1
    assert AuditEntry.objects.filter(action__in=["holiday_added", "holiday_removed"]).count() == 4


def test_library_years_are_shown_read_only_and_refused_if_posted_R21(world: World) -> None:
    office = office_clerk(world)
    client = login(office)
    page = client.get(URL + "?cal=2023").content.decode()
    assert "以日历库（国务院办公厅部分节假日安排通知）为准（只读）" in page
    assert "2023年10月1日" in page and "国庆节" in page and "2023年10月7日" in page  # a holiday, a working Saturday
    assert 'name="day"' not in page  # no entry form for a library year
    text = client.post(URL, {"what": "add_day", "day": "2023-12-30", "kind": "workday", "note": "x"}).content.decode()
    assert "2023年的节假日安排以日历库" in text and "只能查看" in text
    assert not HolidayArrangement.objects.exists()


def test_pass_rates_as_percentages_with_each_groups_cap_R26(world: World) -> None:
    cases = accepted(world, [Spec("a1"), Spec("a2")])
    from zhicheng.evaluation.groups import build_groups

    build_groups(cases.office, 2023)
    row = year_settings(2023)
    login(cases.office).post(URL, form(row, rate_default="50"))
    page = login(cases.office).get(URL).content.decode()
    assert "50%" in page and "本组最多通过" in page and "1人" in page  # 50% of 2, rounded down
    office_page = login(cases.office).get("/evaluation/").content.decode()
    assert re.search(r"<td>2</td>\s*<td>50%</td>\s*<td>1人</td>", office_page)  # size, rate, cap of the group
    text = login(cases.office).post(URL, form(year_settings(2023), rate_default="150")).content.decode()
    assert "须大于0%且不超过100%" in text
    assert committee_param(2023, "defence_pass_mark") == 60


def test_numbers_out_of_shape_or_bounds_are_refused_in_words_not_with_an_error_page(world: World) -> None:
    office = office_clerk(world)
    client = login(office)
    assert client.get(f"{URL}?cal=0").status_code == 200
    assert client.get(f"{URL}?cal=99999").status_code == 200
    row = year_settings(2023)
    for bad, says in (("²", "须填写整数"), ("40000", "须在1至60之间")):
        answer = client.post(URL, form(row, publicity_min_workdays=bad))
        assert answer.status_code in (200, 400) and says in answer.content.decode(), bad
    assert EvaluationYear.objects.get(year=2023).publicity_min_workdays == row.publicity_min_workdays
    assert client.get("/?category=²&area=²").status_code in (200, 302)
