"""The meeting's minutes (R22): attendance, candidates, opinions and results, printable (reportlab, CJK CID font),
archived with their SHA-256."""

from __future__ import annotations

import hashlib
import io

from django.db import transaction
from django.utils import timezone

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused
from zhicheng.documents import pdf
from zhicheng.evaluation.guards import log_event, office_only, year_meeting
from zhicheng.evaluation.models import (
    Candidate,
    Expert,
    Meeting,
    Minutes,
)
from zhicheng.evaluation.scoring import defence_pass_mark, failed_defence
from zhicheng.round.clock import zh_date


def result_in_words(c: Candidate) -> str:
    """What the minutes say of a candidate's result (R28: a failed defence apart from a failed vote)."""
    if c.passed_vote is None:
        return "—"
    if failed_defence(c):
        return "答辩未通过（未达合格分数线，未提交表决）"
    if not c.passed_vote:
        return "评委会表决未通过"
    return "通过" if c.within_cap else "表决通过，超出本组通过率"


def minutes_pdf(meeting: Meeting) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle

    font = pdf.cjk_font()
    text = ParagraphStyle("text", fontName=font, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10)
    head = ParagraphStyle("head", fontName=font, fontSize=14, leading=18, alignment=1)

    def p(value: object, style: ParagraphStyle = cell) -> Paragraph:
        return pdf.para(value, style)

    members = list(Expert.objects.filter(year=meeting.year).select_related("user").order_by("pk"))
    present = set(meeting.present.values_list("pk", flat=True))
    title = f"{meeting.year}年度工程系列中、初级职称评审委员会评审会议纪要"
    story: list[object] = [p(title, head), Spacer(1, 8)]
    # R30: the times stored are UTC; the minutes print them in Beijing time, as every page does.
    opened = f"{timezone.localtime(meeting.opened_at):%Y年%m月%d日 %H:%M}" if meeting.opened_at else "—"
    closed = f"{timezone.localtime(meeting.closed_at):%Y年%m月%d日 %H:%M}" if meeting.closed_at else "—"
    story.append(p(f"会议日期：{zh_date(meeting.held_on)}；表决开始：{opened}；表决结束：{closed}（北京时间）", text))
    story.append(
        p(
            f"答辩合格分数线：{defence_pass_mark(meeting.year).normalize():f}分（低于此分数为答辩未通过，不提交表决）。",
            text,
        )
    )
    story.append(
        p(
            f"出席情况：评委会委员{len(members)}人，出席{len(present)}人。"
            f"出席：{'、'.join(str(e.user) for e in members if e.pk in present) or '—'}；"
            f"缺席：{'、'.join(str(e.user) for e in members if e.pk not in present) or '无'}。",
            text,
        )
    )
    story.append(p("表决方式：无记名投票；同意票数达到出席委员（扣除回避委员）三分之二以上为通过（R22）。", text))
    story.append(Spacer(1, 6))
    headers = [
        "匿名编号",
        "姓名",
        "答辩组",
        "综合得分",
        "同意",
        "不同意",
        "弃权",
        "应表决",
        "组内排名",
        "结果",
        "评审意见",
    ]
    rows = [[p(h) for h in headers]]
    candidates = Candidate.objects.filter(year=meeting.year).select_related("group", "application__applicant")
    for c in candidates.order_by("group__code", "code"):
        rows.append(
            [
                p(c.code),
                p(c.application.applicant),
                p(c.group.name),
                p(c.score if c.score is not None else "—"),
                p(c.votes_for if c.votes_for is not None else "—"),
                p(c.votes_against if c.votes_against is not None else "—"),
                p(c.votes_abstain if c.votes_abstain is not None else "—"),
                p(c.eligible_voters if c.eligible_voters is not None else "—"),
                p(c.rank_in_group or "—"),
                p(result_in_words(c)),
                p(c.opinion or "—"),
            ]
        )
    table = pdf.table(rows, [60, 50, 130, 45, 32, 36, 32, 38, 45, 90, 200])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=20, rightMargin=20, topMargin=24, bottomMargin=24, title=title
    )
    doc.build(story)
    return buffer.getvalue()


def archive_minutes(actor: Membership, year: int) -> Minutes:
    """The minutes as a PDF, stored with its SHA-256 (each archiving is a new row; the earlier stay)."""
    office_only(actor, "生成会议纪要")
    with transaction.atomic():
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("表决结束后方可生成会议纪要")
        pdf = minutes_pdf(meeting)
        minutes = Minutes.objects.create(
            meeting=meeting, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), made_by=actor.user
        )
        log_event(actor, year, "minutes", sha256=minutes.sha256)
    return minutes
