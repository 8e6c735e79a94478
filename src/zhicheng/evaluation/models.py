"""The committee's evaluation (5a–5c, R22): defence groups, anonymous candidates, the expert pool and its conflicts,
scores, the meeting and its secret ballot. Evaluation status lives here, never in the application's state."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from zhicheng.accounts.models import Area, Organisation
from zhicheng.accounts.roles import Role
from zhicheng.policy.facts import ORGANISATION_NAME_MAX

EXPERT_TITLES = [
    ("engineer", "工程师"),
    ("senior_engineer", "高级工程师"),
    ("professor_senior_engineer", "正高级工程师"),
]
TITLE_RANK = {"engineer": 1, "senior_engineer": 2, "professor_senior_engineer": 3}


class Group(models.Model):
    """A defence group (5b: by specialty); grassroots front-line and remote hardship applicants have their own (5c)."""

    year = models.PositiveSmallIntegerField("评审年度")
    code = models.CharField("组号", max_length=20)
    name = models.CharField("组名", max_length=100)
    level = models.CharField("申报层级", max_length=30)
    specialty_category = models.PositiveSmallIntegerField("专业类别")
    grassroots = models.BooleanField("基层一线和艰苦边远地区组", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "答辩组"
        ordering: ClassVar = ["year", "code"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["year", "code"], name="unique_group_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Candidate(models.Model):
    """An accepted application in evaluation, known to experts only by its code (5b). The office's anonymised copy of
    the texts is what experts read; ``hits`` are the personal details the R18 check found in it."""

    application = models.OneToOneField(
        "cases.Application", on_delete=models.PROTECT, related_name="evaluation_candidate"
    )
    year = models.PositiveSmallIntegerField("评审年度")
    code = models.CharField("匿名编号", max_length=20, unique=True)
    group = models.ForeignKey(Group, verbose_name="答辩组", on_delete=models.PROTECT, related_name="candidates")
    grassroots = models.BooleanField("基层一线和艰苦边远地区", default=False)
    grassroots_basis = models.CharField("分组依据", max_length=200, blank=True)
    summary_text = models.TextField("专业技术工作总结（供专家）", blank=True)
    defence_text = models.TextField("答辩材料（供专家）", blank=True)
    hits = models.JSONField("个人信息检查结果", default=list, blank=True)  # [{"where": ..., "kinds": [...]}]
    # The office's reading of the texts as experts will see them (R18): experts see nothing before it, and an edit
    # after it clears it. A flag the office judged not to be the applicant's information is explained in the note.
    reviewed_at = models.DateTimeField("匿名材料审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="匿名材料审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField("核对说明", max_length=500, blank=True)
    computed = models.JSONField("量化赋分（按申报信息计算）", default=dict, blank=True)
    opinion = models.TextField("评审意见", blank=True)
    # The result, written when the meeting closes (and the caps again when the office changes a rate).
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    eligible_voters = models.PositiveSmallIntegerField("应参加表决人数", null=True, blank=True)
    score = models.DecimalField("综合得分", max_digits=6, decimal_places=2, null=True, blank=True)
    passed_vote = models.BooleanField("表决通过", null=True, blank=True)
    rank_in_group = models.PositiveSmallIntegerField("组内排名", null=True, blank=True)
    within_cap = models.BooleanField("在通过率以内", null=True, blank=True)
    tie_at_cap = models.BooleanField("通过率边界并列", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "参评人员"
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class Expert(models.Model):
    """A member of the year's committee (R22): specialty, title (at least the pack's minimum), a term of at most the
    pack's years."""

    year = models.PositiveSmallIntegerField("评审年度")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_terms")
    specialty_category = models.PositiveSmallIntegerField("专业类别")
    title = models.CharField("职称", max_length=30, choices=EXPERT_TITLES)
    organisation_name = models.CharField("工作单位", max_length=ORGANISATION_NAME_MAX)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="工作单位（平台机构）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name="所在区域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束")

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"
        ordering: ClassVar = ["year", "pk"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["year", "user"], name="one_expert_term_per_year")]

    def __str__(self) -> str:
        return str(self.user)


class Conflict(models.Model):
    """A conflict of interest (R22): found by the platform, declared by the expert, or pinned by the office. Every
    row binds: the expert neither scores nor votes on that candidate and is left out of its count."""

    class Source(models.TextChoices):
        EMPLOYER = "employer", "专家所在单位为申报人用人单位"
        REVIEW_CHAIN = "review_chain", "专家所在单位参与了该申报的审核推荐"
        EXPERT = "expert", "专家本人申报回避"
        OFFICE = "office", "评委会办公室确定回避"

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="conflicts")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="conflicts")
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    reason = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["expert", "candidate", "source"], name="one_conflict_per_source")
        ]


