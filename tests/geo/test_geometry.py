"""Tests for weh.geo.geometry (pure module: no Django needed)."""

from __future__ import annotations

import copy
import itertools
import math
import pickle
import time
from collections.abc import Sequence
from typing import Any

import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from weh.geo.geometry import (
    MESSAGES,
    GeometryError,
    MeasuredGeometry,
    equal_area_km2,
    measure_geometry,
)

GEOD = Geod(ellps="WGS84")


def geod_km2(geojson: dict[str, Any]) -> float:
    """Reference ellipsoidal (geodesic-edge) area of a GeoJSON geometry, km²."""
    geom = shapely.geometry.shape(geojson)
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def polygon(*rings: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def rect(lon: float, lat: float, w: float, h: float) -> list[list[float]]:
    """Counter-clockwise closed rectangle ring."""
    return [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]


def signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2.0


def error_of(obj: Any, **kwargs: Any) -> GeometryError:
    with pytest.raises(GeometryError) as info:
        measure_geometry(obj, **kwargs)
    err = info.value
    assert err.code in MESSAGES
    assert err.message
    assert str(err) == err.message
    return err


SQUARE = polygon(rect(0, 0, 1, 1))

# Rough outline of Jeju Island, clockwise from the west cape.
JEJU = [
    [126.163, 33.283],
    [126.180, 33.340],
    [126.265, 33.420],
    [126.340, 33.470],
    [126.460, 33.515],
    [126.560, 33.525],
    [126.680, 33.545],
    [126.790, 33.560],
    [126.905, 33.530],
    [126.945, 33.460],
    [126.930, 33.420],
    [126.880, 33.330],
    [126.790, 33.300],
    [126.680, 33.270],
    [126.570, 33.240],
    [126.450, 33.225],
    [126.330, 33.205],
    [126.240, 33.215],
    [126.175, 33.245],
    [126.163, 33.283],
]


# --------------------------------------------------------------------------
# Area


def test_one_degree_square_at_equator_matches_geodesic_area() -> None:
    result = measure_geometry(SQUARE)
    reference = geod_km2(SQUARE)
    # Known value of the geodesic area of the 1 by 1 degree cell (0..1, 0..1) on WGS 84.
    assert reference == pytest.approx(12308.78, abs=0.01)
    assert abs(result.area_km2 - reference) / reference < 1e-4
    assert result.area_km2 == pytest.approx(12308.8, abs=1.0)
    assert result.kind == "Polygon"
    assert result.repaired is False
    assert result.notes == ()
    assert result.bbox == (0.0, 0.0, 1.0, 1.0)
    assert result.centroid[0] == pytest.approx(0.5, abs=1e-7)
    assert result.centroid[1] == pytest.approx(0.5, abs=1e-4)


def test_jeju_island_area_matches_geodesic_area() -> None:
    result = measure_geometry(polygon(JEJU))
    reference = geod_km2(polygon(JEJU))
    assert 1500 < reference < 2100  # Jeju Island is about 1,850 km²
    assert abs(result.area_km2 - reference) / reference < 1e-3
    assert result.bbox == (126.163, 33.205, 126.945, 33.56)
    lon, lat = result.centroid
    assert 126.163 < lon < 126.945
    assert 33.205 < lat < 33.56


def test_large_rectangle_uses_geodesic_edges() -> None:
    obj = polygon(rect(20, 60, 10, 10))
    result = measure_geometry(obj)
    assert abs(result.area_km2 - geod_km2(obj)) / geod_km2(obj) < 1e-4


def test_area_is_rounded_to_six_decimals() -> None:
    result = measure_geometry(polygon(JEJU))
    assert result.area_km2 == round(result.area_km2, 6)


def test_polygon_with_hole_subtracts_hole() -> None:
    outer = rect(10, 10, 1, 1)
    hole = rect(10.25, 10.25, 0.5, 0.5)  # counter-clockwise on input
    with_hole = measure_geometry(polygon(outer, hole))
    without = measure_geometry(polygon(outer))
    only_hole = measure_geometry(polygon(hole))
    assert with_hole.area_km2 == pytest.approx(without.area_km2 - only_hole.area_km2, rel=1e-6)
    exterior, interior = with_hole.geojson["coordinates"]
    assert signed_area(exterior) > 0  # counter-clockwise
    assert signed_area(interior) < 0  # clockwise


def test_multipolygon_area_is_sum_of_parts() -> None:
    a, b = rect(0, 0, 1, 1), rect(5, 5, 1, 1)
    multi = {"type": "MultiPolygon", "coordinates": [[a], [b]]}
    result = measure_geometry(multi)
    assert result.kind == "MultiPolygon"
    parts = measure_geometry(polygon(a)).area_km2 + measure_geometry(polygon(b)).area_km2
    assert result.area_km2 == pytest.approx(parts, rel=1e-6)
    assert result.bbox == (0.0, 0.0, 6.0, 6.0)
    assert result.repaired is False


def test_single_part_multipolygon_stays_multipolygon() -> None:
    result = measure_geometry({"type": "MultiPolygon", "coordinates": [[rect(0, 0, 1, 1)]]})
    assert result.kind == "MultiPolygon"
    assert result.geojson["type"] == "MultiPolygon"
    assert len(result.geojson["coordinates"]) == 1


def test_equal_area_km2_on_shapely_geometries() -> None:
    assert equal_area_km2(shapely.box(0, 0, 1, 1)) == pytest.approx(12308.78, rel=1e-5)
    assert equal_area_km2(shapely.Point(1, 2)) == 0.0
    assert equal_area_km2(shapely.LineString([(0, 0), (1, 1)])) == 0.0
    assert equal_area_km2(shapely.Polygon()) == 0.0
    collection = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.Point(5, 5)])
    assert equal_area_km2(collection) == pytest.approx(12308.78, rel=1e-5)


