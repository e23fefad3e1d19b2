"""Demonstration data: three manual sources marked « démo » and ~300 generated items over the last 60 days,
tagged by the real tagger. Everything is labelled « démonstration »; nothing is fetched from the internet."""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from territories.models import Commune, Territory

from .ingestion import Entry
from .models import NewsItem, Source, Subscription, Theme
from .services import ingest_entries
from .tagging import ensure_default_themes

DEMO_SOURCES = [
    ("Revue de presse régionale (démo)", "Sélection de la presse régionale — données de démonstration."),
    ("Actualités des partenaires (démo)", "Communiqués des partenaires EFOP — données de démonstration."),
    ("Veille du Carif-Oref (démo)", "Notes de veille de l'équipe — données de démonstration."),
]
HEADLINES = [
    (
        "{c} : un forum de l'emploi réunit {n} entreprises samedi",
        "Plus de {n} employeurs du secteur {s} recrutent ; France Travail accompagne les candidats sur place.",
    ),
    (
        "{c}. La mission locale accompagne {n} jeunes vers l'apprentissage",
        "Contrats d'apprentissage, alternance et découverte des métiers : bilan de la rentrée.",
    ),
    (
        "À {c}, une nouvelle formation aux métiers {s} ouvre en janvier",
        "L'organisme de formation propose {n} places, financées par la Région, avec une certification à la clé.",
    ),
    (
        "{c} : l'usine recrute {n} opérateurs en CDI",
        "L'entreprise investit dans une nouvelle ligne de production et forme ses futurs salariés.",
    ),
    (
        "{c} : une soirée pour découvrir les métiers {s} avec les collégiens",
        "Parents et élèves rencontrent des professionnels ; orientation et stages au programme.",
    ),
    (
        "Handicap et emploi : Cap emploi signe {n} contrats à {c}",
        "L'accompagnement des personnes en situation de handicap progresse dans les entreprises du territoire.",
    ),
    (
        "{c} : un chantier d'insertion forme {n} personnes aux métiers {s}",
        "Les bénéficiaires du RSA reprennent une activité avec un accompagnement socioprofessionnel.",
    ),
    (
        "Rénovation énergétique : {c} lance une formation pour {n} artisans",
        "La transition écologique crée des besoins de compétences nouveaux dans le bâtiment.",
    ),
    (
        "{c} : le taux de chômage recule à {p} %",
        "Les chiffres trimestriels montrent une baisse du nombre de demandeurs d'emploi sur le bassin.",
    ),
    (
        "Job dating à {c} : {n} offres dans le secteur {s}",
        "Les recruteurs reçoivent sans rendez-vous ; venir avec un CV.",
    ),
]
SECTORS = [
    "de l'industrie",
    "du soin",
    "du bâtiment",
    "de la logistique",
    "de l'agriculture",
    "du numérique",
    "de l'hôtellerie-restauration",
    "de l'aide à domicile",
]
REGIONAL = [
    (
        "Pays de la Loire : les offres d'emploi en hausse de {p} % sur un an",
        "Le baromètre régional de l'emploi confirme la dynamique des recrutements.",
    ),
    (
        "Région : {n} places supplémentaires en formation aux métiers du soin",
        "Le plan régional de formation renforce l'offre dans les instituts de formation.",
    ),
    ("Apprentissage : record d'entrées en Pays de la Loire", "Plus de {n} contrats signés depuis janvier."),
]


def load_demo():
    ensure_default_themes()
    sources = []
    for name, description in DEMO_SOURCES:
        source, _ = Source.objects.get_or_create(
            name=name,
            defaults={
                "kind": Source.Kind.MANUAL,
                "is_demo": True,
                "website_url": "",
                "last_fetch_message": description,
            },
        )
        sources.append(source)
    existing = NewsItem.objects.filter(source__in=sources).count()
    created = 0
    if existing < 250:
        created = _generate_items(sources, 300 - existing)
    _demo_subscription()
    return {
        "message": f"veille : {NewsItem.objects.filter(is_demo=True).count()} articles de démonstration "
        f"({created} créés), 3 sources de démonstration",
        "accounts": [],
    }


def _generate_items(sources, count) -> int:
    rng = random.Random(2026 + count)
    now = timezone.now()
    communes_by_territory: dict[int, list[str]] = {}
    for territory_id, name in (
        Commune.objects.filter(territory__isnull=False, population__gte=2500)
        .order_by("-population")
        .values_list("territory_id", "name")
    ):
        communes_by_territory.setdefault(territory_id, []).append(name)
    territory_ids = list(Territory.objects.values_list("pk", flat=True))
    start = (NewsItem.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    by_source: dict[int, list[Entry]] = {s.pk: [] for s in sources}
    for index in range(count):
        if rng.random() < 0.1:
            title, summary = rng.choice(REGIONAL)
            commune = ""
        else:
            title, summary = rng.choice(HEADLINES)
            names = communes_by_territory.get(rng.choice(territory_ids)) or ["Nantes"]
            commune = rng.choice(names[:8])
        values = {"c": commune, "n": rng.randint(8, 180), "s": rng.choice(SECTORS), "p": rng.randint(2, 9)}
        published = now - timedelta(days=rng.uniform(0, 60))
        source = rng.choice(sources)
        by_source[source.pk].append(
            Entry(
                title=title.format(**values),
                summary=summary.format(**values) + " (Article de démonstration.)",
                link=f"https://demo.srefop.example.fr/veille/article-{start + index}",
                published_at=published,
            )
        )
    created = 0
    for source in sources:
        created += len(ingest_entries(source=source, entries=by_source[source.pk]))
    featured = list(
        NewsItem.objects.filter(source__in=sources).order_by("-published_at").values_list("pk", flat=True)[:2]
    )
    NewsItem.objects.filter(pk__in=featured).update(featured=True)
    return created


def _demo_subscription():
    from accounts.models import User

    user = User.objects.filter(email="acteur@demo.srefop.fr").first()
    if user is None:
        return
    subscription, created = Subscription.objects.get_or_create(
        user=user, defaults={"frequency": Subscription.Frequency.WEEKLY}
    )
    if created:
        subscription.territories.set(Territory.objects.filter(code__in=["44-NAN", "44-STN"]))
        subscription.themes.set(Theme.objects.filter(slug__in=["emploi", "apprentissage"]))