class Assignment(models.Model):
    """An expert sits in one defence group."""

    expert = models.OneToOneField(Expert, on_delete=models.PROTECT, related_name="assignment")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家分组"


class Score(models.Model):
    """One expert's sheet for one candidate: the defence items and the expert's quantified items, each with its
    reason, and any adjustment of a computed item with its reason. Never edited: a correction is a new row that
    supersedes this one, which stays."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="scores")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="scores")
    defence = models.JSONField("答辩评分", default=dict)  # {item id: points}
    defence_total = models.DecimalField("答辩得分", max_digits=6, decimal_places=2)
    quantified = models.JSONField("量化赋分", default=dict)  # {item id: {"points": n, "reason": "…", "adjusted": bool}}
    quantified_total = models.DecimalField("量化赋分（百分制）", max_digits=6, decimal_places=2)
    comment = models.TextField("评语", blank=True)
    current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField("更正理由", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评分"
        ordering: ClassVar = ["candidate", "expert", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["candidate", "expert"], condition=models.Q(current=True), name="one_current_score"
            )
        ]


class Meeting(models.Model):
    """The committee's meeting of the year (R22): attendance first, open with a quorum, ballots, close."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "筹备中"
        OPEN = "open", "表决中"
        CLOSED = "closed", "已结束"

    year = models.PositiveSmallIntegerField("评审年度", unique=True)
    held_on = models.DateField("会议日期")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PREPARING)
    present = models.ManyToManyField(Expert, verbose_name="出席委员", blank=True, related_name="meetings")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审会议"

    def __str__(self) -> str:
        return f"{self.year}年度评审会议"


class BallotCast(models.Model):
    """That an expert voted on a candidate — never what. The choice is a ``Ballot`` row with no link back."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="casts")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="casts")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="casts")
    # A vote voided by an objection upheld (R27) is kept, out of every count: the same experts vote again.
    void = models.BooleanField("已作废", default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "candidate", "expert"],
                condition=models.Q(void=False),
                name="one_ballot_per_expert",
            )
        ]


class Ballot(models.Model):
    """What was voted: a random key and no time, so neither order nor clock ties it to its ``BallotCast``."""

    class Choice(models.TextChoices):
        FOR = "for", "同意"
        AGAINST = "against", "不同意"
        ABSTAIN = "abstain", "弃权"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    void = models.BooleanField("已作废", default=False)  # as its ``BallotCast`` (R27)

    class Meta:
        ordering: ClassVar = ["id"]


class Minutes(models.Model):
    """The meeting's minutes as printed (attendance, candidates, opinions, results), archived with their hash."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议纪要"
        ordering: ClassVar = ["made_at", "pk"]


# What each of the evaluation's events is called on the office's page.
EVENT_LABELS = {
    "add_expert": "加入专家库",
    "anonymity_check": "个人信息检查",
    "anonymity_review_cleared": "匿名材料修改，撤销已审核",
    "anonymity_reviewed": "匿名材料已审核",
    "apply_assignment": "专家分组生效",
    "assign_expert": "调整专家分组",
    "attendance": "登记出席",
    "candidate": "编入答辩组",
    "close_meeting": "表决结束",
    "correct_score": "更正评分",
    "declare_conflict": "专家申报回避",
    "minutes": "生成会议纪要",
    "move": "调整答辩组",
    "open_meeting": "会议开始表决",
    "opinion": "填写评审意见",
    "pin_conflict": "确定回避",
    "prepare_meeting": "安排评审会议",
    "recompute_caps": "按通过率重新排序",
    "rename_group": "修改组名",
    "score": "专家评分",
    "sit_again": "评审会议再次开会（未表决的参评人员）",
    "void_vote": "公示异议成立，表决作废，待重新表决",
}


class EvaluationEvent(models.Model):
    """The evaluation's own history, seen by the office only: the application's timeline is read by the applicant,
    who must not learn which experts scored or voted on them."""

    year = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, choices=Role.choices)
    action = models.CharField(max_length=40)
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]

    @property
    def action_label(self) -> str:
        return EVENT_LABELS.get(self.action, "其他操作")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("events are never edited")
        super().save(*args, **kwargs)
