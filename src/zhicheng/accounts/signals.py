"""What the sign-in steps announce, for the audit trail to record (the trail sits on a floor above accounts)."""

from django.dispatch import Signal

# Sent with request, user and passed (bool) after each second-factor code is checked, at sign-in or at enrolment.
second_factor_checked = Signal()
