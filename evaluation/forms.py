"""UI input of the evaluation app; business rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from evaluation.choices import FollowUpKind, RoundKind
from evaluation.frameworks import Definition
from evaluation.models import Framework, Round
from evaluation.services import CANNOT_JUDGE
from registry.models import Cluster, Institution, Municipality
from registry.taxonomy import institution_type_choices


class DateInput(forms.DateInput):
    input_type = "date"


class RoundForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Municipality.objects.none())
    framework = forms.ModelChoiceField(label=_("Fragebogen"), queryset=Framework.objects.none())
    kind = forms.ChoiceField(label=_("Art"), choices=RoundKind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    opens_on = forms.DateField(label=_("Beginn"), widget=DateInput)
    closes_on = forms.DateField(label=_("Ende"), widget=DateInput)
    min_group_size = forms.IntegerField(
        label=_("Mindestgröße einer Gruppe"),
        min_value=2,
        max_value=50,
        initial=5,
        help_text=_("Ergebnisse einer Einrichtungsart erscheinen erst ab so vielen Antworten."),
    )

    def __init__(
        self, *args: Any, municipalities: Any, frameworks: Any, external: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["framework"].queryset = frameworks
        if not external:
            self.fields["kind"].choices = [(RoundKind.SELF, RoundKind.SELF.label)]


class InvitationForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Einrichtung"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("Die Art der Einrichtung wird übernommen; sonst bitte die Art wählen."),
    )
    institution_type = forms.ChoiceField(
        label=_("Art der Einrichtung"),
        choices=[("", "—"), *institution_type_choices()],
        required=False,
    )
    emails = forms.CharField(
        label=_("E-Mail-Adressen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Eine Adresse pro Zeile (oder durch Komma getrennt)."),
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Ansprechpersonen aus dem Netzwerk"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, evaluation_round: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            municipality_id=evaluation_round.municipality_id
        ).order_by("name")
        contact_model = contact_model_or_none()
        if contact_model is None:
            del self.fields["contacts"]
        else:
            self.fields["contacts"].queryset = (
                contact_model.objects.filter(municipality_id=evaluation_round.municipality_id)
                .exclude(email="")
                .select_related("institution")
                .order_by("institution__name", "name")
            )
            self.fields["contacts"].label_from_instance = lambda c: f"{c.name} – {c.institution}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        raw = (data.get("emails") or "").replace(",", "\n").replace(";", "\n")
        data["email_list"] = [line.strip() for line in raw.splitlines() if line.strip()]
        if not data["email_list"] and not data.get("contacts"):
            raise forms.ValidationError(_("Bitte mindestens eine Adresse angeben."))
        if data["email_list"] and not data.get("institution") and not data.get("institution_type"):
            self.add_error(
                "institution_type", _("Bitte Einrichtung oder Art der Einrichtung wählen.")
            )
        return data


def contact_model_or_none() -> Any:
    """``network.Contact`` if the network app provides it (it is built in parallel)."""
    try:
        return apps.get_model("network", "Contact")
    except LookupError:
        return None


class AnswerForm(forms.Form):
    """The questionnaire for one institution type; validation of the scale is the service's."""

    def __init__(
        self, *args: Any, definition: Definition, institution_type: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        choices = [(str(v), f"{v} – {label}") for v, label in definition.scale]
        choices.append((CANNOT_JUDGE, definition.cannot_judge))
        self.sections = []
        for dimension in definition.dimensions:
            statement_fields = []
            for statement in dimension.statements:
                if not statement.is_asked(institution_type):
                    continue
                name = f"s_{statement.key}"
                self.fields[name] = forms.ChoiceField(
                    label=statement.text,
                    choices=choices,
                    widget=forms.RadioSelect,
                    required=False,
                )
                statement_fields.append(name)
            text_fields = self._texts(
                [q for q in dimension.free_text if q.is_asked(institution_type)]
            )
            if statement_fields or text_fields:
                self.sections.append((dimension, statement_fields, text_fields))
        general = self._texts([q for q in definition.free_text if q.is_asked(institution_type)])
        self.general = general

    def _texts(self, questions: list[Any]) -> list[str]:
        names = []
        for question in questions:
            name = f"t_{question.key}"
            self.fields[name] = forms.CharField(
                label=question.text,
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=5000,
            )
            names.append(name)
        return names

    def answers(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.data.items()
            if name.startswith("s_") and name in self.fields
        }

    def texts(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.data.items()
            if name.startswith("t_") and name in self.fields
        }


class FollowUpForm(forms.Form):
    dimension_key = forms.CharField(widget=forms.HiddenInput)
    statement_key = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Übernehmen als"), choices=FollowUpKind.choices)
    text = forms.CharField(label=_("Text"), max_length=1000)


class FrameworkForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("für alle Kommunen (nur Projektteam)"),
    )
    source = forms.CharField(
        label=_("YAML-Definition"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class ComparisonForm(forms.Form):
    framework = forms.ChoiceField(label=_("Fragebogen"), choices=())
    cluster = forms.ModelChoiceField(
        label=_("Kinderschutzcluster"),
        queryset=Cluster.objects.all(),
        required=False,
        empty_label=_("— eigene Auswahl —"),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Kommunen"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, framework_keys: list[tuple[str, str]], municipalities: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = framework_keys
        self.fields["municipalities"].queryset = municipalities
