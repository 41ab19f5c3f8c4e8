"""UI input validation for the registry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.choices import BodyKind, ProjectRole
from registry.models import Cluster, State


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(label=_("Suche"), required=False, max_length=100)
    state = forms.ModelChoiceField(
        label=_("Bundesland"),
        queryset=State.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("alle"),
    )
    cluster = forms.ModelChoiceField(
        label=_("Kinderschutzcluster"),
        queryset=Cluster.objects.all(),
        required=False,
        to_field_name="number",
        empty_label=_("alle"),
    )
    role = forms.ChoiceField(
        label=_("Rolle im Projekt"),
        choices=[("", _("alle")), *ProjectRole.choices],
        required=False,
    )


class MunicipalityForm(forms.Form):
    body_kind = forms.ChoiceField(label=_("Körperschaft"), choices=BodyKind.choices)
    state = forms.ModelChoiceField(
        label=_("Bundesland"),
        queryset=State.objects.all(),
        required=False,
        empty_label=_("unbekannt"),
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    emergency_phone = forms.RegexField(
        label=_("Notdienst des Jugendamts (Telefon)"),
        required=False,
        max_length=50,
        regex=r"^\+?[0-9][0-9 /()-]{2,}$",
        error_messages={"invalid": _("Bitte eine Telefonnummer aus Ziffern angeben.")},
        help_text=_("erscheint im Notfallhinweis der öffentlichen Seiten"),
    )
    highlights = forms.CharField(
        label=_("Besonderheiten"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    reason = forms.CharField(
        label=_("Anlass der Änderung"),
        required=False,
        max_length=200,
        help_text=_("erscheint in der Änderungshistorie"),
    )

    def clean_website(self) -> str:
        value = self.cleaned_data["website"].strip()
        if value and (" " in value or "." not in value):
            raise forms.ValidationError(_("Bitte eine Webadresse wie www.beispiel.de angeben."))
        return value


class ProfileItemForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
