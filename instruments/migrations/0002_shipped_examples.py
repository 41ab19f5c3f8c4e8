"""The shipped example instruments (no commune): version 1 of each.

The Jugendamt's example form that came with cases/instruments becomes version 1 of a
shipped example for every institution type; the Kita example (0–6) is for Kitas.
"""

from pathlib import Path

from django.db import migrations

SHIPPED = (
    (Path("cases/instruments/beispiel-gefaehrdungseinschaetzung.yaml"), []),
    (
        Path("instruments/examples/beispiel-kita-0-6.yaml"),
        ["daycare", "early_help", "family_education"],
    ),
)


def load(apps, schema_editor):
    from django.conf import settings
    from django.utils import timezone

    from instruments.parsing import parse_instrument_file

    instrument_model = apps.get_model("instruments", "Instrument")
    version_model = apps.get_model("instruments", "InstrumentVersion")
    base = Path(settings.BASE_DIR)
    for path, types in SHIPPED:
        source = (base / path).read_text(encoding="utf-8")
        definition = parse_instrument_file(source)
        instrument, _created = instrument_model.objects.get_or_create(
            municipality=None,
            key=definition["key"],
            defaults={"title": definition["title"], "example": True},
        )
        version_model.objects.get_or_create(
            instrument=instrument,
            number=1,
            defaults={
                "status": "published",
                "source": source,
                "definition": definition,
                "institution_types": types,
                "note": "mitgeliefertes Beispiel",
                "published_at": timezone.now(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
