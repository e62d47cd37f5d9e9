"""Validation, normalisation and measurement of subject geometries (GeoJSON).

This module is deliberately framework-free (no Django import): it turns an
untrusted GeoJSON object into a normalised RFC 7946 geometry plus its
equal-area size, centroid and bounding box, or raises :class:`GeometryError`
carrying a stable machine ``code``, the ``path`` of the offending member and
the named ``params`` of an English message. A presentation layer can map the
code to translated text using the same params.

Pipeline of :func:`measure_geometry`:

1. unwrap a Feature / single-feature FeatureCollection;
2. validate the structure in pure Python (types, finiteness, ranges, ring
   closure, degenerate rings, antimeridian) and snap every coordinate to
   7 decimals (kept internally as exact integers of 1e-7 degree);
3. check OGC validity with shapely; repair with ``make_valid`` when allowed;
4. normalise (RFC 7946 winding, no repeated consecutive positions, every ring
   starting at its lowest (lon, lat) vertex) so that equal shapes give equal
   output, and measuring the output again is a fixed point;
5. measure the area in a Lambert azimuthal equal-area projection centred on
   the geometry, after densifying long edges along geodesics.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

__all__ = [
    "MESSAGES",
    "GeometryError",
    "MeasuredGeometry",
    "equal_area_km2",
    "measure_geometry",
]

#: English message templates, keyed by stable code. Templates only use named
#: parameters; every :class:`GeometryError` also receives ``path``.
MESSAGES: Final[dict[str, str]] = {
    # Envelope / object level
    "not_an_object": (
        "Expected a GeoJSON object, but the value is of JSON type {got}. Provide "
        "a JSON object with a "
        '"type" member.'
    ),
    "missing_type": (
        'The GeoJSON object has no "type" member. Use "Point", "Polygon", '
        '"MultiPolygon", "Feature" or "FeatureCollection".'
    ),
    "unsupported_type": (
        "Geometry type {type} is not supported; use Point, Polygon or MultiPolygon."
    ),
    "feature_without_geometry": (
        "The Feature has no geometry. Draw or upload a Point, Polygon or MultiPolygon."
    ),
    "feature_collection_size": (
        "The FeatureCollection must contain exactly one feature, but it contains "
        "{count}. Merge the shapes into a single MultiPolygon feature."
    ),
    "missing_coordinates": (
        'The geometry has no "coordinates" member. Draw or upload the shape again.'
    ),
    "empty_geometry": (
        "The {type} at {path} has no coordinates. Draw or upload a shape that is not empty."
    ),
    "empty_polygon": (
        "The polygon at {path} has no rings. Each polygon needs at least an outer ring."
    ),
    # Structure
    "not_an_array": ("{path} must be an array, but it is of JSON type {got}."),
    "not_a_number": ("The coordinate at {path} must be a number, but it is of JSON type {got}."),
    "not_finite": ("The coordinate at {path} must be a finite number, but got {value}."),
    "position_size": (
        "The position at {path} has {count} numbers; a position needs 2 "
        "(longitude, latitude) or 3 (longitude, latitude, altitude)."
    ),
    "longitude_out_of_range": (
        "The longitude {value} at {path} is outside -180 to 180. Check that "
        "coordinates are in longitude, latitude order and in decimal degrees (WGS 84)."
    ),
    "latitude_out_of_range": (
        "The latitude {value} at {path} is outside -90 to 90. Check that "
        "coordinates are in longitude, latitude order and in decimal degrees (WGS 84)."
    ),
    "ring_too_short": (
        "The ring at {path} has {count} positions; a ring needs at least 4 (three "
        "corners plus the first position repeated at the end)."
    ),
    "ring_not_closed": (
        "The ring at {path} is not closed: its first position ({first}) differs "
        "from its last position ({last}). Repeat the first position at the end."
    ),
    "ring_too_few_distinct": (
        "The ring at {path} has only {count} distinct positions; at least 3 are "
        "needed to enclose an area."
    ),
    "ring_zero_area": (
        "The ring at {path} encloses no area: all of its positions lie on one line."
    ),
    "antimeridian": (
        "The polygon at {path} spans {span} degrees of longitude, so it probably "
        "crosses the antimeridian (longitude ±180), which is not supported. Split "
        "it at ±180 into a MultiPolygon with one part on each side."
    ),
    # Validity
    "self_intersection": (
        "The polygon is not valid ({reason}, near {location}). Redraw it so that "
        "its edges do not cross and its parts do not overlap."
    ),
    "unrepairable": (
        "The polygon is not valid ({reason}, near {location}) and could not be "
        "repaired automatically: no area remains. Redraw the outline."
    ),
    # Non-fatal notices (codes used in MeasuredGeometry.notes)
    "self_intersection_repaired": (
        "The outline crossed or overlapped itself and was repaired automatically; "
        "please check that the stored shape is what you intended."
    ),
}

ParamValue = str | int | float


class GeometryError(ValueError):
    """A geometry was rejected.

    Attributes:
        code: stable machine code, a key of :data:`MESSAGES`.
        path: where in the input the problem is, e.g. ``"coordinates[0][3]"``;
            ``""`` for the whole object.
        params: the named values used in the message (always includes ``path``).
        message: English, person-actionable message.
    """

    code: str
    path: str
    params: dict[str, ParamValue]
    message: str

    def __init__(
        self,
        code: str,
        path: str = "",
        params: Mapping[str, ParamValue] | None = None,
    ) -> None:
        """Build the error; ``code`` must be a key of :data:`MESSAGES`."""
        if code not in MESSAGES:
            raise KeyError(f"unknown geometry error code {code!r}")
        self.code = code
        self.path = path
        self.params = {"path": path, **(params or {})}
        self.message = MESSAGES[code].format(**self.params)
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Support pickling (custom ``__init__`` signature)."""
        params = {k: v for k, v in self.params.items() if k != "path"}
        return (type(self), (self.code, self.path, params))

    def __repr__(self) -> str:
        """Show the code and path, useful in test failures and logs."""
        return f"GeometryError(code={self.code!r}, path={self.path!r}, message={self.message!r})"


