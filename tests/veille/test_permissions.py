import pytest

from tests.matrix import check, expand
from tests.veille.factories import NewsItemFactory, SourceFactory

pytestmark = pytest.mark.django_db

PUBLIC = {"anonymous": 200, "user": 200, "member": 200, "staff": 200}
SIGNED_IN = {"anonymous": 302, "user": 200, "member": 200, "staff": 200}
STAFF = {"anonymous": 302, "user": 404, "member": 404, "staff": 200}


def item_pk():
    return {"pk": NewsItemFactory().pk}


def hidden_item_pk():
    return {"pk": NewsItemFactory(status="hidden").pk}


def source_pk():
    return {"pk": SourceFactory().pk}


def theme_pk():
    from veille.models import Theme

    return {"pk": Theme.objects.first().pk}


def correction_pk():
    from territories.models import Territory
    from veille.models import TagCorrection

    territory = Territory.objects.get(code="53-LAV")
    return {"pk": TagCorrection.objects.create(term="Laval", term_key="laval", territory=territory).pk}


def token():
    from tests.accounts.factories import UserFactory
    from veille.models import Subscription
    from veille.services import unsubscribe_token

    return {"token": unsubscribe_token(Subscription.objects.create(user=UserFactory()))}


CASES = [
    ("veille:list", {}, PUBLIC),
    ("veille:feed_region", {}, PUBLIC),
    ("veille:detail", item_pk, PUBLIC),
    ("veille:detail", hidden_item_pk, {"anonymous": 404, "user": 404, "member": 404, "staff": 200}),
    ("veille:territory", {"code": "44-NAN"}, PUBLIC),
    ("veille:feed_territory", {"code": "44-NAN"}, PUBLIC),
    ("veille:subscription", {}, SIGNED_IN),
    ("veille:unsubscribe", token, PUBLIC),
    ("veille_staff:source_list", {}, STAFF),
    ("veille_staff:source_create", {}, STAFF),
    ("veille_staff:source_update", source_pk, STAFF),
    ("veille_staff:item_list", {}, STAFF),
    ("veille_staff:item_create", {}, STAFF),
    ("veille_staff:item_update", item_pk, STAFF),
    ("veille_staff:correction_list", {}, STAFF),
    ("veille_staff:correction_create", {}, STAFF),
    ("veille_staff:theme_list", {}, STAFF),
    ("veille_staff:theme_create", {}, STAFF),
    ("veille_staff:theme_update", theme_pk, STAFF),
]

POST_ONLY = [
    ("veille_staff:source_fetch", source_pk),
    ("veille_staff:source_delete", source_pk),
    ("veille_staff:item_action", item_pk),
    ("veille_staff:retag_all", {}),
    ("veille_staff:correction_delete", correction_pk),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
def test_matrix(client_for, url_name, kwargs, role, expected):
    check(client_for, url_name, kwargs, role, expected)


@pytest.mark.parametrize(("url_name", "kwargs"), POST_ONLY)
@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("user", 404), ("member", 404), ("staff", 302)])
def test_post_only_actions(client_for, url_name, kwargs, role, expected):
    check(client_for, url_name, kwargs, role, expected, method="post")


@pytest.mark.parametrize("url_name", [name for name, _k in POST_ONLY])
def test_post_only_actions_refuse_get(client_for, url_name):
    kwargs = dict(POST_ONLY)[url_name]
    check(client_for, url_name, kwargs, "staff", 405)
