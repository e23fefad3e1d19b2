"""The subscription page served from a cached blank form with the reader's choices ticked in it (issue 18): the same
HTML as the form rendered by Django, each reader's own choices and token, writes shown at once, constant SQL."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from territories.models import Territory
from tests.accounts.factories import UserFactory
from veille.forms import SubscriptionForm
from veille.models import Subscription, Theme

pytestmark = pytest.mark.django_db

URL = reverse("veille:subscription")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def subscribe(user, codes=(), themes=(), frequency="daily"):
    subscription = Subscription.objects.create(user=user, frequency=frequency)
    subscription.territories.set(Territory.objects.filter(code__in=codes))
    subscription.themes.set(Theme.objects.filter(slug__in=themes))
    return subscription


def form_part(html: str) -> str:
    """The fields of the subscription form, blanks normalised."""
    start = html.index('<form method="post" class="fr-mb-4w">')
    fields = html[html.index("<fieldset", start) : html.index('<button class="fr-btn" type="submit">', start)]
    return re.sub(r"\s+", " ", fields).strip()


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]+)"[^>]*\bchecked>', form_part(html)))


def test_page_shows_the_same_form_as_django_renders(client):
    Client().get(URL)  # nothing cached is shared with an anonymous visitor (redirected to sign in)
    with_choices = subscribe(UserFactory(), codes=["44-NAN", "85-LRY"], themes=["emploi"], frequency="none")
    without = UserFactory()
    for user, instance in ((with_choices.user, with_choices), (without, Subscription(user=without))):
        page = signed_in(user).get(URL).content.decode()
        expected = re.sub(r"\s+", " ", str(SubscriptionForm(instance=instance))).strip()
        assert form_part(page) == expected


def test_each_reader_sees_their_own_choices_email_and_token():
    nantes, laval = Territory.objects.get(code="44-NAN"), Territory.objects.get(code="53-LAV")
    first = subscribe(UserFactory(email="premiere@exemple.fr"), codes=["44-NAN"], frequency="daily").user
    second = subscribe(UserFactory(email="seconde@exemple.fr"), codes=["53-LAV"], themes=["emploi"]).user
    pages = {}
    for user in (first, second):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = pages[user.email] = client.get(URL).content.decode()
        # The form's token is the reader's own: their POST with it is accepted.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page[page.index('class="fr-mb-4w"') :])
        response = client.post(URL, {"csrfmiddlewaretoken": token.group(1), "frequency": checked(page, "frequency")})
        assert response.status_code == 302
    assert checked(pages["premiere@exemple.fr"], "territories") == {str(nantes.pk)}
    assert checked(pages["premiere@exemple.fr"], "frequency") == {"daily"}
    assert checked(pages["premiere@exemple.fr"], "themes") == set()
    assert checked(pages["seconde@exemple.fr"], "territories") == {str(laval.pk)}
    assert checked(pages["seconde@exemple.fr"], "themes") == {str(Theme.objects.get(slug="emploi").pk)}
    assert "premiere@exemple.fr" in pages["premiere@exemple.fr"] and "seconde@" not in pages["premiere@exemple.fr"]
    # No subscription yet: the default frequency, nothing else.
    page = signed_in(UserFactory()).get(URL).content.decode()
    assert checked(page, "frequency") == {"weekly"} and not checked(page, "territories")


def test_writes_show_at_once():
    user = UserFactory()
    client = signed_in(user)
    assert not checked(client.get(URL).content.decode(), "territories")  # the blank form is now cached
    nantes = Territory.objects.get(code="44-NAN")
    response = client.post(URL, {"frequency": "none", "territories": [nantes.pk]})
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert checked(page, "territories") == {str(nantes.pk)} and checked(page, "frequency") == {"none"}
    # A new theme (the staff edit them) and a renamed territory: new options of the cached form, at once.
    Theme.objects.create(name="Mobilité internationale", slug="mobilite-internationale", position=99)
    Territory.objects.filter(pk=nantes.pk).update(name="Nantes Métropole et environs")
    page = client.get(URL).content.decode()
    assert "Mobilité internationale" in page and "Nantes Métropole et environs" in page
    assert checked(page, "territories") == {str(nantes.pk)}


def test_refused_post_shows_the_bound_form_with_its_errors():
    client = signed_in(UserFactory())
    response = client.post(URL, {"frequency": "hourly", "territories": [Territory.objects.get(code="44-NAN").pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "fr-fieldset--error" in page or "fr-error-text" in page
    assert checked(page, "territories")  # what was sent stays ticked


def test_same_queries_whatever_the_choices():
    def count(codes, themes):
        client = signed_in(subscribe(UserFactory(), codes=codes, themes=themes).user)
        client.get(URL)
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    all_codes = list(Territory.objects.values_list("code", flat=True))
    all_themes = list(Theme.objects.values_list("slug", flat=True))
    assert count([], []) == count(all_codes, all_themes) == count(["44-NAN"], all_themes[:1])
