"""The case: one application and its state, the decisions it was judged on at each stage, and its history. Every
stage's own records (the employer's, the office's, the committee's) point to it; it points to no stage."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from zhicheng.accounts.models import Area, Organisation
from zhicheng.accounts.roles import Role
from zhicheng.policy.facts import SPECIALTY_NAME_MAX


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
    # Taken out of the year's round by the office (a case accepted too late for the year's meeting), with a reason
    # the applicant reads; it may apply again in a later year.
    DEFERRED = "deferred", "已移出本年度评审"


ACTIVE_STATES = [s for s in State.values if s not in (State.REJECTED, State.WITHDRAWN, State.DEFERRED)]

LEVELS = [("technician", "技术员"), ("assistant_engineer", "助理工程师"), ("engineer", "工程师")]


class Application(models.Model):
    """One application: a year, a level, a specialty, a path — one active per person per year."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveSmallIntegerField("评审年度")
    level = models.CharField("申报层级", max_length=30, choices=LEVELS)
    specialty_category = models.PositiveSmallIntegerField("专业类别")
    specialty_name = models.CharField("申报专业", max_length=SPECIALTY_NAME_MAX)
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
