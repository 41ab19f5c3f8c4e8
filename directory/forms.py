"""Forms of the Frühe-Hilfen directory: the public search and the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core import permissions
from directory.constants import DEFAULT_RADIUS_KM, IMPORT_MAX_BYTES, LANGUAGES, RADII_KM
from directory.services import IMPORT_COLUMNS
from registry.models import Municipality


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suche"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("z. B. Hebamme, Elterncafé, Beratung")}
        ),
    )
    municipality = forms.ChoiceField(label=_("Kommune"), required=False)
    target_group = forms.ChoiceField(label=_("Zielgruppe"), required=False)
    age = forms.IntegerField(
        label=_("Alter des Kindes (Jahre)"), required=False, min_value=0, max_value=27
    )
    district = forms.CharField(label=_("Stadtteil"), required=False)
    language = forms.ChoiceField(label=_("Sprache"), required=False)
    free = forms.BooleanField(label=_("nur kostenfreie Angebote"), required=False)
    near = forms.CharField(
        label=_("In der Nähe von"),
        required=False,
        max_length=200,
        help_text=_("Postleitzahl, Adresse mit PLZ oder Stadtteil"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "53113"}),
    )
    radius_km = forms.TypedChoiceField(
        label=_("Umkreis"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_RADIUS_KM,
        choices=[(r, _("%(km)s km") % {"km": r}) for r in RADII_KM],
        initial=DEFAULT_RADIUS_KM,
    )

    def __init__(
        self,
        *args: Any,
        municipalities: list[tuple[str, str]],
        groups: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("alle"))] + municipalities
        self.fields["target_group"].choices = [("", _("alle"))] + groups
        self.fields["language"].choices = [("", _("alle"))] + [(c, str(n)) for c, n in LANGUAGES]


class ImportForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Municipality.objects.none())
    file = forms.FileField(label=_("Datei (CSV oder Excel)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.NETWORK)
        qs = Municipality.objects.order_by("name")
        self.fields["municipality"].queryset = (
            qs if allowed == permissions.ALL else qs.filter(pk__in=allowed)
        )
        from directory.models import Service

        for target, column in IMPORT_COLUMNS.items():
            # The field's German label, not its code name ("Träger", not "provider_name").
            label = Service._meta.get_field(target).verbose_name
            self.fields[f"col_{target}"] = forms.CharField(
                label=_("Spalte für „%s“") % label, initial=column, required=target == "name"
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 10 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Erlaubt sind CSV- und Excel-Dateien (.xlsx)."))
        return upload

    def mapping(self) -> dict[str, str]:
        return {target: self.cleaned_data.get(f"col_{target}") or "" for target in IMPORT_COLUMNS}


class ServiceForm(forms.ModelForm):
    """One offer, as the coordination edits it (the languages as ISO codes)."""

    language_codes = forms.MultipleChoiceField(
        label=_("Sprachen"),
        choices=[(c, str(n)) for c, n in LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        from directory.models import Service

        model = Service
        fields = [
            "name",
            "provider",
            "provider_name",
            "description",
            "target_groups",
            "min_age",
            "max_age",
            "is_free",
            "fees_description",
            "accessibility",
            "wheelchair_accessible",
            "opening_hours",
            "location_name",
            "street",
            "postcode",
            "city",
            "district",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "email",
            "website",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_groups": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        from registry.models import Institution

        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")
        if self.instance.pk:
            self.initial["language_codes"] = self.instance.language_codes
        else:
            self.initial["language_codes"] = ["de"]

    def _post_clean(self) -> None:
        pass


class ServiceIndicatorForm(forms.Form):
    year = forms.IntegerField(label=_("Jahr"), min_value=2000, max_value=2100)
    families_reached = forms.IntegerField(
        label=_("erreichte Familien"), min_value=0, required=False
    )
    waiting_days = forms.IntegerField(
        label=_("Wartezeit bis zum Erstkontakt (Tage, Median)"), min_value=0, required=False
    )
    referred_from_procedures = forms.IntegerField(
        label=_("davon vom Jugendamt aus einem Verfahren vermittelt"), min_value=0, required=False
    )
    feedback_score = forms.DecimalField(
        label=_("Rückmeldung der Familien (1–5)"),
        min_value=1,
        max_value=5,
        decimal_places=1,
        required=False,
    )
    notes = forms.CharField(
        label=_("Bemerkungen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
