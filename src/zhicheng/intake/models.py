"""The committee office's year, its working-day calendar, the receiving window and the submission batches (8.4)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from zhicheng.accounts.models import Organisation


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

    class Meta:
        verbose_name = verbose_name_plural = "报送批次"
        constraints: ClassVar = [models.UniqueConstraint(fields=["channel", "year"], name="one_batch_per_channel_year")]

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
