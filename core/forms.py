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


class MembershipRequestForm(forms.Form):
    """Give a person a role in one of the communes whose members one manages."""

    username = forms.CharField(label=_("Benutzername"), max_length=150)
    municipality = forms.TypedChoiceField(label=_("Kommune"), coerce=int)
    role = forms.ChoiceField(label=_("Rolle"))
    reason = forms.CharField(
        label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        from core.choices import GLOBAL_ROLES, Role

        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [(m.pk, m.name) for m in municipalities]
        self.fields["role"].choices = [
            (v, label) for v, label in Role.choices if v not in GLOBAL_ROLES
        ]

    def clean_username(self) -> object:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("Diese Person gibt es nicht."))
        return user


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Anmerkung"), max_length=1000, required=False)


class LegalHoldForm(forms.Form):
    """Set or lift a legal hold that stops a retention purge; the reason is mandatory either
    way. An app names its typical reasons in ``example`` (the field's help text)."""

    example = ""

    hold = forms.BooleanField(label=_("Löschsperre setzen"), required=False)
    reason = forms.CharField(label=_("Grund"), max_length=300)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = self.example
