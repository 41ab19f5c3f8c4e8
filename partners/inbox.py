"""Mein Bereich (core.inbox) for the partners app: what waits for the institution's staff,
for the insoweit erfahrene Fachkraft and for the Jugendamt's intake.

A read through the app's scoped selectors only: staff see their institution's records
(``selectors.record_dashboard``), an insoFa only the consultations addressed to her,
the Jugendamt only the Mitteilungen of communes where it takes in reports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core.inbox import DueItem
from partners import selectors
from partners.choices import ConsultationStatus


def due_items_for_user(*, user: Any, today: dt.date) -> list[DueItem]:
    items: list[DueItem] = []
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    if selectors.binding_for(user=user) is not None:
        counts = selectors.record_dashboard(user=user, now=now)
        if counts["review_due"]:
            items.append(
                DueItem(
                    kind="partner_review_due",
                    title=ngettext(
                        "%(n)s beobachteter Vorgang ist zur Überprüfung fällig",
                        "%(n)s beobachtete Vorgänge sind zur Überprüfung fällig",
                        counts["review_due"],
                    )
                    % {"n": counts["review_due"]},
                    url=reverse("partners:dashboard"),
                    count=counts["review_due"],
                    overdue=True,
                )
            )
        if counts["drafts"]:
            items.append(
                DueItem(
                    kind="partner_drafts",
                    title=ngettext(
                        "%(n)s Einschätzung ist noch nicht abgezeichnet",
                        "%(n)s Einschätzungen sind noch nicht abgezeichnet",
                        counts["drafts"],
                    )
                    % {"n": counts["drafts"]},
                    url=reverse("partners:dashboard"),
                    count=counts["drafts"],
                )
            )
    consultations = selectors.consultations_for_insofa(user=user)
    requested = consultations.filter(status=ConsultationStatus.REQUESTED).count()
    if requested:
        items.append(
            DueItem(
                kind="consultation_requests",
                title=ngettext(
                    "%(n)s Beratungsanfrage wartet auf Ihre Antwort",
                    "%(n)s Beratungsanfragen warten auf Ihre Antwort",
                    requested,
                )
                % {"n": requested},
                url=reverse("partners:consultation_list"),
                count=requested,
                overdue=True,
            )
        )
    accepted = consultations.filter(status=ConsultationStatus.ACCEPTED).count()
    if accepted:
        items.append(
            DueItem(
                kind="consultation_results",
                title=ngettext(
                    "%(n)s angenommene Beratung: Ergebnis dokumentieren",
                    "%(n)s angenommene Beratungen: Ergebnis dokumentieren",
                    accepted,
                )
                % {"n": accepted},
                url=reverse("partners:consultation_list"),
                count=accepted,
            )
        )
    intake = selectors.intake_counts(user=user, now=now)
    if intake["new"]:
        items.append(
            DueItem(
                kind="partner_messages",
                title=ngettext(
                    "%(n)s neue Mitteilung einer Einrichtung: Eingang bestätigen",
                    "%(n)s neue Mitteilungen von Einrichtungen: Eingang bestätigen",
                    intake["new"],
                )
                % {"n": intake["new"]},
                url=reverse("partners:intake") + "?state=new",
                count=intake["new"],
                overdue=True,
            )
        )
    if intake["feedback_overdue"]:
        items.append(
            DueItem(
                kind="partner_feedback_overdue",
                title=ngettext(
                    "%(n)s Rückmeldung an eine Einrichtung ist überfällig",
                    "%(n)s Rückmeldungen an Einrichtungen sind überfällig",
                    intake["feedback_overdue"],
                )
                % {"n": intake["feedback_overdue"]},
                url=reverse("partners:intake") + "?state=feedback_overdue",
                count=intake["feedback_overdue"],
                overdue=True,
            )
        )
    return items
