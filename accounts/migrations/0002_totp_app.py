"""The authenticator app with an encrypted secret (replaces django-otp's TOTPDevice)."""

import accounts.models
import core.fields
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TOTPApp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('secret', core.fields.EncryptedTextField(default=accounts.models.totp_secret_new, verbose_name='Schlüssel (hex, verschlüsselt)')),
                ('step', models.PositiveSmallIntegerField(default=30, verbose_name='Zeitschritt (s)')),
                ('t0', models.BigIntegerField(default=0, verbose_name='Startzeit (Unix)')),
                ('digits', models.PositiveSmallIntegerField(default=6, verbose_name='Stellen')),
                ('tolerance', models.PositiveSmallIntegerField(default=1, verbose_name='Toleranz (Schritte)')),
                ('drift', models.SmallIntegerField(default=0, verbose_name='Abweichung (Schritte)')),
                ('last_t', models.BigIntegerField(default=-1, verbose_name='letzter Zeitschritt')),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'Authenticator-App',
                'verbose_name_plural': 'Authenticator-Apps',
                'abstract': False,
            },
        ),
    ]
