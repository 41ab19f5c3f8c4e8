"""Forms of the training records (input shape only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from quality.models import Workshop
from registry.models import Institution, Municipality
from registry.taxonomy import institution_type_choices
from trainings.models import Training


class TrainingForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Zielgruppen"),
        required=False,
        choices=institution_type_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Training
        fields = (
            "title",
            "topic",
            "origin",
            "workshop",
            "provider",
            "held_on",
            "hours",
            "target_groups",
            "covers_instrument",
            "description",
        )
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = Workshop.objects.filter(municipality=municipality)


class ParticipationForm(forms.Form):
    person_name = forms.CharField(label=_("Name"), max_length=150)
    institution = forms.ModelChoiceField(
        label=_("Einrichtung"), queryset=Institution.objects.none()
    )
    user = forms.ModelChoiceField(
        label=_("Zugang auf der Plattform (optional)"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Dann sieht die Person die Fortbildung in ihrem eigenen Nachweis."),
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality=municipality, is_active=True)
            .distinct()
            .order_by("username")
        )
