"""The meeting and the secret ballot (R22): attendance and quorum, the vote, the count, and the close that writes
each candidate's result."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhicheng.accounts.models import Membership
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.caps import apply_caps
from zhicheng.evaluation.experts import has_conflict
from zhicheng.evaluation.groups import not_grouped
from zhicheng.evaluation.guards import (
    acting_expert,
    locked_candidate,
    log_event,
    office_only,
    results_posted,
    year_meeting,
)
from zhicheng.evaluation.minutes import archive_minutes
from zhicheng.evaluation.models import (
    Ballot,
    BallotCast,
    Candidate,
    Conflict,
    Expert,
    Meeting,
)
from zhicheng.evaluation.scoring import below_pass_mark, defence_pass_mark, failed_defence, score_summaries
from zhicheng.round import milestones
from zhicheng.round.year import committee_fraction, lock_year


def quorum_met(present: int, members: int, needed: Fraction) -> bool:
    return members > 0 and present * needed.denominator >= needed.numerator * members


def vote_passes(votes_for: int, eligible: int, needed: Fraction) -> bool:
    """For-votes of at least the fraction of the experts present less those recused for this candidate (R22)."""
    return eligible > 0 and votes_for * needed.denominator >= needed.numerator * eligible


def prepare_meeting(actor: Membership, year: int, held_on: dt.date) -> Meeting:
    office_only(actor, "安排评审会议")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(year=year).first()
        if meeting is not None and meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("评审会议已开始，不能修改")
        if meeting is None:
            meeting = Meeting.objects.create(year=year, held_on=held_on)
        else:
            meeting.held_on = held_on
            meeting.save()
        log_event(actor, year, "prepare_meeting", held_on=held_on.isoformat())
    return meeting


def record_attendance(actor: Membership, year: int, expert_ids: Iterable[int]) -> Meeting:
    """The committee members present (R22), recorded by the office before the meeting opens."""
    office_only(actor, "登记出席")
    ids = sorted(set(expert_ids))
    with transaction.atomic():
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("会议已开始，出席情况不能再更改")
        experts = list(Expert.objects.filter(year=year, pk__in=ids))
        if len(experts) != len(ids):
            raise ActionRefused("出席名单中有非本年度评委会委员")
        meeting.present.set(experts)
        log_event(actor, year, "attendance", present=ids)
    return meeting


def open_meeting(actor: Membership, year: int) -> Meeting:
    """Opens only with at least the quorum fraction of the committee present (R22)."""
    office_only(actor, "宣布会议开始")
    with transaction.atomic():
        lock_year(year)  # a case accepted at this moment is either seen below or refused (intake.services.accept)
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.PREPARING:
            raise ActionRefused("会议已开始或已结束")
        members = Expert.objects.filter(year=year).count()
        present = meeting.present.count()
        needed = committee_fraction(year, "quorum_fraction")
        if not quorum_met(present, members, needed):
            need = math.ceil(needed * members)
            raise ActionRefused(f"出席委员{present}人，未达到评委会委员{members}人的三分之二（至少{need}人），不能开会")
        if not Candidate.objects.filter(year=year).exists():
            raise ActionRefused("本年度没有参评人员")
        unread = list(
            Candidate.objects.filter(year=year, reviewed_at__isnull=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if unread:
            raise ActionRefused(
                "以下参评人员的匿名材料尚未审核，专家未能查阅，不能表决：" + "、".join(unread),
                "请评委会办公室逐一审核后再宣布会议开始",
            )
        left_out = not_grouped(year)
        if left_out:
            raise ActionRefused(
                "以下已受理的申报尚未编入答辩组：" + "、".join(f"{app.applicant}（#{app.pk}）" for app in left_out),
                "请先按已受理申报编排答辩组，或在受理核验页将其移出本年度评审，再宣布会议开始",
            )
        unscored = sheets_missing(year)
        if unscored:
            raise ActionRefused(
                "以下参评人员尚缺答辩组专家的评分，答辩成绩未定，不能表决："
                + "；".join(
                    f"{c.code}（{'、'.join(str(e) for e in missing)}未评分）"
                    if missing
                    else f"{c.code}（答辩组无可评分专家）"
                    for c, missing in unscored[:20]
                )
                + (f"等{len(unscored)}人" if len(unscored) > 20 else ""),
                "请答辩组每位未回避的专家提交评分后再宣布会议开始（答辩合格分数线按全组专家的答辩均分判断）",
            )
        meeting.status, meeting.opened_at = Meeting.Status.OPEN, timezone.now()
        meeting.save()
        if not milestones.reached(year, milestones.MEETING_OPENED):  # a later sitting of the same meeting (R27)
            milestones.reach(year, milestones.MEETING_OPENED, actor.user)
        log_event(actor, year, "open_meeting", present=present, members=members)
    return meeting


def sheets_missing(year: int) -> list[tuple[Candidate, list[Expert]]]:
    """The candidates to be put to this sitting whose defence score is not yet the whole panel's (R28), each with the
    experts whose sheet is missing (none listed: the panel has no expert left to score). Judged on part of a panel,
    the pass mark would put a candidate to the vote, or keep them from it, on the sheets that happened to be in."""
    candidates = Candidate.objects.filter(year=year, passed_vote__isnull=True).select_related("group").order_by("code")
    summaries = score_summaries(candidates)
    return [(c, summaries[c.pk].missing) for c in candidates if summaries[c.pk].missing or not summaries[c.pk].scored]


def voting_candidates(expert: Expert, meeting: Meeting) -> list[Candidate]:
    """What a present expert votes on: every candidate of the year but those they recuse from and those below the
    defence's pass mark (R28)."""
    # R27: decided at an earlier sitting, never voted on twice.
    candidates = (
        Candidate.objects.filter(year=meeting.year, passed_vote__isnull=True)
        .exclude(conflicts__expert=expert)
        .order_by("code")
    )
    summaries, mark = score_summaries(candidates), defence_pass_mark(meeting.year)
    # R28: below the defence's pass mark, not put to the vote.
    return [c for c in candidates if not below_pass_mark(summaries[c.pk], mark)]