def test_transformer_is_cached() -> None:
    from weh.geo import geometry

    measure_geometry(polygon(JEJU))
    hits = geometry._laea.cache_info().hits
    measure_geometry(polygon(JEJU))
    assert geometry._laea.cache_info().hits == hits + 1


def test_thousand_vertex_polygon_is_fast() -> None:
    n = 1000
    ring = [
        [
            126.55
            + 0.4 * math.cos(2 * math.pi * i / n) * (1 + 0.1 * math.sin(14 * math.pi * i / n)),
            33.38 + 0.18 * math.sin(2 * math.pi * i / n),
        ]
        for i in range(n)
    ]
    ring.append(ring[0])
    obj = polygon(ring)
    result = measure_geometry(obj)
    assert len(result.geojson["coordinates"][0]) == n + 1
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        measure_geometry(obj)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.010


# --------------------------------------------------------------------------
# Normalisation


def test_clockwise_exterior_is_made_counter_clockwise() -> None:
    clockwise = [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]
    result = measure_geometry(polygon(clockwise))
    assert result.geojson == {
        "type": "Polygon",
        "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
    }
    assert result.area_km2 == measure_geometry(SQUARE).area_km2


def test_clockwise_hole_stays_clockwise_and_ccw_hole_is_reversed() -> None:
    outer = [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]]  # clockwise
    hole_ccw = rect(1, 1, 1, 1)
    result = measure_geometry(polygon(outer, hole_ccw))
    exterior, hole = result.geojson["coordinates"]
    assert signed_area(exterior) > 0
    assert hole == [[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0]]


def test_coordinates_are_rounded_and_altitude_dropped() -> None:
    ring = [
        [10.123456789, 20.987654321, 150.0],
        [11.0, 20.987654321, 151],
        [11.0, 22.0, 0],
        [10.123456789, 20.987654321, 150.0],
    ]
    result = measure_geometry(polygon(ring))
    assert result.geojson["coordinates"][0][0] == [10.1234568, 20.9876543]
    assert all(len(p) == 2 for p in result.geojson["coordinates"][0])


