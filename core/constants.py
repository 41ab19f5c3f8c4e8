"""Constants more than one app relies on (core is the floor every app may import)."""

# Figures based on fewer cases are withheld wherever aggregates leave the team that owns
# the cases (comparisons between communes, the network view's reaction times), so that
# no single procedure or child can be recognised — the usual small-count rule of official
# statistics. One number for the whole platform.
SUPPRESSION_THRESHOLD = 5
