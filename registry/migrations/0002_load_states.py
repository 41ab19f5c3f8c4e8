"""Load the 16 Bundesländer; they are reference data, not user data."""

from django.db import migrations

STATES = (
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
)


def load(apps, schema_editor):
    State = apps.get_model("registry", "State")
    for code, name in STATES:
        State.objects.update_or_create(code=code, defaults={"name": name})


def unload(apps, schema_editor):
    apps.get_model("registry", "State").objects.filter(code__in=[c for c, _ in STATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
