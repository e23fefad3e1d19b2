from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from territories.models import Territory
from tests.accounts.factories import UserFactory
from tests.veille.factories import tagged_item
from veille import tasks
from veille.models import NewsItem, Subscription, Theme
from veille.services import unsubscribe_token

pytestmark = pytest.mark.django_db


def subscribe(user, codes=(), themes=(), frequency="daily", last_sent_days=1):
    subscription = Subscription.objects.create(
        user=user, frequency=frequency, last_sent_at=timezone.now() - timedelta(days=last_sent_days)
    )
    subscription.territories.set(Territory.objects.filter(code__in=codes))
    subscription.themes.set(Theme.objects.filter(slug__in=themes))
    return subscription


def test_digest_has_exactly_the_new_items_of_the_subscriber(django_capture_on_commit_callbacks):
    user = UserFactory()
    subscription = subscribe(user, codes=["49-CHO", "53-LAV"])
    old = tagged_item(title="Cholet : article déjà envoyé")
    NewsItem.objects.filter(pk=old.pk).update(listed_at=timezone.now() - timedelta(days=3))
    wanted = [tagged_item(title="Cholet : forum de l’emploi"), tagged_item(title="Laval : salon de l’orientation")]
    tagged_item(title="Saumur : autre territoire")
    hidden = tagged_item(title="Cholet : article masqué")
    NewsItem.objects.filter(pk=hidden.pk).update(status="hidden")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    text = message.body
    html = message.alternatives[0][0]
    for item in wanted:
        assert item.title in text and item.title.replace("’", "’") in html
    for title in ("déjà envoyé", "Saumur", "masqué"):
        assert title not in text
    token_url = reverse("veille:unsubscribe", args=[unsubscribe_token(subscription)])
    assert token_url in text and token_url in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None
    # Nothing new since: no e-mail.
    with freeze_time(timezone.now() + timedelta(days=1)):
        assert tasks.send_digests() == 0
    assert len(mail.outbox) == 1


def test_theme_filter_and_no_email_when_nothing_matches(django_capture_on_commit_callbacks):
    user = UserFactory()
    subscribe(user, themes=["handicap"])
    tagged_item(title="Cholet : forum de l’emploi")
    assert tasks.send_digests() == 0
    assert mail.outbox == []
    tagged_item(title="Laval : Cap emploi et le handicap")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests() == 1
    assert "Cap emploi" in mail.outbox[0].body and "forum" not in mail.outbox[0].body


def test_weekly_subscription_waits_a_week_and_none_never_receives():
    weekly = subscribe(UserFactory(), frequency="weekly", last_sent_days=2)
    subscribe(UserFactory(), frequency="none", last_sent_days=30)
    tagged_item(title="Cholet : forum")
    assert tasks.send_digests() == 0
    Subscription.objects.filter(pk=weekly.pk).update(last_sent_at=timezone.now() - timedelta(days=7))
    assert tasks.send_digests() == 1


def test_one_click_unsubscribe(client):
    subscription = subscribe(UserFactory())
    url = reverse("veille:unsubscribe", args=[unsubscribe_token(subscription)])
    page = client.get(url)
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.frequency == "daily"  # a GET (link preview, scanner) changes nothing
    response = client.post(url)  # RFC 8058 one-click POST, no CSRF token
    assert response.status_code == 200 and "ne recevra plus" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.frequency == "none"


def test_tampered_unsubscribe_token_is_refused(client):
    subscription = subscribe(UserFactory())
    token = unsubscribe_token(subscription)
    response = client.post(reverse("veille:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "pas valide" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.frequency == "daily"


def test_subscription_form(client_for, role_user):
    client = client_for("user")
    url = reverse("veille:subscription")
    response = client.post(
        url,
        {
            "frequency": "weekly",
            "territories": [Territory.objects.get(code="44-NAN").pk],
            "themes": [Theme.objects.get(slug="emploi").pk],
        },
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=role_user("user"))
    assert subscription.frequency == "weekly"
    assert list(subscription.territories.values_list("code", flat=True)) == ["44-NAN"]
    response = client.post(url, {"frequency": "hourly"})
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.frequency == "weekly"


@pytest.mark.parametrize(
    ("count", "subject", "line"),
    [
        (0, None, None),
        (1, "[Portail Srefop] Veille quotidienne : 1 article", "1 nouvel article"),
        (2, "[Portail Srefop] Veille quotidienne : 2 articles", "2 nouveaux articles"),
    ],
)
def test_digest_wording_counts_its_articles(count, subject, line, django_capture_on_commit_callbacks):
    subscribe(UserFactory(), codes=["49-CHO"])
    for i in range(count):
        tagged_item(title=f"Cholet : article {i}")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests() == (1 if count else 0)
    if not count:
        assert mail.outbox == []  # nothing new: no e-mail rather than « 0 article »
        return
    (message,) = mail.outbox
    assert message.subject == subject
    assert line in message.body and "article(s)" not in message.body
    assert message.body.rstrip().endswith("Le Portail Srefop — Carif-Oref des Pays de la Loire")
