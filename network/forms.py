"""Input forms of the network registry (validation only; services save)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Agreement, Contact, WorkingGroup
from registry.models import Institution, Municipality


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "institution",
            "name",
            "function",
            "phone",
            "email",
            "responsibilities",
            "is_insofa",
            "insofa_specialism",
            "is_public",
        ]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")

    def _post_clean(self) -> None:
        # Model validation (commune of the institution, specialism) runs in the service.
        pass


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Dokument (PDF, DOCX oder ODT, höchstens 10 MB)"), required=False
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "institutions",
            "partner_municipalities",
            "signed_on",
            "valid_from",
            "valid_until",
            "next_review_on",
            "notes",
        ]
        widgets = {
            "signed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
            "next_review_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institutions"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")
        self.fields["partner_municipalities"].queryset = Municipality.objects.exclude(
            pk=municipality.pk
        ).order_by("name")

    def _post_clean(self) -> None:
        pass


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["name", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Institution.objects.filter(
            municipality=municipality
        ).order_by("name")

    def _post_clean(self) -> None:
        pass


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "institution_type",
            "parent",
            "street",
            "postcode",
            "city",
            "district",
            "phone",
            "email",
            "website",
            "is_public",
        ]

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = Institution.objects.filter(municipality=municipality).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents

    def _post_clean(self) -> None:
        pass
