"""What kind of case it is: how it came to the committee, and whether the committee decides it on the record."""

from __future__ import annotations

from zhicheng.cases.models import Application


def case_kind(application: object) -> str:
    """How a case came to the committee, as the office names it: entrusted (7.1), introduced talent's recognition
    (3.10), series transfer (4), a vocational qualification's recognition (3.3), or ordinary evaluation."""
    path = str(getattr(application, "path", ""))
    if path.endswith("_introduced_talent"):
        kind = "引进人才职称认定"
    elif path.endswith("_vocational_qualification"):
        kind = "职业资格认定"
    elif path.endswith("_transfer"):
        kind = "转系列评审"
    else:
        kind = "确定" if getattr(application, "level", "") == "technician" else "评审"
    return f"委托评审（{kind}）" if getattr(application, "entrusted", False) else kind


def decided_without_defence(application: Application) -> bool:
    """Cases the committee decides on the record, not in a defence group: an introduced talent's recognition (3.10),
    a vocational qualification's recognition (3.3b), and the technician, who is determined, not evaluated (3.2.1c)."""
    return application.level == "technician" or application.path.endswith(
        ("_introduced_talent", "_vocational_qualification")
    )