@dataclass(frozen=True)
class MeasuredGeometry:
    """A validated, normalised geometry and its measurements.

    Attributes:
        geojson: normalised RFC 7946 geometry (Point, Polygon or MultiPolygon),
            lon/lat, 7 decimals, exterior rings counter-clockwise, holes
            clockwise, each ring starting at its lowest (lon, lat) vertex.
        kind: ``"Point"``, ``"Polygon"`` or ``"MultiPolygon"``.
        area_km2: equal-area size in km², rounded to 6 decimals; 0.0 for a point.
        centroid: ``(lon, lat)`` of the area centroid (the point for a Point).
        bbox: ``(min_lon, min_lat, max_lon, max_lat)``.
        repaired: True when an invalid polygon was repaired.
        notes: codes (keys of :data:`MESSAGES`) of non-fatal notices.
    """

    geojson: dict[str, Any]
    kind: str
    area_km2: float
    centroid: tuple[float, float]
    bbox: tuple[float, float, float, float]
    repaired: bool
    notes: tuple[str, ...]


# --------------------------------------------------------------------------
# Internal representation: a position is (lon, lat) in integer 1e-7 degrees,
# which makes equality, closure, collinearity and winding checks exact.

_SCALE: Final = 10_000_000
_DECIMALS: Final = 7
_MAX_LON: Final = 180 * _SCALE
_NOTE_REPAIRED: Final = "self_intersection_repaired"

_Pos = tuple[int, int]
_Ring = list[_Pos]
_PolygonRings = list[_Ring]

