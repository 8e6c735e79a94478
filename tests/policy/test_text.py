"""字数 (R16) and personal information in anonymous texts (R18)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zhicheng.policy.text import count_chars, personal_info_hits


def test_cjk_characters_count_one_each() -> None:
    assert count_chars("工程师") == 3


def test_latin_and_digit_runs_count_one_each() -> None:
    assert count_chars("采用 BIM 技术，节约 2000 万元") == 2 + 1 + 2 + 2 + 1 + 2


def test_punctuation_and_spaces_do_not_count() -> None:
    assert count_chars("，。、；：“”（）《》 \n\t!?.,") == 0


def test_full_width_digits_form_a_run() -> None:
    assert count_chars("２０２３年") == 2


@given(st.text(alphabet="工程师。， ", max_size=50))
def test_count_is_the_number_of_ideographs(text: str) -> None:
    assert count_chars(text) == sum(ch in "工程师" for ch in text)


def test_name_employer_and_county_are_found() -> None:
    text = "本人张建国，现就职于忻州市建设工程有限公司，长期在忻府区从事施工管理。"
    hits = personal_info_hits(text, name="张建国", employer="忻州市建设工程有限公司", county="忻府区")
    assert hits == ["name", "employer", "county"]


def test_county_without_its_suffix_is_found_and_spaces_do_not_hide_a_name() -> None:
    assert personal_info_hits("在原平从事矿山工作", county="原平市") == ["county"]
    assert personal_info_hits("张 建 国 主持了该项目", name="张建国") == ["name"]


def test_clean_text_has_no_hits() -> None:
    assert personal_info_hits("本人主持完成了某大桥的施工组织设计。", name="张建国", county="忻府区") == []


def test_hits_the_platforms_names_short_forms_and_id_numbers_R18() -> None:
    """The employer as the platform holds it, without its company ending, and any ID number (3.9, 5b, R18)."""
    text = "本人在忻州市建设工程从事施工管理，身份证14220119880512100X。"
    assert personal_info_hits(text, employers=("忻州市建设工程有限公司",)) == ["employer", "id_number"]
    assert personal_info_hits("在原平主持项目", counties=("原平市",)) == ["county"]
    assert personal_info_hits("编号12345678901234567890不是身份证号码") == []


# The probe's finding 1 (issue 10): formatting hid the employer and the ID number from the check (5b, R18).
PROBE = "本人长期从事水利工程施工。" * 160 + "我单位水利建筑工程有限公司承建了该工程，身份证号142201-19880512-0314。"


def test_the_probes_text_is_found_despite_its_formatting_R18() -> None:
    assert len(PROBE) > 2000
    hits = personal_info_hits(PROBE, employers=("忻州市水利建筑工程有限公司",))
    assert hits == ["employer", "id_number"]


def test_full_width_digits_and_any_grouping_of_an_id_number_R18() -> None:
    assert personal_info_hits("证件：１４２２０１１９８８０５１２０３１４") == ["id_number"]
    assert personal_info_hits("142 201 1988 0512 100x") == ["id_number"]
    assert personal_info_hits("1422 0119 8805 1203 14") == ["id_number"]


def test_separators_and_spaces_between_a_names_characters_R18() -> None:
    assert personal_info_hits("张·建　国负责技术", name="张建国") == ["name"]
    assert personal_info_hits("张\u200b建国", name="张建国") == ["name"]
    assert personal_info_hits("在五 台从事施工", county="五台县") == ["county"]


def test_phone_numbers_in_any_grouping_R18() -> None:
    assert personal_info_hits("联系电话 139-0350-1234") == ["phone"]
    assert personal_info_hits("办公电话（0350）3031234") == ["phone"]
    assert personal_info_hits("完成投资2000万元，工期18个月，共3期") == []


def test_an_employers_core_is_found_with_an_organisations_ending_only_R18() -> None:
    employer = ("忻州市建设工程有限公司",)
    # "建设工程" is a short core: as a field of work it names no one, as a company it does.
    assert personal_info_hits("长期从事建设工程领域的质量管理", employers=employer) == []
    assert personal_info_hits("在建设工程公司任技术负责人", employers=employer) == ["employer"]
    # However long, a core alone is a field of work ("水利建筑工程施工"); with a company's ending it names the employer.
    long_name = ("山西省忻州市水利建筑工程有限公司",)
    assert personal_info_hits("长期从事水利建筑工程施工", employers=long_name) == []
    assert personal_info_hits("在水利建筑工程公司任职", employers=long_name) == ["employer"]


def test_numbers_that_only_look_like_an_id_or_a_phone_number_are_not_hits_R18() -> None:
    """From review: an amount, a date range and a list of years are not personal information."""
    assert personal_info_hits("合同额138,000,000.00元") == []
    assert personal_info_hits("工期2018.05.12-2019.10.30，2020年竣工") == []
    assert personal_info_hits("13812345678，2019年") == ["phone"]
    assert personal_info_hits("手机+86 138 1234 5678") == ["phone"]
    assert personal_info_hits("手机138–1234–5678") == ["phone"]


@given(st.sampled_from(" -·　_/.–\u200b"), st.integers(min_value=1, max_value=17))
def test_one_separator_anywhere_in_an_id_number_hides_nothing_R18(sep: str, at: int) -> None:
    number = "142201198805120314"
    assert "id_number" in personal_info_hits(f"编号{number[:at]}{sep}{number[at:]}")
