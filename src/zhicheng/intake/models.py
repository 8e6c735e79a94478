"""The committee office's records of a case: the channels' submission batches (8.4), the desk's checks and the
committee's recognition decisions (3.10)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from zhicheng.accounts.models import Organisation


class SubmissionBatch(models.Model):
    """One channel's one submission of its ready applications for a year (6.1.3 "统一一次性", 8.4)."""

    channel = models.ForeignKey(Organisation, verbose_name="报送单位", on_delete=models.PROTECT, related_name="batches")
    year = models.PositiveSmallIntegerField("评审年度")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # 7.1: the city HR bureau forwards each entrustment by its own letter (函转), so its batches go one per letter;
    # "统一一次性" (6.1.3) binds the county IIT bureaus and the city competent departments.
    entrustment = models.ForeignKey(
        "applications.Entrustment",
        verbose_name="委托评审函",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
    )
    applications = models.ManyToManyField(
        "cases.Application", through="BatchEntry", related_name="batches", verbose_name="报送的申报"
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


class BatchEntry(models.Model):
    """A case in the batch that brought it to the office; a case returned and resubmitted stays in that batch."""

    batch = models.ForeignKey(SubmissionBatch, on_delete=models.PROTECT, related_name="entries")
    application = models.OneToOneField("cases.Application", on_delete=models.PROTECT, related_name="batch_entry")

    class Meta:
        verbose_name = verbose_name_plural = "报送批次中的申报"


class IntakeCheck(models.Model):
    """The intake desk's checklist for one application: originals seen (8.4) and the clerk's notes."""

    application = models.OneToOneField("cases.Application", on_delete=models.CASCADE, related_name="intake_check")
    originals_seen = models.JSONField("已核验原件", default=list, blank=True)
    notes = models.TextField("核验意见", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)


class RecognitionDecision(models.Model):
    """The committee's own decision on an introduced talent's recognition case (3.10), on the record of work and
    results; recorded by the office."""

    application = models.OneToOneField(
        "cases.Application", on_delete=models.PROTECT, related_name="recognition_decision"
    )
    recognised = models.BooleanField("认定相应职称")
    level = models.CharField("认定层级", max_length=30, blank=True)
    reasons = models.TextField("评委会意见")
    decided_on = models.DateField("评委会审核日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "职称认定结论"
