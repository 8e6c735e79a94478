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


def personal_info_hits(
    text: str, *, name: str | None = None, employer: str | None = None, county: str | None = None
) -> list[str]:
    """The applicant's name, employer or county found in a text that must be anonymous (3.9, 5b, R18)."""
    hits: list[str] = []
    needles: list[tuple[str, str]] = []
    if name:
        needles.append(("name", name.strip()))
    if employer:
        needles.append(("employer", employer.strip()))
    if county:
        county = county.strip()
        needles.append(("county", county))
        short = _COUNTY_SUFFIX.sub("", county)
        if short != county and len(short) >= 2:
            needles.append(("county", short))
    compact = re.sub(r"\s+", "", text)
    for kind, needle in needles:
        if needle and needle in compact and kind not in hits:
            hits.append(kind)
    return hits
