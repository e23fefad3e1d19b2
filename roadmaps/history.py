"""Field-level differences between the versions kept by django-simple-history, links (m2m) included."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from clefop.models import Body, Organisation

from .models import Action, ActionStatus, LinkedHistoricalRecords, Priority, Roadmap, RoadmapStatus, public_labels

TRACKED = {
    Roadmap: ["title", "summary", "status", "plenary_date", "start_year", "end_year"],
    Priority: ["order", "title", "description"],
    Action: [
        "title",
        "priority",
        "description",
        "objectives",
        "target_publics",
        "pilot_organisation",
        "partners",
        "working_group",
        "start_date",
        "end_date",
        "status",
        "progress",
        "restricted",
    ],
}
# Links (many-to-many fields) kept with each version, in display order (after the fields above).
TRACKED_LINKS = {
    Roadmap: [],
    Priority: ["challenges", "sheets"],
    Action: ["recommendations", "dispositifs", "naf_divisions", "rome_codes", "pilots"],
}
KIND_LABELS = {Roadmap: "Feuille de route", Priority: "Priorité", Action: "Action"}
HISTORY_TYPES = {"+": "Création", "~": "Modification", "-": "Suppression"}


@contextmanager
def one_version(instance, *, user, reason: str = ""):
    """Inside the block, save the instance and set its links: one version (fields and links) is recorded at the
    end, by ``user``, instead of one per save and per link change. Nothing is recorded if the block fails."""
    history_type = "+" if instance._state.adding else "~"
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving
    LinkedHistoricalRecords.recorders[type(instance)].record(instance, history_type)


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def links_of(model, history_ids) -> dict[str, dict[int, frozenset[int]]]:
    """{link field: {history_id: ids of the linked objects}} for versions of ``model`` (two queries per field)."""
    history_ids = list(history_ids)
    history_model = model.history.model
    result = {}
    for name in TRACKED_LINKS[model]:
        m2m_history = getattr(history_model, name).model
        target = model._meta.get_field(name).m2m_reverse_field_name()
        by_record: dict[int, set[int]] = {history_id: set() for history_id in history_ids}
        for chunk in _chunks(history_ids):
            for history_id, target_id in m2m_history.objects.filter(history_id__in=chunk).values_list(
                "history_id", f"{target}_id"
            ):
                by_record[history_id].add(target_id)
        result[name] = {history_id: frozenset(ids) for history_id, ids in by_record.items()}
    return result


def _link_label(obj) -> str:
    return obj.display_name if hasattr(obj, "display_name") else str(obj)


def link_labels(model, name: str, ids) -> dict[int, str]:
    """Labels of the linked objects; an object deleted since keeps a recognisable placeholder."""
    ids = sorted(set(ids))
    related = model._meta.get_field(name).related_model
    labels = {}
    for chunk in _chunks(ids):
        labels.update({obj.pk: _link_label(obj) for obj in related.objects.filter(pk__in=chunk)})
    return {pk: labels.get(pk, f"élément supprimé depuis (n° {pk})") for pk in ids}


def _display_links(ids, labels) -> str:
    if not ids:
        return "—"
    return "\n".join(sorted((labels[pk] for pk in ids), key=str.casefold))


def _verbose(model, name: str) -> str:
    verbose = str(model._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: object
    kind: str
    object_label: str
    history_type: str
    changes: list[Change] = field(default_factory=list)


def _display(model, name: str, value, lookups) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "status":
        choices = dict(ActionStatus.choices) if model is Action else dict(RoadmapStatus.choices)
        return str(choices.get(value, value))
    if name == "target_publics":
        return ", ".join(public_labels(value))
    if name in ("priority", "pilot_organisation", "working_group"):
        return lookups.get(name, {}).get(value, f"n° {value}")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _lookups(records) -> dict:
    priority_ids, organisation_ids, group_ids = set(), set(), set()
    for record in records:
        if hasattr(record, "priority_id"):
            priority_ids.add(record.priority_id)
        if hasattr(record, "pilot_organisation_id"):
            organisation_ids.add(record.pilot_organisation_id)
            group_ids.add(record.working_group_id)
    return {
        "priority": {p.pk: f"{p.order}. {p.title}" for p in Priority.objects.filter(pk__in=priority_ids)},
        "pilot_organisation": dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")),
        "working_group": dict(Body.objects.filter(pk__in=group_ids).values_list("pk", "name")),
    }


def entries_for(records_by_model: list[tuple[type, list]]) -> list[Entry]:
    """records ordered oldest first per object; returns entries newest first."""
    all_records = [r for _, records in records_by_model for r in records]
    lookups = _lookups(all_records)
    entries = []
    for model, records in records_by_model:
        fields = TRACKED[model]
        links = links_of(model, [r.history_id for r in records]) if TRACKED_LINKS[model] else {}
        labels = {
            name: link_labels(model, name, {pk for ids in by_record.values() for pk in ids})
            for name, by_record in links.items()
        }
        previous_by_object = {}
        for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
            previous = previous_by_object.get(record.id)
            entry = Entry(
                record=record,
                kind=KIND_LABELS[model],
                object_label=getattr(record, "title", str(record.id)),
                history_type=HISTORY_TYPES.get(record.history_type, record.history_type),
            )
            for name in fields:
                new_value = getattr(record, f"{name}_id" if name in lookups else name)
                old_value = None
                if previous is not None:
                    old_value = getattr(previous, f"{name}_id" if name in lookups else name)
                    if old_value == new_value:
                        continue
                elif record.history_type == "-" or new_value in (None, "", [], False):
                    # Without an earlier version (a creation, or the first version a reader may see: the earlier
                    # ones were written while the action was restricted), the values it holds are the news.
                    continue
                entry.changes.append(
                    Change(
                        name,
                        _verbose(model, name),
                        _display(model, name, old_value, lookups),
                        _display(model, name, new_value, lookups),
                    )
                )
            for name, by_record in links.items():
                if record.history_type == "-":
                    break  # the links are gone with the object; the deletion itself is the news
                new_ids = by_record[record.history_id]
                old_ids = frozenset()
                if previous is not None:
                    old_ids = by_record[previous.history_id]
                    if old_ids == new_ids:
                        continue
                elif record.history_type == "-" or not new_ids:
                    continue
                entry.changes.append(
                    Change(
                        name,
                        _verbose(model, name),
                        _display_links(old_ids, labels[name]),
                        _display_links(new_ids, labels[name]),
                    )
                )
            previous_by_object[record.id] = record
            if entry.changes or record.history_type != "~":
                entries.append(entry)
    entries.sort(key=lambda e: (e.record.history_date, e.record.history_id), reverse=True)
    return entries