_GEOD: Final = Geod(ellps="WGS84")
#: Edges longer than this (approx. degrees of arc) are densified along the
#: geodesic before projecting, so that long straight edges are measured as
#: geodesics (as pyproj.Geod does) rather than as projected straight lines.
_DENSIFY_MAX_DEG: Final = 0.25
#: Precision (degrees) of the projection centre used as transformer cache key.
_CENTRE_DECIMALS: Final = 1

_SUPPORTED: Final = ("Point", "Polygon", "MultiPolygon")
_REASON_RE: Final = re.compile(r"^\s*(?P<reason>.*?)\s*\[(?P<loc>[^\]]*)\]\s*$")


def _json_type(value: object) -> str:
    """Name a Python value by its JSON type (for messages): null, boolean, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (Decimal, numbers.Real)):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _is_array(value: object) -> bool:
    return isinstance(value, (list, tuple))


def _fmt(n: int) -> float:
    """Integer 1e-7 degrees -> float degrees (nearest double to the decimal)."""
    return n / _SCALE


def _fmt_pos(p: _Pos) -> str:
    return f"{_fmt(p[0])}, {_fmt(p[1])}"


def _to_grid(value: float) -> int:
    return round(round(value, _DECIMALS) * _SCALE)


# --------------------------------------------------------------------------
# Structure validation


def _number(value: object, path: str) -> float:
    """Return a finite coordinate as float or raise. Booleans are rejected."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise GeometryError("not_a_number", path, {"got": _json_type(value)})
    try:
        as_float = float(value)
    except (OverflowError, ValueError):
        raise GeometryError("not_finite", path, {"value": str(value)}) from None
    if not math.isfinite(as_float):
        raise GeometryError("not_finite", path, {"value": str(value)})
    return as_float


_PLAIN_NUMBER: Final = (float, int)  # exact types: excludes bool


def _position(value: object, path: str) -> _Pos:
    # Fast path for the overwhelmingly common case of plain JSON numbers; the
    # range comparisons are False for NaN and infinities, which then fall
    # through to the slow path that reports the precise error.
    if type(value) is list and 2 <= len(value) <= 3:
        lon, lat = value[0], value[1]
        if (
            type(lon) in _PLAIN_NUMBER
            and type(lat) in _PLAIN_NUMBER
            and -180 <= lon <= 180
            and -90 <= lat <= 90
            and (len(value) == 2 or (type(value[2]) in _PLAIN_NUMBER and math.isfinite(value[2])))
        ):
            return (
                round(round(lon, _DECIMALS) * _SCALE),
                round(round(lat, _DECIMALS) * _SCALE),
            )
    return _position_checked(value, path)


def _position_checked(value: object, path: str) -> _Pos:
    if not _is_array(value):
        raise GeometryError("not_an_array", path, {"got": _json_type(value)})
    assert isinstance(value, (list, tuple))
    if len(value) not in (2, 3):
        raise GeometryError("position_size", path, {"count": len(value)})
    numbers_ = [_number(c, f"{path}[{i}]") for i, c in enumerate(value)]
    lon, lat = numbers_[0], numbers_[1]
    if not -180.0 <= lon <= 180.0:
        raise GeometryError("longitude_out_of_range", path, {"value": lon})
    if not -90.0 <= lat <= 90.0:
        raise GeometryError("latitude_out_of_range", path, {"value": lat})
    return (_to_grid(lon), _to_grid(lat))


def _array(value: object, path: str) -> Sequence[Any]:
    if not _is_array(value):
        raise GeometryError("not_an_array", path, {"got": _json_type(value)})
    assert isinstance(value, (list, tuple))
    return value


def _signed_area2(ring: Sequence[_Pos]) -> int:
    """Twice the signed (shoelace) area of a closed ring, exact; > 0 is CCW."""
    x0, y0 = ring[0]
    total = 0
    px, py = 0, 0
    for x, y in ring[1:]:
        x -= x0
        y -= y0
        total += px * y - x * py
        px, py = x, y
    return total


