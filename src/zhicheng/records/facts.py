"""The one place that builds the engine's facts for a case: the applicant's profile, the office's integrity register
(8.2) and last year's outcome on record (7.2) — neither of which the applicant can declare away — and the decisions
the stages take and keep from them."""

from __future__ import annotations

from django.conf import settings

from zhicheng.cases.models import Application, DecisionSnapshot
from zhicheng.cases.snapshots import record_snapshot
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import Facts, load_facts
from zhicheng.policy.findings import Decision
from zhicheng.policy.pack import Pack, pack_for_year
from zhicheng.records import idnumbers
from zhicheng.records.integrity import records_for_digest
from zhicheng.records.models import Profile
from zhicheng.records.outcomes import last_year_fact
from zhicheng.round.year import current_pack


def engine_facts(profile: Profile, year: int | None = None) -> Facts:
    """The profile as the engine's facts, with the ID number decrypted for the checks that need it, the integrity
    records from the office's register (8.2) and last year's outcome where the platform knows it (7.2)."""
    data = dict(profile.facts)
    data["integrity_records"] = records_for_digest(profile.id_number_digest) if profile.id_number_digest else None
    known = last_year_fact(profile.id_number_digest, year or settings.ZHICHENG_YEAR)
    if known is not None:
        declared = data.get("last_year") or {}
        # Whether there are new achievements (7.2b) is the applicant's to declare; the rest is the record's.
        data["last_year"] = {
            **known,
            **({"new_achievements": declared["new_achievements"]} if "new_achievements" in declared else {}),
        }
    if profile.id_number_cipher:
        identity = dict(data.get("identity") or {})
        identity["id_number"] = idnumbers.decrypt(profile.id_number_cipher)
        data["identity"] = identity
    return load_facts(data)


def case_facts(application: Application) -> Facts:
    """The engine's facts of the case's applicant, for the case's year."""
    return engine_facts(Profile.objects.get(user=application.applicant), application.year)


def decide(application: Application) -> Decision:
    """The engine's decision on the case's applicant now, on the case's year's pack."""
    return evaluate(case_facts(application), pack_for_year(application.year))


def path_outcome_now(application: Application) -> str:
    """The engine's answer for the case's own path, re-run on today's record (the register's findings included)."""
    decision = decide(application)
    path = next((p for p in decision.levels[application.level].paths if p.path == application.path), None)
    return path.outcome if path else "ineligible"


def snapshot(application: Application, stage: str) -> DecisionSnapshot:
    """Keep the decision as it stands at this stage (R0): the case is judged on it, never recomputed silently."""
    return record_snapshot(application, stage, decide(application), pack_for_year(application.year))


def self_check(profile: Profile, pack: Pack | None = None) -> Decision:
    """The applicant's own check of the profile against the year's pack."""
    pack = pack or current_pack()
    return evaluate(engine_facts(profile, int(pack.param("evaluation_year").value)), pack)
