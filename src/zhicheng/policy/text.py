"""Text checks: 字数 as word processors count it (R16) and personal information in anonymous texts (R18)."""

from __future__ import annotations

import re

# CJK ideographs (〇, basic, extension A, compatibility, extensions B–F): each is one 字.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# A run of Latin letters or digits (half- or full-width) is one 字, as a word processor counts a word.
_WORD = "A-Za-z0-9\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_TOKEN = re.compile(f"[{_CJK}]|[{_WORD}]+")
_COUNTY_SUFFIX = re.compile(r"(自治县|县|市|区)$")


def count_chars(text: str) -> int:
    """字数 (R16): each CJK character counts 1, each run of Latin letters or digits 1; punctuation and spaces 0."""
    return len(_TOKEN.findall(text))


# What each kind of hit is called in a clerk's message.
HIT_LABELS = {"name": "姓名", "employer": "工作单位", "county": "县（市、区）", "id_number": "身份证号码"}
# The endings an employer's name is often written without: 忻州市建设工程有限公司 → 忻州市建设工程.
_EMPLOYER_SUFFIX = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司|总公司|分公司)$")
# A mainland resident ID number anywhere in a text: it is personal information whosever it is.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def personal_info_hits(
    text: str,
    *,
    name: str | None = None,
    employer: str | None = None,
    county: str | None = None,
    employers: tuple[str, ...] = (),
    counties: tuple[str, ...] = (),
) -> list[str]:
    """The applicant's name, employer, county or an ID number found in a text that must be anonymous (3.9, 5b, R18).
    ``employers`` and ``counties`` add the names the platform itself holds beside those the applicant declared; an
    employer is also found without its company ending, a county without its 县/市/区."""
    hits: list[str] = []
    needles: list[tuple[str, str]] = []
    if name:
        needles.append(("name", name.strip()))
    for one in (employer, *employers):
        if one and one.strip():
            one = one.strip()
            needles.append(("employer", one))
            short = _EMPLOYER_SUFFIX.sub("", one)
            if short != one and len(short) >= 4:
                needles.append(("employer", short))
    for one in (county, *counties):
        if one and one.strip():
            one = one.strip()
            needles.append(("county", one))
            short = _COUNTY_SUFFIX.sub("", one)
            if short != one and len(short) >= 2:
                needles.append(("county", short))
    compact = re.sub(r"\s+", "", text)
    for kind, needle in needles:
        if needle and needle in compact and kind not in hits:
            hits.append(kind)
    if _ID_NUMBER.search(compact):
        hits.append("id_number")
    return hits
