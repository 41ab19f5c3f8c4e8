"""Chokepoint selectors (``*_get_for_user``) the views reach only on rarer paths.

Each is asked once for a record of the user's own commune and once for the other
commune's (or an unknown one): "not found" and "not yours" must both be a 404. The
coverage gate (tools/coverage_gate.py) requires every line of every chokepoint to run.
"""

import uuid

import pytest
from django.http import Http404

from core import permissions


def test_network_contact(coordinator_a, coordinator_b, muni_a):
    from network import selectors
    from network.tests.factories import ContactFactory
    from registry.tests.factories import InstitutionFactory

    contact = ContactFactory(institution=InstitutionFactory(municipality=muni_a))
    assert selectors.contact_get_for_user(user=coordinator_a, pk=contact.pk) == contact
    changed = selectors.contact_get_for_user(
        user=coordinator_a, pk=contact.pk, action=permissions.CHANGE
    )
    assert changed == contact
    for action in (permissions.VIEW, permissions.CHANGE):
        with pytest.raises(Http404):
            selectors.contact_get_for_user(user=coordinator_b, pk=contact.pk, action=action)


def test_review_finding_and_recommendation(coordinator_a, coordinator_b, muni_a, muni_b):
    from reviews import selectors
    from reviews.models import Recommendation
    from reviews.tests.factories import CaseReviewFactory, FindingFactory

    review = CaseReviewFactory(municipality=muni_a)
    finding = FindingFactory(review=review)
    rec = Recommendation.objects.create(review=review, finding=finding, text="Vier-Augen-Prinzip")
    get_f, get_r = selectors.finding_get_for_user, selectors.recommendation_get_for_user
    assert get_f(user=coordinator_a, review=review, pk=finding.pk) == finding
    assert get_r(user=coordinator_a, review=review, pk=rec.pk) == rec
    other = CaseReviewFactory(municipality=muni_b)
    for user, in_review in ((coordinator_b, review), (coordinator_a, other)):
        with pytest.raises(Http404):
            get_f(user=user, review=in_review, pk=finding.pk)
        with pytest.raises(Http404):
            get_r(user=user, review=in_review, pk=rec.pk)


def test_standards_glossary_term(coordinator_a, coordinator_b, muni_a):
    from standards import selectors
    from standards.tests.factories import GlossaryTermFactory

    term = GlossaryTermFactory(municipality=muni_a)
    got = selectors.glossary_term_get_for_user(
        user=coordinator_a, pk=term.pk, action=permissions.CHANGE
    )
    assert got == term
    with pytest.raises(Http404):
        selectors.glossary_term_get_for_user(
            user=coordinator_b, pk=term.pk, action=permissions.CHANGE
        )
    with pytest.raises(Http404):
        selectors.glossary_term_get_for_user(user=coordinator_a, pk=term.pk + 1000)


def test_partner_record_unknown_or_without_binding_is_not_found(coordinator_a):
    from partners import selectors

    for code in (uuid.uuid4(), "kein-code"):
        with pytest.raises(Http404):
            selectors.record_get_for_user(user=coordinator_a, code=code, purpose="Test")
