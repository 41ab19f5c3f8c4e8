"""UI input validation of the partner side (no saving here: views pass data to services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import LivingSituation, Sex, Urgency
from cases.instruments import Instrument as Definition
from partners.choices import (
    AgeBand,
    ConsultationOutcome,
    Decision,
    InvolvementKind,
    ReporterInvolvement,
    SignOffRule,
    Specialism,
    StaffRole,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class RecordCreateForm(forms.Form):
    child_code = forms.CharField(
        label=_("Kürzel des Kindes"),
        max_length=20,
        help_text=_("z. B. Initialen und Gruppe – kein Name, keine Anschrift"),
    )
    age_band = forms.ChoiceField(label=_("Altersstufe"), choices=AgeBand.choices)
    noticed_on = forms.DateField(label=_("Anhaltspunkte zuerst bemerkt am"), widget=DATE_WIDGET)
    indications = forms.CharField(
        label=_("Gewichtige Anhaltspunkte (Beobachtungen)"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class RecordEditForm(forms.Form):
    """The own assessment with the instrument, the talk with parents/child, help, decision."""

    assessment_summary = forms.CharField(
        label=_("Eigene Einschätzung (Zusammenfassung)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    parents_talk = forms.BooleanField(label=_("Gespräch mit den Eltern geführt"), required=False)
    child_talk = forms.BooleanField(label=_("Gespräch mit dem Kind geführt"), required=False)
    talk_omitted_reason = forms.CharField(
        label=_("Falls kein Gespräch: warum es den Schutz des Kindes gefährden würde"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    help_towards = forms.CharField(
        label=_("Hilfen, auf die die Einrichtung hingewirkt hat"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[("", _("– noch offen –")), *Decision.choices],
        required=False,
    )
    review_on = forms.DateField(
        label=_("Überprüfung am (beim Weiter-Beobachten)"), widget=DATE_WIDGET, required=False
    )

    def __init__(
        self, *args: Any, instrument: Definition | None, age_band: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item_fields: list[tuple[str, list[str]]] = []
        if instrument is None:
            return
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

    def plain_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith("item__")]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        answers = {
            name.removeprefix("item__"): value
            for name, value in d.items()
            if name.startswith("item__") and value
        }
        kwargs = {
            name: d[name]
            for name in (
                "assessment_summary",
                "parents_talk",
                "child_talk",
                "talk_omitted_reason",
                "help_towards",
                "decision",
                "review_on",
            )
        }
        if self.item_fields:
            kwargs["answers"] = answers
        return kwargs


class PoolFilterForm(forms.Form):
    specialism = forms.ChoiceField(
        label=_("Schwerpunkt"), choices=[("", _("alle")), *Specialism.choices], required=False
    )
    language = forms.CharField(label=_("Sprache (z. B. tr, ar, en)"), max_length=10, required=False)


class ConsultationRequestForm(forms.Form):
    insofa = forms.ChoiceField(label=_("Insoweit erfahrene Fachkraft"))
    question = forms.CharField(
        label=_("Fragestellung (pseudonym, ohne Namen)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, pool: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Specialism.choices)
        self.fields["insofa"].choices = [
            (
                str(m.code),
                f"{m.name} – {', '.join(str(labels.get(s, s)) for s in m.specialisms)}"
                f" ({', '.join(m.languages)})",
            )
            for m in pool
        ]


class ConsultationRespondForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Anfrage"),
        choices=[("yes", _("annehmen")), ("no", _("ablehnen"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Grund der Ablehnung"), max_length=250, required=False)


class ConsultationResultForm(forms.Form):
    consulted_at = forms.DateTimeField(
        label=_("Beraten am"), widget=DATETIME_WIDGET, initial=_now_local
    )
    outcome = forms.ChoiceField(label=_("Ergebnis"), choices=ConsultationOutcome.choices)
    result = forms.CharField(
        label=_("Ergebnis der Beratung und Empfehlung"), widget=forms.Textarea(attrs={"rows": 5})
    )


class MessageForm(forms.Form):
    """The Mitteilung: identifying data is asked for only here."""

    observations = forms.CharField(
        label=_("Beobachtungen"), widget=forms.Textarea(attrs={"rows": 5})
    )
    assessment_summary = forms.CharField(
        label=_("Einschätzung der Einrichtung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    actions_taken = forms.CharField(
        label=_("Was die Einrichtung bisher getan hat"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    contact_person = forms.CharField(label=_("Ansprechperson und Erreichbarkeit"), max_length=300)
    child_name = forms.CharField(label=_("Name des Kindes"), max_length=200)
    child_sex = forms.ChoiceField(label=_("Geschlecht"), choices=Sex.choices)
    child_birth_month = forms.IntegerField(label=_("Geburtsmonat"), min_value=1, max_value=12)
    child_birth_year = forms.IntegerField(label=_("Geburtsjahr"), min_value=1990, max_value=2100)
    child_birth_date = forms.CharField(
        label=_("Geburtsdatum (falls bekannt)"), max_length=20, required=False
    )
    child_address = forms.CharField(label=_("Anschrift"), max_length=300, required=False)
    parents = forms.CharField(
        label=_("Eltern/Personensorgeberechtigte"), max_length=300, required=False
    )


class AcknowledgeForm(forms.Form):
    team = forms.ChoiceField(label=_("Zuständiges Team"))
    urgency = forms.ChoiceField(label=_("Dringlichkeit"), choices=Urgency.choices)
    living_situation = forms.ChoiceField(
        label=_("Aufenthaltsort des Kindes"), choices=LivingSituation.choices
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]


class InvolvementForm(forms.Form):
    reporter_involvement = forms.ChoiceField(
        label=_("Meldende Fachkraft einbezogen? (§ 8a Abs. 1 S. 2 Nr. 2 SGB VIII, § 4 Abs. 3 KKG)"),
        choices=ReporterInvolvement.choices,
    )
    involvement_kind = forms.ChoiceField(
        label=_("Wie einbezogen"), choices=[("", "–"), *InvolvementKind.choices], required=False
    )
    involvement_at = forms.DateTimeField(
        label=_("Zeitpunkt"), widget=DATETIME_WIDGET, initial=_now_local
    )
    involvement_note = forms.CharField(
        label=_("Vermerk (bei Nicht-Einbeziehung: Begründung)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class FeedbackForm(forms.Form):
    indications_seen = forms.TypedChoiceField(
        label=_("Sieht das Jugendamt gewichtige Anhaltspunkte?"),
        choices=[("yes", _("ja")), ("no", _("nein"))],
        coerce=lambda v: v == "yes",
    )
    active = forms.TypedChoiceField(
        label=_("Ist das Jugendamt tätig geworden und noch tätig?"),
        choices=[("yes", _("ja")), ("no", _("nein"))],
        coerce=lambda v: v == "yes",
    )
    text = forms.CharField(label=_("Rückmeldung"), widget=forms.Textarea(attrs={"rows": 4}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail"))
    role = forms.ChoiceField(label=_("Rolle"), choices=StaffRole.choices)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    username = forms.RegexField(label=_("Benutzername"), max_length=150, regex=r"^[\w.@+-]+\Z")
    password = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Die Passwörter stimmen nicht überein."))
        return data


class PoolMemberForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Kommune"))
    name = forms.CharField(label=_("Name"), max_length=150)
    qualification = forms.CharField(label=_("Qualifikation"), max_length=250)
    specialisms = forms.MultipleChoiceField(
        label=_("Schwerpunkte"),
        choices=Specialism.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=_("Sprachen (Kürzel, durch Komma getrennt)"), max_length=100, required=False
    )
    availability_note = forms.CharField(label=_("Erreichbarkeit"), max_length=200, required=False)
    available = forms.BooleanField(label=_("verfügbar"), required=False, initial=True)
    cluster_wide = forms.BooleanField(
        label=_("steht dem ganzen Kinderschutzcluster zur Verfügung"), required=False
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [(str(m.pk), m.name) for m in municipalities]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "qualification": d["qualification"],
            "specialisms": d["specialisms"],
            "languages": [x for x in d["languages"].replace(";", ",").split(",") if x.strip()],
            "availability_note": d["availability_note"],
            "available": d["available"],
            "cluster_wide": d["cluster_wide"],
        }


class PoolMemberEditForm(forms.Form):
    """One pool member: profile, availability, employer, contract and login (coordination)."""

    name = forms.CharField(label=_("Name"), max_length=150)
    qualification = forms.CharField(label=_("Qualifikation"), max_length=250)
    specialisms = forms.MultipleChoiceField(
        label=_("Schwerpunkte"),
        choices=Specialism.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=_("Sprachen (Kürzel, durch Komma getrennt)"), max_length=100, required=False
    )
    available = forms.BooleanField(label=_("verfügbar"), required=False)
    availability_note = forms.CharField(label=_("Erreichbarkeit"), max_length=200, required=False)
    cluster_wide = forms.BooleanField(
        label=_("steht dem ganzen Kinderschutzcluster zur Verfügung"), required=False
    )
    institution = forms.ChoiceField(label=_("Anstellungsträger"), required=False)
    agreement = forms.ChoiceField(
        label=_("Vereinbarung (Vertrag)"),
        required=False,
        help_text=_("die Vereinbarung, unter der die Fachkraft berät"),
    )
    user = forms.ChoiceField(
        label=_("Zugang zur Plattform"),
        required=False,
        help_text=_(
            "Personen mit der Rolle „insoweit erfahrene Fachkraft“ in der Kommune; nur mit "
            "Zugang sieht die Fachkraft ihre Beratungsanfragen."
        ),
    )

    def __init__(
        self, *args: Any, institutions: Any, agreements: Any, accounts: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("– keine Angabe –"))]
        self._objects = {
            "institution": {str(i.pk): i for i in institutions},
            "agreement": {str(a.pk): a for a in agreements},
            "user": {str(u.pk): u for u in accounts},
        }
        self.fields["institution"].choices = none + [(str(i.pk), i.name) for i in institutions]
        self.fields["agreement"].choices = none + [(str(a.pk), a.title) for a in agreements]
        self.fields["user"].choices = none + [
            (str(u.pk), f"{u.get_full_name() or u.username} ({u.username})") for u in accounts
        ]

    @classmethod
    def initial_for(cls, member: Any) -> dict[str, Any]:
        return {
            "name": member.name,
            "qualification": member.qualification,
            "specialisms": member.specialisms,
            "languages": ", ".join(member.languages or []),
            "available": member.available,
            "availability_note": member.availability_note,
            "cluster_wide": member.cluster_wide,
            "institution": str(member.institution_id or ""),
            "agreement": str(member.agreement_id or ""),
            "user": str(member.user_id or ""),
        }

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {
            name: d[name]
            for name in (
                "name",
                "qualification",
                "specialisms",
                "available",
                "availability_note",
                "cluster_wide",
            )
        }
        kwargs["languages"] = [x for x in d["languages"].replace(";", ",").split(",") if x.strip()]
        for name in ("institution", "agreement", "user"):
            kwargs[name] = self._objects[name].get(d[name]) if d[name] else None
        return kwargs


class SettingsForm(forms.Form):
    """The commune's rules for the records of all institutions (the coordination)."""

    retention_years = forms.IntegerField(
        label=_("Löschfrist der Dokumentation der Einrichtungen (Jahre)"),
        min_value=1,
        max_value=30,
        help_text=_("gilt für Dokumentationen, die ab jetzt abgezeichnet werden"),
    )
    sign_off_rule = forms.ChoiceField(
        label=_("Abzeichnung durch (wenn die Vereinbarung nichts regelt)"),
        choices=SignOffRule.choices,
    )


class AgreementTermsForm(forms.Form):
    """What one agreement says about the feedback and the sign-off."""

    feedback_legal_basis = forms.CharField(
        label=_("Rechtsgrundlage der Rückmeldung"),
        max_length=200,
        help_text=_("z. B. „§ 4 Abs. 4 KKG“ oder „§ 8a Abs. 4 SGB VIII i. V. m. Ziff. 5“"),
    )
    feedback_scope = forms.CharField(
        label=_("Inhalt der Rückmeldung laut Vereinbarung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("z. B. ob das Jugendamt gewichtige Anhaltspunkte sieht und tätig ist"),
    )
    sign_off_rule = forms.ChoiceField(
        label=_("Abzeichnung durch"),
        choices=[("", _("– wie in den Regeln der Kommune –")), *SignOffRule.choices],
        required=False,
    )
