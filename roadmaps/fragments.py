"""Cached parts of the roadmap page of a Clefop's workspace, built once per roadmap version and per reader class.

What the roadmap page shows differs by what its reader may see and do, never by who the reader is: a *reader
class* (:class:`ReaderClass`) is the set of roadmap permissions of the reader on the Clefop (edit, submit, adopt...,
see ``roadmap_permissions``) plus whether they see the restricted actions (the Clefop's own members of any position
and the Cariforef staff). A member, an observer, an animateur·rice, a co-chair, the staff, a Cdefop or Crefop member
fall into a handful of such classes; each class gets its own fragments, shared by every person in it. The fragments
are rendered without request nor user (``render_to_string``) and cached by ``srefop_portal.common.versions`` until
the roadmaps, the bodies (organisation names) or the people (pilot names) change, and at most for the day (the
« en retard » badges depend on the date). Person-specific bits — the CSRF-protected buttons of a draft, the
actions the reader pilots, notices — stay in the page, outside the fragments.

Large roadmaps: each priority shows its first ``COLLAPSE_AFTER`` actions; the rest is one link away, loaded in
place by HTMX ``PAGE_SIZE`` at a time (the rows are fragments too), or, without JavaScript, on the paginated page
of the priority (``priority_actions``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from clefop.models import perimeter_of
from srefop_portal.common import versions

from .forms import BudgetLineForm, DocumentForm, IndicatorForm, StatusForm, SubActionForm
from .history import entries_for
from .models import Action, ActionStatus, AnnualReview, Priority, Roadmap, RoadmapStatus

logger = logging.getLogger(__name__)

# Data shown in the fragments: roadmaps (priorities, actions), clefop (pilot organisations), accounts (pilots).
APPS = ("roadmaps", "clefop", "accounts")
COLLAPSE_AFTER = 15  # actions of a priority shown on the roadmap page
PAGE_SIZE = 50  # actions per « afficher la suite » and per page of a priority

# Data shown on an action's page: the above, and the dispositifs mobilised (offer).
ACTION_APPS = (*APPS, "offer")
HISTORY_PAGE_SIZE = 20  # entries per page of a roadmap's history (a creation lists every field: ≈ 4 ko each)
# What ``{% csrf_token %}`` gives in a fragment (rendered without request): replaced by the reader's own token.
CSRF_PLACEHOLDER = "srefop-csrf-token-placeholder"

ROADMAP_PERMISSIONS = ("edit", "create", "submit", "adopt", "return", "revise", "archive", "review")


def roadmap_permissions(user, body) -> dict:
    return {name: user.has_perm(f"roadmaps.{name}_roadmap", body) for name in ROADMAP_PERMISSIONS} | {
        "restore": user.has_perm("roadmaps.restore_version", body),
        "report": user.has_perm("roadmaps.download_report", body),
    }


@dataclass(frozen=True)
class ReaderClass:
    """What a reader of a Clefop's roadmap may see and do: the key of the fragments, never the person."""

    sees_restricted: bool
    permissions: tuple[tuple[str, bool], ...]

    @property
    def can_edit(self) -> bool:
        return dict(self.permissions).get("edit", False)

    @property
    def key(self) -> str:
        allowed = ",".join(name for name, granted in self.permissions if granted)
        return f"restricted={int(self.sees_restricted)};{allowed}"


def reader_class(user, body, permissions: dict | None = None) -> ReaderClass:
    """The class of ``user`` reading the roadmaps of ``body`` (``permissions``: roadmap_permissions, if known)."""
    perimeter = perimeter_of(user)
    permissions = roadmap_permissions(user, body) if permissions is None else permissions
    return ReaderClass(
        sees_restricted=perimeter.is_staff or body.pk in perimeter.positions,
        permissions=tuple(sorted(permissions.items())),
    )


def roadmap_priorities(roadmap: Roadmap) -> list[Priority]:
    """The priorities of a roadmap with their challenges and ambition sheets: the same for every reader, cached
    until the roadmaps change (each call returns fresh objects, which the caller may annotate)."""

    def build():
        return list(
            Priority.objects.filter(roadmap=roadmap).prefetch_related("challenges", "sheets").order_by("order", "pk")
        )

    return versions.cached("roadmaps:priorities", apps=("roadmaps",), vary=(roadmap.pk,), build=build)


