"""Pages of the evaluation (thin, over evaluation.services): the committee office's (the city HR bureau reads it)
and the expert's, which shows candidates by code only (5b)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import Role
from zhicheng.cases.pages import paged, posted_date, posted_int, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.anonymity import materials_ready, needs_fixing, redact_materials
from zhicheng.evaluation.assignment import apply_assignment, assign_expert, expert_candidates, plan_assignment
from zhicheng.evaluation.caps import cap, pass_rate, recompute_caps
from zhicheng.evaluation.experts import add_expert, declare_conflict, pin_conflict
from zhicheng.evaluation.groups import build_groups, move_candidate, not_grouped, rename_group
from zhicheng.evaluation.guards import can_view_office, expert_for, results_posted, scoring_open, vote_begun
from zhicheng.evaluation.meeting import (
    cast_ballot,
    close_meeting,
    open_meeting,
    prepare_meeting,
    record_attendance,
    record_opinion,
    sheets_missing,
    sit_again,
    tally,
    vote_not_held,
    voting_candidates,
)
from zhicheng.evaluation.minutes import archive_minutes
from zhicheng.evaluation.models import (
    EXPERT_TITLES,
    Ballot,
    Candidate,
    Conflict,
    EvaluationEvent,
    Expert,
    Group,
    Meeting,
    Minutes,
    Score,
)
from zhicheng.evaluation.scoring import correct_score, rubric, score_summaries, submit_score
from zhicheng.evaluation.year_settings import percent
from zhicheng.round.parameters import TITLE_NAMES
from zhicheng.round.year import committee_param, year_pack, year_settings

# The accepted cases not yet in a group, named at the top of the page: the first ones, and how many in all.
NOT_GROUPED_SHOWN = 20


def _membership(request: HttpRequest) -> Membership | None:
    membership: Membership | None = getattr(request, "membership", None)
    return membership


# ── the office ───────────────────────────────────────────────────────────────────────────────────────────


@login_required
def office(request: HttpRequest) -> HttpResponse:
    actor = _membership(request)
    if not can_view_office(actor):
        raise PermissionDenied("当前角色无权查看评审工作")
    year = settings.ZHICHENG_YEAR
    # The groups are few (one per level and specialty category, and the grassroots'); their candidates are many:
    # the page lists the groups and shows one group's candidates a page at a time, each page in the same queries.
    groups = list(
        Group.objects.filter(year=year)
        .annotate(size=Count("candidates"))
        .prefetch_related("assignments__expert__user")
        .order_by("code")
    )
    rows = []
    for group in groups:
        rate = pass_rate(group)
        rows.append({"group": group, "cap": cap(group, group.size), "rate": rate, "rate_shown": percent(rate)})
    shown = next((g for g in groups if str(g.pk) == request.GET.get("group")), groups[0] if groups else None)
    members = paged(
        request,
        Candidate.objects.filter(group=shown)
        .select_related("application__applicant", "application__employer", "reviewed_by")
        .order_by("code"),
    )
    summaries = score_summaries(list(members.page.object_list))
    candidates = [{"c": c, "summary": summaries[c.pk], "flags": needs_fixing(c)} for c in members.page.object_list]
    meeting = Meeting.objects.filter(year=year).first()
    experts = list(Expert.objects.filter(year=year).select_related("user", "assignment__group").order_by("pk"))
    is_office = actor is not None and actor.role == Role.COMMITTEE_CLERK
    closed = meeting is not None and meeting.status == Meeting.Status.CLOSED
    waiting = not_grouped(year)
    not_held = vote_not_held(year, meeting) if closed and meeting else []
    context: dict[str, Any] = {
        "year": year,
        "is_office": is_office,
        # Groups, experts and recusals change only before the vote (R22): the buttons go when the service would refuse.
        "can_arrange": is_office and not vote_begun(year),
        # The panels, like the sheets, are fixed from the first opening on, a later sitting's preparation included (R28).
        "can_assign": is_office and scoring_open(year),
        # The pool's bounds as the year's settings have them (R25), in the heading the office reads.
        "expert_min_title": TITLE_NAMES.get(str(committee_param(year, "expert_min_title")), "高级工程师"),
        "expert_max_years": int(committee_param(year, "expert_max_term_years")),
        "groups": rows,
        "shown": shown,
        "members": members,
        "candidates": candidates,
        "not_grouped": waiting[:NOT_GROUPED_SHOWN],
        "not_grouped_count": len(waiting),
        "all_groups": groups,
        "experts": experts,
        "experts_page": paged(request, experts, "experts_page"),
        "titles": EXPERT_TITLES,
        # The registered organisations, offered as the expert's employer so that the platform's conflict checks
        # (same employer, review chain) see the organisation itself, not a name typed differently.
        "organisations": Organisation.objects.order_by("name").values_list("name", flat=True),
        "expert_users": User.objects.filter(memberships__role=Role.EXPERT).exclude(expert_terms__year=year),
        "conflicts": paged(
            request,
            Conflict.objects.filter(candidate__year=year)
            .select_related("expert__user", "candidate")
            .order_by("candidate__code", "pk"),
            "conflicts_page",
        ),
        "plan": plan_assignment(year) if request.GET.get("preview") else None,
        "meeting": meeting,
        "present": set(meeting.present.values_list("pk", flat=True)) if meeting else set(),
        "tally": paged(request, tally(meeting), "tally_page") if closed and meeting else None,
        "not_held": not_held,
        # At a closed meeting, a candidate without a result is one whose vote was voided (R27); after the posting,
        # only such a vote is "not held", and the page says so.
        "voided": {c.pk for c in not_held if c.passed_vote is None},
        "posted": bool(not_held) and results_posted(year),
        # What open_meeting would refuse on (R28), said before the office presses the button.
        "sheets_missing": sheets_missing(year) if is_office and meeting and meeting.status == "preparing" else [],
        "casts": meeting.casts.filter(void=False).count() if meeting else 0,
        "minutes": Minutes.objects.filter(meeting=meeting).defer("pdf") if meeting else [],
        "rates": year_settings(year).pass_rates,
        "events": EvaluationEvent.objects.filter(year=year)
        .select_related("actor", "candidate")
        .order_by("-at", "-pk")[:30],
    }
    return render(request, "evaluation/office.html", context)


def _plan_from(data: QueryDict) -> dict[int, list[int]]:
    plan: dict[int, list[int]] = {}
    for key in data:
        if key.startswith("group_"):
            try:
                plan[int(key[6:])] = [int(v) for v in data.getlist(key) if v]
            except ValueError as exc:
                raise ActionRefused("分组方案无效") from exc
    return plan


@login_required
@require_POST
def office_action(request: HttpRequest, what: str) -> HttpResponse:
    actor = _membership(request)
    if actor is None or actor.role != Role.COMMITTEE_CLERK:
        raise PermissionDenied("只有评委会办公室工作人员可以操作")
    year, data = settings.ZHICHENG_YEAR, request.POST
    done = "已保存"
    try:
        if what == "build":
            groups = build_groups(actor, year)
            done = f"已编排答辩组{len(groups)}个"
        elif what == "redact":
            redact_materials(
                actor,
                posted_int(data, "candidate"),
                summary_text=data.get("summary_text", ""),
                defence_text=data.get("defence_text", ""),
                mark_reviewed=data.get("mark") == "1",
                note=data.get("note", ""),
            )
            done = "已审核，专家可以查阅" if data.get("mark") == "1" else "匿名材料已保存（尚未审核，专家暂不能查阅）"
        elif what == "move":
            move_candidate(actor, posted_int(data, "candidate"), posted_int(data, "group"))
        elif what == "rename":
            rename_group(actor, posted_int(data, "group"), data.get("name", ""))
        elif what == "add_expert":
            user = User.objects.filter(username=data.get("username", "")).first()
            if user is None:
                raise ActionRefused("用户不存在")
            add_expert(
                actor,
                year,
                user=user,
                specialty_category=posted_int(data, "specialty_category"),
                title=data.get("title", ""),
                organisation_name=data.get("organisation_name", ""),
                organisation=Organisation.objects.filter(pk=posted_int(data, "organisation")).first()
                if data.get("organisation")
                else None,
                term_start=posted_date(data, "term_start"),
                term_end=posted_date(data, "term_end"),
            )
            done = "已加入专家库"
        elif what == "pin_conflict":
            # The candidate by its code, typed: a year's thousands of codes are no list to pick from.
            code = data.get("candidate_code", "").strip()
            candidate = Candidate.objects.filter(year=year, code__iexact=code).first() if code else None
            if candidate is None:
                raise ActionRefused(f"没有匿名编号为“{code}”的参评人员" if code else "请填写参评人员的匿名编号")
            pin_conflict(actor, posted_int(data, "expert"), candidate.pk, data.get("reason", ""))
            done = "已确定回避"
        elif what == "apply_plan":
            apply_assignment(actor, year, _plan_from(data))
            done = "专家分组已生效"
        elif what == "assign":
            group = data.get("group") or None
            assign_expert(actor, posted_int(data, "expert"), posted_int(data, "group") if group else None)
        elif what == "prepare_meeting":
            prepare_meeting(actor, year, posted_date(data, "held_on"))
        elif what == "attendance":
            record_attendance(actor, year, [int(v) for v in data.getlist("present") if v.isdigit()])
            done = "已登记出席"
        elif what == "open":
            open_meeting(actor, year)
            done = "会议开始，进入无记名表决"
        elif what == "close":
            close_meeting(actor, year)
            done = "表决结束，已计票并生成会议纪要"
        elif what == "sit_again":
            sit_again(actor, year, posted_date(data, "held_on", "再次开会日期"))
            done = "已安排再次开会：请登记出席后宣布开会，对未表决的参评人员进行表决"
        elif what == "caps":
            recompute_caps(actor, year)
            done = "已按通过率重新排序"
        elif what == "opinion":
            record_opinion(actor, posted_int(data, "candidate"), data.get("opinion", ""))
        elif what == "minutes":
            archive_minutes(actor, year)
            done = "已生成会议纪要"
        else:
            raise Http404
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("evaluation")


@login_required
def minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_view_office(_membership(request)):
        raise PermissionDenied("当前角色无权查看会议纪要")
    minutes = Minutes.objects.filter(pk=pk).first()
    if minutes is None:
        raise Http404
    response = HttpResponse(bytes(minutes.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{minutes.meeting.year}-{minutes.pk}.pdf"'
    return response


# ── the expert ───────────────────────────────────────────────────────────────────────────────────────────


def _expert(request: HttpRequest) -> tuple[Membership, Expert]:
    actor = _membership(request)
    expert = expert_for(actor, settings.ZHICHENG_YEAR)
    if actor is None or expert is None:
        raise PermissionDenied("只有本年度评审专家可以使用此页面")
    return actor, expert


@login_required
def expert_home(request: HttpRequest) -> HttpResponse:
    _, expert = _expert(request)
    assignment = getattr(expert, "assignment", None)
    mine = expert_candidates(expert)
    scored = set(Score.objects.filter(expert=expert, current=True).values_list("candidate_id", flat=True))
    meeting = Meeting.objects.filter(year=expert.year).first()
    ballots = None
    present = bool(meeting and meeting.present.filter(pk=expert.pk).exists())
    if meeting is not None and meeting.status == Meeting.Status.OPEN and present:
        # A committee votes on the whole year's candidates: a page at a time, what is still to vote on first.
        cast = set(meeting.casts.filter(expert=expert, void=False).values_list("candidate_id", flat=True))
        ballots = paged(
            request,
            sorted(
                ({"c": c, "voted": c.pk in cast} for c in voting_candidates(expert, meeting)),
                key=lambda b: (b["voted"], b["c"].code),
            ),
            "ballots_page",
        )
    return render(
        request,
        "evaluation/expert_home.html",
        {
            "expert": expert,
            "group": assignment.group if assignment else None,
            "candidates": paged(
                request, [{"c": c, "scored": c.pk in scored, "ready": materials_ready(c)} for c in mine], "mine_page"
            ),
            "to_score": sum(1 for c in mine if c.pk not in scored),
            "meeting": meeting,
            "present": present,
            "ballots": ballots,
            "choices": Ballot.Choice.choices,
        },
    )


def _my_candidate(expert: Expert, code: str) -> Candidate:
    for c in expert_candidates(expert):
        if c.code == code:
            return c
    raise Http404


@login_required
def expert_candidate(request: HttpRequest, code: str) -> HttpResponse:
    _, expert = _expert(request)
    candidate = _my_candidate(expert, code)
    pack = year_pack(candidate.year)
    current = Score.objects.filter(candidate=candidate, expert=expert, current=True).first()
    computed = (candidate.computed or {}).get("items", {})
    q_items = [
        {"item": i, "computed": computed.get(i.id), "given": (current.quantified.get(i.id) if current else None)}
        for i in rubric(candidate.year, "quantified")
    ]
    d_items = [
        {"item": i, "given": current.defence.get(i.id) if current else None} for i in rubric(candidate.year, "defence")
    ]
    return render(
        request,
        "evaluation/expert_candidate.html",
        {
            "c": candidate,
            "ready": materials_ready(candidate),
            "can_score": scoring_open(candidate.year),  # the same test submit_score and correct_score apply (R28)
            "can_declare": not vote_begun(candidate.year),  # declare_conflict's test (before_the_vote, R22)
            "materials": (candidate.computed or {}).get("materials", {}),
            "specialty": candidate.application.specialty_name,
            "d_items": d_items,
            "q_items": q_items,
            "weights": pack.param("evaluation.grassroots_weights").value if candidate.grassroots else {},
            "current": current,
            "history": Score.objects.filter(candidate=candidate, expert=expert, current=False).order_by("pk"),
        },
    )


def _sheet_from(data: QueryDict) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    defence = {k[2:]: v for k, v in data.items() if k.startswith("d_")}
    quantified: dict[str, dict[str, Any]] = {}
    for k, v in data.items():
        if k.startswith("q_"):
            quantified.setdefault(k[2:], {})["points"] = v
        elif k.startswith("r_"):
            quantified.setdefault(k[2:], {})["reason"] = v
    return defence, quantified


@login_required
@require_POST
def expert_action(request: HttpRequest, code: str, what: str) -> HttpResponse:
    actor, expert = _expert(request)
    data = request.POST
    back = redirect("expert_candidate", code=code)
    try:
        if what == "ballot":
            back = redirect("expert_home")
            candidate = Candidate.objects.filter(year=expert.year, code=code).first()
            if candidate is None:
                raise Http404
            cast_ballot(actor, expert.year, candidate.pk, data.get("choice", ""))
            done = f"已对{code}投票"
        else:
            candidate = _my_candidate(expert, code)
            if what == "score":
                defence, quantified = _sheet_from(data)
                submit_score(
                    actor, candidate.pk, defence=defence, quantified=quantified, comment=data.get("comment", "")
                )
                done = "评分已提交"
            elif what == "correct":
                defence, quantified = _sheet_from(data)
                correct_score(
                    actor,
                    candidate.pk,
                    defence=defence,
                    quantified=quantified,
                    reason=data.get("reason", ""),
                    comment=data.get("comment", ""),
                )
                done = "更正已提交，原评分已保留"
            elif what == "conflict":
                declare_conflict(actor, candidate.pk, data.get("reason", ""))
                messages.success(request, "已申报回避")
                return redirect("expert_home")
            else:
                raise Http404
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, done)
    return back
