"""Each page has its own <title> (RGAA 8.6): a create form and an edit form are not named alike."""

import re

import pytest
from django.urls import reverse

from tests.roadmaps.factories import ActionFactory, roadmap_with

pytestmark = pytest.mark.django_db


def title(response) -> str:
    assert response.status_code == 200
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_create_and_edit_forms_have_distinct_titles(client_for):
    roadmap = roadmap_with(priorities=1)
    priority = roadmap.priorities.get()
    action = ActionFactory(priority=priority, roadmap=roadmap, title="Forum des métiers")
    client = client_for("animateur")
    slug = roadmap.body.slug
    pairs = [
        (reverse("roadmaps:roadmap_create", args=[slug]), reverse("roadmaps:roadmap_edit", args=[slug, roadmap.pk])),
        (
            reverse("roadmaps:priority_create", args=[slug, roadmap.pk]),
            reverse("roadmaps:priority_edit", args=[slug, roadmap.pk, priority.pk]),
        ),
        (
            reverse("roadmaps:action_create", args=[slug, roadmap.pk]),
            reverse("roadmaps:action_edit", args=[slug, action.pk]),
        ),
    ]
    seen = set()
    for create_url, edit_url in pairs:
        created, edited = title(client.get(create_url)), title(client.get(edit_url))
        assert created != edited
        seen |= {created, edited}
    assert len(seen) == 6
    assert "Forum des métiers" in title(client.get(reverse("roadmaps:action_edit", args=[slug, action.pk])))
