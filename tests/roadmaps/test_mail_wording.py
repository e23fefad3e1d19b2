"""Wording of the roadmaps' e-mails: counted nouns for 0, 1 and 2, whole subjects, comments without a double stop."""

import datetime

import pytest
from django.core import mail

from roadmaps import services
from roadmaps.models import RoadmapStatus
from tests.roadmaps.factories import ActionFactory, roadmap_with

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [0, 1, 2])
def test_overdue_email_counts_the_actions(count, role_user, django_capture_on_commit_callbacks):
    pilot = role_user("member")
    roadmap = roadmap_with(status=RoadmapStatus.ADOPTED)
    for i in range(count):
        ActionFactory(
            roadmap=roadmap, priority=roadmap.priorities.first(), end_date=datetime.date(2020, 1, 1), title=f"A{i}"
        ).pilots.add(pilot)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_overdue_emails() == (1 if count else 0)
    if not count:
        assert mail.outbox == []
        return
    (message,) = mail.outbox
    if count == 1:
        assert message.subject == "[Portail Srefop] 1 action en retard"
        assert "Vous pilotez 1 action dont l’échéance est dépassée :" in message.body
        assert "Mettez à jour son statut ou son échéance" in message.body
    else:
        assert message.subject == "[Portail Srefop] 2 actions en retard"
        assert "Vous pilotez 2 actions dont l’échéance est dépassée :" in message.body
        assert "Mettez à jour leur statut ou leur échéance" in message.body
    assert "'" not in message.body.split("http")[0]  # typographic apostrophes in the wording
    assert message.body.count("Le Portail Srefop — Carif-Oref des Pays de la Loire") == 1


def test_transition_email_has_a_whole_subject_and_no_double_stop(role_user, django_capture_on_commit_callbacks):
    role_user("cochair")
    roadmap = roadmap_with()
    long_comment = "Prête pour la plénière, après relecture du groupe de travail sur l’alternance. " * 6
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_roadmap(roadmap=roadmap, transition="submit", user=role_user("animateur"), comment="Prête.")
    message = mail.outbox[-1]
    assert message.subject == (
        f"[Portail Srefop] Feuille de route {roadmap.period_label} de {roadmap.body.name} (version 1) : "
        "soumise pour adoption"
    )
    assert "Commentaire : « Prête. »" in message.body and "»." not in message.body
    services.transition_roadmap(roadmap=roadmap, transition="return", user=role_user("cochair"), comment="")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_roadmap(
            roadmap=roadmap, transition="submit", user=role_user("animateur"), comment=long_comment
        )
    quoted = mail.outbox[-1].body.split("Commentaire : « ", 1)[1].split(" »", 1)[0]
    assert quoted.endswith("…") and quoted[:-1].split()[-1] in long_comment.split()  # cut between words
