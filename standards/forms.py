"""Forms of the standards library (input shape only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Agreement
from quality.models import Outcome, Workshop
from registry.models import Municipality
from standards.choices import DocumentStatus
from standards.models import GlossaryTerm, StandardDocument

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(forms.ModelForm):
    text = forms.CharField(
        label=_("Text der ersten Version (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    document = forms.FileField(label=_("oder Datei (PDF, DOCX, ODT)"), required=False)

    class Meta:
        model = StandardDocument
        fields = (
            "title",
            "kind",
            "summary",
            "owner",
            "visibility",
            "decided_by",
            "decided_on",
            "next_review_on",
            "outcomes",
            "workshops",
            "agreements",
        )
        widgets = {
            "decided_on": DATE,
            "next_review_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcomes"].queryset = Outcome.objects.filter(municipality=municipality)
        self.fields["workshops"].queryset = Workshop.objects.filter(municipality=municipality)
        self.fields["agreements"].queryset = Agreement.objects.filter(municipality=municipality)
        if self.instance.pk:
            # Later texts are new versions, never an edit of the first one.
            del self.fields["text"]
            del self.fields["document"]


class VersionForm(forms.Form):
    text = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), required=False
    )
    document = forms.FileField(label=_("oder Datei (PDF, DOCX, ODT)"), required=False)
    note = forms.CharField(label=_("Was sich geändert hat"), max_length=300, required=False)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=DocumentStatus.choices)
    decided_by = forms.CharField(label=_("Beschlossen von"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("Beschlossen am"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Begründung"), max_length=500, required=False)


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ("term", "definition", "source", "professions", "agreed_on", "visibility")
        widgets = {"agreed_on": DATE, "definition": forms.Textarea(attrs={"rows": 5})}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Suche"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Art"), required=False)
    others = forms.BooleanField(label=_("nur andere Kommunen"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from standards.choices import DocumentKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("alle Arten")), *DocumentKind.choices]
