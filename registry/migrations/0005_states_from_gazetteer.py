"""Fill the Bundesland of communes created from partner lists (it was left "unbekannt")."""

from django.db import migrations

from registry.gazetteer import state_code_for


def fill_states(apps, schema_editor):
    Municipality = apps.get_model("registry", "Municipality")
    State = apps.get_model("registry", "State")
    states = {s.code: s for s in State.objects.all()}
    for municipality in Municipality.objects.filter(state__isnull=True):
        code = state_code_for(municipality.name)
        if code in states:
            municipality.state = states[code]
            municipality.save(update_fields=["state"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_municipality_emergency_phone")]
    operations = [migrations.RunPython(fill_states, migrations.RunPython.noop)]
