"""Statutory retirement dates (2.1.2, R6), against the public vectors the ruling lists."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.policy.pack import load_pack
from zhicheng.policy.retirement import retirement_date_for

PACK = load_pack()


@pytest.mark.parametrize(
    ("birth", "category", "expected"),
    [
        ("1965-01-15", "male", "2025-02-15"),
        ("1965-12-01", "male", "2026-03-01"),
        ("1971-04-10", "female55", "2026-08-10"),
        ("1995-12-20", "female50", "2050-12-20"),
        ("1964-02-29", "male", "2024-02-29"),
        ("1964-12-31", "male", "2024-12-31"),
        ("1969-12-31", "female55", "2024-12-31"),
        ("1974-12-31", "female50", "2024-12-31"),
        ("1975-01-31", "female50", "2025-02-28"),  # birth day clamped to the month's end
        ("1980-01-01", "male", "2043-01-01"),  # capped at +36 months: 63
        ("1990-06-15", "female55", "2048-06-15"),  # capped: 58
    ],
)
def test_retirement_vectors(birth: str, category: str, expected: str) -> None:
    got = retirement_date_for(dt.date.fromisoformat(birth), category, PACK)
    assert got == dt.date.fromisoformat(expected)


def test_unknown_category() -> None:
    with pytest.raises(ValueError, match="female55"):
        retirement_date_for(dt.date(1970, 1, 1), "female60", PACK)
