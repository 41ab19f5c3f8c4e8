"""Constants of the analytics app."""

# Small-cell suppression: one threshold for the platform, kept in core so that partners
# (a lower floor) reads the same number without importing analytics.
from core.constants import SUPPRESSION_THRESHOLD

__all__ = ["COMPARISON_NOISE", "SUPPRESSION_THRESHOLD"]

# The cross-commune comparison adds a keyed, bounded noise of at most ±COMPARISON_NOISE
# to every count it publishes (see analytics.selectors.comparison_report).
COMPARISON_NOISE = 2

# The deadlines themselves are the communes' case policy (cases.CasePolicy), read through
# cases.selectors.policy_deadline_rules: one source for the due lists and the analysis.