def _is_collinear(ring: Sequence[_Pos]) -> bool:
    p0 = ring[0]
    p1 = next((p for p in ring if p != p0), None)
    if p1 is None:
        return True
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    return all(dx * (p[1] - p0[1]) - dy * (p[0] - p0[0]) == 0 for p in ring)


def _ring(value: object, path: str) -> _Ring:
    raw = _array(value, path)
    ring = [_position(p, f"{path}[{i}]") for i, p in enumerate(raw)]
    if len(ring) < 4:
        raise GeometryError("ring_too_short", path, {"count": len(ring)})
    if ring[0] != ring[-1]:
        raise GeometryError(
            "ring_not_closed", path, {"first": _fmt_pos(ring[0]), "last": _fmt_pos(ring[-1])}
        )
    distinct = len(set(ring))
    if distinct < 3:
        raise GeometryError("ring_too_few_distinct", path, {"count": distinct})
    if _is_collinear(ring):
        raise GeometryError("ring_zero_area", path)
    return ring


def _polygon(value: object, path: str) -> _PolygonRings:
    raw = _array(value, path)
    if not raw:
        raise GeometryError("empty_polygon", path)
    rings = [_ring(r, f"{path}[{i}]") for i, r in enumerate(raw)]
    lons = [p[0] for p in rings[0]]
    span = max(lons) - min(lons)
    if span > _MAX_LON:
        raise GeometryError("antimeridian", path, {"span": round(_fmt(span), 3)})
    return rings


# --------------------------------------------------------------------------
# Normalisation


