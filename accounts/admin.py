"""No admin pages for second-factor devices.

django-otp registers admin pages for recovery-code devices (our TOTP apps have none).
With them a platform administrator could delete a caseworker's recovery codes, reset the
password and enrol an own app: the way into case data the four-eyes rule on roles closes.
Devices are personal and managed only by their owner at /konto/sicherheit/.
"""

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django_otp.plugins.otp_static.models import StaticDevice

for model in (StaticDevice,):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(model)
