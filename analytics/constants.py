"""Constants of the analytics app."""

# Figures based on fewer cases are withheld in comparisons between communes, so that no
# single procedure can be recognised (the usual small-count rule of official statistics).
SUPPRESSION_THRESHOLD = 5
# The cross-commune comparison adds a keyed, bounded noise of at most ±COMPARISON_NOISE
# to every count it publishes (see analytics.selectors.comparison_report).
COMPARISON_NOISE = 2

# The deadlines themselves are the communes' case policy (cases.CasePolicy), read through
# cases.selectors.policy_deadline_rules: one source for the due lists and the analysis.
