"""UI input validation for the quality app (services hold the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.choices import OutcomeScope, OutcomeStatus, WorkshopKind
from quality.models import Workshop
from registry.models import Cluster, Institution, State


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):  # type: ignore[no-untyped-def]
        if value and hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    kind = forms.ChoiceField(label=_("Art"), choices=WorkshopKind.choices)
    default_place = forms.CharField(label=_("Ort"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("Plätze je Termin"), min_value=1, max_value=500, initial=30
    )
    description = forms.CharField(label=_("Beschreibung"), widget=forms.Textarea, required=False)


class SeriesForm(forms.Form):
    first = forms.DateField(label=_("Erster Termin"), widget=DateInput)
    until = forms.DateField(label=_("Reihe bis"), widget=DateInput)
    start_time = forms.TimeField(label=_("Beginn"), widget=TimeInput, initial="09:30")
    end_time = forms.TimeField(label=_("Ende"), widget=TimeInput, initial="13:00")
    interval_months = forms.IntegerField(
        label=_("Abstand (Monate)"), min_value=1, max_value=12, initial=2
    )
    place = forms.CharField(label=_("Ort"), max_length=200, required=False)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Beginn"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ende"), widget=DateTimeInput)
    place = forms.CharField(label=_("Ort"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("Plätze"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("leer = wie die Werkstatt"),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Protokoll (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Absagegrund"), max_length=300, required=False)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Tagesordnungspunkt"), max_length=300, required=False)
    interest = forms.ModelChoiceField(
        label=_("Qualitätsentwicklungsinteresse"), queryset=None, required=False
    )
    topic = forms.ModelChoiceField(label=_("Zentrales Thema"), queryset=None, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Dauer (Minuten)"), min_value=5, max_value=600, required=False
    )

    def __init__(self, *args, municipality=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["interest"].queryset = municipality.development_interests.filter(parent=None)
        self.fields["topic"].queryset = municipality.topics.filter(parent=None)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not (data.get("title") or data.get("interest") or data.get("topic")):
            raise forms.ValidationError(
                _("Bitte einen Titel, ein Interesse oder ein Thema angeben.")
            )
        return data


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-Mail"))
    institution = forms.ModelChoiceField(label=_("Einrichtung"), queryset=None, required=False)

    def __init__(self, *args, municipality_ids=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            municipality_id__in=municipality_ids
        ).select_related("municipality")


class OutcomeCreateForm(forms.Form):
    text = forms.CharField(label=_("Ergebnis / Maßnahme"), max_length=500)
    scope = forms.ChoiceField(label=_("Reichweite"), choices=OutcomeScope.choices)
    due_date = forms.DateField(label=_("fällig bis"), widget=DateInput, required=False)


class OutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Ergebnis / Maßnahme"), widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.ChoiceField(label=_("Reichweite"), choices=OutcomeScope.choices)
    description = forms.CharField(
        label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    owner_institution = forms.ModelChoiceField(
        label=_("verantwortliche Einrichtung"), queryset=None, required=False
    )
    owner_name = forms.CharField(label=_("verantwortliche Person"), max_length=150, required=False)
    due_date = forms.DateField(label=_("fällig bis"), widget=DateInput, required=False)
    decided_in = forms.ModelMultipleChoiceField(
        label=_("beschlossen in"), queryset=None, required=False
    )

    def __init__(self, *args, outcome=None, sessions=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner_institution"].queryset = Institution.objects.filter(
            municipality_id=outcome.municipality_id
        )
        self.fields["decided_in"].queryset = sessions


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("neuer Status"), choices=OutcomeStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Anmerkung"), max_length=500, required=False)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(
        label=_("Dokument"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, ODT, PNG, JPG oder TXT, höchstens 10 MB"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Suchbegriff"), max_length=200, required=False)
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
    kind = forms.ChoiceField(
        label=_("Art"),
        required=False,
        choices=[
            ("", _("alle")),
            ("interest", _("Qualitätsentwicklungsinteressen")),
            ("topic", _("Zentrale Themen")),
            ("outcome", _("Ergebnisse")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("alle")), *OutcomeStatus.choices]
    )
    scope = forms.ChoiceField(
        label=_("Reichweite"), required=False, choices=[("", _("alle")), *OutcomeScope.choices]
    )


class SeatQuotaForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Einrichtung"), queryset=Institution.objects.none()
    )
    seats = forms.IntegerField(
        label=_("Plätze je Termin"),
        min_value=0,
        max_value=500,
        help_text=_("0 hebt das Kontingent auf."),
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communes = [workshop.municipality_id]
        if workshop.cluster_id:
            communes += list(workshop.cluster.municipalities.values_list("pk", flat=True))
        self.fields["institution"].queryset = (
            Institution.objects.filter(municipality_id__in=communes)
            .select_related("municipality")
            .order_by("municipality__name", "name")
        )
