"""Thin Celery tasks: take primary keys, call a service. Task names are fixed (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .models import Source
from .services import retag_term  # noqa: F401  (defined beside the correction that queues it, registered here)


@shared_task(name="veille.tasks.fetch_source")
def fetch_source(source_id: int) -> str:
    from .services import VeilleError
    from .services import fetch_source as collect

    try:
        source = collect(source_id=source_id)
    except (Source.DoesNotExist, VeilleError) as exc:
        return str(exc)
    return source.last_fetch_status


@shared_task(name="veille.tasks.fetch_all_sources")
def fetch_all_sources() -> int:
    ids = list(
        Source.objects.filter(is_active=True, kind=Source.Kind.FEED).exclude(feed_url="").values_list("pk", flat=True)
    )
    for pk in ids:
        fetch_source.delay(pk)
    return len(ids)


@shared_task(name="veille.tasks.send_digests")
def send_digests() -> int:
    from .digests import send_due_digests

    return send_due_digests()


@shared_task(name="veille.tasks.retag_all")
def retag_all() -> int:
    from .models import NewsItem
    from .services import retag

    return retag(queryset=NewsItem.objects.all())
