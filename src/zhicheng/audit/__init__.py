"""The audit trail (MLPS level 3, Cybersecurity Law art. 21): every state change, sign-in and view of personal data,
as rows that are only appended, each sealed with the seal of the one before, so that any change shows."""
