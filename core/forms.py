"""UI forms of core."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Bezeichnung"),
        max_length=100,
        help_text=_("Wofür ist das Token? Zum Beispiel „Fachverfahren-Schnittstelle“."),
    )
    valid_days = forms.IntegerField(
        label=_("Gültigkeit in Tagen"), min_value=1, max_value=730, initial=365
    )
