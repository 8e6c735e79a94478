"""The committee office's year, its working-day calendar, the receiving window and the submission batches (8.4)."""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhicheng.accounts.models import Organisation


def pass_rate_value(value: object) -> float:
    """A group's pass rate as the office enters it (5c): a fraction of the group, above 0 and at most 1 (0.8, "4/5")."""
    try:
        rate = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"通过率“{value}”无效：请填写0到1之间的小数，如0.8") from exc
    if not 0 < rate <= 1:
        raise ValueError(f"通过率“{value}”无效：须大于0且不超过1（如0.8表示80%）")
    return float(rate)


class EvaluationYear(models.Model):
    """A year's settings, edited by the office: the pack in force, the receiving window, publicity minimums and the
    groups' pass rates (the next issue uses them). Made from the pack; the pack stays the source of the rules."""

    year = models.PositiveSmallIntegerField("评审年度", unique=True)
    pack = models.CharField("政策包", max_length=60)
    window_start = models.DateField("材料报送开始")
    window_end = models.DateField("材料报送截止")
    publicity_min_workdays = models.PositiveSmallIntegerField("公示最少工作日", default=5)
    results_min_workdays = models.PositiveSmallIntegerField("评审结果公示最少工作日", default=5)
    pass_rates = models.JSONField("各组通过率", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审年度设置"

    def __str__(self) -> str:
        return f"{self.year}年度"

    def clean(self) -> None:

        from zhicheng.applications.services import ActionRefused
        from zhicheng.evaluation.services import rate_value

        if not isinstance(self.pass_rates, dict):
            raise ValidationError({"pass_rates": '请按 {"default": 0.8, "grassroots": 0.9} 的格式填写'})
        for key, value in self.pass_rates.items():
            try:
                rate_value(value)
            except ActionRefused as exc:
                raise ValidationError({"pass_rates": f"{key}：{exc.reasons[0]}"}) from exc


class HolidayArrangement(models.Model):
    """A day of the State Council's arrangement for a year after the chinese-calendar package's data (R21)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假（休息日）"
        WORKDAY = "workday", "调休上班"

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（补录年度）"
        ordering: ClassVar = ["day"]


class SubmissionBatch(models.Model):
    """One channel's one submission of its ready applications for a year (6.1.3 "统一一次性", 8.4)."""

    channel = models.ForeignKey(Organisation, verbose_name="报送单位", on_delete=models.PROTECT, related_name="batches")
    year = models.PositiveSmallIntegerField("评审年度")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # 7.1: the city HR bureau forwards each entrustment by its own letter (函转), so its batches go one per letter;
    # "统一一次性" (6.1.3) binds the county IIT bureaus and the city competent departments.
    entrustment = models.ForeignKey(
        "Entrustment",
        verbose_name="委托评审函",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
    )

    class Meta:
        verbose_name = verbose_name_plural = "报送批次"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["channel", "year"],
                condition=models.Q(entrustment__isnull=True),
                name="one_batch_per_channel_year",
            ),
            models.UniqueConstraint(fields=["channel", "year", "entrustment"], name="one_batch_per_entrustment"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.channel}"


class IntakeCheck(models.Model):
    """The intake desk's checklist for one application: originals seen (8.4) and the clerk's notes."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="intake_check"
    )
    originals_seen = models.JSONField("已核验原件", default=list, blank=True)
    notes = models.TextField("核验意见", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)


class Entrustment(models.Model):
    """委托评审 (7.1): a competent department outside the city's chain entrusts the committee through the city HR
    bureau, whose letter forwards (函转) it to the committee office. The cases it covers carry it."""

    year = models.PositiveSmallIntegerField("评审年度")
    entrusting_department = models.CharField("委托的主管部门", max_length=100)
    letter_number = models.CharField("委托函文号", max_length=100)
    letter_date = models.DateField("委托函日期")
    forwarding_number = models.CharField("市人社局函转文号", max_length=100)
    forwarded_on = models.DateField("函转日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "委托评审函"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["year", "forwarding_number"], name="one_forwarding_letter_number")
        ]

    def __str__(self) -> str:
        return f"{self.entrusting_department}（{self.letter_number}，市人社局{self.forwarding_number}）"


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
    name = models.CharField("姓名", max_length=50)
    year = models.PositiveSmallIntegerField("评审年度")
    level = models.CharField("申报层级", max_length=30)
    outcome = models.CharField("评审结果", max_length=30, choices=Outcome.choices)
    applied_on = models.DateField("申报日期", null=True, blank=True)
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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


class RecognitionDecision(models.Model):
    """The committee's own decision on an introduced talent's recognition case (3.10), on the record of work and
    results; recorded by the office."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="recognition_decision"
    )
    recognised = models.BooleanField("认定相应职称")
    level = models.CharField("认定层级", max_length=30, blank=True)
    reasons = models.TextField("评委会意见")
    decided_on = models.DateField("评委会审核日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "职称认定结论"
