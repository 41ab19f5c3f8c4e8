"""Forms of roles, on-call slots and crisis steps (input shape only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Contact
from registry.models import Institution, Municipality
from roles.choices import Weekday
from roles.models import EscalationStep, NetworkRole, OnCallSlot

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RoleForm(forms.ModelForm):
    class Meta:
        model = NetworkRole
        fields = (
            "function",
            "title",
            "institution",
            "holder",
            "deputy",
            "reports_to",
            "responsibilities",
            "position",
        )
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")
        contacts = Contact.objects.filter(municipality=municipality).order_by("name")
        self.fields["holder"].queryset = contacts
        self.fields["deputy"].queryset = contacts
        roles = NetworkRole.objects.filter(municipality=municipality)
        if self.instance.pk:
            roles = roles.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = roles


class OnCallSlotForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Wochentage"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OnCallSlot
        fields = (
            "service",
            "role",
            "audience",
            "weekdays",
            "starts_at",
            "ends_at",
            "phone",
            "note",
        )
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = NetworkRole.objects.filter(municipality=municipality)


class EscalationStepForm(forms.ModelForm):
    class Meta:
        model = EscalationStep
        fields = ("order", "situation", "action", "role", "within_minutes", "is_public")
        widgets = {"action": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = NetworkRole.objects.filter(municipality=municipality)
