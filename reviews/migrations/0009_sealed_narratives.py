"""Review narratives and raw near-miss texts become row-bound encrypted columns; legal hold."""

import core.fields
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0008_narrative_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='casereview',
            name='legal_hold',
            field=models.BooleanField(default=False, verbose_name='Löschsperre (rechtliche Aufbewahrung)'),
        ),
        migrations.AddField(
            model_name='casereview',
            name='legal_hold_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='Grund der Löschsperre'),
        ),
        migrations.AddField(
            model_name='casereview',
            name='purged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='Freitexte gelöscht am'),
        ),
        migrations.AlterField(
            model_name='casereview',
            name='questions',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Fragen der Falluntersuchung'),
        ),
        migrations.AlterField(
            model_name='casereview',
            name='summary',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Zusammenfassung'),
        ),
        migrations.AlterField(
            model_name='episode',
            name='code',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='episode',
            name='institution_label',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='handelnde Stelle'),
        ),
        migrations.AlterField(
            model_name='episode',
            name='known_then',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Was war damals bekannt?'),
        ),
        migrations.AlterField(
            model_name='episode',
            name='what_happened',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Was ist geschehen?'),
        ),
        migrations.AlterField(
            model_name='episode',
            name='why_sensible',
            field=core.fields.EncryptedTextField(blank=True, help_text='Die Sicht der Beteiligten zum damaligen Zeitpunkt, nicht im Rückblick.', verbose_name='Warum erschien das Handeln damals sinnvoll?'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='code',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='finding',
            name='text',
            field=core.fields.EncryptedTextField(verbose_name='Befund'),
        ),
        migrations.AlterField(
            model_name='incidentreport',
            name='what_could_have_happened',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Was hätte passieren können?'),
        ),
        migrations.AlterField(
            model_name='incidentreport',
            name='what_happened',
            field=core.fields.EncryptedTextField(verbose_name='Was ist passiert?'),
        ),
        migrations.AlterField(
            model_name='incidentreport',
            name='what_helped',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Was hat geholfen?'),
        ),
        migrations.AlterField(
            model_name='incidentreport',
            name='what_should_change',
            field=core.fields.EncryptedTextField(blank=True, verbose_name='Was sollte sich ändern?'),
        ),
    ]