def has_voted(expert: Expert, meeting: Meeting, candidate: Candidate) -> bool:
    # A voided vote (R27) does not count: the same expert votes again at the later sitting.
    return BallotCast.objects.filter(meeting=meeting, candidate=candidate, expert=expert, void=False).exists()


def cast_ballot(actor: Membership, year: int, candidate_id: int, choice: str) -> None:
    """One secret ballot (R22): only the expert themself (no proxy), present, not recused, while the meeting is open,
    once. Who voted and what was voted are two rows with nothing that ties them."""
    if choice not in Ballot.Choice.values:
        raise ActionRefused("请选择同意、不同意或弃权")
    with transaction.atomic():
        meeting = year_meeting(year)
        expert = acting_expert(actor, year)
        if meeting.status != Meeting.Status.OPEN:
            raise ActionRefused(
                "会议不在表决中，不能投票" if meeting.status == "preparing" else "表决已结束，不接受补投"
            )
        if not meeting.present.filter(pk=expert.pk).exists():
            raise ActionRefused("您未登记出席本次会议，不能投票")
        candidate = locked_candidate(candidate_id)
        if candidate.year != year:
            raise ActionRefused("参评人员不存在")
        if has_conflict(expert, candidate):
            raise ActionRefused("您与该参评人员存在回避情形，不参加表决")
        if failed_defence(candidate):
            raise ActionRefused("该参评人员答辩成绩未达到合格分数线，答辩未通过，不提交表决")
        if candidate.passed_vote is not None:
            raise ActionRefused("该参评人员已在本次评审会议的前次会上表决，不能再次表决")
        if has_voted(expert, meeting, candidate):
            raise ActionRefused("您已对该参评人员投过票，不能重复投票")
        try:
            with transaction.atomic():
                BallotCast.objects.create(meeting=meeting, candidate=candidate, expert=expert)
                Ballot.objects.create(meeting=meeting, candidate=candidate, choice=choice)
        except IntegrityError as exc:  # a second tab at the same moment (SQLite does not lock the row)
            raise ActionRefused("您已对该参评人员投过票，不能重复投票") from exc
        # No event: one naming the expert and the time, beside the ballot written in the same moment, would tie them.


@dataclass
class Tally:
    candidate: Candidate
    votes_for: int
    against: int
    abstain: int
    eligible: int
    cast: int
    passed: bool


