"""The year's settings and its pack: what every stage asks the round for."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from zhicheng.policy.pack import Pack, load_pack, pack_for_year
from zhicheng.round.models import EvaluationYear


def current_pack() -> Pack:
    """The pack of the year the platform is running (``ZHICHENG_YEAR``)."""
    return pack_for_year(settings.ZHICHENG_YEAR)


def year_settings(year: int) -> EvaluationYear:
    """The office's settings for a year, made from the year's pack the first time they are asked for (two requests
    at once make one row)."""
    found = EvaluationYear.objects.filter(year=year).first()
    if found is not None:
        return found
    pack = pack_for_year(year)
    params = pack.meta.parameters
    try:
        with transaction.atomic():
            made, _ = EvaluationYear.objects.get_or_create(
                year=year,
                defaults={
                    "pack": pack.id,
                    "window_start": params.receiving_window.start.value,
                    "window_end": params.receiving_window.end.value,
                    "publicity_min_workdays": params.publicity.min_workdays.value,
                    "results_min_workdays": params.publicity.results_min_workdays.value,
                },
            )
    except IntegrityError:
        made = EvaluationYear.objects.get(year=year)
    return made


def year_pack(year: int) -> Pack:
    """The pack the office put in force for the year (its year settings), so the office's choice is the source."""
    return load_pack(year_settings(year).pack)


def pack_committee_param(year: int, key: str) -> Any:
    """The pack's value of one of the committee's parameters, before the office's setting."""
    return year_pack(year).param(f"evaluation.{key}").value


def committee_param(year: int, key: str) -> Any:
    """One of the committee's parameters for the year (quorum, pass fraction, experts per group …): the office's
    value in the year settings where it set one, else the pack's."""
    overrides = year_settings(year).parameters or {}
    if key in overrides:
        return overrides[key]
    return pack_committee_param(year, key)


def committee_fraction(year: int, key: str) -> Fraction:
    return Fraction(str(committee_param(year, key)))


def lock_year(year: int) -> EvaluationYear:
    """The year's row, locked until the caller's transaction ends: steps that must not cross (a case accepted while
    the vote begins) take it first, so one waits for the other and then sees what it did."""
    year_settings(year)
    return EvaluationYear.objects.select_for_update().get(year=year)
