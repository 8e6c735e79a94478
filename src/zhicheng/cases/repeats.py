"""A step posted twice — a double click, a reload of the answer, two tabs — is done once. The page sends the case's
position it was shown (``seen``); when the case has moved since, the service answers with what the first post
produced, or, when someone else moved it, refuses with the news instead of acting on a case the clerk has not seen."""

from __future__ import annotations

from zhicheng.accounts.models import Membership
from zhicheng.cases.labels import ACTION_LABELS
from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused, AlreadyDone


def position(application: Application) -> str:
    """Where the case stands, as the page that offers an action shows it."""
    return f"{application.state}:{application.step}"


def check_repeat(application: Application, actor: Membership, action: str, seen: str = "", *, moved: bool) -> None:
    """Called with the case locked. ``moved`` says the action no longer applies (no such transition from the state,
    or the page's ``seen`` differs): if the case's latest step is this very action by this person, the post is a
    repeat and the answer is what it produced; otherwise the case moved under the clerk's eyes."""
    if seen and seen != position(application):
        moved = True
    if not moved:
        return
    last = application.events.order_by("-pk").first()
    if last is not None and last.action == action and last.actor_id == actor.user.pk:
        state = application.get_state_display()
        raise AlreadyDone(f"该操作已办理（{ACTION_LABELS.get(action, '办理')}），无需重复提交；当前状态：{state}")
    if seen:
        raise ActionRefused(
            f"该申报已由他人办理，当前状态为「{application.get_state_display()}」；页面已更新，请核对后再操作"
        )
