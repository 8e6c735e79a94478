"""The round (评审年度): the office's settings for a year, the holiday table of the years the calendar package does
not cover, and the milestones the year has reached. Every stage reads them; none of them reads a stage."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhicheng.round.rates import pass_rate_value


class EvaluationYear(models.Model):
    """A year's settings, edited by the office: the pack in force, the receiving window, publicity minimums and the
    groups' pass rates. Made from the pack; the pack stays the source of the rules."""

    year = models.PositiveSmallIntegerField("评审年度", unique=True)
    pack = models.CharField("政策包", max_length=60)
    window_start = models.DateField("材料报送开始")
    window_end = models.DateField("材料报送截止")
    publicity_min_workdays = models.PositiveSmallIntegerField("公示最少工作日", default=5)
    results_min_workdays = models.PositiveSmallIntegerField("评审结果公示最少工作日", default=5)
    pass_rates = models.JSONField("各组通过率", default=dict, blank=True)
    # The office's values of the committee's parameters (the pack's ``evaluation.*`` keys); a key left out keeps
    # the pack's value, so a new pack's default reaches every year the office did not set (R23–R25, R28).
    parameters = models.JSONField("评委会参数", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审年度设置"

    def __str__(self) -> str:
        return f"{self.year}年度"

    def clean(self) -> None:
        if not isinstance(self.pass_rates, dict):
            raise ValidationError({"pass_rates": '请按 {"default": 0.8, "grassroots": 0.9} 的格式填写'})
        for key, value in self.pass_rates.items():
            try:
                pass_rate_value(value)
            except ValueError as exc:
                raise ValidationError({"pass_rates": f"{key}：{exc}"}) from exc


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


class Milestone(models.Model):
    """A point of no return the year has passed, written by the stage that passes it and read by the earlier stages,
    which then refuse what would change a result already made public. Only added, never changed."""

    class Kind(models.TextChoices):
        MEETING_OPENED = "meeting_opened", "评审会议已开始表决"
        RESULTS_POSTED = "results_posted", "评审结果已公示"

    year = models.PositiveSmallIntegerField("评审年度")
    kind = models.CharField("节点", max_length=30, choices=Kind.choices)
    reached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审年度节点"
        constraints: ClassVar = [models.UniqueConstraint(fields=["year", "kind"], name="one_milestone_per_year")]


class YearSettingChange(models.Model):
    """One change of a year's settings, kept for the office's page beside the audit trail's entry: who, when, what,
    from which value to which (both as the clerk read them). Only added, never changed."""

    year = models.PositiveSmallIntegerField("评审年度")
    field = models.CharField("设置项", max_length=60)
    label = models.CharField("设置项名称", max_length=100)
    before = models.CharField("原值", max_length=300, blank=True)
    after = models.CharField("新值", max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=40)
    changed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度设置变更记录"
        ordering: ClassVar = ["-changed_at", "-pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("a recorded change is never edited")
        super().save(*args, **kwargs)
