"""Row locks: a service changes a case only after locking its row, so that two clerks at once never both act."""

from __future__ import annotations

from zhicheng.cases.models import Application
from zhicheng.cases.refusals import ActionRefused


def locked(application_id: int) -> Application:
    """The case, locked until the caller's transaction ends; a missing case is refused as an unseen one."""
    found = Application.objects.select_for_update().filter(pk=application_id).first()
    if found is None:
        raise ActionRefused("申报不存在或无权查看")
    return found