def _dedupe(ring: Sequence[_Pos]) -> _Ring:
    out: _Ring = [ring[0]]
    for p in ring[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def _canonical_ring(ring: Sequence[_Pos], ccw: bool) -> _Ring:
    """Drop repeated positions, wind as requested, start at the lowest vertex."""
    open_ring = _dedupe(ring)[:-1]
    if len(open_ring) > 1 and open_ring[-1] == open_ring[0]:
        open_ring.pop()
    if (_signed_area2(open_ring + open_ring[:1]) > 0) != ccw:
        open_ring.reverse()
    start = min(range(len(open_ring)), key=open_ring.__getitem__)
    open_ring = open_ring[start:] + open_ring[:start]
    return open_ring + open_ring[:1]


def _canonical_polygon(rings: Sequence[Sequence[_Pos]]) -> _PolygonRings:
    return [_canonical_ring(r, ccw=(i == 0)) for i, r in enumerate(rings)]


def _to_shapely(polygons: Sequence[_PolygonRings]) -> Any:
    parts = []
    for rings in polygons:
        arrays = [np.asarray(r, dtype=np.float64) / _SCALE for r in rings]
        parts.append(shapely.Polygon(arrays[0], arrays[1:]))
    return shapely.MultiPolygon(parts) if len(parts) != 1 else parts[0]


def _grid_ring(coords: NDArray[np.float64]) -> _Ring:
    grid = np.rint(np.round(coords[:, :2], _DECIMALS) * _SCALE).astype(np.int64)
    return [(int(x), int(y)) for x, y in grid]


def _from_shapely(geom: Any) -> list[_PolygonRings]:
    """Polygonal parts of a shapely geometry as grid rings (degenerate rings dropped)."""
    polygons: list[_PolygonRings] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            if part.is_empty:
                continue
            shell = _dedupe(_grid_ring(np.asarray(part.exterior.coords)))
            if len(shell) < 4 or _signed_area2(shell) == 0:
                continue
            holes = [_dedupe(_grid_ring(np.asarray(h.coords))) for h in part.interiors]
            holes = [h for h in holes if len(h) >= 4 and _signed_area2(h) != 0]
            polygons.append([shell, *holes])
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            polygons.extend(_from_shapely(part))
    return polygons


def _validity_reason(geom: Any) -> tuple[str, str]:
    text = str(explain_validity(geom))
    match = _REASON_RE.match(text)
    if match is None:
        return text, "unknown location"
    lon_lat = match.group("loc").split()
    location = match.group("loc")
    if len(lon_lat) >= 2:
        with contextlib.suppress(ValueError):
            location = f"{float(lon_lat[0]):.7g}, {float(lon_lat[1]):.7g}"
    return match.group("reason"), location


def _repair(geom: Any, reason: str, location: str) -> list[_PolygonRings]:
    """make_valid (structure method: overlapping parts are unioned), keep polygons,
    snap to the 7-decimal grid and re-check validity."""
    current = geom
    for _ in range(3):
        fixed = shapely.make_valid(current, method="structure", keep_collapsed=False)
        fixed = shapely.set_precision(fixed, 10.0**-_DECIMALS)
        polygons = _from_shapely(fixed)
        if not polygons:
            break
        candidate = _to_shapely(polygons)
        if shapely.is_valid(candidate) and candidate.area > 0:
            return polygons
        current = candidate
    raise GeometryError("unrepairable", "", {"reason": reason, "location": location})


# --------------------------------------------------------------------------
# Measurement


@lru_cache(maxsize=512)
def _laea(lat_0: float, lon_0: float) -> Transformer:
    """Cached lon/lat (WGS 84 ellipsoid) -> LAEA transformer (thread-safe in pyproj>=3.1)."""
    return Transformer.from_crs(
        "+proj=longlat +ellps=WGS84 +no_defs",
        f"+proj=laea +lat_0={lat_0} +lon_0={lon_0} +ellps=WGS84 +units=m +no_defs",
        always_xy=True,
    )


def _densify(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """Insert geodesic intermediate points into edges longer than _DENSIFY_MAX_DEG."""
    lon, lat = coords[:, 0], coords[:, 1]
    dlon = np.diff(lon)
    dlat = np.diff(lat)
    mid_cos = np.cos(np.radians((lat[1:] + lat[:-1]) / 2.0))
    length = np.hypot(dlon * mid_cos, dlat)
    long_edges = np.nonzero(length > _DENSIFY_MAX_DEG)[0]
    if long_edges.size == 0:
        return coords
    pieces: list[NDArray[np.float64]] = []
    start = 0
    for i in long_edges.tolist():
        pieces.append(coords[start : i + 1])
        n = math.ceil(float(length[i]) / _DENSIFY_MAX_DEG) - 1
        if n > 0:
            pts = _GEOD.npts(float(lon[i]), float(lat[i]), float(lon[i + 1]), float(lat[i + 1]), n)
            pieces.append(np.asarray(pts, dtype=np.float64).reshape(-1, 2))
        start = i + 1
    pieces.append(coords[start:])
    return np.concatenate(pieces)


def _project_polygon(polygon: Any, transformer: Transformer) -> Any:
    rings = [polygon.exterior, *polygon.interiors]
    projected = []
    for ring in rings:
        coords = _densify(np.asarray(ring.coords, dtype=np.float64)[:, :2])
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        projected.append(np.column_stack((x, y)))
    return shapely.Polygon(projected[0], projected[1:])


def _part_area(polygon: Any) -> tuple[float, float, float]:
    """(area m², centroid lon, centroid lat) of one polygon, measured in a LAEA
    projection centred on that polygon (so that far-apart parts, e.g. the two
    halves of a shape split at the antimeridian, are each measured near the
    centre of their own projection)."""
    centre = polygon.centroid
    transformer = _laea(
        round(float(centre.y), _CENTRE_DECIMALS), round(float(centre.x), _CENTRE_DECIMALS)
    )
    projected = _project_polygon(polygon, transformer)
    area = float(projected.area)
    if area <= 0.0:
        return 0.0, float(centre.x), float(centre.y)
    c = projected.centroid
    lon, lat = transformer.transform(float(c.x), float(c.y), direction="INVERSE")
    return area, float(lon), float(lat)


def _equal_area(geometry: Any) -> tuple[float, tuple[float, float] | None]:
    """(area in m², area centroid (lon, lat) or None) of the polygonal parts."""
    polygons = [p for p in shapely.get_parts(_polygonal_parts(geometry)) if not p.is_empty]
    measured = [_part_area(p) for p in polygons]
    area = math.fsum(a for a, _, _ in measured)
    if area <= 0.0:
        return 0.0, None
    if len(measured) == 1:
        return area, (measured[0][1], measured[0][2])
    # Several parts: area-weighted mean of the part centroids on the unit sphere.
    x = y = z = 0.0
    for a, lon, lat in measured:
        phi, lam = math.radians(lat), math.radians(lon)
        x += a * math.cos(phi) * math.cos(lam)
        y += a * math.cos(phi) * math.sin(lam)
        z += a * math.sin(phi)
    if math.hypot(x, y, z) < 1e-9 * area:  # parts balanced around the globe
        return area, (measured[0][1], measured[0][2])
    return area, (
        math.degrees(math.atan2(y, x)),
        math.degrees(math.atan2(z, math.hypot(x, y))),
    )


def _polygonal_parts(geometry: Any) -> Any:
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        p
        for p in shapely.get_parts(geometry)
        if p.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection")
    ]
    polys: list[Any] = []
    for p in parts:
        sub = _polygonal_parts(p) if p.geom_type == "GeometryCollection" else p
        polys.extend(shapely.get_parts(sub))
    return shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()


def equal_area_km2(geometry: BaseGeometry) -> float:
    """Area in km² of a shapely geometry given in WGS 84 longitude/latitude.

    Polygonal parts are projected to a Lambert azimuthal equal-area projection
    (WGS 84 ellipsoid) centred on the geometry; edges longer than about 0.25°
    are first densified along the geodesic, so the result agrees closely with
    the ellipsoidal geodesic area (``pyproj.Geod.geometry_area_perimeter``).
    Non-polygonal geometries (points, lines) and empty geometries give 0.0.
    The value is not rounded.
    """
    if geometry is None or geometry.is_empty:
        return 0.0
    area_m2, _ = _equal_area(geometry)
    return area_m2 / 1e6


# --------------------------------------------------------------------------
# Entry point


def _unwrap(obj: object) -> tuple[Mapping[str, Any], str]:
    """Return (geometry mapping, path prefix) from a geometry/Feature/FeatureCollection."""
    if not isinstance(obj, Mapping):
        raise GeometryError("not_an_object", "", {"got": _json_type(obj)})
    kind = obj.get("type")
    if kind is None:
        raise GeometryError("missing_type", "")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not _is_array(features):
            raise GeometryError("not_an_array", "features", {"got": _json_type(features)})
        assert isinstance(features, (list, tuple))
        if len(features) != 1:
            raise GeometryError("feature_collection_size", "features", {"count": len(features)})
        feature = features[0]
        if not isinstance(feature, Mapping):
            raise GeometryError("not_an_object", "features[0]", {"got": _json_type(feature)})
        if feature.get("type") != "Feature":
            raise GeometryError(
                "unsupported_type", "features[0].type", {"type": str(feature.get("type"))}
            )
        return _unwrap_feature(feature, "features[0].")
    if kind == "Feature":
        return _unwrap_feature(obj, "")
    return obj, ""


def _unwrap_feature(feature: Mapping[str, Any], prefix: str) -> tuple[Mapping[str, Any], str]:
    geometry = feature.get("geometry")
    if geometry is None:
        raise GeometryError("feature_without_geometry", prefix.rstrip(".") or "")
    path = f"{prefix}geometry"
    if not isinstance(geometry, Mapping):
        raise GeometryError("not_an_object", path, {"got": _json_type(geometry)})
    if geometry.get("type") is None:
        raise GeometryError("missing_type", path)
    return geometry, f"{path}."


def measure_geometry(obj: Mapping[str, Any], *, repair: bool = True) -> MeasuredGeometry:
    """Validate, normalise and measure a GeoJSON geometry.

    ``obj`` may be a Point, Polygon or MultiPolygon geometry object, a Feature
    (its geometry is used) or a FeatureCollection with exactly one Feature.
    Coordinates are longitude/latitude in WGS 84 decimal degrees; a third
    number (altitude) is accepted and dropped. Coordinates are rounded to 7
    decimals before any check, and all measurements use the rounded values,
    so measuring the returned ``geojson`` again yields the same result.

    Invalid polygons (self-intersections, bow-ties, overlapping parts) are
    repaired with ``shapely.make_valid`` when ``repair`` is true (the result
    then has ``repaired=True`` and the note ``"self_intersection_repaired"``)
    and rejected with code ``"self_intersection"`` otherwise.

    Raises:
        GeometryError: with a code from :data:`MESSAGES` and the path of the
            offending member (paths are prefixed with ``geometry.`` or
            ``features[0].geometry.`` when a Feature/FeatureCollection is given).
    """
    geometry, prefix = _unwrap(obj)
    kind = geometry.get("type")
    if kind not in _SUPPORTED:
        raise GeometryError("unsupported_type", f"{prefix}type", {"type": str(kind)})
    coords_path = f"{prefix}coordinates"
    if "coordinates" not in geometry or geometry["coordinates"] is None:
        raise GeometryError("missing_coordinates", prefix.rstrip("."))
    coordinates = geometry["coordinates"]
    if _is_array(coordinates) and len(coordinates) == 0:
        raise GeometryError("empty_geometry", coords_path, {"type": str(kind)})

    if kind == "Point":
        lon_i, lat_i = _position(coordinates, coords_path)
        lon, lat = _fmt(lon_i), _fmt(lat_i)
        return MeasuredGeometry(
            geojson={"type": "Point", "coordinates": [lon, lat]},
            kind="Point",
            area_km2=0.0,
            centroid=(lon, lat),
            bbox=(lon, lat, lon, lat),
            repaired=False,
            notes=(),
        )

    if kind == "Polygon":
        polygons = [_polygon(coordinates, coords_path)]
    else:
        raw = _array(coordinates, coords_path)
        polygons = [_polygon(p, f"{coords_path}[{i}]") for i, p in enumerate(raw)]

    polygons = [_canonical_polygon(p) for p in polygons]
    shape = _to_shapely(polygons)
    repaired = False
    if not shapely.is_valid(shape):
        reason, location = _validity_reason(shape)
        if not repair:
            raise GeometryError("self_intersection", "", {"reason": reason, "location": location})
        polygons = [_canonical_polygon(p) for p in _repair(shape, reason, location)]
        shape = _to_shapely(polygons)
        repaired = True

    out_kind = "Polygon" if kind == "Polygon" and len(polygons) == 1 else "MultiPolygon"
    as_lists = [[[[_fmt(x), _fmt(y)] for x, y in ring] for ring in rings] for rings in polygons]
    geojson: dict[str, Any] = {
        "type": out_kind,
        "coordinates": as_lists[0] if out_kind == "Polygon" else as_lists,
    }

    area_m2, centroid = _equal_area(shape)
    xs = [p[0] for rings in polygons for p in rings[0]]
    ys = [p[1] for rings in polygons for p in rings[0]]
    bbox = (_fmt(min(xs)), _fmt(min(ys)), _fmt(max(xs)), _fmt(max(ys)))
    if centroid is None:  # pragma: no cover - valid polygons always have area
        centroid = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    return MeasuredGeometry(
        geojson=geojson,
        kind=out_kind,
        area_km2=round(area_m2 / 1e6, 6),
        centroid=(round(centroid[0], _DECIMALS), round(centroid[1], _DECIMALS)),
        bbox=bbox,
        repaired=repaired,
        notes=(_NOTE_REPAIRED,) if repaired else (),
    )
