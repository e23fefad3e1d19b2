import factory

from clefop.models import Body, BodyKind, Membership, Organisation, OrganisationKind, Position
from tests.accounts.factories import UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = OrganisationKind.ORGANISME_FORMATION


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    kind = BodyKind.WORKING_GROUP
    name = factory.Sequence(lambda n: f"Groupe de travail {n}")
    slug = factory.Sequence(lambda n: f"gt-{n}")
    parent = factory.LazyFunction(lambda: clefop("44-NAN"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.LazyFunction(lambda: clefop("44-NAN"))
    position = Position.MEMBER
    organisation = factory.SubFactory(OrganisationFactory)


def clefop(territory_code: str = "44-NAN") -> Body:
    return Body.objects.get(kind=BodyKind.CLEFOP, territory__code=territory_code)


def cdefop(departement_code: str = "44") -> Body:
    return Body.objects.get(kind=BodyKind.CDEFOP, departement__code=departement_code)


def crefop() -> Body:
    return Body.objects.get(kind=BodyKind.CREFOP)
