"""Login, second-factor and password forms (German labels, English via gettext)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import throttle


class LoginForm(AuthenticationForm):
    """Django's login form that says so when the name or address is locked out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung ist vorübergehend gesperrt; "
            "versuchen Sie es später erneut oder setzen Sie Ihr Passwort zurück."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and throttle.is_locked(username, self.request):
            # Counted like any failure, so hammering a locked login keeps it locked.
            throttle.record_failure(username, self.request)
            raise ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


class TokenForm(forms.Form):
    """A six-digit app code or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Sechsstelliger Code Ihrer Authenticator-App oder ein Wiederherstellungscode"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Code aus der App"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