def test_repeated_positions_are_removed_and_ring_starts_at_lowest_vertex() -> None:
    ring = [[1, 1], [0, 1], [0, 1], [0, 0], [1, 0], [1, 1]]
    result = measure_geometry(polygon(ring))
    assert result.geojson["coordinates"] == [
        [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    ]


def test_output_is_plain_json() -> None:
    import json

    result = measure_geometry(polygon(JEJU))
    assert json.loads(json.dumps(result.geojson)) == result.geojson


# --------------------------------------------------------------------------
# Point


def test_point() -> None:
    result = measure_geometry({"type": "Point", "coordinates": [126.5312, 33.4996]})
    assert result == MeasuredGeometry(
        geojson={"type": "Point", "coordinates": [126.5312, 33.4996]},
        kind="Point",
        area_km2=0.0,
        centroid=(126.5312, 33.4996),
        bbox=(126.5312, 33.4996, 126.5312, 33.4996),
        repaired=False,
        notes=(),
    )


def test_point_with_altitude_is_rounded() -> None:
    result = measure_geometry({"type": "Point", "coordinates": [1.000000049, -2.5, 300]})
    assert result.geojson == {"type": "Point", "coordinates": [1.0, -2.5]}
    assert result.centroid == (1.0, -2.5)


# --------------------------------------------------------------------------
# Feature / FeatureCollection


def test_feature_geometry_is_used() -> None:
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": SQUARE}
    assert measure_geometry(feature) == measure_geometry(SQUARE)


def test_feature_collection_with_one_feature_is_used() -> None:
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": SQUARE}]}
    assert measure_geometry(fc) == measure_geometry(SQUARE)


def test_feature_collection_with_two_features_is_rejected() -> None:
    feature = {"type": "Feature", "geometry": SQUARE}
    err = error_of({"type": "FeatureCollection", "features": [feature, feature]})
    assert err.code == "feature_collection_size"
    assert err.path == "features"
    assert err.params["count"] == 2
    assert "exactly one feature" in err.message
    assert "2" in err.message


def test_empty_feature_collection_is_rejected() -> None:
    err = error_of({"type": "FeatureCollection", "features": []})
    assert err.code == "feature_collection_size"
    assert err.params["count"] == 0


def test_feature_collection_features_must_be_array() -> None:
    err = error_of({"type": "FeatureCollection", "features": {"type": "Feature"}})
    assert (err.code, err.path) == ("not_an_array", "features")


def test_feature_collection_member_must_be_feature() -> None:
    err = error_of({"type": "FeatureCollection", "features": [SQUARE]})
    assert (err.code, err.path) == ("unsupported_type", "features[0].type")
    assert "Polygon" in err.message


def test_feature_with_null_geometry_is_rejected() -> None:
    err = error_of({"type": "Feature", "properties": {}, "geometry": None})
    assert (err.code, err.path) == ("feature_without_geometry", "")
    err = error_of({"type": "Feature", "properties": {}})
    assert err.code == "feature_without_geometry"


def test_feature_with_non_object_geometry_is_rejected() -> None:
    err = error_of({"type": "Feature", "geometry": "POLYGON((0 0, 1 0, 1 1, 0 0))"})
    assert (err.code, err.path) == ("not_an_object", "geometry")
    assert "string" in err.message


def test_error_paths_inside_feature_and_collection_are_prefixed() -> None:
    bad = polygon([[0, 0], [1, 0], [1, 1], [0, 95], [0, 0]])
    err = error_of({"type": "Feature", "geometry": bad})
    assert (err.code, err.path) == ("latitude_out_of_range", "geometry.coordinates[0][3]")
    err = error_of(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": bad}]}
    )
    assert err.path == "features[0].geometry.coordinates[0][3]"
    assert "features[0].geometry.coordinates[0][3]" in err.message


# --------------------------------------------------------------------------
# Structural errors


def test_unclosed_ring_is_rejected_with_path() -> None:
    err = error_of(polygon([[0, 0], [1, 0], [1, 1], [0, 1]]))
    assert err.code == "ring_not_closed"
    assert err.path == "coordinates[0]"
    assert err.params["first"] == "0.0, 0.0"
    assert err.params["last"] == "0.0, 1.0"
    assert "coordinates[0]" in err.message
    assert "not closed" in err.message


def test_unclosed_hole_names_the_hole() -> None:
    err = error_of(polygon(rect(0, 0, 4, 4), [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1.5]]))
    assert (err.code, err.path) == ("ring_not_closed", "coordinates[1]")


def test_unclosed_ring_in_multipolygon_names_the_part() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[rect(0, 0, 1, 1)], [[[5, 5], [6, 5], [6, 6], [5, 6]]]],
    }
    err = error_of(multi)
    assert (err.code, err.path) == ("ring_not_closed", "coordinates[1][0]")


