"""The applications stage's own records of a case: evidence, the review chain's steps, the employer's records
(6.1, 8.1, 8.2) and the entrustment letters of 7.1."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any, ClassVar, cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import Role
from zhicheng.policy.facts import DOCUMENT_NUMBER_MAX, ORGANISATION_NAME_MAX


class _EvidenceStorage(LazyObject):  # type: ignore[type-arg]
    """STORAGES["evidence"], looked up when first used: the field keeps this one object from import on, and a
    test that names another store (override_settings) must reach the field too."""

    def _setup(self) -> None:
        self._wrapped = storages["evidence"]


evidence_storage = _EvidenceStorage()


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        evidence_storage._wrapped = empty  # type: ignore[assignment]


def private_storage() -> Storage:
    # Files live outside any URL: they are read back only through the permission-checked view. A callable, so that
    # the migration names this function and not the storage settings.py chose (a directory or a bucket).
    return cast(Storage, evidence_storage)


def evidence_path(instance: Evidence, filename: str) -> str:
    """A server-chosen name: the uploaded name is kept only as data, never as a path."""
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(instance.content_type, "")
    return str(PurePosixPath(uuid.uuid4().hex[:2]) / f"{uuid.uuid4().hex}{suffix}")


class EvidenceKind(models.TextChoices):
    DIPLOMA = "diploma", "毕业证书"
    DEGREE = "degree", "学位证书"
    TITLE_CERTIFICATE = "title_certificate", "职称证书"
    APPOINTMENT_LETTER = "appointment_letter", "聘任文件"
    ASSESSMENT = "assessment", "年度考核材料"
    CONTINUING_EDUCATION = "continuing_education", "继续教育证明"
    PAPER = "paper", "论文"
    RETRIEVAL_PAGE = "retrieval_page", "检索页"
    REPORT = "report", "专业技术报告"
    BOOK = "book", "著作及CIP检索页"
    ACHIEVEMENT = "achievement", "业绩成果证明"
    WORK_SUMMARY = "work_summary", "专业技术工作总结"
    SKILL_CERTIFICATE = "skill_certificate", "职业资格或技能等级证书"
    PUBLICITY_PHOTO = "publicity_photo", "公示照片"
    OTHER = "other", "其他材料"


class Evidence(models.Model):
    """A file proving a fact (on the profile) or a step (on the application, e.g. a publicity photo)."""

    profile = models.ForeignKey(
        "records.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    application = models.ForeignKey(
        "cases.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField("材料类别", max_length=40, choices=EvidenceKind.choices)
    fact = models.CharField("证明的信息", max_length=100, blank=True, help_text="如 education[0]、titles[1]")
    file = models.FileField(upload_to=evidence_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证明材料"


class ReviewStep(models.Model):
    """One organisation of the review chain (6.1.3), in order; computed from the route when submitted."""

    application = models.ForeignKey("cases.Application", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="review_steps")
    role = models.CharField(max_length=40, choices=Role.choices)
    decision = models.CharField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opinion = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["application", "order"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["application", "order"], name="unique_step_order")]


class PeerReview(models.Model):
    """民主评议 (6.1.2): the panel and its opinion."""

    application = models.OneToOneField("cases.Application", on_delete=models.CASCADE, related_name="peer_review")
    held_on = models.DateField("评议日期")
    members = models.JSONField("评议组成员", default=list)  # [{"name": ..., "kind": masses|peers|leaders|research}]
    opinion = models.TextField("评议组意见")


class Publicity(models.Model):
    """One of the three publicities (8.1): at least 5 working days, photos and an explanation."""

    class Kind(models.TextChoices):
        CONDITIONS = "conditions", "评审条件程序公示"
        MATERIALS = "materials", "个人申报材料公示"
        APPRAISAL = "appraisal", "单位鉴定意见公示"

    application = models.ForeignKey("cases.Application", on_delete=models.CASCADE, related_name="publicities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_on = models.DateField("公示开始")
    earliest_end = models.DateField("最早结束")
    explanation = models.TextField("公示说明")
    objections = models.TextField("异议情况", blank=True)
    objections_resolved = models.BooleanField("异议已处理", default=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["application", "kind"], name="one_publicity_per_kind")]


class Appraisal(models.Model):
    """鉴定意见 (6.1.2b): ethics, the clauses of 3.4 and 3.5 met, confirmed by the responsible person."""

    application = models.OneToOneField("cases.Application", on_delete=models.CASCADE, related_name="appraisal")
    ethics = models.TextField("思想品德、职业道德鉴定意见")
    peer_review_followed = models.BooleanField("已按规定履行民主评议程序", default=False)
    clauses = models.JSONField("符合的工作能力和业绩成果条款", default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)


class Pledge(models.Model):
    """双承诺 (8.2): the applicant's and the employer's."""

    application = models.OneToOneField("cases.Application", on_delete=models.CASCADE, related_name="pledge")
    applicant_at = models.DateTimeField(null=True, blank=True)
    employer_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_at = models.DateTimeField(null=True, blank=True)


class Entrustment(models.Model):
    """委托评审 (7.1): a competent department outside the city's chain entrusts the committee through the city HR
    bureau, whose letter forwards (函转) it to the committee office. The cases it covers carry it."""

    year = models.PositiveSmallIntegerField("评审年度")
    entrusting_department = models.CharField("委托的主管部门", max_length=ORGANISATION_NAME_MAX)
    letter_number = models.CharField("委托函文号", max_length=DOCUMENT_NUMBER_MAX)
    letter_date = models.DateField("委托函日期")
    forwarding_number = models.CharField("市人社局函转文号", max_length=DOCUMENT_NUMBER_MAX)
    forwarded_on = models.DateField("函转日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    applications = models.ManyToManyField(
        "cases.Application", through="EntrustedCase", related_name="entrustments", verbose_name="所涉申报"
    )

    class Meta:
        verbose_name = verbose_name_plural = "委托评审函"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["year", "forwarding_number"], name="one_forwarding_letter_number")
        ]

    def __str__(self) -> str:
        return f"{self.entrusting_department}（{self.letter_number}，市人社局{self.forwarding_number}）"


class EntrustedCase(models.Model):
    """An entrusted case under the letter that covers it: one letter may cover several cases, a case has one."""

    entrustment = models.ForeignKey(Entrustment, on_delete=models.PROTECT, related_name="cases")
    application = models.OneToOneField("cases.Application", on_delete=models.PROTECT, related_name="entrusted_case")

    class Meta:
        verbose_name = verbose_name_plural = "委托评审的申报"
