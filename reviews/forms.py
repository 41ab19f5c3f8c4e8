"""Input forms of the reviews app (validation only; services do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from registry.models import Institution
from registry.taxonomy import institution_type_choices
from reviews import antispam
from reviews.choices import (
    CategoryKind,
    ContextFactor,
    FindingLevel,
    FindingValence,
    LibraryKind,
    ReviewMethod,
    ReviewStatus,
    ReviewTrigger,
)
from reviews.models import ErrorCategory

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3})


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def _confirmed() -> forms.BooleanField:
    """The author's confirmation after the detector flagged passages of a narrative."""
    return forms.BooleanField(
        label=_("Ich habe alle markierten Stellen geprüft; sie identifizieren niemanden."),
        required=False,
    )


class ReviewForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_("Ohne Namen oder andere identifizierende Angaben, z. B. „Fall A 2025“."),
    )
    trigger = forms.ChoiceField(label=_("Anlass"), choices=ReviewTrigger.choices)
    method = forms.ChoiceField(label=_("Methode"), choices=ReviewMethod.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ReviewStatus.choices)
    questions = forms.CharField(
        label=_("Fragen der Falluntersuchung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    summary = forms.CharField(
        label=_("Zusammenfassung"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    team = forms.ModelMultipleChoiceField(
        label=_("Analyseteam (Einrichtungen)"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    started_on = forms.DateField(label=_("Beginn"), required=False, widget=_DATE)
    confirmed = _confirmed()

    def __init__(self, *args, municipality=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if municipality is not None:
            self.fields["team"].queryset = Institution.objects.filter(
                municipality=municipality
            ).order_by("name")


class EpisodeForm(forms.Form):
    title = forms.CharField(label=_("Episode"), max_length=200)
    occurred_on = forms.DateField(label=_("Datum"), required=False, widget=_DATE)
    institution_type = forms.ChoiceField(
        label=_("handelnde Einrichtungsart"),
        choices=_blank(institution_type_choices()),
        required=False,
    )
    institution_label = forms.CharField(
        label=_("handelnde Stelle (ohne Personennamen)"), max_length=200, required=False
    )
    what_happened = forms.CharField(label=_("Was ist geschehen?"), required=False, widget=_TEXT)
    known_then = forms.CharField(label=_("Was war damals bekannt?"), required=False, widget=_TEXT)
    why_sensible = forms.CharField(
        label=_("Warum erschien das Handeln damals sinnvoll?"), required=False, widget=_TEXT
    )
    confirmed = _confirmed()


class LegalHoldForm(core_forms.LegalHoldForm):
    """Set or lift the legal hold of a review."""

    example = _("Z. B. laufendes Gerichtsverfahren, Beschwerde, Folgeuntersuchung.")


class ImportForm(forms.Form):
    procedure_code = forms.UUIDField(
        label=_("Kennung des Verfahrens"),
        help_text=_("Nur Mitglieder des Fallteams können die Zeitleiste übernehmen."),
    )


class FindingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Ebene"),
        choices=_blank(FindingLevel.choices),
        required=False,
        help_text=_("Eine der vier Fehlerebenen des Projekts."),
    )
    context_factor = forms.ChoiceField(
        label=_("Kontextfaktor außerhalb der vier Ebenen"),
        choices=_blank(ContextFactor.choices),
        required=False,
        help_text=_(
            "Recht, Politik, Gesellschaft: allein oder als Rahmen eines Befunds auf einer "
            "Ebene; zählt nicht als Ebene."
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Kategorie"), queryset=ErrorCategory.objects.filter(is_active=True)
    )
    valence = forms.ChoiceField(
        label=_("Stärke oder Schwachstelle"), choices=FindingValence.choices
    )
    text = forms.CharField(label=_("Befund"), widget=_TEXT)
    episode = forms.TypedChoiceField(
        label=_("zu Episode"), required=False, coerce=int, empty_value=None
    )
    confirmed = _confirmed()

    def __init__(self, *args, episodes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = _blank([(e.pk, e.title) for e in episodes])

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("level") and not data.get("context_factor"):
            self.add_error(
                "level", _("Bitte eine der vier Ebenen oder einen Kontextfaktor angeben.")
            )
        return data


class PublishForm(forms.Form):
    public_text = forms.CharField(
        label=_("anonymisierte Fassung"), widget=forms.Textarea(attrs={"rows": 4})
    )
    confirmed = forms.BooleanField(
        label=_("Ich habe alle markierten Stellen geprüft; sie identifizieren niemanden."),
        required=False,
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Empfehlung"), max_length=300)
    rationale = forms.CharField(label=_("Begründung"), required=False, widget=_TEXT)
    due_date = forms.DateField(label=_("umsetzen bis"), required=False, widget=_DATE)
    finding = forms.TypedChoiceField(
        label=_("zu Befund"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, findings=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = _blank([(f.pk, str(f)) for f in findings])


class IncidentReportForm(forms.Form):
    """The public near-miss form: four questions, optional institution type, spam traps."""

    what_happened = forms.CharField(
        label=_("Was ist passiert?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Bitte keine Namen, Adressen, Geburtsdaten oder Aktenzeichen."),
        error_messages={"required": _("Bitte beschreiben Sie kurz, was passiert ist.")},
    )
    what_could_have_happened = forms.CharField(
        label=_("Was hätte passieren können?"), max_length=5000, required=False, widget=_TEXT
    )
    what_helped = forms.CharField(
        label=_("Was hat geholfen?"), max_length=5000, required=False, widget=_TEXT
    )
    what_should_change = forms.CharField(
        label=_("Was sollte sich ändern?"), max_length=5000, required=False, widget=_TEXT
    )
    reporter_institution_type = forms.ChoiceField(
        label=_("Aus welcher Art von Einrichtung melden Sie? (freiwillig)"),
        choices=_blank(institution_type_choices()),
        required=False,
    )
    # Spam traps: a field people never see, and a signed moment the form was shown.
    website = forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scope: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if not self.is_bound:
            self.initial["form_token"] = antispam.form_token(scope)

    def clean(self):
        data = super().clean()
        if any(name != "form_token" for name in self.errors):
            # The person has something to fix (an empty report): say that, not "too fast".
            # Nothing is stored while a field is invalid, so the timing check can wait for
            # the next submit, which is measured from the same signed moment.
            return data
        check = antispam.check_form_token(data.get("form_token", ""), self.scope)
        if not check.ok:
            messages = {
                "too_fast": _(
                    "Das ging zu schnell. Bitte prüfen Sie Ihre Angaben und senden Sie "
                    "das Formular erneut."
                ),
                "expired": _("Das Formular ist abgelaufen. Bitte senden Sie es erneut."),
            }
            self.data = self.data.copy()
            self.data["form_token"] = antispam.form_token(self.scope)
            raise forms.ValidationError(
                messages.get(check.reason, _("Das Formular ist ungültig. Bitte neu laden."))
            )
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(antispam.HONEYPOT_FIELD))


class ReceiptForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Quittungscode"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "K7QM-4XPD-9RTB"}),
    )


class ModerationForm(forms.Form):
    public_title = forms.CharField(label=_("Titel (anonymisiert)"), max_length=200, required=False)
    public_text = forms.CharField(
        label=_("anonymisierte Fassung"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    level = forms.ChoiceField(
        label=_("Ebene"), choices=_blank(FindingLevel.choices), required=False
    )
    context_factor = forms.ChoiceField(
        label=_("Kontextfaktor außerhalb der vier Ebenen"),
        choices=_blank(ContextFactor.choices),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Kategorie"), queryset=ErrorCategory.objects.filter(is_active=True), required=False
    )
    answer = forms.CharField(
        label=_("Antwort an die meldende Person"), widget=forms.Textarea(attrs={"rows": 4})
    )
    publish = forms.BooleanField(
        label=_("anonymisiert in der Lernbibliothek veröffentlichen"), required=False, initial=True
    )
    confirmed = forms.BooleanField(
        label=_("Ich habe alle markierten Stellen geprüft; sie identifizieren niemanden."),
        required=False,
    )


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Suche"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = forms.ChoiceField(label=_("Art"), choices=_blank(LibraryKind.choices), required=False)
    level = forms.ChoiceField(
        label=_("Ebene"), choices=_blank(FindingLevel.choices), required=False
    )
    context_factor = forms.ChoiceField(
        label=_("Kontextfaktor"), choices=_blank(ContextFactor.choices), required=False
    )
    category = forms.ChoiceField(label=_("Kategorie"), required=False)
    trigger = forms.ChoiceField(
        label=_("Anlass"), choices=_blank(ReviewTrigger.choices), required=False
    )
    institution_type = forms.ChoiceField(label=_("Einrichtungsart"), required=False)

    def __init__(self, *args, institution_types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(
            ErrorCategory.objects.filter(is_active=True).values_list("code", "label")
        )
        self.fields["institution_type"].choices = _blank(institution_types)


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("Kürzel"), max_length=60)
    label = forms.CharField(label=_("Bezeichnung"), max_length=150)
    kind = forms.ChoiceField(label=_("Art"), choices=CategoryKind.choices)
    description = forms.CharField(label=_("Beschreibung"), required=False, widget=_TEXT)
    position = forms.IntegerField(label=_("Reihenfolge"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("aktiv"), required=False, initial=True)
