"""Factories of directory models (synthetic offers only)."""

import datetime as dt

import factory

from directory.models import Schedule, Service
from directory.services import refresh_search
from registry.tests.factories import MunicipalityFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Elterncafé Muster {n}")
    provider_name = "Demo Träger e. V."
    description = "Offener Treff für Eltern mit Babys, synthetisches Angebot."
    street = "Musterweg 1"
    postcode = "53111"
    city = "Musterstadt"
    district = "Mitte"
    phone = "0228 000000"
    last_confirmed_on = dt.date(2026, 1, 15)
    synthetic = True

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)

    @factory.post_generation
    def index(self, create, extracted, **kwargs):
        # Keep the full-text index in step, as the services do.
        if create:
            refresh_search([self])


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    weekday = "MO"
    opens_at = dt.time(9, 0)
    closes_at = dt.time(12, 0)
