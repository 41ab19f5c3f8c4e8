"""The detector of identifying details, on German samples."""

import pytest

from reviews import detector


@pytest.mark.parametrize(
    ("text", "kind", "passage"),
    [
        ("Frau Yilmaz vom Jugendamt rief zurück.", "name", "Frau Yilmaz"),
        ("Gespräch mit Herrn Dr. Schulte-Berg", "name", "Herrn Dr. Schulte-Berg"),
        ("Die Familie K. zog um.", "name", "Familie K"),
        ("Sohn Kevin Müller fehlte oft.", "name", "Sohn Kevin Müller"),
        ("Paul Schneider von der Kita meldete sich.", "name", "Paul Schneider"),
        ("Termin am 12.03.2024 abgesagt.", "date", "12.03.2024"),
        ("Hausbesuch am 3. März 2025 ohne Ergebnis.", "date", "3. März 2025"),
        ("Das Kind, geb. 03.05.2019, war unterernährt.", "date", "geb. 03.05.2019"),
        ("Export vom 2025-01-31", "date", "2025-01-31"),
        ("Sie wohnt in der Hauptstraße 12a.", "address", "Hauptstraße 12a"),
        ("Am Lindenweg 4 brannte Licht.", "address", "Lindenweg 4"),
        ("PLZ 53111 Bonn", "address", "53111 Bonn"),
        ("Rückruf unter 0228 / 77 34 56 erbeten.", "phone", "0228 / 77 34 56"),
        ("Handy +49 151 23456789", "phone", "+49 151 23456789"),
        (
            "Mail an sachbearbeitung@jugendamt.example.org",
            "email",
            "sachbearbeitung@jugendamt.example.org",
        ),
        ("Az. 51.2-1234/24 liegt vor.", "file_number", "Az. 51.2-1234/24"),
        ("Familiengericht, 2 F 123/24", "file_number", "2 F 123/24"),
        ("Aktenzeichen: JA-2024-0815", "file_number", "Aktenzeichen: JA-2024-0815"),
    ],
)
def test_flags_identifying_details(text, kind, passage):
    hits = detector.detect(text)
    assert (kind, passage) in [(h.kind, h.text) for h in hits], hits


@pytest.mark.parametrize(
    "text",
    [
        "Die Kita meldete gewichtige Anhaltspunkte, der ASD reagierte erst nach drei Wochen.",
        "Im Jahr 2024 gab es 12 Meldungen; 15 Fachkräfte nahmen an der Werkstatt teil.",
        "Die Gefährdungseinschätzung wurde nicht im Vier-Augen-Prinzip vorgenommen.",
        "Keine Rückmeldung an die Schule nach § 4 Abs. 4 KKG.",
    ],
)
def test_leaves_ordinary_professional_text_alone(text):
    assert detector.detect(text) == []


def test_redact_replaces_every_passage_with_a_placeholder():
    text = "Mutter Sabine (Tel. 0228 / 77 34 56) zog am 12.03.2024 in die Hauptstraße 12."
    assert detector.redact(text) == "[Name] (Tel. [Telefon]) zog am [Datum] in die [Adresse]."
    assert detector.kinds(text) == {"name", "phone", "date", "address"}


def test_empty_text():
    assert detector.detect("") == []
    assert detector.redact("") == ""
