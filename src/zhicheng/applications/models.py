"""The applicant's profile and evidence, the application, its events and the employer's records (6.1, 8.1, 8.2)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from zhicheng.accounts.models import Area, Organisation
from zhicheng.accounts.roles import Role


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    EMPLOYER_REVIEW = "employer_review", "用人单位审核中"
    CHAIN_REVIEW = "chain_review", "逐级审核中"
    RETURNED = "returned", "退回修改"
    READY_FOR_COMMITTEE = "ready_for_committee", "待报送评委会"
    IN_BATCH = "in_batch", "已报送评委会，待受理"
    OFFICE_RETURNED = "office_returned", "评委会办公室退回报送单位"
    ACCEPTED = "accepted", "评委会已受理"
    RECOGNITION_DECIDED = "recognition_decided", "评委会已作出认定结论"
    GRANTED = "granted", "评审通过，市人社局已确认"
    NOT_GRANTED = "not_granted", "未通过评审"
    REJECTED = "rejected", "不予推荐"
    WITHDRAWN = "withdrawn", "已撤回"


ACTIVE_STATES = [s for s in State.values if s not in (State.REJECTED, State.WITHDRAWN)]

LEVELS = [("technician", "技术员"), ("assistant_engineer", "助理工程师"), ("engineer", "工程师")]


def private_storage() -> FileSystemStorage:
    # Files live outside any URL: they are read back only through the permission-checked view.
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


def evidence_path(instance: Evidence, filename: str) -> str:
    """A server-chosen name: the uploaded name is kept only as data, never as a path."""
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(instance.content_type, "")
    return str(PurePosixPath(uuid.uuid4().hex[:2]) / f"{uuid.uuid4().hex}{suffix}")


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

    def __str__(self) -> str:
        return str(self.user)


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

    profile = models.ForeignKey(Profile, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    application = models.ForeignKey(
        "Application", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
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


class Application(models.Model):
    """One application: a year, a level, a specialty, a path — one active per person per year."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveSmallIntegerField("评审年度")
    level = models.CharField("申报层级", max_length=30, choices=LEVELS)
    specialty_category = models.PositiveSmallIntegerField("专业类别")
    specialty_name = models.CharField("申报专业", max_length=50)
    path = models.CharField("申报路径", max_length=50)
    employment_kind = models.CharField(
        "用工形式",
        max_length=20,
        choices=[("employee", "在职职工"), ("dispatched", "劳务派遣"), ("freelancer", "自由职业者")],
        default="employee",
    )
    archives = models.CharField(
        "人事档案",
        max_length=20,
        choices=[
            ("agency", "由公共就业和人才服务机构代理"),
            ("none", "未办理人事档案代理"),
            ("elsewhere", "不在工作所在地管理"),
        ],
        default="none",
    )
    employer = models.ForeignKey(
        Organisation, verbose_name="用人单位", on_delete=models.PROTECT, related_name="applications"
    )
    area = models.ForeignKey(Area, verbose_name="属地", on_delete=models.PROTECT, related_name="applications")
    archive_agency = models.ForeignKey(
        Organisation, verbose_name="档案代理机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatch_agency = models.ForeignKey(
        Organisation, verbose_name="劳务派遣机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    personnel_agency = models.ForeignKey(
        Organisation, verbose_name="人事代理机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route = models.CharField("审核渠道", max_length=40, blank=True)
    entrusted = models.BooleanField("委托评审（经主管部门向市人社局委托）", default=False)
    entrustment = models.ForeignKey(
        "intake.Entrustment",
        verbose_name="委托评审函",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    batch = models.ForeignKey(
        "intake.SubmissionBatch",
        verbose_name="报送批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    state = models.CharField("状态", max_length=30, choices=State.choices, default=State.DRAFT)
    step = models.PositiveSmallIntegerField("当前审核环节", default=0)
    # Where a returned case goes back to once fixed (6.1: the step that sent it back).
    returned_from_state = models.CharField(max_length=30, blank=True)
    returned_from_step = models.PositiveSmallIntegerField(default=0)
    returned_to = models.CharField(
        max_length=20, blank=True, choices=[("applicant", "申报人"), ("employer", "用人单位")]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "职称申报"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["applicant", "year"],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="one_active_application_per_year",
                violation_error_message="同一年度只能有一份有效申报",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年度{self.get_level_display()}（{self.specialty_name}）#{self.pk}"


class ReviewStep(models.Model):
    """One organisation of the review chain (6.1.3), in order; computed from the route when submitted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
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


class DecisionSnapshot(models.Model):
    """The engine's decision as it stood at a stage, with the pack and version; never recomputed silently."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=60)
    pack = models.CharField(max_length=60)
    pack_version = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20)
    path_outcome = models.CharField(max_length=20)
    decision = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]


class ApplicationEvent(models.Model):
    """A row of the case's history: who, in which role and organisation, from → to, why, when. Only added."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("events are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("events are never deleted")


class PeerReview(models.Model):
    """民主评议 (6.1.2): the panel and its opinion."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="peer_review")
    held_on = models.DateField("评议日期")
    members = models.JSONField("评议组成员", default=list)  # [{"name": ..., "kind": masses|peers|leaders|research}]
    opinion = models.TextField("评议组意见")


class Publicity(models.Model):
    """One of the three publicities (8.1): at least 5 working days, photos and an explanation."""

    class Kind(models.TextChoices):
        CONDITIONS = "conditions", "评审条件程序公示"
        MATERIALS = "materials", "个人申报材料公示"
        APPRAISAL = "appraisal", "单位鉴定意见公示"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="publicities")
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

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appraisal")
    ethics = models.TextField("思想品德、职业道德鉴定意见")
    peer_review_followed = models.BooleanField("已按规定履行民主评议程序", default=False)
    clauses = models.JSONField("符合的工作能力和业绩成果条款", default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)


class Pledge(models.Model):
    """双承诺 (8.2): the applicant's and the employer's."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="pledge")
    applicant_at = models.DateTimeField(null=True, blank=True)
    employer_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_at = models.DateTimeField(null=True, blank=True)
