"""After the vote: the results publicity (R21), objections, the city HR bureau's confirmation and filing, and the
certificates with their public verification codes."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models

from zhicheng.policy.facts import DOCUMENT_NUMBER_MAX, NAME_MAX, ORGANISATION_NAME_MAX, SPECIALTY_NAME_MAX


class ResultsPublicity(models.Model):
    """The year's results publicity: at least 5 working days (R21) on the platform's public page."""

    year = models.PositiveSmallIntegerField("评审年度", unique=True)
    starts_on = models.DateField("公示开始")
    earliest_end = models.DateField("公示期满")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    filing_document = models.CharField("确认备案文号", max_length=DOCUMENT_NUMBER_MAX, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审结果公示"

    def __str__(self) -> str:
        return f"{self.year}年度评审结果公示"


class ResultEntry(models.Model):
    """One applicant named in the publicity: passed the committee's vote within the group's pass rate (R22, 5), or
    recognised by the committee (3.10). What the public page shows is kept here as it was posted."""

    class Status(models.TextChoices):
        PUBLICISED = "publicised", "公示中"
        GRANTED = "granted", "已确认"
        CANCELLED = "cancelled", "异议成立，取消"
        # R27: the objection showed the vote itself flawed; off the public list until the re-vote's result.
        REVOTE = "revote", "异议成立，重新表决"
        REVOTE_FAILED = "revote_failed", "重新表决未通过"

    publicity = models.ForeignKey(ResultsPublicity, on_delete=models.PROTECT, related_name="entries")
    application = models.OneToOneField("cases.Application", on_delete=models.PROTECT, related_name="result")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=NAME_MAX)
    employer_name = models.CharField("工作单位", max_length=ORGANISATION_NAME_MAX)
    level = models.CharField("层级", max_length=30)
    specialty_name = models.CharField("专业", max_length=SPECIALTY_NAME_MAX)
    way = models.CharField("方式", max_length=20, choices=[("evaluation", "评审"), ("recognition", "认定")])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PUBLICISED)
    # A name re-posted after its re-vote (R27) runs its own period (补充公示); empty, the publicity's dates apply.
    posted_on = models.DateField("补充公示开始", null=True, blank=True)
    earliest_end = models.DateField("补充公示期满", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示名单"
        ordering: ClassVar = ["publicity", "number"]

    @property
    def starts_on(self) -> dt.date:
        return self.posted_on or self.publicity.starts_on

    @property
    def ends_on(self) -> dt.date:
        return self.earliest_end or self.publicity.earliest_end


class Objection(models.Model):
    """An objection received during the publicity, and how the office handled it (before confirmation)."""

    entry = models.ForeignKey(ResultEntry, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容")
    contact = models.CharField("反映人及联系方式", max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upheld = models.BooleanField("异议成立", null=True, blank=True)

    class Finding(models.TextChoices):
        CANCEL = "cancel", "取消"
        REVOTE = "revote", "重新表决"

    finding = models.CharField("异议成立的处理", max_length=10, choices=Finding.choices, blank=True)
    handling = models.TextField("核查处理情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering: ClassVar = ["received_on", "pk"]


class Certificate(models.Model):
    """A title granted: its number, and the verification code a QR code carries to the public verification page."""

    application = models.OneToOneField("cases.Application", on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField("证书编号", max_length=30, unique=True)
    code = models.CharField("验证码", max_length=20, unique=True)
    holder_name = models.CharField("姓名", max_length=NAME_MAX)
    level = models.CharField("层级", max_length=30)
    specialty_name = models.CharField("专业", max_length=SPECIALTY_NAME_MAX)
    year = models.PositiveSmallIntegerField("评审年度")
    committee = models.CharField("评审委员会", max_length=100)
    issued_on = models.DateField("发证日期")
    way = models.CharField("方式", max_length=20, choices=[("evaluation", "评审"), ("recognition", "认定")])

    class Meta:
        verbose_name = verbose_name_plural = "职称证书"
