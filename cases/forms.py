"""UI input validation for § 8a procedures (no saving here: views pass data to services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    MANUAL_ACTIVITIES,
    ActivityCode,
    Channel,
    DangerSource,
    EndangermentKind,
    HandoverItem,
    ImpressionForm,
    LivingSituation,
    NewHelp,
    ParentAgeGroup,
    PersonRole,
    ProcedureStatus,
    ReporterCategory,
    Section42Place,
    Section42Reason,
    Sex,
    StatisticResult,
    Urgency,
)
from cases.instruments import Instrument
from core import forms as core_forms
from registry.models import Institution

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _null_bool(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Aktenzeichen"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Stand"), choices=[("", _("alle")), *ProcedureStatus.choices], required=False
    )
    due = forms.ChoiceField(
        label=_("Fristen"),
        choices=[
            ("", _("alle")),
            ("due", _("fällig in den nächsten 3 Tagen oder überfällig")),
            ("overdue", _("überfällig")),
            ("close", _("Abschlussfrist überschritten")),
        ],
        required=False,
    )
    result = forms.ChoiceField(
        label=_("Ergebnis"), choices=[("", _("alle")), *StatisticResult.choices], required=False
    )
    year = forms.IntegerField(
        label=_("Einschätzung abgeschlossen im Jahr"), required=False, min_value=2012
    )


CHOOSE = ("", _("– bitte wählen –"))
# The survey allows "unbekannt" for these yes/no features; the caseworker must still pick it
# explicitly, so nothing lands in the statistic because nobody touched the field.
EXPLICIT_BOOL = [CHOOSE, ("true", _("ja")), ("false", _("nein")), ("unknown", _("unbekannt"))]


def _explicit(choices: Any) -> list[tuple[str, Any]]:
    return [CHOOSE, *choices]


class ProcedureCreateForm(forms.Form):
    """Meldung: what was reported, by whom, and the family's statistic features.

    No statistic field is pre-filled (issue 17): a value nobody chose would skew the federal
    statistic. The children of the report come from :class:`ChildForm` (one procedure each).
    """

    team = forms.ModelChoiceField(label=_("Zuständiges Team"), queryset=None)
    received_at = forms.DateTimeField(
        label=_("Meldung eingegangen am"), widget=DATETIME_WIDGET, initial=_now_local
    )
    reporter_category = forms.ChoiceField(
        label=_("Bekannt geworden durch"), choices=_explicit(ReporterCategory.choices)
    )
    channel = forms.ChoiceField(label=_("Meldeweg"), choices=_explicit(Channel.choices))
    # The reporting institution of the commune's network (a Kita calling, a clinic's fax):
    # the first link of the chain in the hand-over analysis. Empty for private persons.
    reporter_institution = forms.ModelChoiceField(
        label=_("Meldende Einrichtung"),
        queryset=None,
        required=False,
        help_text=_("aus dem Netzwerk der Kommune; leer lassen bei Privatpersonen"),
    )
    indications = forms.CharField(
        label=_("Gewichtige Anhaltspunkte"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Was wurde beobachtet? Wird verschlüsselt gespeichert."),
    )
    urgency = forms.ChoiceField(
        label=_("Erste Einschätzung der Dringlichkeit"), choices=_explicit(Urgency.choices)
    )
    address = forms.CharField(label=_("Anschrift der Familie"), max_length=300, required=False)
    mother_name = forms.CharField(label=_("Name der Mutter"), max_length=200, required=False)
    father_name = forms.CharField(label=_("Name des Vaters"), max_length=200, required=False)
    parent_age_group = forms.ChoiceField(
        label=_("Alter der Eltern"), choices=_explicit(ParentAgeGroup.choices)
    )
    foreign_origin = forms.ChoiceField(
        label=_("Mindestens ein Elternteil ausländischer Herkunft"), choices=EXPLICIT_BOOL
    )
    german_family_language = forms.ChoiceField(
        label=_("In der Familie wird vorrangig Deutsch gesprochen"), choices=EXPLICIT_BOOL
    )
    prior_help = forms.ChoiceField(
        label=_("Familie erhält bereits Leistungen (§§ 16–19, 27–35a SGB VIII)"),
        choices=EXPLICIT_BOOL,
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
        self.fields["reporter_institution"].queryset = Institution.objects.filter(
            municipality__in=teams.values("municipality")
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team, institution = data.get("team"), data.get("reporter_institution")
        if team and institution and institution.municipality_id != team.municipality_id:
            self.add_error(
                "reporter_institution",
                _("Die Einrichtung gehört nicht zur Kommune des zuständigen Teams."),
            )
        return data

    def service_kwargs(self, children: list[dict[str, Any]]) -> dict[str, Any]:
        d = self.cleaned_data
        family = {
            "parent_age_group": d["parent_age_group"],
            "foreign_origin": _null_bool(d["foreign_origin"]),
            "german_family_language": _null_bool(d["german_family_language"]),
            "prior_help": _null_bool(d["prior_help"]),
        }
        persons = [
            {"role": role, "name": d[key], "address": d["address"]}
            for role, key in (("mother", "mother_name"), ("father", "father_name"))
            if d[key]
        ]
        for entry in children:
            entry["child"].update(family)
            if entry.get("person"):
                entry["person"]["address"] = d["address"]
        return {
            "team": d["team"],
            "received_at": d["received_at"],
            "reporter_category": d["reporter_category"],
            "channel": d["channel"],
            "indications": d["indications"],
            "urgency": d["urgency"],
            "children": children,
            "family_persons": persons,
            "reporter_institution": d["reporter_institution"],
        }


class ChildForm(forms.Form):
    """One child named in the report. Name and exact birth date are optional at intake (a
    caller often knows neither); month and year of birth are what the survey needs."""

    name = forms.CharField(label=_("Name des Kindes"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Geburtsdatum (falls bekannt)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    birth_month = forms.CharField(
        label=_("sonst Geburtsmonat und -jahr (auch geschätzt)"),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2019-05"}),
        required=False,
        help_text=_("Format JJJJ-MM, z. B. 2019-05"),
    )
    sex = forms.ChoiceField(label=_("Geschlecht"), choices=_explicit(Sex.choices))
    living_situation = forms.ChoiceField(
        label=_("Aufenthaltsort des Kindes"), choices=_explicit(LivingSituation.choices)
    )
    integration_assistance = forms.ChoiceField(
        label=_("Kind erhält Eingliederungshilfe"), choices=EXPLICIT_BOOL
    )

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        birth: dt.date | None = d.get("birth_date")
        month_text = (d.get("birth_month") or "").strip()
        if birth is None and not month_text:
            if "birth_date" not in self.errors:
                self.add_error(
                    "birth_month",
                    _(
                        "Bitte Geburtsdatum oder wenigstens Monat und Jahr angeben "
                        "(Bundesstatistik)."
                    ),
                )
            return d
        if birth is not None:
            d["year_month"] = (birth.year, birth.month)
        else:
            try:
                year, month = (int(x) for x in month_text.split("-"))
                if not 1 <= month <= 12 or year < 1900:
                    raise ValueError
            except ValueError:
                self.add_error("birth_month", _("Bitte im Format JJJJ-MM angeben, z. B. 2019-05."))
                return d
            d["year_month"] = (year, month)
        return d

    def entry(self) -> dict[str, Any]:
        d = self.cleaned_data
        year, month = d["year_month"]
        person = {}
        if d["name"] or d["birth_date"]:
            person = {
                "name": d["name"],
                "birth_date": d["birth_date"].isoformat() if d["birth_date"] else "",
            }
        return {
            "child": {
                "sex": d["sex"],
                "birth_year": year,
                "birth_month": month,
                "living_situation": d["living_situation"],
                "integration_assistance": _null_bool(d["integration_assistance"]),
            },
            "person": person,
        }


ChildFormSet = forms.formset_factory(ChildForm, extra=0, min_num=1, validate_min=True, max_num=12)


class StepForm(forms.Form):
    activity_code = forms.ChoiceField(
        label=_("Schritt"),
        choices=[(c.value, c.label) for c in MANUAL_ACTIVITIES],
    )
    occurred_at = forms.DateTimeField(
        label=_("Zeitpunkt"), widget=DATETIME_WIDGET, initial=_now_local
    )
    institution = forms.ModelChoiceField(
        label=_("Handelnde Einrichtung (aus dem Netzwerk)"),
        queryset=None,
        required=False,
        empty_label=_("– keine / Jugendamt –"),
    )
    institution_name = forms.CharField(
        label=_("oder andere Stelle (z. B. zuständiges Jugendamt)"), max_length=200, required=False
    )
    impression_form = forms.ChoiceField(
        label=_("Form des unmittelbaren Eindrucks"),
        choices=[("", "–"), *ImpressionForm.choices],
        required=False,
    )
    review_on = forms.DateField(
        label=_("Überprüfung der Schutzvereinbarung am"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    section_42_reason = forms.ChoiceField(
        label=_("Grund der Inobhutnahme"),
        choices=[("", "–"), *Section42Reason.choices],
        required=False,
    )
    section_42_place = forms.ChoiceField(
        label=_("Unterbringung"), choices=[("", "–"), *Section42Place.choices], required=False
    )
    help_types = forms.MultipleChoiceField(
        label=_("Neu eingeleitete Hilfe (bei „Hilfe angenommen“)"),
        choices=NewHelp.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Vermerk"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class HandoverForm(forms.Form):
    """§ 8a Abs. 6: hand-over to the Jugendamt that became responsible."""

    occurred_at = forms.DateTimeField(
        label=_("Mitteilung am"), widget=DATETIME_WIDGET, initial=_now_local
    )
    to_municipality = forms.ModelChoiceField(
        label=_("Zuständige Kommune auf der Plattform"),
        queryset=None,
        required=False,
        empty_label=_("– nicht auf der Plattform –"),
    )
    to_office = forms.CharField(
        label=_("oder zuständiges Jugendamt (Name, Anschrift)"), max_length=200, required=False
    )
    items = forms.MultipleChoiceField(
        label=_("Übermittelte Angaben"),
        choices=HandoverItem.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    transmitted = forms.CharField(
        label=_("Übermittelter Inhalt (genau so, wie er übermittelt wird)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    conversation_at = forms.DateTimeField(
        label=_("Übergabegespräch am"), widget=DATETIME_WIDGET, required=False
    )
    conversation_with = forms.CharField(label=_("Gespräch mit"), max_length=200, required=False)
    conversation_note = forms.CharField(
        label=_("Inhalt des Gesprächs"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_municipality"].queryset = municipalities


class HandoverAcceptForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Übernehmendes Team"), queryset=None)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class PersonForm(forms.Form):
    """Identifying data added after intake (encrypted, case team only)."""

    role = forms.ChoiceField(label=_("Rolle"), choices=_explicit(PersonRole.choices))
    name = forms.CharField(label=_("Name"), max_length=200)
    birth_date = forms.DateField(
        label=_("Geburtsdatum"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    address = forms.CharField(label=_("Anschrift"), max_length=300, required=False)


class StartAssessmentForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("Beginn der Gefährdungseinschätzung"), widget=DATETIME_WIDGET, initial=_now_local
    )


class AmendmentForm(forms.Form):
    text = forms.CharField(label=_("Ergänzung"), widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.CharField(widget=forms.HiddenInput, required=False)


class CloseForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("Abschluss am"), widget=DATETIME_WIDGET, initial=_now_local
    )
    note = forms.CharField(
        label=_("Abschlussvermerk"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class LegalHoldForm(core_forms.LegalHoldForm):
    """Set or lift a procedure's legal hold."""

    example = _("Z. B. Verfahren beim Familiengericht, Strafverfahren, Beschwerde.")


class SignOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Vermerk zur Abzeichnung"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class SignOffRequestForm(forms.Form):
    """Send the draft to a chosen colleague for sign-off."""

    signer = forms.ModelChoiceField(
        label=_("Abzeichnen soll"), queryset=None, empty_label=_("– bitte wählen –")
    )
    note = forms.CharField(
        label=_("Hinweis an die Kollegin/den Kollegen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, signers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["signer"].queryset = get_user_model().objects.filter(
            pk__in=[u.pk for u in signers]
        )
        self.fields["signer"].label_from_instance = lambda u: u.get_full_name() or u.username


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar für die Verfasserin/den Verfasser"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentForm(forms.Form):
    """The instrument's items (four-step ratings) plus involvement, result and kinds."""

    parents_involved = forms.BooleanField(label=_("Eltern wurden einbezogen"), required=False)
    child_involved = forms.BooleanField(
        label=_("Kind/Jugendliche:r wurde einbezogen"), required=False
    )
    parents_not_involved_reason = forms.CharField(
        label=_("Falls Eltern nicht einbezogen: warum (§ 8a Abs. 1 S. 2)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    child_not_involved_reason = forms.CharField(
        label=_("Falls Kind nicht einbezogen: warum (§ 8a Abs. 1 S. 2)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    participants = forms.CharField(
        label=_("Beteiligte Fachkräfte (eine Zeile je Person: Name – Funktion)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    home_visit = forms.BooleanField(label=_("Hausbesuch ist erfolgt"), required=False)
    result = forms.ChoiceField(
        label=_("Ergebnis der Gefährdungseinschätzung"),
        choices=[("", _("– noch offen –")), *StatisticResult.choices],
        required=False,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Art der Gefährdung (mehrere möglich)"),
        choices=EndangermentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    danger_source = forms.ChoiceField(
        label=_("Gefährdung ging aus von"),
        choices=[("", "–"), *DangerSource.choices],
        required=False,
    )
    notes = forms.CharField(
        label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, instrument: Instrument, age_band: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_fields: list[tuple[str, list[str]]] = []
        scale = [("", "–"), *[(str(v), f"{v} – {label}") for v, label in instrument.scale]]
        for section, items in instrument.items_for(age_band):
            names = []
            for item in items:
                name = f"item__{section.key}.{item.key}"
                anchors = "; ".join(f"{k}: {v}" for k, v in sorted(item.anchors.items()))
                self.fields[name] = forms.ChoiceField(
                    label=item.text, choices=scale, required=False, help_text=anchors
                )
                names.append(name)
            self.item_fields.append((section.title, names))

    def answers(self) -> dict[str, Any]:
        return {
            name.removeprefix("item__"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item__") and value
        }

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "answers": self.answers(),
            "notes": d["notes"],
            "parents_involved": d["parents_involved"],
            "child_involved": d["child_involved"],
            "home_visit": d["home_visit"],
            "result": d["result"],
            "kinds": d["kinds"],
            "danger_source": d["danger_source"],
            "parents_not_involved_reason": d["parents_not_involved_reason"],
            "child_not_involved_reason": d["child_not_involved_reason"],
            "participants": [
                {"name": name.strip(), "role": role.strip()}
                for name, _sep, role in (
                    line.replace(" - ", " – ").partition(" – ")
                    for line in d["participants"].splitlines()
                )
                if name.strip()
            ],
        }


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("Berichtsjahr"), min_value=2012, max_value=2100)
    municipality = forms.ChoiceField(label=_("Kommune"), required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("html", _("Tabelle")),
            ("csv", "CSV"),
            ("csv_excel", _("CSV für deutsches Excel (mit BOM)")),
            ("xlsx", "Excel"),
        ],
    )
    suppress_below = forms.IntegerField(
        label=_("Kleine Fallzahlen unterdrücken unter"),
        min_value=0,
        max_value=100,
        required=False,
        initial=0,
        help_text=_("Für Veröffentlichungen, z. B. 3: Werte 1 und 2 erscheinen als „.“"),
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("alle"))] + [
            (m.slug, m.name) for m in municipalities
        ]


class KeyFiguresForm(forms.Form):
    """Year and scope of the § 8a key figures (coordination, cluster, project team)."""

    year = forms.IntegerField(label=_("Berichtsjahr"), min_value=2012, max_value=2100)
    scope = forms.ChoiceField(label=_("Bereich"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("html", _("Tabelle")), ("csv", "CSV"), ("csv_excel", _("CSV für Excel"))],
        required=False,
    )

    def __init__(self, *args: Any, scopes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(f"{s.kind}:{s.key}", s.label) for s in scopes]


class CommitteeReportForm(forms.Form):
    """The coordinator's text blocks of the Bericht an den Jugendhilfeausschuss."""

    introduction = forms.CharField(
        label=_("Einleitung"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    assessment = forms.CharField(
        label=_("Einordnung der Zahlen"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ohne Namen oder Einzelfallschilderungen: der Bericht ist öffentlich."),
    )
    outlook = forms.CharField(
        label=_("Ausblick und Vorhaben"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


ACTIVITY_LABELS = dict(ActivityCode.choices)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name des neuen Teams"), max_length=120)


class TeamMemberForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    user = forms.ModelChoiceField(label=_("Fachkraft"), queryset=None)

    def __init__(self, *args: Any, teams: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["user"].queryset = users


class PolicyForm(forms.Form):
    """Deadlines per urgency and step, retention: the commune's own rules."""

    retention_years = forms.IntegerField(
        label=_("Löschfrist nach Abschluss (Jahre)"), min_value=1, max_value=30
    )
    require_reporter_feedback = forms.BooleanField(
        label=_("Rückmeldung an meldende Fachkräfte ist Pflichtschritt"), required=False
    )
    require_team_lead_signoff = forms.BooleanField(
        label=_("Gefährdungseinschätzungen zeichnet eine Teamleitung ab"), required=False
    )
    share_statistic_in_cluster = forms.BooleanField(
        label=_("Kennzahlen der § 8a-Statistik im Kinderschutzcluster teilen"),
        required=False,
        help_text=_("Gegenseitig: nur Kommunen des Clusters, die ebenfalls teilen, sehen sie."),
    )
    reason = forms.CharField(label=_("Begründung der Änderung"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency in Urgency:
            self.fields[f"fc_{urgency.value}"] = forms.IntegerField(
                label=_("Erstkontakt bei „%(u)s“ (Stunden)") % {"u": urgency.label},
                min_value=1,
                max_value=24 * 60,
            )
        for code in ("risk_assessment_signed", "reporter_feedback", "closed"):
            self.fields[f"step_{code}"] = forms.IntegerField(
                label=_("„%(s)s“ spätestens nach (Tagen)") % {"s": ActivityCode(code).label},
                min_value=1,
                max_value=3650,
            )

    @staticmethod
    def initial_from(policy: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "retention_years": policy.retention_years,
            "require_reporter_feedback": policy.require_reporter_feedback,
            "require_team_lead_signoff": policy.require_team_lead_signoff,
            "share_statistic_in_cluster": policy.share_statistic_in_cluster,
        }
        for urgency in Urgency:
            data[f"fc_{urgency.value}"] = int(
                policy.first_contact_delta(urgency).total_seconds() // 3600
            )
        for code in ("risk_assessment_signed", "reporter_feedback", "closed"):
            data[f"step_{code}"] = policy.step_delta(code).days
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "first_contact_hours": {u.value: d[f"fc_{u.value}"] for u in Urgency},
            "step_days": {
                c: d[f"step_{c}"] for c in ("risk_assessment_signed", "reporter_feedback", "closed")
            },
            "retention_years": d["retention_years"],
            "require_reporter_feedback": d["require_reporter_feedback"],
            "require_team_lead_signoff": d["require_team_lead_signoff"],
            "share_statistic_in_cluster": d["share_statistic_in_cluster"],
            "reason": d["reason"],
        }
