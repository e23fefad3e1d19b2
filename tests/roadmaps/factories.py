import datetime

import factory

from roadmaps.models import Action, ActionStatus, AmbitionSheet, Priority, Recommendation, Roadmap, RoadmapStatus
from tests.clefop.factories import clefop


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadmap

    body = factory.LazyFunction(lambda: clefop("44-NAN"))
    title = "Feuille de route de test"
    start_year = 2024
    end_year = 2026
    status = RoadmapStatus.DRAFT


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    roadmap = factory.SubFactory(RoadmapFactory)
    order = factory.Sequence(lambda n: n % 3 + 1)
    title = factory.Sequence(lambda n: f"Priorité {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    priority = factory.SubFactory(PriorityFactory)
    roadmap = factory.LazyAttribute(lambda o: o.priority.roadmap)
    title = factory.Sequence(lambda n: f"Action {n}")
    status = ActionStatus.IN_PROGRESS
    progress = 50
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2030, 12, 31)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    title = factory.Sequence(lambda n: f"Préconisation {n}")
    sheet = factory.LazyFunction(lambda: AmbitionSheet.objects.first())
    evolution = "develop"


def roadmap_with(status=RoadmapStatus.DRAFT, territory="44-NAN", priorities=1, actions=0, **kwargs) -> Roadmap:
    roadmap = RoadmapFactory(body=clefop(territory), status=status, **kwargs)
    if status == RoadmapStatus.ADOPTED and roadmap.plenary_date is None:
        roadmap.plenary_date = datetime.date(2024, 3, 1)
        roadmap.save()
    made = [PriorityFactory(roadmap=roadmap, order=i + 1) for i in range(priorities)]
    for i in range(actions):
        ActionFactory(priority=made[i % len(made)], roadmap=roadmap)
    return roadmap


def add_actions(roadmap, count: int, *, priority=None, restricted=False, prefix="Action en masse"):
    """``count`` actions in one INSERT (the page must not care how they were made)."""
    priority = priority or roadmap.priorities.order_by("order").first()
    start = priority.actions.count()
    Action.objects.bulk_create(
        Action(
            roadmap=roadmap,
            priority=priority,
            order=start + i + 1,
            title=f"{prefix} {start + i + 1:03d}",
            status=ActionStatus.IN_PROGRESS,
            progress=40,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2030, 12, 31),
            restricted=restricted,
        )
        for i in range(count)
    )
    return priority
