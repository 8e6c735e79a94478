"""A case's history, as rows that are only added: who, in which role and organisation, from → to, why."""

from __future__ import annotations

from typing import Any

from zhicheng.accounts.models import Membership
from zhicheng.cases.models import Application, ApplicationEvent


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
