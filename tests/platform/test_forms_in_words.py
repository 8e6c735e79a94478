"""Forms in the applicant's words (issue 11, item 4): the notice's list of achievements to choose from, its level
and award kind only where they decide (3.5.1 (6), (11)), the title series by name, the new application's paths of
one level with the self-check's verdict, and the employer's appraisal ticked from the same catalogue (6.1.2b)."""

from __future__ import annotations

import re

from django.test import Client

from tests.platform.conftest import World
from zhicheng.cases.labels import in_chinese, problem_in_words
from zhicheng.records.models import Profile


def _achievements(**row: str) -> dict[str, str]:
    data = {"achievements-TOTAL_FORMS": "1", "achievements-INITIAL_FORMS": "0"}
    return data | {f"achievements-0-{k}": v for k, v in row.items()}


def test_achievements_are_chosen_from_the_notice_list_and_the_level_is_kept_only_where_it_decides(
    world: World,
) -> None:
    applicant = world.applicant("applicant", world.employer("原平市业绩测试公司"))
    client = Client()
    client.force_login(applicant.user)
    page = client.get("/profile/achievements/").content.decode()
    # 3.5.1 (1)–(16) and 3.5.2 (1)–(2), by the notice's numbers and words, the ids kept behind as option values.
    assert '<optgroup label="申报工程师（3.5.1）">' in page and '<optgroup label="申报助理工程师（3.5.2）">' in page
    assert re.search(r'<option value="3\.5\.1\.1">（1）市级以上或大型企业科研', page)
    assert re.search(r'<option value="3\.5\.1\.16">（16）', page) and re.search(
        r'<option value="3\.5\.2\.2">（2）', page
    )
    assert "作为主要技术骨干及以上人员参与完成过1项市级以上科研项目" in page  # the notice's own text (3.5.1 (1))
    assert 'list="achievement-roles"' in page and '<option value="项目负责人">' in page  # the roles 3.5 names
    for code in ("scope:", "award_kind:", "city_or_above</", "design_award</"):
        assert code not in page
    assert "成果级别" in page and "市级、行业及以上" in page and "优秀设计奖" in page
    # 3.5.1 (1) is decided by no level: the level given is not kept. 3.5.1 (11) is decided by both.
    row = {"role": "项目负责人", "achieved_on": "2021-05-01", "scope": "enterprise", "award_kind": "design_award"}
    assert client.post("/profile/achievements/", _achievements(clause="3.5.1.1", **row)).status_code == 302
    saved = Profile.objects.get(user=applicant.user).facts["achievements"]
    assert saved == [{"clause": "3.5.1.1", "role": "项目负责人", "achieved_on": "2021-05-01"}]
    assert client.post("/profile/achievements/", _achievements(clause="3.5.1.11", **row)).status_code == 302
    saved = Profile.objects.get(user=applicant.user).facts["achievements"]
    assert saved[0]["scope"] == "enterprise" and saved[0]["award_kind"] == "design_award"
    # 3.5.1 (6) is decided by the level, not by the award kind.
    assert client.post("/profile/achievements/", _achievements(clause="3.5.1.6", **row)).status_code == 302
    saved = Profile.objects.get(user=applicant.user).facts["achievements"]
    assert saved[0]["scope"] == "enterprise" and "award_kind" not in saved[0]
    # A clause that is not in the list is refused beside the field, with what was typed kept.
    bad = client.post("/profile/achievements/", _achievements(clause="3.9.9", role="项目经理"))
    assert bad.status_code == 200 and "选择一个有效的选项" in bad.content.decode()
    assert 'value="项目经理"' in bad.content.decode()
    assert Profile.objects.get(user=applicant.user).facts["achievements"] == saved


def test_a_title_series_is_chosen_by_its_name(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市系列测试公司"))
    client = Client()
    client.force_login(applicant.user)
    page = client.get("/profile/titles/").content.decode()
    assert '<option value="economics">经济</option>' in page and '<option value="engineering"' in page
    assert "转系列（专业）只能平级转换" in page  # the notice's words as help
    assert "年度考核和任职期满考核" in client.get("/profile/annual_assessments/").content.decode()


def test_the_new_application_lists_each_path_of_the_level_once_with_the_self_check(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市路径测试公司"))
    client = Client()
    client.force_login(applicant.user)
    page = client.get("/applications/new/?level=engineer").content.decode()
    paths = page[page.index('data-testid="paths"') :]
    assert paths.count("取得职业资格认定相应层级职称") == 2  # once in the list, once in the table of verdicts
    assert "中专或中级工班及以上相关学历，确定技术员" not in paths  # another level's path
    assert "自查结果" in paths and re.search(r"不符合条件|符合条件|信息不全", paths)
    # A refused post keeps the level and every choice made.
    posted = {"level": "assistant_engineer", "path": "no-such-path", "employment_kind": "dispatched", "entrusted": "1"}
    again = client.post("/applications/new/", posted).content.decode()
    assert '<option value="assistant_engineer" selected>' in again
    assert '<option value="dispatched" selected>' in again and 'value="1" checked' in again
    assert "请选择申报层级和该层级的申报路径" in again


def test_the_engine_reasons_are_shown_without_their_english_asides() -> None:
    assert in_chinese("校验位错误 (wrong check digit)") == "校验位错误"
    assert in_chinese("符合条件（3.5.1）") == "符合条件（3.5.1）"
    assert problem_in_words("(profile)", "申报正在审核中") == "申报正在审核中"
    assert problem_in_words("education[0].graduated_on", "日期无效 (bad date)") == "学历第1条·毕业日期：日期无效"


def test_an_empty_cell_or_rate_is_said_as_not_filled_never_as_none(world: World) -> None:
    """“None”无效 was the message of an empty year cell in the outcomes workbook and of an empty pass rate."""
    import io

    import pytest
    from openpyxl import Workbook

    from zhicheng.accounts.roles import Role
    from zhicheng.records.outcomes import import_outcomes
    from zhicheng.round.rates import pass_rate_value

    office = world.person("office", Role.COMMITTEE_CLERK, None)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号码", "评审年度", "申报层级", "评审结果", "申报日期"])
    ws.append(["张建国", "142201198805120314", None, "工程师", "答辩未通过", "2022-10-20"])
    buffer = io.BytesIO()
    wb.save(buffer)
    text = "\n".join(import_outcomes(office, buffer.getvalue(), current_year=2023).problems)
    assert "第2行C列（评审年度）：未填写" in text and "None" not in text
    with pytest.raises(ValueError, match="通过率未填写") as refused:
        pass_rate_value(None)
    assert "None" not in str(refused.value)


def test_a_wrong_id_number_is_refused_in_chinese_beside_its_field(world: World) -> None:
    applicant = world.applicant("applicant", world.employer("原平市号码测试公司"))
    client = Client()
    client.force_login(applicant.user)
    page = client.post("/profile/identity/", {"name": "张建国", "id_number": "142201198805120315"}).content.decode()
    assert "校验位错误" in page and "wrong check digit" not in page
    assert 'value="张建国"' in page  # what was typed is kept
