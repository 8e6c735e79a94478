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
    text = "本人在忻州市建设工程从事施工管理，身份证14220119880512031X。"
    assert personal_info_hits(text, employers=("忻州市建设工程有限公司",)) == ["employer", "id_number"]
    assert personal_info_hits("在原平主持项目", counties=("原平市",)) == ["county"]
    assert personal_info_hits("编号12345678901234567890不是身份证号码") == []