def test_latitude_out_of_range() -> None:
    err = error_of(polygon([[0, 0], [1, 0], [1, 1], [0, 91.5], [0, 0]]))
    assert (err.code, err.path) == ("latitude_out_of_range", "coordinates[0][3]")
    assert err.params["value"] == 91.5
    assert "91.5" in err.message
    assert "coordinates[0][3]" in err.message


def test_longitude_out_of_range() -> None:
    err = error_of(polygon([[0, 0], [-180.5, 0], [1, 1], [0, 0]]))
    assert (err.code, err.path) == ("longitude_out_of_range", "coordinates[0][1]")
    assert "-180.5" in err.message
    assert "coordinates[0][1]" in err.message


def test_swapped_lat_lon_hint() -> None:
    err = error_of({"type": "Point", "coordinates": [33.5, 126.5]})
    assert err.code == "latitude_out_of_range"
    assert "longitude, latitude order" in err.message


def test_boundary_coordinates_are_accepted() -> None:
    result = measure_geometry(polygon([[170, 80], [180, 80], [180, 90], [170, 90], [170, 80]]))
    assert result.area_km2 > 0
    assert measure_geometry({"type": "Point", "coordinates": [-180, -90]}).bbox == (
        -180.0,
        -90.0,
        -180.0,
        -90.0,
    )


def test_ring_with_too_few_positions() -> None:
    err = error_of(polygon([[0, 0], [1, 0], [0, 0]]))
    assert (err.code, err.path) == ("ring_too_short", "coordinates[0]")
    assert err.params["count"] == 3


def test_ring_with_too_few_distinct_positions() -> None:
    err = error_of(polygon([[0, 0], [1, 0], [1, 0], [0, 0]]))
    assert (err.code, err.path) == ("ring_too_few_distinct", "coordinates[0]")
    assert err.params["count"] == 2


def test_ring_with_zero_area() -> None:
    err = error_of(polygon([[0, 0], [1, 1], [2, 2], [0, 0]]))
    assert (err.code, err.path) == ("ring_zero_area", "coordinates[0]")


@pytest.mark.parametrize(
    ("value", "got"),
    [("1.5", "string"), (None, "null"), ({"x": 1}, "object"), ([1], "array")],
)
def test_non_numeric_coordinate(value: Any, got: str) -> None:
    err = error_of(polygon([[0, 0], [1, value], [1, 1], [0, 0]]))
    assert (err.code, err.path) == ("not_a_number", "coordinates[0][1][1]")
    assert err.params["got"] == got
    assert got in err.message


def test_boolean_coordinate_is_rejected() -> None:
    err = error_of({"type": "Point", "coordinates": [True, 0]})
    assert (err.code, err.path) == ("not_a_number", "coordinates[0]")
    assert err.params["got"] == "boolean"
    err = error_of(polygon([[0, 0], [1, 0], [1, 1], [0, False], [0, 0]]))
    assert (err.code, err.path) == ("not_a_number", "coordinates[0][3][1]")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinate_is_rejected(value: float) -> None:
    err = error_of(polygon([[0, 0], [value, 0], [1, 1], [0, 0]]))
    assert (err.code, err.path) == ("not_finite", "coordinates[0][1][0]")
    assert str(value) in err.message


def test_non_finite_altitude_is_rejected() -> None:
    err = error_of({"type": "Point", "coordinates": [1, 2, math.nan]})
    assert (err.code, err.path) == ("not_finite", "coordinates[2]")


@pytest.mark.parametrize("position", [[1], [1, 2, 3, 4]])
def test_position_with_wrong_size(position: list[int]) -> None:
    err = error_of({"type": "Point", "coordinates": position})
    assert (err.code, err.path) == ("position_size", "coordinates")
    assert err.params["count"] == len(position)


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"type": "Polygon", "coordinates": "0 0, 1 1"}, "coordinates"),
        ({"type": "Polygon", "coordinates": [{"a": 1}]}, "coordinates[0]"),
        ({"type": "Polygon", "coordinates": [[[0, 0], 5, [1, 1], [0, 0]]]}, "coordinates[0][1]"),
        ({"type": "MultiPolygon", "coordinates": [5]}, "coordinates[0]"),
        ({"type": "Point", "coordinates": 5}, "coordinates"),
    ],
)
def test_wrong_nesting_is_rejected(obj: dict[str, Any], path: str) -> None:
    err = error_of(obj)
    assert (err.code, err.path) == ("not_an_array", path)