def visible_actions(roadmap: Roadmap, *, sees_restricted: bool):
    """The actions of ``roadmap`` a reader sees (the roadmap itself being in their scope), in page order."""
    actions = Action.objects.filter(roadmap=roadmap)
    if not sees_restricted:
        actions = actions.filter(restricted=False)
    return (
        actions.select_related("pilot_organisation", "working_group").prefetch_related("pilots").order_by("order", "pk")
    )


def roadmap_detail_context(roadmap: Roadmap, user=None, *, public: bool = False, sees_restricted=None) -> dict:
    """Everything the roadmap page shows, in a constant number of queries: the actions of ``user`` (restricted
    ones for the Clefop's members and staff), those of a reader who ``sees_restricted`` or not, or the public ones."""
    if sees_restricted is None:
        sees_restricted = False if public else reader_class(user, roadmap.body, {}).sees_restricted
    priorities = roadmap_priorities(roadmap)
    by_priority = {p.pk: [] for p in priorities}
    for action in visible_actions(roadmap, sees_restricted=sees_restricted):
        by_priority.setdefault(action.priority_id, []).append(action)
    all_actions = []
    for priority in priorities:
        priority.action_list = by_priority.get(priority.pk, [])
        counted = [a for a in priority.action_list if a.status != ActionStatus.ABANDONED]
        priority.progress_value = sum(a.progress for a in counted) / len(counted) if counted else None
        priority.overdue_total = sum(1 for a in priority.action_list if a.is_overdue)
        all_actions.extend(priority.action_list)
    counted = [a for a in all_actions if a.status != ActionStatus.ABANDONED]
    by_status = [
        {"value": value, "label": label, "count": sum(1 for a in all_actions if a.status == value)}
        for value, label in ActionStatus.choices
    ]
    return {
        "priorities": priorities,
        "action_total": len(all_actions),
        "overdue_total": sum(1 for a in all_actions if a.is_overdue),
        "progress_value": sum(a.progress for a in counted) / len(counted) if counted else None,
        "by_status": by_status,
    }


def priority_actions_url(roadmap: Roadmap, priority_pk: int) -> str:
    return reverse("roadmaps:priority_actions", args=[roadmap.body.slug, roadmap.pk, priority_pk])


def more_link(roadmap: Roadmap, priority: Priority, start: int, total: int) -> dict | None:
    """The « afficher la suite » row after the first ``start`` actions of a priority (None when all are shown):
    HTMX loads the next rows in place; without JavaScript, the link opens the page of the priority holding them."""
    if start >= total:
        return None
    url = priority_actions_url(roadmap, priority.pk)
    return {
        "href": f"{url}?page={start // PAGE_SIZE + 1}",
        "hx_get": f"{url}?debut={start}",
        "count": min(PAGE_SIZE, total - start),
        "remaining": total - start,
        "priority": priority,
    }


def _vary(roadmap: Roadmap, reader: ReaderClass, *extra) -> tuple:
    return (roadmap.pk, reader.key, timezone.localdate().isoformat(), *extra)


def roadmap_record(roadmap: Roadmap) -> dict:
    """Steps, annual reviews and other versions of a roadmap: the same for every reader of it."""
    return {
        "transitions": list(roadmap.transitions.select_related("by")[:10]),
        # date and summary only (no assessments here), earlier versions of the period included
        "reviews": list(AnnualReview.objects.of_history(roadmap).order_by("-date", "-pk")[:3]),
        "versions": list(
            Roadmap.objects.filter(body_id=roadmap.body_id, start_year=roadmap.start_year, end_year=roadmap.end_year)
            .exclude(pk=roadmap.pk)
            .order_by("-version")
        ),
    }


def my_actions(roadmap: Roadmap, user, sections: dict) -> list[Action]:
    """The actions of ``roadmap`` that ``user`` pilots, among those of the reader's class (``sections``, from
    :func:`roadmap_sections`, lists the actions shown by pilot): picked outside the fragments, as they are the
    reader's alone, without a query."""
    return [
        Action(pk=pk, title=title, status=status, end_date=end_date, roadmap_id=roadmap.pk)
        for pk, title, status, end_date in sections["pilotage"].get(user.pk, ())
    ]


