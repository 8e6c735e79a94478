"""A case's history, as rows that are only added: who, in which role and organisation, from → to, why."""

from __future__ import annotations

from typing import Any

from zhicheng.accounts.models import Membership
from zhicheng.audit import trail
from zhicheng.audit.models import AuditEntry
from zhicheng.cases.labels import ACTION_LABELS
from zhicheng.cases.models import Application, ApplicationEvent, State


def _summary(action: str, from_state: str, to_state: str, reason: str) -> str:
    states = dict(State.choices)
    moved = "→".join(states.get(s, s) for s in (from_state, to_state) if s)
    parts = [ACTION_LABELS.get(action, "办理"), moved, f"理由：{reason}" if reason else ""]
    return "；".join(p for p in parts if p)


def record_event(
    application: Application,
    actor: Membership,
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> ApplicationEvent:
    trail.record(
        AuditEntry.Kind.STATE_CHANGE,
        action,
        user=actor.user,
        role=actor.role,
        subject=f"申报#{application.pk}",
        summary=_summary(action, from_state, to_state, reason),
        payload=payload,
    )
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor.user,
        role=actor.role,
        organisation=actor.organisation,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )
