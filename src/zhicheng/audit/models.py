"""The audit trail's rows and the head of its chain."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from zhicheng.accounts.roles import Role


class AppendOnly(models.QuerySet["AuditEntry"]):
    """Rows of the trail are never changed or removed through the ORM (pruning past the retention period is the one
    way out, in ``zhicheng.audit.trail.prune``, and it leaves its own entry)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计记录只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEntry(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "登录"
        SIGN_IN_FAILED = "sign_in_failed", "登录失败"
        SIGN_OUT = "sign_out", "退出"
        STATE_CHANGE = "state_change", "申报办理"
        EVALUATION = "evaluation", "评审操作"
        PERSONAL_DATA = "personal_data", "查看个人敏感信息"
        ADMINISTRATION = "administration", "系统与账号管理"
        AUDIT = "audit", "审计操作"

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="用户"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=40, blank=True, choices=Role.choices)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, db_index=True)
    action = models.CharField("操作", max_length=60)
    subject = models.CharField("对象", max_length=120, blank=True)
    summary = models.CharField("说明", max_length=500, blank=True)
    payload = models.JSONField("详情", default=dict, blank=True)
    client_address = models.CharField("来源地址", max_length=64, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    previous_seal = models.CharField("上一条校验值", max_length=64)
    seal = models.CharField("校验值", max_length=64, unique=True)

    objects: ClassVar[models.Manager[AuditEntry]] = AppendOnly.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering: ClassVar = ["pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录只能追加，不能删除")


class AuditHead(models.Model):
    """One row: the seal of the trail's last entry. Appending locks it, so entries are sealed in commit order."""

    last_seal = models.CharField(max_length=64)
    entries = models.PositiveBigIntegerField(default=0)  # appended since the start, pruned ones included
    pruned = models.PositiveBigIntegerField(default=0)
    # The head's own seal (of the three fields above): without the key, the head cannot be moved back to hide
    # entries removed from the end, nor its counts changed.
    seal = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"
