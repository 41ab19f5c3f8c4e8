"""Factories of registry models (synthetic names only)."""

import factory

from registry.choices import BodyKind, ProjectRole
from registry.models import Cluster, Institution, Municipality, PopulationCount, State


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Stadt Musterhausen {n}")
    slug = factory.Sequence(lambda n: f"musterhausen-{n}")
    body_kind = BodyKind.CITY
    project_role = ProjectRole.PARTNER
    state = factory.LazyFunction(lambda: State.objects.get(code="NW"))


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 20 + n)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Beratungsstelle Muster {n}")
    institution_type = "counselling"


class PopulationCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationCount

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2024
    age_from = 0
    age_to = 2
    sex = "f"
    count = 1000
