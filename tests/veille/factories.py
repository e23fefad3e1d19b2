import factory
from django.utils import timezone

from veille.models import NewsItem, Source
from veille.text import canonical_url, title_key


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = Source.Kind.MANUAL


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Actualité numéro {n}")
    title_key = factory.LazyAttribute(lambda o: title_key(o.title))
    summary = "Un résumé."
    link = factory.Sequence(lambda n: f"https://presse.example.fr/article-{n}")
    canonical_url = factory.LazyAttribute(lambda o: canonical_url(o.link))
    published_at = factory.LazyFunction(timezone.now)
    listed_at = factory.LazyFunction(timezone.now)
    status = NewsItem.Status.PUBLISHED


def tagged_item(**kwargs):
    """An item created then tagged by the real tagger (as ingestion does)."""
    from veille.tagging import tag_items

    item = NewsItemFactory(**kwargs)
    tag_items([item])
    return item
