"""What territories tells the apps that build on it (declared here; territories imports none of them).

``composition_changed``
    Sent inside the transaction of a change of composition — a commune or an EPCI moved
    (``services.move_commune`` / ``services.move_epci``) or an official composition file applied
    (``services.apply_official_composition``) — once per change, when at least one commune moved.
    Arguments: ``sender`` (the ``Territory`` model), ``territory_codes`` (sorted list of the codes of every
    territory that lost or gained a commune). A receiver does its writes in the same transaction and queues its
    long work with ``transaction.on_commit`` (e.g. reperes rebuilds the aggregation and the sheets of those
    territories in the background: ``reperes.services.after_geography_change``). A receiver must not raise.
"""

from django.dispatch import Signal

composition_changed = Signal()
