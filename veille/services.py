"""Writes of the news watch: one function per business action (keyword-only, atomic), raising VeilleError."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections import Counter, defaultdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import notifications, wording
from srefop_portal.common.forms import DomainError

from . import ingestion
from .models import TITLE_BLOCK, NewsItem, Source, Subscription, TagCorrection, TerritoryTag, Theme
from .places import name_key
from .search import update_search_vectors
from .tagging import retag_items, tag_items
from .text import canonical_url, fold_text, title_key

logger = logging.getLogger(__name__)

TITLE_SIMILARITY = 0.9
DAYS_PER_QUERY = 50  # days of a feed whose known titles are fetched in one query (near-duplicate check)
UNSUBSCRIBE_SALT = "veille.unsubscribe"


class VeilleError(DomainError):
    """A business rule refused the action; the message (French) is shown to the person."""


def max_failures() -> int:
    return getattr(settings, "SREFOP_VEILLE_MAX_FAILURES", 5)


# --- ingestion ----------------------------------------------------------------------------------------------
class _TitleIndex:
    """Titles already known, per day, with an inverted index so that near-duplicates are found quickly."""

    def __init__(self):
        self.titles: dict = defaultdict(list)
        self.postings: dict = defaultdict(lambda: defaultdict(list))
        self.letters: dict = {}

    def add(self, day, key: str):
        index = len(self.titles[day])
        self.titles[day].append(key)
        for token in set(key.split()):
            self.postings[day][token].append(index)

    def has_near_duplicate(self, day, key: str) -> bool:
        titles = self.titles.get(day)
        if not titles:
            return False
        tokens = set(key.split())
        shared = Counter()
        for token in tokens:
            postings = self.postings[day].get(token, ())
            if len(postings) <= 200:
                shared.update(postings)
        letters = None
        for index, count in shared.most_common(20):
            if count * 2 < len(tokens):
                break
            other = titles[index]
            if other == key:
                return True
            # Cheap upper bounds of SequenceMatcher.ratio() first (lengths, then letters in common, as
            # real_quick_ratio() and quick_ratio() compute them): the matcher is only built when both pass.
            total = len(key) + len(other)
            if 2 * min(len(key), len(other)) < TITLE_SIMILARITY * total:
                continue
            letters = letters or Counter(key)
            if 2 * sum((letters & self._letters(day, index)).values()) < TITLE_SIMILARITY * total:
                continue
            if difflib.SequenceMatcher(None, key, other).ratio() >= TITLE_SIMILARITY:
                return True
        return False

    def _letters(self, day, index) -> Counter:
        found = self.letters.get((day, index))
        if found is None:
            found = self.letters[(day, index)] = Counter(self.titles[day][index])
        return found


def ingest_entries(*, source: Source, entries: list) -> list[NewsItem]:
    """Store new entries of a source: de-duplicated by canonical URL and by near-identical title on the same day,
    then tagged (territories, themes) and indexed for search. Returns the items created."""
    candidates, seen = [], set()
    for entry in entries:
        canon = canonical_url(entry.link) if entry.link else ""
        if canon and canon in seen:
            continue
        seen.add(canon)
        candidates.append((entry, canon or None))
    if not candidates:
        return []
    existing = set()
    canons = [c for _e, c in candidates if c]
    for start in range(0, len(canons), 500):
        existing.update(
            NewsItem.objects.filter(canonical_url__in=canons[start : start + 500]).values_list(
                "canonical_url", flat=True
            )
        )
    tz = timezone.get_current_timezone()
    keys = [
        (entry, canon, title_key(entry.title), entry.published_at.astimezone(tz).date()) for entry, canon in candidates
    ]
    # Near-identical titles are looked for among the items of the same day whose normalised title starts the same
    # way (blocking key, index veille_item_title_block): the database returns only those candidates, however many
    # items it holds and however many days the feed spans.
    blocks_by_day: dict = defaultdict(set)
    for _e, _c, key, day in keys:
        blocks_by_day[day].add(key[:TITLE_BLOCK])
    days = sorted(blocks_by_day)
    index = _TitleIndex()
    for start in range(0, len(days), DAYS_PER_QUERY):
        condition = Q()
        for day in days[start : start + DAYS_PER_QUERY]:
            condition |= Q(
                block__in=sorted(blocks_by_day[day]),
                published_at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=tz),
                published_at__lt=dt.datetime.combine(day + timedelta(days=1), dt.time.min, tzinfo=tz),
            )
        for key, published_at in (
            NewsItem.objects.annotate(block=Substr("title_key", 1, TITLE_BLOCK))
            .filter(condition)
            .values_list("title_key", "published_at")
        ):
            index.add(published_at.astimezone(tz).date(), key)
    now = timezone.now()
    new_items = []
    for entry, canon, key, day in keys:
        if canon and canon in existing:
            continue
        if index.has_near_duplicate(day, key):
            continue
        index.add(day, key)
        new_items.append(
            NewsItem(
                source=source,
                title=entry.title,
                title_key=key,
                summary=entry.summary,
                link=entry.link,
                canonical_url=canon,
                published_at=entry.published_at,
                status=NewsItem.Status.PUBLISHED,
                listed_at=now,
                is_demo=source.is_demo,
            )
        )
    with transaction.atomic():
        created = NewsItem.objects.bulk_create(new_items, batch_size=500)
        tag_items(  # also fills the search vectors
            created,
            default_territories=list(source.default_territories.all()),
            default_themes=list(source.default_themes.all()),
            new=True,
        )
    return created


def fetch_source(*, source_id: int) -> Source:
    """Collect one feed. Every failure is recorded on the source; none propagates."""
    source = Source.objects.get(pk=source_id)
    if not source.is_feed or not source.feed_url:
        raise VeilleError("Cette source n’a pas de flux à collecter (saisie manuelle).")
    now = timezone.now()
    try:
        result = ingestion.fetch(source.feed_url, etag=source.etag, last_modified=source.last_modified)
        if result.not_modified:
            _record(source, now, Source.FetchStatus.NOT_MODIFIED, "Flux inchangé depuis la dernière collecte.", 0)
            source.refresh_from_db()
            return source
        parsed = ingestion.parse(result.content, content_type=result.content_type, url=result.final_url)
        created = ingest_entries(source=source, entries=parsed.entries)
        read, new = wording.count(len(parsed.entries), "article lu", "articles lus"), len(created)
        message = f"{read}, dont {wording.count(new, 'nouveau', 'nouveaux')}." if new else f"{read}, aucun nouveau."
        if result.final_url and result.final_url != source.feed_url:
            message += f" Flux redirigé vers {result.final_url[:300]}."
        status = Source.FetchStatus.WARNING if parsed.warning else Source.FetchStatus.OK
        if parsed.warning:
            message += " " + parsed.warning
        _record(source, now, status, message, len(created), etag=result.etag, last_modified=result.last_modified)
    except ingestion.FetchError as exc:
        _record_failure(source, now, str(exc))
    except Exception as exc:  # a bug or a database error must not stop the other sources
        logger.exception("veille: collecte de la source %s en échec", source.pk)
        _record_failure(source, now, f"Erreur inattendue pendant la collecte ({exc.__class__.__name__}).")
    source.refresh_from_db()
    return source


def _record(source, now, status, message, new_items, *, etag=None, last_modified=None):
    fields = {
        "last_fetch_at": now,
        "last_success_at": now,
        "last_fetch_status": status,
        "last_fetch_message": message[:2000],
        "last_fetch_new_items": new_items,
        "consecutive_failures": 0,
    }
    if etag is not None:
        fields["etag"] = etag
    if last_modified is not None:
        fields["last_modified"] = last_modified
    Source.objects.filter(pk=source.pk).update(**fields)


def _record_failure(source, now, message):
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        source.consecutive_failures += 1
        source.last_fetch_at = now
        source.last_fetch_status = Source.FetchStatus.ERROR
        source.last_fetch_message = message[:2000]
        source.last_fetch_new_items = 0
        disable = source.is_active and source.consecutive_failures >= max_failures()
        if disable:
            source.is_active = False
            source.disabled_reason = (
                f"Désactivée automatiquement après {source.consecutive_failures} échecs consécutifs."
            )
        source.save()
    if disable:
        _notify_staff_source_disabled(source)


def _notify_staff_source_disabled(source):
    recipients = list(
        get_user_model()
        .objects.filter(is_cariforef_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    url = settings.SITE_URL + reverse("veille_staff:source_update", args=[source.pk])
    body = (
        f"Bonjour,\n\nLa source « {source.name} » ({source.feed_url}) a échoué {source.consecutive_failures} fois "
        f"de suite et a été désactivée.\n\nDernier message : {source.last_fetch_message}\n\n"
        f"Vérifiez l’adresse du flux puis réactivez la source : {url}\n"
    )
    for email in recipients:
        notifications.queue_mail(
            to=[email],
            subject=f"Veille : la source « {source.name} » a été désactivée",
            body=body,
            kind="veille.source_disabled",
        )


# --- sources ------------------------------------------------------------------------------------------------
@transaction.atomic
def save_source(*, source: Source, default_territories, default_themes) -> Source:
    if source.kind == Source.Kind.FEED and not source.feed_url:
        raise VeilleError("Indiquez l’adresse du flux RSS ou Atom, ou choisissez « Saisie manuelle ».")
    if source.kind == Source.Kind.FEED:
        duplicate = Source.objects.filter(feed_url=source.feed_url).exclude(pk=source.pk).first()
        if duplicate:
            raise VeilleError(f"Ce flux est déjà suivi par la source « {duplicate.name} ».")
    if source.pk:
        previous = Source.objects.get(pk=source.pk)
        if source.is_active and not previous.is_active:
            source.consecutive_failures = 0
            source.disabled_reason = ""
        if previous.feed_url != source.feed_url:
            source.etag = source.last_modified = ""
    source.save()
    source.default_territories.set(default_territories)
    source.default_themes.set(default_themes)
    return source


@transaction.atomic
def delete_source(*, source: Source) -> None:
    if source.items.exists():
        raise VeilleError("Cette source a des articles : désactivez-la plutôt que de la supprimer.")
    source.delete()


# --- items --------------------------------------------------------------------------------------------------
CORRECTION_SCOPES = {
    "source": "Cet article et les prochains articles de cette source",
    "all": "Cet article et les prochains articles de toutes les sources",
    "item": "Cet article seulement",
}


@transaction.atomic
def save_item(*, item: NewsItem, territories, themes, by=None, correction_scope: str = "item") -> NewsItem:
    """Staff add or edit an item. The territories chosen become manual tags; removed ones stay removed.
    ``correction_scope`` (« source » or « all »): a territory removed that the tagger had found through terms
    becomes a correction the tagging learns from (those terms no longer tag it, on that source or everywhere)."""
    if correction_scope not in CORRECTION_SCOPES:
        raise VeilleError("Portée de la correction inconnue : rien n’a été modifié.")
    item.title = item.title.strip()
    if not item.title:
        raise VeilleError("Le titre est obligatoire.")
    item.title_key = title_key(item.title)
    canon = canonical_url(item.link) if item.link else None
    if canon and NewsItem.objects.filter(canonical_url=canon).exclude(pk=item.pk).exists():
        raise VeilleError("Un article avec ce lien existe déjà.")
    item.canonical_url = canon
    if item.status == NewsItem.Status.PUBLISHED and item.listed_at is None:
        item.listed_at = timezone.now()
    is_new = item.pk is None
    item.save()
    if is_new:
        # A new item is tagged automatically; the territories chosen are added to what the tagger found.
        tag_items([item], default_themes=list(themes))
    current = set(TerritoryTag.objects.filter(item=item).values_list("territory_id", flat=True))
    chosen = {t.pk for t in territories}
    if not is_new:
        removed = current - chosen
        if removed:
            if correction_scope != "item":
                _learn_removals(item=item, removed=removed, scope=correction_scope, by=by)
            TerritoryTag.objects.filter(item=item, territory_id__in=removed).delete()
            item.excluded_territories.add(*removed)
        item.themes.set(themes)
    added = chosen - current
    TerritoryTag.objects.bulk_create(
        [TerritoryTag(item=item, territory_id=pk, is_manual=True, confidence=1.0, matched_terms=[]) for pk in added]
    )
    if chosen:
        item.excluded_territories.remove(*chosen)
    update_search_vectors(NewsItem.objects.filter(pk=item.pk))
    return item


def _learn_removals(*, item: NewsItem, removed: set[int], scope: str, by) -> None:
    """The terms through which the tagger found the removed territories no longer tag them (see tagging.py)."""
    source = item.source if scope == "source" else None
    tags = TerritoryTag.objects.filter(item=item, territory_id__in=removed, is_manual=False)
    for tag in tags.select_related("territory"):
        for term in tag.matched_terms:
            if term == "source" or not name_key(term):
                continue  # a source's default territory is changed on the source itself
            _record_correction(
                term=term,
                territory=tag.territory,
                source=source,
                kind=TagCorrection.Kind.EXCLUDE,
                author=by,
                note=f"Retiré de l’article « {item.title[:200]} »",
                exists_ok=True,
            )


def _record_correction(*, term, territory, source, kind, author, note, exists_ok=False):
    term = " ".join(term.split())
    key = " ".join(name_key(term))
    if not key:
        raise VeilleError("Le terme doit contenir au moins un mot.")
    if len(term) > 200:
        raise VeilleError("Le terme est trop long (200 caractères au plus).")
    existing = TagCorrection.objects.filter(term_key=key, territory=territory, source=source).first()
    if existing is not None:
        if exists_ok and existing.kind == kind:
            return existing
        if existing.kind == kind:
            raise VeilleError("Cette correction existe déjà.")
        raise VeilleError(
            f"Une correction contraire existe déjà pour « {existing.term} » et ce territoire "
            f"({existing.get_kind_display().lower()}) : supprimez-la d’abord."
        )
    correction = TagCorrection.objects.create(
        term=term, term_key=key, territory=territory, source=source, kind=kind, author=author, note=note[:300]
    )
    _retag_term_on_commit(term=term, source_id=source.pk if source else None)
    return correction


@shared_task(name="veille.tasks.retag_term")
def retag_term(term: str, source_id: int | None = None) -> int:
    """After a staff correction: tag again the items that name the term (of that source, or of all). Defined here,
    beside what queues it, and registered by veille.tasks: the services do not import the tasks module."""
    return retag(queryset=items_naming(term=term, source_id=source_id))


def _retag_term_on_commit(*, term: str, source_id: int | None) -> None:
    # robust: a broker that cannot be reached is logged; it never fails a request whose writes are committed.
    transaction.on_commit(lambda: retag_term.delay(term, source_id), robust=True)


@transaction.atomic
def create_tag_correction(*, term: str, territory, kind: str, source=None, author=None, note: str = ""):
    """Staff add a correction the tagging learns from; the items already collected that name the term are
    tagged again (in the background)."""
    if kind not in TagCorrection.Kind.values:
        raise VeilleError("Type de correction inconnu.")
    if territory is None:
        raise VeilleError("Choisissez un territoire.")
    return _record_correction(
        term=term or "", territory=territory, source=source, kind=kind, author=author, note=note or ""
    )


@transaction.atomic
def delete_tag_correction(*, correction: TagCorrection) -> None:
    """The correction no longer applies; the items that name its term are tagged again (in the background)."""
    term, source_id = correction.term, correction.source_id
    correction.delete()
    _retag_term_on_commit(term=term, source_id=source_id)


def items_naming(*, term: str, source_id: int | None):
    """Items whose title (folded) or summary contain the term, for re-tagging after a correction."""
    words = fold_text(term)
    queryset = NewsItem.objects.filter(
        Q(title_key__contains=words) | Q(summary__icontains=term) | Q(summary__icontains=words)
    )
    if source_id is not None:
        queryset = queryset.filter(source_id=source_id)
    return queryset


@transaction.atomic
def set_item_status(*, item: NewsItem, status: str) -> NewsItem:
    if status not in NewsItem.Status.values:
        raise VeilleError("Statut inconnu.")
    item.status = status
    fields = ["status"]
    if status == NewsItem.Status.PUBLISHED and item.listed_at is None:
        item.listed_at = timezone.now()
        fields.append("listed_at")
    if status != NewsItem.Status.PUBLISHED and item.featured:
        item.featured = False
        fields.append("featured")
    item.save(update_fields=fields)
    return item


@transaction.atomic
def set_item_featured(*, item: NewsItem, featured: bool) -> NewsItem:
    if featured and item.status != NewsItem.Status.PUBLISHED:
        raise VeilleError("Seul un article publié peut être mis à la une.")
    item.featured = featured
    item.save(update_fields=["featured"])
    return item


def retag(*, queryset) -> int:
    return retag_items(queryset)


# --- themes -------------------------------------------------------------------------------------------------
@transaction.atomic
def save_theme(*, theme: Theme) -> Theme:
    if Theme.objects.filter(slug=theme.slug).exclude(pk=theme.pk).exists():
        raise VeilleError("Un autre thème porte déjà cet identifiant.")
    theme.save()
    return theme


# --- subscriptions ------------------------------------------------------------------------------------------
@transaction.atomic
def save_subscription(*, user, territories, themes, frequency: str) -> Subscription:
    if frequency not in Subscription.Frequency.values:
        raise VeilleError("Fréquence inconnue.")
    subscription, _ = Subscription.objects.get_or_create(user=user, defaults={"frequency": frequency})
    subscription.frequency = frequency
    subscription.save(update_fields=["frequency"])
    subscription.territories.set(territories)
    subscription.themes.set(themes)
    return subscription


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": subscription.pk, "u": subscription.user_id})


def subscription_from_token(token: str) -> Subscription:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        return Subscription.objects.select_related("user").get(pk=data["s"], user_id=data["u"])
    except (signing.BadSignature, KeyError, TypeError, Subscription.DoesNotExist):
        raise VeilleError("Ce lien de désabonnement n’est pas valide.")


@transaction.atomic
def unsubscribe(*, token: str) -> Subscription:
    subscription = subscription_from_token(token)
    subscription.frequency = Subscription.Frequency.NONE
    subscription.save(update_fields=["frequency"])
    return subscription
