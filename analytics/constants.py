"""Constants of the analytics app."""

# Figures based on fewer cases are withheld in comparisons between communes, so that no
# single procedure can be recognised (the usual small-count rule of official statistics).
SUPPRESSION_THRESHOLD = 5

# Default deadlines a demo commune starts with (activity codes of cases.choices.ActivityCode).
DEFAULT_RULES = (
    {
        "name": "Akute Meldung → Erstkontakt in 24 Stunden",
        "start_activity": "report_received",
        "end_activity": "first_contact",
        "deadline_hours": 24,
        "urgency": "immediate",
    },
    {
        "name": "Meldung → Erstkontakt in 3 Tagen",
        "start_activity": "report_received",
        "end_activity": "first_contact",
        "deadline_hours": 72,
        "urgency": "",
    },
    {
        "name": "Meldung → Gefährdungseinschätzung abgezeichnet in 14 Tagen",
        "start_activity": "report_received",
        "end_activity": "risk_assessment_signed",
        "deadline_hours": 14 * 24,
        "urgency": "",
    },
)
