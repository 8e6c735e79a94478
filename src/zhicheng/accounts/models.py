"""Areas, organisations, people and their roles (the glossary's names)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.accounts.roles import ROLE_ORG_KINDS, OrgKind, Role, check_roles_apart
from zhicheng.policy.facts import NAME_MAX, ORGANISATION_NAME_MAX

SECTORS = [
    ("state_owned_enterprise", "国有企业"),
    ("public_institution", "事业单位"),
    ("non_public_enterprise", "非公有制经济组织"),
    ("social_organization", "社会组织"),
    ("government_organ", "机关"),
]


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError("统一社会信用代码无效（校验位或格式错误）") from exc


class Area(models.Model):
    """Xinzhou city and its counties, county-level city, district and the two zones."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县（市、区）"
        ZONE = "zone", "开发区、景区"

    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    hr_bureau = models.ForeignKey(
        "Organisation", verbose_name="人社部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    iit_bureau = models.ForeignKey(
        "Organisation", verbose_name="工信部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区域"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField("名称", max_length=ORGANISATION_NAME_MAX, unique=True)
    kind = models.CharField("机构类别", max_length=40, choices=OrgKind.choices)
    area = models.ForeignKey(Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="organisations")
    level = models.CharField("层级", max_length=10, choices=[("city", "市属"), ("county", "县属")], default="county")
    sector = models.CharField("单位性质", max_length=40, choices=SECTORS, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    competent_department = models.ForeignKey(
        "self",
        verbose_name="市直主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrgKind.CITY_COMPETENT_DEPARTMENT},
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="unique_credit_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OrgKind.EMPLOYER:
            if not self.sector:
                raise ValidationError({"sector": "用人单位须填写单位性质"})
            if not self.credit_code:
                raise ValidationError({"credit_code": "用人单位须填写统一社会信用代码"})
            if self.sector not in ("state_owned_enterprise", "public_institution") and self.area.kind == Area.Kind.CITY:
                # Non-public employers apply where they are (6.1.3(2) 属地原则): a county, district or zone.
                raise ValidationError({"area": "非公有制经济组织和社会组织须登记所在县（市、区）"})
            city_owned = self.level == "city" and self.sector in ("state_owned_enterprise", "public_institution")
            if city_owned and self.competent_department is None:
                raise ValidationError({"competent_department": "市属单位须填写市直主管部门"})


class PeopleManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: object
    ) -> User:
        """`createsuperuser` makes the platform's first account: a security administrator (who then makes the
        other accounts), not an account with every power (三权分立, zhicheng.accounts.duties). It was handed a
        first password, so its owner chooses their own at first sign-in."""
        extra_fields.setdefault("must_change_password", True)
        user = self.create_user(username, email, password, is_staff=True, is_superuser=False, **extra_fields)
        Membership.objects.create(user=user, role=Role.SECURITY_ADMIN)
        return user


class User(AbstractUser):
    """A person who signs in; the name shown is the real name (姓名)."""

    full_name = models.CharField("姓名", max_length=NAME_MAX, blank=True)
    # Set when someone else chose the password (an account made in the admin site or by `createsuperuser`, a
    # reset by the security administrator): the person must choose their own before anything else.
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    phone = models.CharField("手机号码", max_length=11, blank=True)
    # The organisation that opened the account (an employer for its staff, the committee office or the city HR
    # bureau for the channels' reviewers and the experts): it may reset the password or disable the account.
    enrolled_by = models.ForeignKey(
        "Organisation", verbose_name="开户机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An account is disabled (is_active False), never deleted: its cases, events and audit entries keep their
    # author. Who disabled it, when and why stay on the account.
    disabled_at = models.DateTimeField("停用时间", null=True, blank=True)
    disabled_by = models.ForeignKey(
        "self", verbose_name="停用人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disabled_reason = models.CharField("停用原因", max_length=200, blank=True)

    objects: ClassVar[PeopleManager] = PeopleManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A role a person holds in an organisation; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=40, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="机构", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "role", "organisation"], name="unique_membership")
        ]

    def __str__(self) -> str:
        org = f"（{self.organisation}）" if self.organisation else ""
        return f"{self.get_role_display()}{org}"

    def clean(self) -> None:
        if self.user_id is not None:
            others = Membership.objects.filter(user_id=self.user_id).exclude(pk=self.pk)
            check_roles_apart({self.role, *others.values_list("role", flat=True)})
        kinds = ROLE_ORG_KINDS[self.role]
        wrong_org = self.organisation is None or self.organisation.kind not in (kinds or ())
        if kinds is not None and self.role != Role.APPLICANT and wrong_org:
            raise ValidationError({"organisation": "该角色须属于相应类别的机构"})


class SensitiveView(models.Model):
    """Each view of a whole ID number (or another protected value) is recorded here, never edited."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=50)
    subject = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "敏感信息查看记录"
