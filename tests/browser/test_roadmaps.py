"""The roadmap journey as users would live it: a member adds a priority and an action, the animateur submits,
a co-chair adopts, the public sees the adopted version. axe-core finds no violation on each page. Then an action's
status is edited and saved with the keyboard only (Tab / arrows / Enter), HTMX in place."""

import pytest

from clefop.models import Position
from roadmaps.models import Roadmap, RoadmapStatus
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors, login
from tests.clefop.factories import MembershipFactory, clefop
from tests.roadmaps.factories import ActionFactory, roadmap_with

pytestmark = pytest.mark.browser


def seat(email, position):
    user = UserFactory(email=email)
    MembershipFactory(user=user, body=clefop("44-NAN"), position=position)
    return user


def logout(page):
    page.context.clear_cookies()


def test_member_animateur_cochair_journey(page):
    seat("membre@exemple.fr", Position.MEMBER)
    seat("animatrice@exemple.fr", Position.ANIMATEUR)
    seat("copresidente@exemple.fr", Position.COCHAIR)
    roadmap_with(priorities=0, title="Feuille de route Nantes 2024-2026")
    roadmap = Roadmap.objects.get()
    base = page.base_url

    # A member adds a priority and an action.
    login(page, "membre@exemple.fr")
    page.goto(base + roadmap.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter une priorité").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Intitulé de la priorité").fill("Répondre aux besoins de recrutement")
    page.get_by_role("button", name="Enregistrer la priorité").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Ajouter une action").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Intitulé", exact=True).fill("Job dating trimestriel")
    page.get_by_label("Métiers (codes ROME)").fill("F1603")
    page.get_by_role("button", name="Enregistrer la fiche action").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Job dating trimestriel").is_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
    logout(page)

    # The animateur submits.
    login(page, "animatrice@exemple.fr")
    page.goto(base + roadmap.get_absolute_url())
    page.get_by_role("link", name="Soumettre pour adoption").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Commentaire").fill("Prête pour la plénière")
    page.get_by_role("button", name="Soumettre la feuille de route").click()
    page.wait_for_load_state()
    assert "Soumise" in page.content()
    assert_accessible(page)
    logout(page)

    # A co-chair adopts, with the plenary date.
    login(page, "copresidente@exemple.fr")
    page.goto(base + roadmap.get_absolute_url())
    page.get_by_role("link", name="Adopter").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Date de la plénière d’adoption").fill("2024-03-15")
    page.get_by_role("button", name="Adopter la feuille de route").click()
    page.wait_for_load_state()
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ADOPTED
    assert_accessible(page)
    logout(page)

    # The public sees the adopted version.
    page.goto(base + "/feuilles-de-route/")
    assert_accessible(page)
    page.get_by_role("link", name="Feuille de route Nantes 2024-2026 (2024-2026)").click()
    page.wait_for_load_state()
    assert "Job dating trimestriel" in page.content()
    assert_accessible(page)
    page.goto(base + "/preconisations/")
    assert_accessible(page)
    assert_no_console_errors(page)


def test_keyboard_only_status_edit(page):
    seat("membre@exemple.fr", Position.MEMBER)
    roadmap = roadmap_with(priorities=1)
    action = ActionFactory(
        priority=roadmap.priorities.get(), roadmap=roadmap, title="Forum des métiers", status="planned", progress=0
    )
    login(page, "membre@exemple.fr")
    page.goto(page.base_url + roadmap.get_absolute_url())
    assert_accessible(page)
    # Tab until the "Modifier le statut" link of the action has the focus, then Enter.
    for _ in range(120):
        page.keyboard.press("Tab")
        # A link, not the table box around it (focusable too, for scrolling: its text holds every link label).
        label = page.evaluate("() => document.activeElement.tagName === 'A' && document.activeElement.textContent")
        if label and "Modifier le statut" in label:
            break
    else:
        pytest.fail("Le lien « Modifier le statut » n'est pas atteignable au clavier.")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#status-{action.pk}")
    # htmx focuses the form's autofocus field once the swap has settled: keys typed before would be lost.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    # The status select has the focus (autofocus): choose "En cours" with the arrow key.
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === 'status-{action.pk}'")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("35")
    page.keyboard.press("Tab")
    page.keyboard.type("Lancé au clavier")
    page.keyboard.press("Tab")
    assert_accessible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#statut-action-{action.pk} >> text=En cours")
    action.refresh_from_db()
    assert action.status == "in_progress" and action.progress == 35
    assert action.notes.get().comment == "Lancé au clavier"
    assert_accessible(page)
    assert_no_console_errors(page)


