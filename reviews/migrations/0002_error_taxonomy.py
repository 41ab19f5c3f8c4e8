"""Ship the curated taxonomy of child-protection errors and contributing factors.

Sources: the typical errors named when the model project began (four-eyes principle not
kept, child not seen, poor documentation, broken communication), § 8a SGB VIII / § 4 KKG
duties, and the SCIE "Learning Together" patterns (human–tool, human–management system,
multi-agency work). The project team edits the list afterwards; this only adds what is
missing, so re-running never overwrites their changes.
"""

from django.db import migrations

ERRORS = [
    ("perception-judgement", "Wahrnehmung und Einschätzung",
     "Gewichtige Anhaltspunkte übersehen, falsch gewichtet oder nicht verknüpft."),
    ("fixation-first-assessment", "Festhalten an der ersten Einschätzung",
     "Neue Informationen ändern eine einmal getroffene Einschätzung nicht."),
    ("child-not-seen", "Kind nicht gesehen",
     "Kein unmittelbarer Eindruck vom Kind und seiner Umgebung (§ 8a Abs. 1 SGB VIII)."),
    ("family-not-involved", "Familie/Kind nicht beteiligt",
     "Erziehungsberechtigte oder Kind wurden nicht einbezogen, obwohl der Schutz "
     "dadurch nicht in Frage gestellt war."),
    ("four-eyes-not-kept", "Vier-Augen-Prinzip nicht eingehalten",
     "Gefährdungseinschätzung nicht im Zusammenwirken mehrerer Fachkräfte."),
    ("no-structured-assessment", "Keine strukturierte Gefährdungseinschätzung",
     "Kein Einschätzungsbogen, keine nachvollziehbare Begründung."),
    ("information-loss-interface", "Informationsverlust an einer Schnittstelle",
     "Informationen gingen zwischen Diensten, Schichten oder Institutionen verloren."),
    ("unclear-responsibility", "Unklare Zuständigkeit",
     "Niemand fühlte sich verantwortlich, oder alle dachten, jemand anderes handle."),
    ("handover-failed", "Fallübergabe misslungen",
     "Zuständigkeitswechsel ohne Mitteilung oder Übergabegespräch (§ 8a Abs. 6, § 86c SGB VIII)."),
    ("communication-breakdown", "Kommunikation abgebrochen",
     "Rückfragen unbeantwortet, Absprachen nicht eingehalten, Kontakt verloren."),
    ("reporter-no-feedback", "Keine Rückmeldung an die meldende Stelle",
     "Meldende Berufsgeheimnisträger erhielten keine Rückmeldung (§ 4 Abs. 4 KKG)."),
    ("documentation-gap", "Dokumentationslücke",
     "Entscheidungen, Gründe oder Kontakte sind nicht oder nicht rechtzeitig dokumentiert."),
    ("late-reaction", "Zu späte Reaktion",
     "Fristen versäumt, Dringlichkeit unterschätzt."),
    ("insofa-not-consulted", "Insoweit erfahrene Fachkraft nicht hinzugezogen",
     "Beratungsanspruch nach § 8b SGB VIII / § 4 Abs. 2 KKG nicht genutzt."),
]

FACTORS = [
    ("workload", "Arbeitsbelastung und Fallzahlen", "Zu viele Fälle, zu wenig Zeit."),
    ("missing-knowledge", "Fehlendes Fachwissen", "Wissen oder Qualifikation fehlte."),
    ("staff-turnover", "Personalwechsel und Vakanzen", "Wechsel, Vertretung, unbesetzte Stellen."),
    ("tools-procedures", "Instrumente und Verfahren (Mensch–Werkzeug)",
     "Formulare, Software oder Abläufe passten nicht zur Aufgabe."),
    ("management-system", "Leitung und Aufsicht (Mensch–Managementsystem)",
     "Fallberatung, Aufsicht oder Entscheidungswege fehlten oder griffen nicht."),
    ("supervision-missing", "Fehlende Supervision oder kollegiale Beratung",
     "Kein Raum, die eigene Einschätzung zu prüfen."),
    ("cooperation-culture", "Kooperationskultur zwischen Institutionen",
     "Misstrauen, Konkurrenz oder fehlende Kenntnis der anderen Arbeitsweise."),
    ("data-protection-uncertainty", "Unsicherheit bei Datenschutz und Schweigepflicht",
     "Befugnisse zur Weitergabe (§ 4 KKG) waren unklar."),
    ("family-resistance", "Verdeckte oder offene Abwehr der Familie",
     "Scheinbare Kooperation, abgesagte Termine, Wechsel der Dienste."),
    ("crisis-dynamics", "Dynamik in akuten Krisen",
     "Handeln unter Zeitdruck in einer multiprofessionellen Krise."),
    ("long-term-drift", "Schleichende Entwicklung in Langzeitfällen",
     "Gewöhnung an einen Zustand, der sich langsam verschlechtert."),
]


def load(apps, schema_editor):
    category = apps.get_model("reviews", "ErrorCategory")
    for kind, rows in (("error", ERRORS), ("factor", FACTORS)):
        for position, (code, label, description) in enumerate(rows):
            category.objects.get_or_create(
                code=code,
                defaults={
                    "label": label,
                    "description": description,
                    "kind": kind,
                    "position": position,
                },
            )


def unload(apps, schema_editor):
    codes = [row[0] for row in ERRORS + FACTORS]
    apps.get_model("reviews", "ErrorCategory").objects.filter(
        code__in=codes, findings__isnull=True, incident_reports__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
