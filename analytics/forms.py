"""UI input of the analytics pages: filters, deadline rules, log upload, comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from analytics import selectors
from analytics.choices import LogFormat
from analytics.models import ComplianceRule
from cases.choices import ActivityCode, Urgency
from core import permissions
from registry.models import Cluster, Municipality

METRICS = (("frequency", _("Häufigkeit")), ("performance", _("Dauer (Mittelwert)")))


def _aware(day: dt.date | None, *, end: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    if end:
        day = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AnalysisFilterForm(forms.Form):
    """The filters shared by process map, variants, compliance and hand-overs."""

    log = forms.ChoiceField(label=_("Datenquelle"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("alle sichtbaren"),
    )
    since = forms.DateField(
        label=_("von"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("bis einschließlich"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    urgency = forms.ChoiceField(
        label=_("Dringlichkeit"), required=False, choices=[("", _("alle")), *Urgency.choices]
    )
    min_frequency = forms.IntegerField(
        label=_("Mindesthäufigkeit"), required=False, min_value=1, initial=1
    )
    metric = forms.ChoiceField(label=_("Kanten zeigen"), required=False, choices=METRICS)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = selectors.analysable_municipalities(user=user)
        uploads = selectors.event_log_upload_list_for_user(user=user).filter(status="done")
        self.fields["log"].choices = [("", _("Verfahren der Plattform"))] + [
            (
                str(u.code),
                ngettext("%(name)s (%(n)d Fall)", "%(name)s (%(n)d Fälle)", u.cases)
                % {"name": u.name, "n": u.cases},
            )
            for u in uploads[:50]
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("Das Ende liegt vor dem Beginn."))
        return data

    def log_filter(self) -> selectors.LogFilter:
        data = self.cleaned_data
        municipality = data.get("municipality")
        return selectors.LogFilter(
            municipality_ids=[municipality.pk] if municipality else None,
            since=_aware(data.get("since")),
            until=_aware(data.get("until"), end=True),
            urgency=data.get("urgency") or "",
            upload_code=data.get("log") or "",
            min_frequency=data.get("min_frequency") or 1,
        )


class TimeBetweenForm(forms.Form):
    """Two activities: the platform's event codes, or an uploaded log's activity names."""

    source = forms.ChoiceField(label=_("von Aktivität"), choices=ActivityCode.choices)
    target = forms.ChoiceField(label=_("bis Aktivität"), choices=ActivityCode.choices)

    def __init__(self, *args: Any, activities: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if activities is not None:
            for name in ("source", "target"):
                self.fields[name].choices = [(a, a) for a in activities]


class LogDeadlineForm(TimeBetweenForm):
    """A deadline checked ad hoc on an uploaded log (commune rules use platform codes)."""

    deadline_hours = forms.IntegerField(
        label=_("Frist in Stunden"), min_value=1, max_value=24 * 365, initial=72
    )


class ComplianceRuleForm(forms.ModelForm):
    """A deadline rule; activities from the platform's fixed vocabulary."""

    start_activity = forms.ChoiceField(label=_("Start-Aktivität"), choices=ActivityCode.choices)
    end_activity = forms.ChoiceField(label=_("Ziel-Aktivität"), choices=ActivityCode.choices)
    urgency = forms.ChoiceField(
        label=_("nur Dringlichkeit"),
        required=False,
        choices=[("", _("alle Verfahren")), *Urgency.choices],
    )

    class Meta:
        model = ComplianceRule
        fields = [
            "municipality",
            "name",
            "start_activity",
            "end_activity",
            "deadline_hours",
            "urgency",
            "active",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.QUALITY)
        qs = Municipality.objects.order_by("name")
        if allowed != permissions.ALL:
            qs = qs.filter(pk__in=allowed)
        self.fields["municipality"].queryset = qs
        if self.instance.pk:
            self.fields["municipality"].disabled = True


class EventLogUploadForm(forms.Form):
    """Upload of an external log with optional CSV column mapping."""

    name = forms.CharField(label=_("Bezeichnung"), max_length=200, required=False)
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("keine (nur Projektteam)"),
    )
    source_file = forms.FileField(
        label=_("Datei"), help_text=_("XES, XES.GZ, CSV (Komma oder Semikolon) oder Parquet")
    )
    log_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("aus der Dateiendung")), *LogFormat.choices],
    )
    case_column = forms.CharField(
        label=_("Spalte Fall-ID"), required=False, help_text=_("nur CSV/Parquet mit eigenen Namen")
    )
    activity_column = forms.CharField(label=_("Spalte Aktivität"), required=False)
    timestamp_column = forms.CharField(label=_("Spalte Zeitstempel"), required=False)
    institution_column = forms.CharField(label=_("Spalte Einrichtung"), required=False)
    timestamp_format = forms.CharField(
        label=_("Zeitformat"),
        required=False,
        help_text=_("z. B. %d.%m.%Y %H:%M; leer = ISO 8601"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.QUALITY)
        qs = Municipality.objects.order_by("name")
        self.global_user = allowed == permissions.ALL
        if not self.global_user:
            qs = qs.filter(pk__in=allowed)
            self.fields["municipality"].required = True
            self.fields["municipality"].empty_label = None
        self.fields["municipality"].queryset = qs

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: data[field].strip()
            for key, field in (
                ("case_id", "case_column"),
                ("activity", "activity_column"),
                ("timestamp", "timestamp_column"),
                ("institution", "institution_column"),
            )
            if data.get(field, "").strip()
        }


class ComparisonForm(forms.Form):
    cluster = forms.ModelChoiceField(
        label=_("Kinderschutzcluster"),
        queryset=Cluster.objects.order_by("number"),
        required=False,
        to_field_name="number",
        empty_label=_("– Auswahl unten –"),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("oder Kommunen"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        to_field_name="slug",
    )
    period = forms.CharField(
        label=_("Zeitraum"),
        required=False,
        help_text=_("ein ganzes Jahr (2024), Quartal (2024-Q2) oder Monat (2024-05); leer: alles"),
        widget=forms.TextInput(attrs={"placeholder": "2024-Q2", "size": 8}),
    )

    def clean_period(self) -> selectors.ComparisonPeriod:
        try:
            return selectors.comparison_period(self.cleaned_data.get("period"))
        except ValueError as exc:
            raise forms.ValidationError(
                _("Bitte ein Jahr (2024), ein Quartal (2024-Q2) oder einen Monat (2024-05).")
            ) from exc

    def selection(self) -> list[Municipality]:
        data = self.cleaned_data
        cluster = data.get("cluster")
        return selectors.comparison_municipalities(
            cluster_number=cluster.number if cluster else None,
            slugs=[m.slug for m in data.get("municipalities") or []],
        )
