from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="procedure",
            index=models.Index(fields=["team", "received_at"], name="cases_proc_team_received"),
        ),
        migrations.AddIndex(
            model_name="procedure",
            index=models.Index(fields=["team", "result_at"], name="cases_proc_team_result"),
        ),
    ]
