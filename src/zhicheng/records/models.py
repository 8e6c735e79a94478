"""The person across years: the applicant's facts (the profile), integrity records (8.2, R20) and past years' outcomes
(7.2, R19). The engine's facts for a case are assembled from these three (``records.facts``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhicheng.policy.facts import BAN_YEARS_MAX, DOCUMENT_NUMBER_MAX, NAME_MAX, YEAR_MAX, YEAR_MIN


class Profile(models.Model):
    """One applicant's facts — the engine's facts model, kept as validated JSON — and the encrypted ID number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile")
    facts = models.JSONField("申报信息", default=dict, blank=True)
    id_number_cipher = models.TextField(blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField("身份证号码", max_length=18, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报人信息"
        # One person, one account: two clerks enrolling the same ID number at the same instant cannot both succeed.
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="one_profile_per_id_number",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


def profile_of(user: Any) -> Profile | None:
    """The person's profile, or None: read through the user's cached relation, so that a list which fetched the
    profiles with its rows (select_related or prefetch_related of ``applicant__profile``) reads none per row."""
    try:
        return cast(Profile, user.profile)
    except Profile.DoesNotExist:
        return None


class IntegrityRecord(models.Model):
    """A finding against a person, found again by the keyed digest of their ID number (never the number itself)."""

    class Kind(models.TextChoices):
        FALSE_MATERIALS = "false_materials", "提供虚假材料"
        PLAGIARISM = "plagiarism", "剽窃他人作品和学术成果"
        IMPROPER_MEANS = "improper_means", "其他不正当手段"

    id_number_digest = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=NAME_MAX)
    kind = models.CharField("情形", max_length=30, choices=Kind.choices)
    found_on = models.DateField("查实日期")
    cancelled_year = models.PositiveSmallIntegerField(
        "取消评审资格的年度",
        null=True,
        blank=True,
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
    )
    title_revoked = models.BooleanField("撤销已取得的职称", default=False)
    ban_years = models.PositiveSmallIntegerField(
        "取消申报资格年限", default=0, validators=[MaxValueValidator(BAN_YEARS_MAX)]
    )
    document = models.CharField("处理文件文号", max_length=DOCUMENT_NUMBER_MAX, blank=True)
    note = models.TextField("情况说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "诚信档案记录"
        ordering: ClassVar = ["-found_on", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(ban_years__lte=BAN_YEARS_MAX), name="ban_at_most_three_years"),
            # One finding is one person, one kind, one day it was found: the same finding posted twice at once is
            # recorded once (integrity.record_finding answers the second as already recorded).
            models.UniqueConstraint(
                fields=["id_number_digest", "kind", "found_on"], name="one_finding_per_person_kind_day"
            ),
        ]

    def kept_until(self, record_years: int) -> dt.date:
        """The record is kept for ``record_years`` (8.2: 3 years)."""
        try:
            return self.found_on.replace(year=self.found_on.year + record_years)
        except ValueError:  # 29 February
            return self.found_on.replace(year=self.found_on.year + record_years, day=28)

    def as_fact(self) -> dict[str, object]:
        """The engine's fact (facts.IntegrityRecord) for this record."""
        fact: dict[str, object] = {
            "found_on": self.found_on.isoformat(),
            "kind": self.kind,
            "ban_years": self.ban_years,
        }
        if self.cancelled_year:
            fact["cancelled_year"] = self.cancelled_year
        return fact


class EvaluationOutcome(models.Model):
    """A person's outcome of one year's evaluation, kept for the next year's rule (7.2, R19). Written by the platform
    when a year's results are confirmed, or imported by the office for the years before the platform."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "评审通过"
        FAILED_DEFENCE = "failed_defence", "答辩未通过"
        FAILED_COMMITTEE = "failed_committee", "评委会综合评价未通过"
        WITHDRAWN = "withdrawn", "撤回或未参评"

    id_number_digest = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=NAME_MAX)
    year = models.PositiveSmallIntegerField("评审年度")
    level = models.CharField("申报层级", max_length=30)
    outcome = models.CharField("评审结果", max_length=30, choices=Outcome.choices)
    applied_on = models.DateField("申报日期", null=True, blank=True)
    application = models.ForeignKey(
        "cases.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=10, choices=[("platform", "本平台"), ("import", "导入")])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "历年评审结果"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["id_number_digest", "year"], name="one_outcome_per_person_year")
        ]

    def as_fact(self) -> dict[str, object]:
        """The engine's ``last_year`` facts (facts.LastYear) this record settles; new achievements stay declared."""
        fact: dict[str, object] = {"applied": True, "level": self.level, "outcome": self.outcome}
        if self.applied_on:
            fact["applied_on"] = self.applied_on.isoformat()
        return fact