def roadmap_sections(roadmap: Roadmap, reader: ReaderClass) -> dict:
    """The synthesis, the section of each priority (first actions, then the « afficher la suite » row) and the
    record (annual reviews, steps, other versions) as HTML, for one reader class:
    ``{"summary", "priorities": [{"pk", "order", "title", "action_count", "html"}], "record", "pilotage"}``
    (``pilotage``: ``{pilot id: [(pk, title, status, end_date) of each action shown they pilot]}``, in page order,
    for :func:`my_actions`)."""

    def build():
        context = roadmap_detail_context(roadmap, sees_restricted=reader.sees_restricted)
        path = roadmap.get_absolute_url()
        sections = []
        for priority in context["priorities"]:
            total = len(priority.action_list)
            html = render_to_string(
                "roadmaps/_priority_section.html",
                {
                    "priority": priority,
                    "roadmap": roadmap,
                    "body": roadmap.body,
                    "actions": priority.action_list[:COLLAPSE_AFTER],
                    "more": more_link(roadmap, priority, COLLAPSE_AFTER, total),
                    "public": False,
                    "can_edit": reader.can_edit,
                    "next_path": path,
                    "focus_first": False,
                },
            )
            sections.append(
                {
                    "pk": priority.pk,
                    "order": priority.order,
                    "title": priority.title,
                    "action_count": total,
                    "html": html,
                }
            )
        pilotage = {}
        for priority in context["priorities"]:
            for action in priority.action_list:
                for pilot in action.pilots.all():
                    pilotage.setdefault(pilot.pk, []).append((action.pk, action.title, action.status, action.end_date))
        return {
            "pilotage": pilotage,
            "summary": render_to_string("roadmaps/_roadmap_summary.html", context),
            "priorities": sections,
            "record": render_to_string(
                "roadmaps/_roadmap_record.html", {"roadmap": roadmap, "body": roadmap.body, **roadmap_record(roadmap)}
            ),
        }

    data = versions.cached("roadmaps:page-sections-v2", apps=APPS, vary=_vary(roadmap, reader), build=build)
    return {
        "summary": mark_safe(data["summary"]),  # rendered by render_to_string (autoescaped)
        "priorities": [section | {"html": mark_safe(section["html"])} for section in data["priorities"]],
        "record": mark_safe(data["record"]),
        "pilotage": data["pilotage"],
    }


def priority_rows(roadmap: Roadmap, priority: Priority, reader: ReaderClass, *, start: int, mode: str) -> dict:
    """Rows of the actions of ``priority`` from ``start`` (``PAGE_SIZE`` of them) as HTML, for one reader class.

    ``mode`` is ``"more"`` (loaded by HTMX into the roadmap page: followed by the next « afficher la suite » row,
    the first new row takes the focus) or ``"page"`` (the page of the priority: status edits come back to it).
    Returns ``{"html", "total", "start"}`` (``start`` brought back within the actions)."""

    def build():
        actions = visible_actions(roadmap, sees_restricted=reader.sees_restricted).filter(priority=priority)
        total = actions.count()
        # Past the end (a page number typed by hand, actions deleted since): the last page.
        first = start if start < total else max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
        shown = list(actions[first : first + PAGE_SIZE])
        next_path = roadmap.get_absolute_url() if mode == "more" else priority_actions_url(roadmap, priority.pk)
        html = render_to_string(
            "roadmaps/_action_rows.html",
            {
                "actions": shown,
                "more": more_link(roadmap, priority, first + PAGE_SIZE, total) if mode == "more" else None,
                "public": False,
                "can_edit": reader.can_edit,
                "body": roadmap.body,
                "next_path": next_path,
                "focus_first": mode == "more",
            },
        )
        return {"html": html, "total": total, "start": first}

    data = versions.cached(
        "roadmaps:priority-rows", apps=APPS, vary=_vary(roadmap, reader, priority.pk, start, mode), build=build
    )
    return data | {"html": mark_safe(data["html"])}


