"""Field-level differences between the versions kept by django-simple-history."""

from __future__ import annotations

from dataclasses import dataclass, field

from clefop.models import Body, Organisation

from .models import Action, ActionStatus, Priority, Roadmap, RoadmapStatus, public_labels

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
KIND_LABELS = {Roadmap: "Feuille de route", Priority: "Priorité", Action: "Action"}
HISTORY_TYPES = {"+": "Création", "~": "Modification", "-": "Suppression"}


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
                verbose = str(model._meta.get_field(name).verbose_name)
                new_value = getattr(record, f"{name}_id" if name in lookups else name)
                old_value = None
                if previous is not None:
                    old_value = getattr(previous, f"{name}_id" if name in lookups else name)
                    if old_value == new_value:
                        continue
                elif record.history_type != "+" or new_value in (None, "", [], False):
                    continue
                entry.changes.append(
                    Change(
                        name,
                        verbose[:1].upper() + verbose[1:],
                        _display(model, name, old_value, lookups),
                        _display(model, name, new_value, lookups),
                    )
                )
            previous_by_object[record.id] = record
            if entry.changes or record.history_type != "~":
                entries.append(entry)
    entries.sort(key=lambda e: (e.record.history_date, e.record.history_id), reverse=True)
    return entries
