"""Governance roles of the permission matrix. All Clefop roles sit in the Clefop of 44-NAN (Nantes);
"other_member" sits in the Clefop of 49-ANG (Angers); "cdefop" in the Cdefop of Loire-Atlantique (44)."""

from clefop.models import Position
from tests.accounts.factories import UserFactory
from tests.clefop.factories import MembershipFactory, cdefop, clefop, crefop
from tests.roles import register_role


def _member_of(body, position):
    def build(**kwargs):
        user = UserFactory(**kwargs)
        MembershipFactory(user=user, body=body(), position=position)
        return user

    return build


register_role("member")(_member_of(lambda: clefop("44-NAN"), Position.MEMBER))
register_role("observer")(_member_of(lambda: clefop("44-NAN"), Position.OBSERVER))
register_role("animateur")(_member_of(lambda: clefop("44-NAN"), Position.ANIMATEUR))
register_role("cochair")(_member_of(lambda: clefop("44-NAN"), Position.COCHAIR))
register_role("other_member")(_member_of(lambda: clefop("49-ANG"), Position.MEMBER))
register_role("cdefop")(_member_of(lambda: cdefop("44"), Position.MEMBER))
register_role("crefop")(_member_of(crefop, Position.MEMBER))
