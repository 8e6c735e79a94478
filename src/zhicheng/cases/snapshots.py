"""The engine's decision as it stood at a stage, kept with the pack and its version, never recomputed silently."""

from __future__ import annotations

from zhicheng.cases.models import Application, DecisionSnapshot
from zhicheng.policy.findings import Decision
from zhicheng.policy.pack import Pack


def record_snapshot(application: Application, stage: str, decision: Decision, pack: Pack) -> DecisionSnapshot:
    level = decision.levels[application.level]
    path = next((p for p in level.paths if p.path == application.path), None)
    return DecisionSnapshot.objects.create(
        application=application,
        stage=stage,
        pack=pack.id,
        pack_version=pack.version,
        outcome=level.outcome,
        path_outcome=path.outcome if path else "",
        decision=decision.to_dict(),
    )
