"""What the common base holds about a person (the ``personal_data`` hook: ``export(user) -> dict``, ``erase(user)``).

The outbox (``OutboxMessage``) keeps each e-mail sent by the portal with its recipients, subject and text: those
addressed to a person are theirs to read in the export. Closing the account deletes the e-mails addressed to the
person alone, takes their address out of those sent to several people, and replaces their address and name by
« ancien membre » where another person's e-mail or in-portal notice mentions them. (The person's own notices and
background jobs are exported and erased by ``accounts.services`` with the account itself.)
"""

from __future__ import annotations

import re

from django.db.models import Q

from .models import Notice, OutboxMessage

FORMER_MEMBER = "ancien membre"


def _addresses(user) -> set[str]:
    addresses = {user.email}
    emailaddress_set = getattr(user, "emailaddress_set", None)  # allauth's other addresses of the person
    if emailaddress_set is not None:
        addresses.update(emailaddress_set.values_list("email", flat=True))
    return {a.strip().casefold() for a in addresses if a and a.strip()}


def _addressed_to(addresses: set[str]):
    """The e-mails with one of ``addresses`` among their recipients (JSON list: narrowed in SQL, checked here)."""
    if not addresses:
        return []
    query = Q()
    for address in addresses:
        query |= Q(to__icontains=address)
    return [
        message
        for message in OutboxMessage.objects.filter(query).order_by("created_at", "pk")
        if any(str(recipient).strip().casefold() in addresses for recipient in message.to)
    ]


def _date(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    return {
        "courriels": [
            {
                "date": _date(m.created_at),
                "objet": m.subject,
                "statut": m.get_status_display(),
                "envoye_le": _date(m.sent_at),
                "texte": m.body,
            }
            for m in _addressed_to(_addresses(user))
        ]
    }


def _mentions(user, addresses: set[str]) -> list[str]:
    """Texts naming the person in other people's e-mails: their addresses and their full name."""
    names = [" ".join(part for part in (user.first_name.strip(), user.last_name.strip()) if part)]
    return sorted({*addresses, *(n for n in names if len(n) >= 5 and " " in n)}, key=len, reverse=True)


def erase(user) -> None:
    addresses = _addresses(user)
    for message in _addressed_to(addresses):
        others = [r for r in message.to if str(r).strip().casefold() not in addresses]
        if others:
            message.to = others
            message.save(update_fields=["to"])
        else:
            message.delete()
    mentions = _mentions(user, addresses)
    if not mentions:
        return
    pattern = re.compile("|".join(re.escape(m) for m in mentions), re.IGNORECASE)
    query = Q()
    for text in mentions:
        query |= Q(subject__icontains=text) | Q(body__icontains=text) | Q(html_body__icontains=text)
    for message in OutboxMessage.objects.filter(query).iterator():
        message.subject = pattern.sub(FORMER_MEMBER, message.subject)[:300]
        message.body = pattern.sub(FORMER_MEMBER, message.body)
        message.html_body = pattern.sub(FORMER_MEMBER, message.html_body)
        message.save(update_fields=["subject", "body", "html_body"])
    # Other people's notices (« Zéphirine Quintal a commenté… »); the person's own go with the account.
    notices = Q()
    for text in mentions:
        notices |= Q(message__icontains=text)
    for notice in Notice.objects.filter(notices).exclude(user=user).iterator():
        notice.message = pattern.sub(FORMER_MEMBER, notice.message)[:500]
        notice.save(update_fields=["message"])
