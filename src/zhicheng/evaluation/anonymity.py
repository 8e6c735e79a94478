"""What experts read, and the check that it names no one (5b, R18): the work summary, the defence paper, the
titles of the academic work and the achievements, and the office's anonymised copies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from zhicheng.accounts.models import Membership
from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused
from zhicheng.evaluation.guards import locked_candidate, log_event, not_closed, office_only
from zhicheng.evaluation.models import (
    Candidate,
)
from zhicheng.policy.facts import Facts
from zhicheng.policy.text import HIT_LABELS, personal_info_hits
from zhicheng.records.facts import engine_facts
from zhicheng.records.models import Profile
from zhicheng.round.clock import now


def _hits(text: str, facts: Facts, app: Application | None = None) -> list[str]:
    """R18: the names the applicant declared and those the platform holds for the case (its employer and area)."""
    found = personal_info_hits(
        text,
        name=facts.identity.name,
        employer=facts.employment.employer_name,
        county=facts.employment.county,
        employers=(app.employer.name,) if app else (),
        counties=(app.area.name,) if app and app.area.kind != "city" else (),
    )
    return [HIT_LABELS[k] for k in found]


def expert_materials(facts: Facts, app: Application | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What experts read besides the two texts: titles of the academic work and the achievements (no files: scans
    carry names and seals). A title naming the applicant is withheld and flagged."""
    flags: list[dict[str, Any]] = []

    def titles(kind: str, label: str, items: Iterable[Any] | None) -> list[str]:
        out = []
        for i, item in enumerate(items or []):
            title = item.title or ""
            found = _hits(title, facts, app)
            if found:
                flags.append({"where": f"{label}{i + 1}题目", "kinds": found, "fixed": True})
                title = "（题目含个人信息，已隐去）"
            out.append(title)
        return out

    achievements = [
        {
            "clause": a.clause or "",
            "role": a.role or "",
            "on": a.achieved_on.isoformat() if a.achieved_on else "",
            "scope": {"city_or_above": "市级、行业及以上", "enterprise": "企业"}.get(a.scope or "", ""),
        }
        for a in facts.achievements or []
    ]
    for i, a in enumerate(achievements):
        if _hits(a["role"], facts, app):
            flags.append({"where": f"业绩成果{i + 1}", "kinds": _hits(a["role"], facts, app), "fixed": True})
            a["role"] = "（已隐去）"
    return (
        {
            "papers": titles("paper", "论文", facts.papers),
            "books": titles("book", "著作", facts.books),
            "reports": titles("report", "技术报告", facts.technical_reports),
            "achievements": achievements,
        },
        flags,
    )


def text_flags(summary: str, defence: str, facts: Facts, app: Application | None = None) -> list[dict[str, Any]]:
    flags = []
    for where, text in (("专业技术工作总结", summary), ("答辩材料", defence)):
        found = _hits(text, facts, app)
        if found:
            flags.append({"where": where, "kinds": found, "fixed": False})
    return flags


def needs_fixing(candidate: Candidate) -> list[dict[str, Any]]:
    """The flags of the texts the office has still to deal with (R18): the check's hits in the two texts."""
    return [h for h in candidate.hits if not h.get("fixed")]


def materials_ready(candidate: Candidate) -> bool:
    """Experts read a candidate's materials only once the office has read them as experts will and marked them
    已审核 (R18): the check is a help to that reading, never a substitute for it."""
    return candidate.reviewed


def redact_materials(
    actor: Membership,
    candidate_id: int,
    *,
    summary_text: str,
    defence_text: str,
    mark_reviewed: bool = False,
    note: str = "",
) -> Candidate:
    """The office's copy of the work summary and the defence paper as experts will read them (5b, R18), checked
    again on every save. Saving a change clears the 已审核 mark; marking it needs a text the check finds clean, or
    the office's note on why what it still finds is not the applicant's (a common word that looks like a name). Once
    an expert has scored, the texts stay as the expert read them. The applicant's own facts are left as they are."""
    office_only(actor, "处理匿名材料")
    # A browser sends a textarea's lines ending \r\n: the same text saved again is not an edit.
    summary_text, defence_text = (t.replace("\r\n", "\n") for t in (summary_text, defence_text))
    note = note.strip()
    longest = Candidate._meta.get_field("review_note").max_length or 0
    if len(note) > longest:
        raise ActionRefused(f"核对说明不能超过{longest}字")
    with transaction.atomic():
        candidate = locked_candidate(candidate_id)
        not_closed(candidate.year)
        changed = (summary_text, defence_text) != (candidate.summary_text, candidate.defence_text)
        if changed and candidate.scores.exists():
            raise ActionRefused("已有专家评分，匿名材料不能再修改（专家评分依据的是已审核的材料）")
        app = candidate.application
        facts = engine_facts(Profile.objects.get(user=app.applicant), app.year)
        flags = text_flags(summary_text, defence_text, facts, app)
        if mark_reviewed and flags and not note:
            raise ActionRefused(
                *(f"{f['where']}仍含有{'、'.join(f['kinds'])}" for f in flags),
                "请修改；如经核对所列内容不是申报人的个人信息，请填写核对说明后再标记已审核",
            )
        candidate.summary_text, candidate.defence_text = summary_text, defence_text
        candidate.hits = [h for h in candidate.hits if h.get("fixed")] + flags
        was_reviewed = candidate.reviewed
        if mark_reviewed:
            candidate.reviewed_at, candidate.reviewed_by, candidate.review_note = now(), actor.user, note
        elif changed:
            candidate.reviewed_at, candidate.reviewed_by, candidate.review_note = None, None, ""
        candidate.save()
        log_event(actor, candidate.year, "anonymity_check", candidate, hits=flags)
        if mark_reviewed:
            log_event(actor, candidate.year, "anonymity_reviewed", candidate, note=note)
        elif changed and was_reviewed:
            log_event(actor, candidate.year, "anonymity_review_cleared", candidate)
    return candidate
