"""Upload and publish forms of instruments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.parsing import MAX_BYTES
from registry.taxonomy import institution_type_choices


class UploadForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Kommune"))
    file = forms.FileField(
        label=_("Instrument (YAML-Datei)"),
        required=False,
        help_text=_("Aufbau wie die mitgelieferten Beispiele; höchstens 512 KB."),
    )
    source = forms.CharField(
        label=_("… oder YAML-Text einfügen"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        required=False,
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [(str(m.pk), m.name) for m in municipalities]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                self.add_error("file", _("Die Datei ist größer als 512 KB."))
                return data
            try:
                data["source"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("Die Datei ist nicht UTF-8-kodiert."))
                return data
        if not (data.get("source") or "").strip():
            self.add_error("source", _("Bitte eine Datei wählen oder den Text einfügen."))
        return data


class PublishForm(forms.Form):
    institution_types = forms.MultipleChoiceField(
        label=_("Für diese Arten von Einrichtungen"),
        choices=institution_type_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Keine Auswahl: für alle Arten."),
    )
    note = forms.CharField(label=_("Änderungshinweis"), max_length=300, required=False)
