"""Key rotation: a new key encrypts, the old one still decrypts, and ``reseal_values``
moves every value to the new key so that the old one can be retired (issue 14)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from core import crypto
from core.models import AuditEvent
from reviews.models import CaseReview
from reviews.tests.factories import CaseReviewFactory, IncidentReportFactory

pytestmark = pytest.mark.django_db
NEW_KEY = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT questions FROM reviews_casereview WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_reseal_moves_every_value_to_the_new_key(muni_a, settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    old_id = crypto.current_key_id()
    review = CaseReviewFactory(municipality=muni_a, questions="Warum so spät?")
    IncidentReportFactory(municipality=muni_a)
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    settings.FIELD_ENCRYPTION_OLD_KEYS = (old_key,)
    new_id = crypto.current_key_id()
    assert new_id != old_id and crypto.token_key_id(_raw(review.pk)) == old_id
    assert CaseReview.objects.get(pk=review.pk).questions == "Warum so spät?"  # old still opens

    out = io.StringIO()
    call_command("reseal_values", stdout=out)
    assert crypto.token_key_id(_raw(review.pk)) == new_id
    assert "reviews.CaseReview: 1" in out.getvalue()
    assert "reviews.IncidentReport: 1" in out.getvalue()
    row = AuditEvent.objects.get(target_repr="Schlüsselwechsel: Werte neu verschlüsselt")
    assert row.after["rows"]["reviews.CaseReview"] == 1

    # The old key can go now: everything opens with the new key alone.
    settings.FIELD_ENCRYPTION_OLD_KEYS = ()
    assert CaseReview.objects.get(pk=review.pk).questions == "Warum so spät?"
    # A second run has nothing to do.
    out = io.StringIO()
    call_command("reseal_values", stdout=out)
    assert out.getvalue().startswith("0 Datensätze")


def test_without_the_old_key_old_values_do_not_open(muni_a, settings):
    review = CaseReviewFactory(municipality=muni_a, questions="alt")
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    settings.FIELD_ENCRYPTION_OLD_KEYS = ()
    with pytest.raises(crypto.DecryptionError):
        _ = CaseReview.objects.get(pk=review.pk).questions