def tally(meeting: Meeting) -> list[Tally]:
    """The count per candidate; eligible are the experts present less those recused for that candidate (R22). Read
    only once the meeting has closed: a running count would show each vote as it comes."""
    if meeting.status != Meeting.Status.CLOSED:
        raise ActionRefused("表决结束后方可计票")
    needed = committee_fraction(meeting.year, "pass_fraction")
    present = set(meeting.present.values_list("pk", flat=True))
    # Read together, not per candidate: a year of thousands is counted in five queries.
    recused: dict[int, set[int]] = defaultdict(set)
    for candidate_id, expert_id in Conflict.objects.filter(candidate__year=meeting.year).values_list(
        "candidate_id", "expert_id"
    ):
        recused[candidate_id].add(expert_id)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for candidate_id, choice, n in (
        Ballot.objects.filter(meeting=meeting, void=False)
        .values_list("candidate_id", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[candidate_id][choice] += n
    casts = dict(
        BallotCast.objects.filter(meeting=meeting, void=False)
        .values_list("candidate_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = []
    for c in Candidate.objects.filter(year=meeting.year).select_related("group").order_by("code"):
        eligible = len(present) - len(recused[c.pk] & present)
        if c.passed_vote is not None and c.eligible_voters is not None:
            # Decided at an earlier sitting (R27): counted against the experts present then, not now.
            eligible = c.eligible_voters
        got = counts[c.pk]
        out.append(
            Tally(
                c,
                got["for"],
                got["against"],
                got["abstain"],
                eligible,
                casts.get(c.pk, 0),
                vote_passes(got["for"], eligible, needed),
            )
        )
    return out


def _shuffle_ballots(meeting: Meeting) -> None:
    """Written again in a random order with new keys, the ballots keep no trace of the order they were cast in
    (row numbers, transaction ids) that a copy of the database could set beside the cast rows (R22). Voided ballots
    (R27) were shuffled at their own sitting's close and stay as they are."""
    live = Ballot.objects.filter(meeting=meeting, void=False)
    ballots = list(live.values_list("candidate_id", "choice"))
    secrets.SystemRandom().shuffle(ballots)
    live.delete()
    Ballot.objects.bulk_create(Ballot(meeting=meeting, candidate_id=c, choice=choice) for c, choice in ballots)


def close_meeting(actor: Membership, year: int) -> Meeting:
    """Ends the vote (no later ballots), writes each candidate's count, score and result, applies the caps and
    archives the minutes."""
    office_only(actor, "宣布表决结束")
    with transaction.atomic():
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.OPEN:
            raise ActionRefused("会议不在表决中")
        meeting.status, meeting.closed_at = Meeting.Status.CLOSED, timezone.now()
        meeting.save()
        _shuffle_ballots(meeting)
        counts = {t.candidate.pk: t for t in tally(meeting)}
        # Only the candidates of this sitting: those decided at an earlier one keep their result (R27).
        sitting = list(Candidate.objects.select_for_update().filter(year=year, passed_vote__isnull=True).order_by("pk"))
        summaries, mark = score_summaries(sitting), defence_pass_mark(year)
        for c in sitting:
            t, summary = counts[c.pk], summaries[c.pk]
            c.votes_for, c.votes_against, c.votes_abstain = t.votes_for, t.against, t.abstain
            # R28: a candidate below the defence's pass mark failed the defence (7.2a) and was not voted on.
            c.eligible_voters, c.passed_vote = t.eligible, t.passed and not below_pass_mark(summary, mark)
            c.score = summary.final
            c.save()
        apply_caps(year)
        archive_minutes(actor, year)  # the PDF before the events: their audit entries take the trail's lock
        log_event(actor, year, "close_meeting")
    return meeting


def record_opinion(actor: Membership, candidate_id: int, opinion: str) -> Candidate:
    """The committee's opinion on a candidate, for the minutes; not once the results are posted."""
    office_only(actor, "记录评审意见")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        if results_posted(candidate.year):
            raise ActionRefused("评审结果已公示，不能再修改评审意见")
        candidate.opinion = opinion.strip()
        candidate.save()
        log_event(actor, candidate.year, "opinion", candidate)
    return candidate


def voided(meeting: Meeting) -> QuerySet[BallotCast, Any]:
    """The candidates (``candidate_id``) whose vote an objection upheld voided (R27) and is not yet held again; a
    subquery, so that the pages reading the votes not held take no more queries."""
    again = BallotCast.objects.filter(meeting=meeting, void=False).values("candidate_id")
    return (
        BallotCast.objects.filter(meeting=meeting, void=True, candidate__passed_vote__isnull=True)
        .exclude(candidate_id__in=again)
        .values("candidate_id")
    )


def vote_not_held(year: int, meeting: Meeting) -> list[Candidate]:
    """Candidates put to the vote on whom no ballot was cast at the closed sitting, or whose vote an objection upheld
    voided (R27): their vote was not held."""
    cast = set(BallotCast.objects.filter(meeting=meeting, void=False).values_list("candidate_id", flat=True))
    candidates = (
        Candidate.objects.filter(year=year)
        .filter(Q(passed_vote__isnull=False) | Q(pk__in=voided(meeting)))
        .exclude(pk__in=cast)
        .order_by("code")
    )
    summaries, mark = score_summaries(candidates), defence_pass_mark(year)
    return [c for c in candidates if not below_pass_mark(summaries[c.pk], mark)]


def sit_again(actor: Membership, year: int, held_on: dt.date) -> Meeting:
    """A later sitting of the year's one meeting (R27) for the candidates whose vote was not held: attendance is
    recorded again and the quorum checked again when it opens; every candidate already voted on keeps that
    result and is never voted on twice. Once the results are public, only for the candidates whose vote an objection
    upheld voided (R27): handle_objection refuses after the confirmation, so none is left then."""
    office_only(actor, "安排评审会议再次开会")
    with transaction.atomic():
        lock_year(year)
        meeting = year_meeting(year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("评审会议尚未结束表决，不需要再次开会")
        pending = vote_not_held(year, meeting)
        if results_posted(year) and not pending:
            raise ActionRefused("评审结果已公示，且没有因公示异议成立而表决作废的参评人员，评审会议不能再次开会")
        if held_on <= meeting.held_on:
            raise ActionRefused("再次开会的日期须晚于前次会议日期")
        if not pending:
            raise ActionRefused("所有参评人员均已表决；每位参评人员只表决一次，评审会议不能再次开会")
        for c in pending:
            c.votes_for = c.votes_against = c.votes_abstain = c.eligible_voters = None
            c.passed_vote = c.within_cap = c.rank_in_group = None
            c.tie_at_cap = False
            c.save()
        meeting.status, meeting.held_on = Meeting.Status.PREPARING, held_on
        meeting.opened_at = meeting.closed_at = None
        meeting.save()
        meeting.present.clear()
        log_event(actor, year, "sit_again", held_on=held_on.isoformat(), candidates=[c.code for c in pending])
    return meeting


def void_vote(actor: Membership, candidate_id: int) -> Candidate:
    """An objection upheld during the results publicity showed the vote on this candidate flawed (a recusal missed,
    say): the vote is voided and the candidate is voted on at a later sitting of the same meeting (R27). The ballots
    are kept, flagged and out of every count, so the same experts may vote again; the result is cleared and the
    group's caps recomputed. The results side (handle_objection) calls this inside its own transaction."""
    office_only(actor, "作废表决")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        meeting = year_meeting(candidate.year)
        if meeting.status != Meeting.Status.CLOSED:
            raise ActionRefused("评审会议尚未结束表决，不能作废表决")
        if not candidate.passed_vote:
            raise ActionRefused(f"{candidate.code}未经表决通过，没有可作废的表决")
        casts = BallotCast.objects.filter(meeting=meeting, candidate=candidate, void=False)
        if not casts.exists():
            raise ActionRefused(f"{candidate.code}的表决未进行，没有可作废的表决")
        casts.update(void=True)
        Ballot.objects.filter(meeting=meeting, candidate=candidate, void=False).update(void=True)
        candidate.votes_for = candidate.votes_against = candidate.votes_abstain = candidate.eligible_voters = None
        candidate.passed_vote = candidate.within_cap = candidate.rank_in_group = candidate.score = None
        candidate.tie_at_cap = False
        candidate.save()
        apply_caps(candidate.year)
        log_event(actor, candidate.year, "void_vote", candidate)
    return candidate
