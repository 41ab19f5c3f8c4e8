"""Login, second-factor and password forms (German labels, English via gettext)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
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


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, but the mail goes the platform's one way (``core.mail``).

    That is: one template with ``subject`` and ``body`` partials, rendered in the reader's
    language with dates in the reader's format (the link's expiry), queued after the
    commit and sent by the background worker with retries, sealed while it waits.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        import datetime as dt

        from django.conf import settings
        from django.utils import timezone

        from core.mail import mail_send

        user = context["user"]
        # The account itself as recipient: core.mail takes its address (the one Django
        # matched, ``to_email``) and the language the person last chose.
        mail_send(
            template="accounts/mail/password_reset.txt",
            context={
                "protocol": context["protocol"],
                "domain": context["domain"],
                "uid": context["uid"],
                "token": context["token"],
                "username": user.get_username(),
                "expires_at": timezone.now()
                + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            },
            to=[user],
        )
