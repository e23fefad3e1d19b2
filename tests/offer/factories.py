import datetime

import factory
from django.utils import timezone

from offer.models import Dispositif, DispositifLevel, Session, SessionKind
from tests.clefop.factories import OrganisationFactory


class DispositifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dispositif
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dispositif {n}")
    carrier = factory.SubFactory(OrganisationFactory)
    level = DispositifLevel.REGIONAL
    publics = factory.LazyFunction(lambda: ["jeunes"])
    themes = factory.LazyFunction(lambda: ["mobilite"])
    description = "Un dispositif pour tester."

    @factory.post_generation
    def territories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.territories.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    title = factory.Sequence(lambda n: f"Session {n}")
    kind = SessionKind.WORKSHOP
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=5))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=3))
    place = "Nantes"
    capacity = 10
