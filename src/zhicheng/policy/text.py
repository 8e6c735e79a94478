"""Text checks: 字数 as word processors count it (R16) and personal information in anonymous texts (R18)."""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn import ric

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
HIT_LABELS = {
    "name": "姓名",
    "employer": "工作单位",
    "county": "县（市、区）",
    "id_number": "身份证号码",
    "phone": "电话号码",
}
# The endings an employer's name is often written without: 忻州市建设工程有限公司 → 忻州市建设工程.
_EMPLOYER_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团有限公司|集团公司|集团|总公司|分公司|公司|研究院|设计院|院|研究所|所|局|厂|中心)$"
)
# Leading place names an employer is often written without: 山西省忻州市水利建筑工程有限公司 → 水利建筑工程.
_PLACE_PREFIX = re.compile(r"^(.{2,7}?(省|自治区|市|地区|盟|州|县|旗|区))")
# An employer's core ("建设工程", "水利建筑工程") is also a field of work: it is found only with an organisation's ending
# after it (水利建筑工程有限公司, 建设工程公司), never alone.
_ORG_ENDING = r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|院|所|局|厂|中心|单位)"
# What a writer may put between the digits of a number or the characters of a name to break a naive match.
_SEPARATORS = re.compile(r"[\s\-_.,，、·•・/\\|()（）\[\]【】<>《》\"'“”‘’:：;；~～*#=+]+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
# A mainland resident ID number: area (6), birth date (8, 19xx or 20xx), order (3), check (digit or X); a run
# that looks like one is taken as one only when its check digit is right (a date range such as
# 2018.05.12-2019.10.30 has the shape but, ten times in eleven, not the check digit).
_ID_NUMBER = re.compile(r"(?=(\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]))")
# A mobile number (1[3-9] and 9 digits, with or without +86) or a landline with its area code (0 and 9–11 digits),
# not inside a longer number.
_PHONE = re.compile(r"(?<!\d)(?:86)?(?:1[3-9]\d{9}|0[1-9]\d{8,10})(?!\d)")
# What a writer puts between the groups of one number (spaces, hyphens and dashes, dots and slashes, brackets round
# an area code); commas and 、 are left, so that a list or an amount (138,000,000.00元) stays apart.
_NUMBER_GAPS = re.compile(r"[\s\-_‐‑‒–—―−－()（）+＋·•・/.]+")


def normalise(text: str) -> str:
    """The text as the check reads it: full-width forms folded to half-width (NFKC), invisible characters and
    every separator or space removed, Latin letters upper-cased. ``张 · 建 国`` reads 张建国, ``１４２２０１-1988 0512``
    reads 1422011988 0512 without its gaps."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _INVISIBLE.sub("", folded)
    return _SEPARATORS.sub("", folded).upper()


def employer_needles(employer: str) -> list[tuple[str, bool]]:
    """The forms an employer's name is found in, each with whether it may stand alone: the full name, the name less
    its ending, and its distinctive core (less the place names before it and the ending after it)."""
    full = normalise(employer)
    if not full:
        return []
    out: list[tuple[str, bool]] = [(full, True)]
    short = _EMPLOYER_SUFFIX.sub("", full)
    if short != full and len(short) >= 4:
        out.append((short, True))
    core = short
    while (stripped := _PLACE_PREFIX.sub("", core, count=1)) != core and len(stripped) >= 2:
        core = stripped
    if core != short and len(core) >= 2:
        out.append((core, False))
    return out


def _found(needle: str, alone: bool, text: str) -> bool:
    if alone:
        return needle in text
    return re.search(re.escape(needle) + _ORG_ENDING, text) is not None


def personal_info_hits(
    text: str,
    *,
    name: str | None = None,
    employer: str | None = None,
    county: str | None = None,
    employers: tuple[str, ...] = (),
    counties: tuple[str, ...] = (),
) -> list[str]:
    """The applicant's name, employer, county, an ID number or a phone number found in a text that must be anonymous
    (3.9 "不得出现姓名、工作单位等个人信息", 5b, R18). ``employers`` and ``counties`` add the names the platform itself
    holds beside those the applicant declared. The text and the names are read normalised (``normalise``), so
    full-width forms, spaces and separators hide nothing; an employer is also found by its distinctive core, a
    county without its 县/市/区; ID and phone numbers are found in any grouping."""
    compact = normalise(text)
    hits: list[str] = []
    needles: list[tuple[str, str, bool]] = []
    if name and normalise(name):
        needles.append(("name", normalise(name), True))
    for one in (employer, *employers):
        if one:
            needles.extend(("employer", needle, alone) for needle, alone in employer_needles(one))
    for one in (county, *counties):
        if one and (full := normalise(one)):
            needles.append(("county", full, True))
            short = _COUNTY_SUFFIX.sub("", full)
            if short != full and len(short) >= 2:
                needles.append(("county", short, True))
    for kind, needle, alone in needles:
        if kind not in hits and _found(needle, alone, compact):
            hits.append(kind)
    numbers = _NUMBER_GAPS.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).upper()
    if any(ric.is_valid(m.group(1)) for m in _ID_NUMBER.finditer(numbers)):
        hits.append("id_number")
    if _PHONE.search(numbers):
        hits.append("phone")
    return hits