def open_status_form(page, action):
    page.goto(page.base_url + action.roadmap.get_absolute_url())
    page.click(f"a[hx-get*='/{action.pk}/']:has-text('Modifier le statut')")
    page.wait_for_selector(f"#progress-{action.pk}")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def submit_status(page, action, progress):
    # The number field's min/max stop the browser itself from sending 150: they are lifted so the server's own
    # check is what answers, as for a browser that does not validate.
    page.evaluate(f"() => {{ const f = document.getElementById('progress-{action.pk}'); f.removeAttribute('max'); }}")
    page.fill(f"#progress-{action.pk}", str(progress))
    page.click(f"#statut-action-{action.pk} button[type=submit]")


def test_in_place_errors_are_shown_and_announced(page):
    seat("membre@exemple.fr", Position.MEMBER)
    roadmap = roadmap_with(priorities=1)
    action = ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, title="Forum", progress=10)
    login(page, "membre@exemple.fr")

    # 150 %: the server answers 400 with the form and its message, swapped in place, announced, the field focused.
    open_status_form(page, action)
    submit_status(page, action, 150)
    error = page.wait_for_selector(f"#progress-{action.pk}-erreur")
    assert "100" in error.text_content()
    page.wait_for_function("() => document.getElementById('srefop-annonces').textContent.includes('100')")
    assert page.evaluate("() => document.activeElement.id") == f"progress-{action.pk}"
    assert page.get_attribute(f"#progress-{action.pk}", "aria-invalid") == "true"
    assert_accessible(page)
    action.refresh_from_db()
    assert action.progress == 10

    # The roadmap is archived meanwhile: the reason is said in place.
    Roadmap.objects.filter(pk=roadmap.pk).update(status=RoadmapStatus.ARCHIVED)
    submit_status(page, action, 40)
    page.wait_for_selector(f"#statut-action-{action.pk} .fr-alert--error >> text=archivée")
    page.wait_for_function("() => document.getElementById('srefop-annonces').textContent.includes('archivée')")
    action.refresh_from_db()
    assert action.progress == 10
    assert_accessible(page)
    # Chromium logs each 4xx answer as "Failed to load resource": expected here, nothing else is.
    assert [e for e in page.console_errors if "status of 400" not in e and "favicon" not in e] == []


def test_session_expired_during_in_place_edit_goes_to_sign_in(page):
    seat("membre@exemple.fr", Position.MEMBER)
    roadmap = roadmap_with(priorities=1)
    action = ActionFactory(priority=roadmap.priorities.get(), roadmap=roadmap, title="Forum", progress=10)
    login(page, "membre@exemple.fr")
    open_status_form(page, action)
    page.context.clear_cookies(name="sessionid")  # the session has expired
    with page.expect_navigation():
        submit_status(page, action, 40)
    page.wait_for_selector("input[name=login]")
    assert "/compte/login/" in page.url and "next=" in page.url
    assert roadmap.get_absolute_url() in page.url.replace("%2F", "/")
    # No fragment of the sign-in page was swapped into the roadmap page: it is the whole sign-in page.
    assert page.locator("main").count() == 1
    action.refresh_from_db()
    assert action.progress == 10


