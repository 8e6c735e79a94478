"""`make run`'s demo, loaded once, in one transaction, in the order a real round goes."""

from __future__ import annotations

from django.db import transaction

from zhicheng.accounts.models import User
from zhicheng.demo import accounts, cases, evaluation, window
from zhicheng.demo.evaluation import Writer


def load(stdout: Writer) -> bool:
    """Load the demo; False (and nothing written) when it is there already."""
    if User.objects.filter(username="applicant").exists():
        return False
    with transaction.atomic():
        employers = accounts.load()
        window.open_the_window()
        cases.load(employers)
        # The evaluation's experts, groups and assignment, built from the accepted cases. The main demo applicant
        # (and applicant4, for the integrity demo) have complete profiles and no application yet: the walk-through
        # starts there.
        evaluation.load(stdout)
        accounts.enrol_second_factors()
    return True