def priority_page(roadmap: Roadmap, priority: Priority, reader: ReaderClass, number: int):
    """(rows, page_obj) of page ``number`` of a priority's actions (brought back within the pages)."""
    rows = priority_rows(roadmap, priority, reader, start=(max(number, 1) - 1) * PAGE_SIZE, mode="page")
    page_obj = Paginator(range(rows["total"]), PAGE_SIZE, allow_empty_first_page=True).get_page(
        rows["start"] // PAGE_SIZE + 1
    )
    return rows, page_obj


def with_csrf_token(request, html: str):
    """``html`` (a fragment rendered with ``csrf_token=CSRF_PLACEHOLDER``) holding the token of ``request``'s
    reader in its forms: the token is never cached, the rest is."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # rendered by render_to_string (autoescaped); the token is URL-safe


def action_body(action: Action, reader: ReaderClass) -> str:
    """The body of an action's page (its record, sub-actions, documents, budget, indicators, progress notes and,
    for those who may edit, the empty add-forms) as HTML for one reader class, with ``CSRF_PLACEHOLDER`` where each
    form's token goes (see :func:`with_csrf_token`). The action itself is read by the view, scoped to the reader."""
    roadmap = action.roadmap

    def build():
        return render_to_string(
            "roadmaps/_action_detail_body.html",
            {
                "action": action,
                "roadmap": roadmap,
                "body": roadmap.body,
                "action_url": action.get_absolute_url(),
                "csrf_token": CSRF_PLACEHOLDER,
                "perms_roadmap": dict(reader.permissions),
                "notes": action.notes.select_related("author")[:20],
                "sub_actions": action.sub_actions.all(),
                "budget_lines": action.budget_lines.all(),
                "indicators": action.indicators.all(),
                "documents": action.documents.all(),
                "pilots": action.pilots.all(),
                "rome_codes": action.rome_codes.all(),
                "naf_divisions": action.naf_divisions.all(),
                "recommendations": action.recommendations.all(),
                "status_form": StatusForm(initial={"status": action.status, "progress": action.progress}),
                "budget_form": BudgetLineForm(prefix="budget"),
                "indicator_form": IndicatorForm(prefix="indicator"),
                "sub_action_form": SubActionForm(prefix="sub"),
                "document_form": DocumentForm(prefix="doc"),
            },
        )

    return versions.cached(
        "roadmaps:action-body",
        apps=ACTION_APPS,
        vary=(action.pk, action.version, reader.key, timezone.localdate().isoformat()),
        build=build,
    )


def _roadmap_history_entries(roadmap: Roadmap, *, hides_restricted: bool):
    restricted_ids = set()
    if hides_restricted:
        restricted_ids = set(Action.objects.filter(roadmap=roadmap, restricted=True).values_list("pk", flat=True))
    action_records = list(Action.history.filter(roadmap_id=roadmap.pk).select_related("history_user"))
    if hides_restricted:
        # Hidden: the actions restricted today, and every version written while an action was restricted (an
        # action restricted then, made public or deleted since, included).
        action_records = [r for r in action_records if r.id not in restricted_ids and not r.restricted]
    return entries_for(
        [
            (Roadmap, list(roadmap.history.select_related("history_user"))),
            (Priority, list(Priority.history.filter(roadmap_id=roadmap.pk).select_related("history_user"))),
            (Action, action_records),
        ]
    )