@pytest.mark.parametrize("kind", ["LineString", "MultiPoint", "GeometryCollection", "polygon", 3])
def test_unsupported_type(kind: Any) -> None:
    err = error_of({"type": kind, "coordinates": [[0, 0], [1, 1]]})
    assert (err.code, err.path) == ("unsupported_type", "type")
    assert err.message == (
        f"Geometry type {kind} is not supported; use Point, Polygon or MultiPolygon."
    )


def test_missing_type() -> None:
    err = error_of({"coordinates": [0, 0]})
    assert (err.code, err.path) == ("missing_type", "")


@pytest.mark.parametrize("obj", [None, "Polygon", [0, 0], 3.5])
def test_non_mapping_is_rejected(obj: Any) -> None:
    err = error_of(obj)
    assert err.code == "not_an_object"


@pytest.mark.parametrize("kind", ["Point", "Polygon", "MultiPolygon"])
def test_empty_coordinates(kind: str) -> None:
    err = error_of({"type": kind, "coordinates": []})
    assert (err.code, err.path) == ("empty_geometry", "coordinates")
    assert kind in err.message


def test_missing_coordinates() -> None:
    assert error_of({"type": "Polygon"}).code == "missing_coordinates"
    assert error_of({"type": "Point", "coordinates": None}).code == "missing_coordinates"


def test_multipolygon_with_empty_polygon() -> None:
    err = error_of({"type": "MultiPolygon", "coordinates": [[rect(0, 0, 1, 1)], []]})
    assert (err.code, err.path) == ("empty_polygon", "coordinates[1]")


def test_empty_ring() -> None:
    err = error_of({"type": "Polygon", "coordinates": [[]]})
    assert (err.code, err.path) == ("ring_too_short", "coordinates[0]")


def test_antimeridian_crossing_is_rejected() -> None:
    err = error_of(polygon([[179, 0], [-179, 0], [-179, 1], [179, 1], [179, 0]]))
    assert (err.code, err.path) == ("antimeridian", "coordinates")
    assert err.params["span"] == 358.0
    assert "MultiPolygon" in err.message
    assert "180" in err.message


def test_split_at_antimeridian_is_accepted() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[rect(179, 0, 1, 1)], [rect(-180, 0, 1, 1)]],
    }
    result = measure_geometry(multi)
    assert result.area_km2 == pytest.approx(2 * 12308.78, rel=1e-4)
    assert abs(result.centroid[0]) == pytest.approx(180.0, abs=1e-6)
    assert result.centroid[1] == pytest.approx(0.5, abs=1e-3)


# --------------------------------------------------------------------------
# Validity and repair

BOW_TIE = polygon([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])


def test_bow_tie_is_repaired() -> None:
    result = measure_geometry(BOW_TIE)
    assert result.repaired is True
    assert result.notes == ("self_intersection_repaired",)
    assert "self_intersection_repaired" in MESSAGES
    assert result.kind in ("Polygon", "MultiPolygon")
    assert result.kind == "MultiPolygon"  # two triangles
    assert result.area_km2 > 0
    # Two triangles that together cover half of the square.
    assert result.area_km2 == pytest.approx(measure_geometry(SQUARE).area_km2 / 2, rel=1e-3)
    for part in result.geojson["coordinates"]:
        assert signed_area(part[0]) > 0


def test_repaired_output_is_valid_and_stable() -> None:
    result = measure_geometry(BOW_TIE)
    again = measure_geometry(result.geojson)
    assert again.repaired is False
    assert again.geojson == result.geojson
    assert again.area_km2 == result.area_km2


def test_bow_tie_without_repair_is_rejected() -> None:
    err = error_of(BOW_TIE, repair=False)
    assert err.code == "self_intersection"
    assert err.params["reason"] == "Self-intersection"
    assert err.params["location"] == "0.5, 0.5"
    assert "Self-intersection" in err.message
    assert "0.5, 0.5" in err.message


