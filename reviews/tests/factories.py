"""Factories of the reviews app (synthetic content only)."""

import factory
from django.utils import timezone

from registry.tests.factories import MunicipalityFactory
from reviews.choices import FindingLevel, ReviewMethod, ReviewStatus, ReviewTrigger
from reviews.models import CaseReview, Episode, ErrorCategory, Finding, IncidentReport


def category(code: str = "documentation-gap") -> ErrorCategory:
    """A category of the shipped taxonomy (loaded by the data migration)."""
    return ErrorCategory.objects.get(code=code)


class CaseReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReview

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Fallanalyse Demo {n}")
    trigger = ReviewTrigger.NEAR_MISS
    method = ReviewMethod.SYSTEMIC
    status = ReviewStatus.RUNNING


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    review = factory.SubFactory(CaseReviewFactory)
    title = factory.Sequence(lambda n: f"Episode {n}")
    position = factory.Sequence(lambda n: n)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    review = factory.SubFactory(CaseReviewFactory)
    level = FindingLevel.TEAM
    category = factory.LazyFunction(category)
    text = "Die Gefährdungseinschätzung wurde nicht dokumentiert."


class IncidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentReport

    municipality = factory.SubFactory(MunicipalityFactory)
    receipt_code = factory.Sequence(lambda n: f"TEST-{n:04d}-AAAA")
    received_on = factory.LazyFunction(timezone.localdate)
    what_happened = "Eine Meldung der Kita blieb zwei Wochen unbearbeitet liegen."