def roadmap_history_page(roadmap: Roadmap, *, hides_restricted: bool, number: int) -> dict:
    """Page ``number`` (brought back within the pages) of the history of a roadmap, its priorities and its actions,
    newest first, ``HISTORY_PAGE_SIZE`` entries a page: ``{"html", "page_obj", "total"}``.

    The differences are computed and rendered once for all the pages, for one of two reader classes (those who
    may not see the restricted actions, ``hides_restricted``, and the others), and kept until the data shown
    changes (roadmaps, people, organisations, dispositifs); each page is its own cache entry, so that a request
    reads one page whatever the length of the history."""
    vary = (roadmap.pk, hides_restricted)
    base_key = versions.fragment_key("roadmaps:history", apps=ACTION_APPS, vary=vary)
    number = max(number, 1)

    def page_key(n: int) -> str:
        return f"{base_key}:page={n}"

    def result(total: int, n: int, html: str) -> dict:
        paginator = Paginator(range(total), HISTORY_PAGE_SIZE, allow_empty_first_page=True)
        return {"html": mark_safe(html), "page_obj": paginator.get_page(n), "total": total}

    def last_page(total: int) -> int:
        return max(1, (total + HISTORY_PAGE_SIZE - 1) // HISTORY_PAGE_SIZE)

    if base_key is not None:
        try:
            found = cache.get_many([base_key, page_key(number)])
            total = found.get(base_key)
            if total is not None:
                shown = min(number, last_page(total))
                html = found.get(page_key(shown)) if shown == number else cache.get(page_key(shown))
                if html is not None:
                    return result(total, shown, html)
        except Exception:  # noqa: BLE001 — the cache being unavailable only disables the fragments
            logger.warning("Historique de feuille de route illisible en cache", exc_info=True)
    entries = _roadmap_history_entries(roadmap, hides_restricted=hides_restricted)
    total = len(entries)
    pages = [
        render_to_string(
            "roadmaps/_history_entries.html",
            {"entries": entries[start : start + HISTORY_PAGE_SIZE], "can_restore": False},
        )
        for start in range(0, max(total, 1), HISTORY_PAGE_SIZE)
    ]
    if base_key is not None:
        try:
            cache.set_many(
                {base_key: total} | {page_key(n): html for n, html in enumerate(pages, start=1)},
                versions.FRAGMENT_SECONDS,
            )
        except Exception:  # noqa: BLE001
            logger.warning("Historique de feuille de route non mis en cache", exc_info=True)
    shown = min(number, last_page(total))
    return result(total, shown, pages[shown - 1])


# --------------------------------------------------------------------------------------------------------------------
# The public page of an adopted roadmap: one reader class (the public: no restricted action, no power), whoever reads.

# Data shown on the public page: the above, and the territory and département of the Clefop.
PUBLIC_APPS = (*APPS, "territories")


def public_roadmap(pk: int) -> dict:
    """What the public address of roadmap ``pk`` leads to, the same for everyone and cached until the data changes:
    ``{"roadmap": the adopted roadmap}``, ``{"redirect": the address of the version adopted since}`` (a superseded
    adopted version) or ``{}`` (nothing public: 404)."""

    def build():
        roadmap = Roadmap.objects.published().select_related("body__territory__departement").filter(pk=pk).first()
        if roadmap is not None:
            return {"roadmap": roadmap}
        replacement = current_replacement(pk)
        return {"redirect": f"{replacement.get_public_url()}?remplace={pk}"} if replacement is not None else {}

    return versions.cached("roadmaps:public-roadmap", apps=PUBLIC_APPS, vary=(pk,), build=build)


def current_replacement(pk: int) -> Roadmap | None:
    """The adopted version that replaced this archived (once adopted) roadmap, if any."""
    old = Roadmap.objects.filter(pk=pk, status=RoadmapStatus.ARCHIVED, plenary_date__isnull=False).first()
    if old is None:
        return None
    return (
        Roadmap.objects.published()
        .filter(body_id=old.body_id, start_year=old.start_year, end_year=old.end_year, version__gt=old.version)
        .order_by("-version")
        .first()
    )


def public_roadmap_body(roadmap: Roadmap) -> dict:
    """The public page of an adopted roadmap as HTML, in two parts around the « version remplacée » notice (which
    depends on the address): ``{"head", "body"}`` — every public action of every priority, the synthesis and the
    latest annual review. The same for every reader (anonymous or signed in: the public page never shows
    restricted actions), cached until the data changes and at most for the day (« en retard » badges)."""

    def build():
        context = {
            "roadmap": roadmap,
            **roadmap_detail_context(roadmap, public=True),
            "latest_review": AnnualReview.objects.of_history(roadmap).order_by("-date", "-pk").first(),
        }
        return {
            "head": render_to_string("roadmaps/_public_detail_head.html", context),
            "body": versions.compact_html(render_to_string("roadmaps/_public_detail_body.html", context)),
        }

    data = versions.cached(
        "roadmaps:public-page",
        apps=PUBLIC_APPS,
        vary=(roadmap.pk, timezone.localdate().isoformat()),
        build=build,
    )
    return {name: mark_safe(html) for name, html in data.items()}  # rendered by render_to_string (autoescaped)