def test_overlapping_multipolygon_parts_are_merged() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[rect(0, 0, 2, 2)], [rect(1, 1, 2, 2)]]}
    result = measure_geometry(multi)
    assert result.repaired is True
    assert result.kind == "MultiPolygon"
    union = shapely.union(shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3))
    assert result.area_km2 == pytest.approx(equal_area_km2(union), rel=1e-6)
    assert error_of(multi, repair=False).code == "self_intersection"


def test_valid_polygon_is_not_marked_repaired() -> None:
    result = measure_geometry(polygon(JEJU), repair=True)
    assert result.repaired is False
    assert result.notes == ()


def test_spike_only_ring_is_unrepairable() -> None:
    err = error_of(polygon([[0, 0], [1, 0], [1, 1], [1, 0], [0, 0]]))
    assert err.code == "unrepairable"
    assert err.params["reason"]


def test_hole_outside_shell_without_repair() -> None:
    err = error_of(polygon(rect(0, 0, 1, 1), rect(5, 5, 1, 1)), repair=False)
    assert err.code == "self_intersection"
    assert err.params["reason"] == "Hole lies outside shell"


# --------------------------------------------------------------------------
# GeometryError


def test_geometry_error_attributes_and_pickle() -> None:
    err = GeometryError("ring_not_closed", "coordinates[0]", {"first": "0, 0", "last": "1, 1"})
    assert isinstance(err, ValueError)
    assert err.params == {"path": "coordinates[0]", "first": "0, 0", "last": "1, 1"}
    assert err.message == MESSAGES["ring_not_closed"].format(**err.params)
    clone = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own object
    assert (clone.code, clone.path, clone.params, clone.message) == (
        err.code,
        err.path,
        err.params,
        err.message,
    )


def test_unknown_error_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        GeometryError("no_such_code")


def test_messages_use_only_named_parameters() -> None:
    import string

    for code, template in MESSAGES.items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        assert all(f.isidentifier() for f in fields), code


def test_input_is_not_mutated() -> None:
    obj = {"type": "Feature", "geometry": polygon(list(reversed(JEJU)))}
    snapshot = copy.deepcopy(obj)
    measure_geometry(obj)
    assert obj == snapshot


# --------------------------------------------------------------------------
# Property tests

lons = st.floats(min_value=-170, max_value=170, allow_nan=False)
lats = st.floats(min_value=-80, max_value=80, allow_nan=False)
sizes = st.floats(min_value=0.001, max_value=10, allow_nan=False)


@st.composite
def rectangles(draw: st.DrawFn) -> list[list[float]]:
    return rect(draw(lons), draw(lats), draw(sizes), draw(sizes))


def rotate(ring: list[list[float]], k: int) -> list[list[float]]:
    open_ring = ring[:-1]
    k %= len(open_ring)
    rotated = open_ring[k:] + open_ring[:k]
    return rotated + rotated[:1]


@settings(max_examples=150, deadline=None)
@given(rectangles(), st.integers(min_value=0, max_value=3))
def test_rectangle_area_matches_geod_and_is_invariant(ring: list[list[float]], k: int) -> None:
    result = measure_geometry(polygon(ring))
    reference = geod_km2(result.geojson)
    assert result.area_km2 > 0
    assert abs(result.area_km2 - reference) <= 0.005 * reference + 1e-6
    reversed_ring = list(reversed(ring))
    for variant in (reversed_ring, rotate(ring, k), rotate(reversed_ring, k)):
        other = measure_geometry(polygon(variant))
        assert other.area_km2 == result.area_km2
        assert other.geojson == result.geojson
        assert other.centroid == result.centroid


grid = st.integers(min_value=-1_700_000, max_value=1_700_000).map(lambda v: v / 1e4)
grid_lat = st.integers(min_value=-800_000, max_value=800_000).map(lambda v: v / 1e4)


@st.composite
def convex_polygons(draw: st.DrawFn) -> dict[str, Any]:
    lon0, lat0 = draw(grid), draw(grid_lat)
    offsets = draw(
        st.lists(
            st.tuples(st.integers(-50_000, 50_000), st.integers(-50_000, 50_000)),
            min_size=3,
            max_size=30,
        )
    )
    hull = shapely.MultiPoint(
        [(lon0 + dx / 1e4, lat0 + dy / 1e4) for dx, dy in offsets]
    ).convex_hull
    assume(hull.geom_type == "Polygon")
    return {"type": "Polygon", "coordinates": [[list(c) for c in hull.exterior.coords]]}