def test_large_priority_collapsed_then_loaded_on_demand_with_the_keyboard_and_without_javascript(
    page, browser_instance
):
    """A priority past COLLAPSE_AFTER actions shows the first ones; « Afficher … de plus » (Enter on the link) loads
    the rest in place, the focus on the first new action; without JavaScript the same link opens the priority's
    page. axe finds nothing on any of these states."""
    from roadmaps.fragments import COLLAPSE_AFTER
    from tests.roadmaps.factories import add_actions

    seat("membre@exemple.fr", Position.MEMBER)
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=2)
    priority = add_actions(roadmap, COLLAPSE_AFTER + 20)
    add_actions(roadmap, 2, priority=roadmap.priorities.get(order=2), prefix="Petite action")
    ordered = list(priority.actions.order_by("order", "pk"))
    login(page, "membre@exemple.fr")
    page.goto(page.base_url + roadmap.get_absolute_url())
    table = page.locator(f"section[aria-labelledby='priorite-{priority.pk}'] table")
    assert table.locator("tbody tr").count() == COLLAPSE_AFTER + 1  # the first actions, then « afficher la suite »
    assert page.get_by_role("link", name=ordered[COLLAPSE_AFTER].title).count() == 0
    assert_accessible(page)

    more = page.get_by_role("link", name="Afficher 20 actions de plus dans la priorité 1")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text={ordered[-1].title}")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    assert table.locator("tbody tr").count() == COLLAPSE_AFTER + 20
    assert page.locator(f"#suite-priorite-{priority.pk}").count() == 0
    page.wait_for_function(
        "(title) => document.activeElement && document.activeElement.textContent.trim() === title",
        arg=ordered[COLLAPSE_AFTER].title,
    )
    assert page.url.endswith(roadmap.get_absolute_url())  # loaded in place
    assert_accessible(page)
    assert_no_console_errors(page)

    # Without JavaScript: the same link opens the page of the priority, every action listed.
    context = browser_instance.new_context(locale="fr-FR", java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(page.base_url + roadmap.get_absolute_url())
    plain.get_by_role("link", name="Afficher 20 actions de plus dans la priorité 1").click()
    plain.wait_for_load_state()
    assert plain.get_by_role("heading", level=1).inner_text().startswith("Priorité 1")
    assert plain.locator("tbody tr").count() == COLLAPSE_AFTER + 20
    url = plain.url
    context.close()
    page.goto(url)
    assert_accessible(page)


def test_action_page_forms_from_the_shared_fragment_and_paginated_history(page):
    """The action page is a fragment shared by a class of readers, the reader's own CSRF token put in its forms: a
    member adds a sub-action through it. The roadmap history goes page by page (« Page suivante » with the keyboard).
    axe finds nothing on these pages."""
    from django.urls import reverse

    from roadmaps.fragments import HISTORY_PAGE_SIZE

    seat("membre@exemple.fr", Position.MEMBER)
    colleague = seat("collegue@exemple.fr", Position.MEMBER)
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED, priorities=1, actions=HISTORY_PAGE_SIZE + 5)
    action = roadmap.actions.order_by("pk").first()
    base = page.base_url

    login(page, colleague.email)  # builds the member class's fragment
    page.goto(base + action.get_absolute_url())
    logout(page)
    login(page, "membre@exemple.fr")
    page.goto(base + action.get_absolute_url())
    assert_accessible(page)
    page.get_by_label("Sous-action", exact=True).fill("Réserver la salle")
    page.get_by_role("button", name="Ajouter la sous-action").click()
    page.wait_for_load_state()
    assert "Sous-action ajoutée." in page.content() and "Réserver la salle" in page.content()
    assert action.sub_actions.get().title == "Réserver la salle"
    assert_accessible(page)

    page.goto(base + reverse("roadmaps:roadmap_history", args=[roadmap.body.slug, roadmap.pk]))
    assert page.locator("main article").count() == HISTORY_PAGE_SIZE
    assert_accessible(page)
    page.get_by_role("link", name="Page suivante").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?page=2")
    assert page.locator("main article").count() > 0 and "Page précédente" in page.content()
    assert_accessible(page)
    assert_no_console_errors(page)
