import datetime

import pytest
from django.utils import timezone

from clefop.models import Document, Invitation, Meeting, Membership, Position
from clefop.services.documents import upload_document
from clefop.services.invitations import invite
from clefop.services.meetings import create_meeting
from tests.clefop.factories import MembershipFactory, OrganisationFactory, WorkingGroupFactory, clefop

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def nantes(db):
    return clefop("44-NAN")


@pytest.fixture
def angers(db):
    return clefop("49-ANG")


@pytest.fixture
def workspace(nantes, staff_user):
    """A meeting, a document, a pending invitation, a working group and an extra member in Nantes' Clefop."""
    now = timezone.now()
    meeting = create_meeting(
        body=nantes,
        by=staff_user,
        title="Plénière",
        kind="plenary",
        mode="in_person",
        place="Nantes",
        start=now + datetime.timedelta(days=3),
        end=now + datetime.timedelta(days=3, hours=2),
        agenda="Accueil\nDiagnostic",
    )
    document = upload_document(body=nantes, title="Diagnostic", data=PDF, filename="diag.pdf", by=staff_user)
    invitation, token = invite(body=nantes, email="invitee@exemple.fr", position=Position.MEMBER, invited_by=staff_user)
    group = WorkingGroupFactory(parent=nantes)
    extra = MembershipFactory(body=nantes, organisation=OrganisationFactory())
    return {
        "body": nantes,
        "meeting": meeting,
        "document": document,
        "version": document.current_version,
        "invitation": invitation,
        "token": token,
        "group": group,
        "membership": extra,
    }


__all__ = ["Document", "Invitation", "Meeting", "Membership"]