@st.composite
def rectangles_with_hole(draw: st.DrawFn) -> dict[str, Any]:
    lon, lat, w, h = draw(lons), draw(lats), draw(sizes), draw(sizes)
    fx, fy = draw(st.floats(0.1, 0.4)), draw(st.floats(0.1, 0.4))
    hole = rect(lon + fx * w, lat + fy * h, w / 2, h / 2)
    return polygon(rect(lon, lat, w, h), list(reversed(hole)))


@st.composite
def multipolygons(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    lon, lat = draw(st.floats(-170, 120)), draw(st.floats(-80, 40))
    parts = [[rect(lon + 12 * i, lat + 10 * (i % 2), draw(sizes), draw(sizes))] for i in range(n)]
    return {"type": "MultiPolygon", "coordinates": parts}


points = st.builds(
    lambda lon, lat: {"type": "Point", "coordinates": [lon, lat]},
    st.floats(-180, 180),
    st.floats(-90, 90),
)

valid_geometries = st.one_of(
    rectangles().map(lambda r: polygon(r)),
    rectangles().map(lambda r: polygon(list(reversed(r)))),
    convex_polygons(),
    rectangles_with_hole(),
    multipolygons(),
    points,
)


def assert_well_formed(err: GeometryError) -> None:
    assert err.code in MESSAGES
    assert err.message
    assert err.message == MESSAGES[err.code].format(**err.params)


def assert_fixed_point(result: MeasuredGeometry) -> None:
    again = measure_geometry(result.geojson)
    assert again.geojson == result.geojson
    assert again.area_km2 == result.area_km2
    assert again.centroid == result.centroid
    assert again.bbox == result.bbox
    assert again.kind == result.kind
    assert again.repaired is False


@settings(max_examples=200, deadline=None)
@given(valid_geometries)
def test_measure_is_idempotent_on_valid_input(obj: dict[str, Any]) -> None:
    result = measure_geometry(obj)
    assert result.repaired is False
    assert result.area_km2 >= 0
    assert_fixed_point(result)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-100, 100), st.integers(-100, 100)), min_size=3, max_size=12),
    st.sampled_from([1e-2, 1e-3, 1.234567e-4]),
)
def test_arbitrary_rings_either_fail_cleanly_or_give_a_fixed_point(
    offsets: list[tuple[int, int]], scale: float
) -> None:
    ring = [[10 + dx * scale, 45 + dy * scale] for dx, dy in offsets]
    ring.append(ring[0])
    try:
        result = measure_geometry(polygon(ring))
    except GeometryError as err:
        assert_well_formed(err)
        return
    assert result.area_km2 > 0
    assert result.repaired == (result.notes == ("self_intersection_repaired",))
    assert_fixed_point(result)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["type", "coordinates", "geometry", "features"]), children
        )
    ),
    max_leaves=25,
)
geojsonish = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["Point", "Polygon", "MultiPolygon", "Feature", "FeatureCollection", "LineString"]
        ),
        "coordinates": json_values,
        "geometry": json_values,
        "features": json_values,
    }
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, geojsonish))
def test_garbage_raises_only_geometry_errors(obj: Any) -> None:
    try:
        measure_geometry(obj)
    except GeometryError as err:
        assert_well_formed(err)


@settings(max_examples=200, deadline=None)
@given(valid_geometries, st.data())
def test_corrupted_coordinates_raise_geometry_errors(
    obj: dict[str, Any], data: st.DataObject
) -> None:
    corrupted = copy.deepcopy(obj)
    # Walk into the coordinates and replace one number with a bad value.
    container: Any = corrupted["coordinates"]
    while isinstance(container[0], list):
        container = container[data.draw(st.integers(0, len(container) - 1))]
    index = data.draw(st.integers(0, len(container) - 1))
    container[index] = data.draw(
        st.sampled_from([math.nan, math.inf, True, None, "1", 1000.0, -1000.0, [1, 2]])
    )
    with pytest.raises(GeometryError) as info:
        measure_geometry(corrupted)
    assert info.value.code in MESSAGES
    assert info.value.message
    assert info.value.path.startswith("coordinates")
