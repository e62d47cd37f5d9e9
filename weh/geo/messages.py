"""Translated messages for the pure geometry module's error codes.

The pure module (``weh.geo.geometry``) cannot use Django's translation machinery, so each of its
codes has its translatable text here, with the same named ``{placeholders}``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weh.geo.geometry import MESSAGES as ENGLISH
from weh.geo.geometry import GeometryError

MESSAGES: dict[str, Promise] = {
    "not_an_object": _(
        'Expected a GeoJSON object, but the value is of JSON type {got}. Provide a JSON object with a "type" member.'
    ),
    "missing_type": _(
        'The GeoJSON object has no "type" member. Use "Point", "Polygon", "MultiPolygon", "Feature" or "FeatureCollection".'
    ),
    "unsupported_type": _(
        "Geometry type {type} is not supported; use Point, Polygon or MultiPolygon."
    ),
    "feature_without_geometry": _(
        "The Feature has no geometry. Draw or upload a Point, Polygon or MultiPolygon."
    ),
    "feature_collection_size": _(
        "The FeatureCollection must contain exactly one feature, but it contains {count}. Merge the shapes into a single MultiPolygon feature."
    ),
    "missing_coordinates": _(
        'The geometry has no "coordinates" member. Draw or upload the shape again.'
    ),
    "empty_geometry": _(
        "The {type} at {path} has no coordinates. Draw or upload a shape that is not empty."
    ),
    "empty_polygon": _(
        "The polygon at {path} has no rings. Each polygon needs at least an outer ring."
    ),
    "not_an_array": _("{path} must be an array, but it is of JSON type {got}."),
    "not_a_number": _("The coordinate at {path} must be a number, but it is of JSON type {got}."),
    "not_finite": _("The coordinate at {path} must be a finite number, but got {value}."),
    "position_size": _(
        "The position at {path} has {count} numbers; a position needs 2 (longitude, latitude) or 3 (longitude, latitude, altitude)."
    ),
    "longitude_out_of_range": _(
        "The longitude {value} at {path} is outside -180 to 180. Check that coordinates are in longitude, latitude order and in decimal degrees (WGS 84)."
    ),
    "latitude_out_of_range": _(
        "The latitude {value} at {path} is outside -90 to 90. Check that coordinates are in longitude, latitude order and in decimal degrees (WGS 84)."
    ),
    "ring_too_short": _(
        "The ring at {path} has {count} positions; a ring needs at least 4 (three corners plus the first position repeated at the end)."
    ),
    "ring_not_closed": _(
        "The ring at {path} is not closed: its first position ({first}) differs from its last position ({last}). Repeat the first position at the end."
    ),
    "ring_too_few_distinct": _(
        "The ring at {path} has only {count} distinct positions; at least 3 are needed to enclose an area."
    ),
    "ring_zero_area": _(
        "The ring at {path} encloses no area: all of its positions lie on one line."
    ),
    "antimeridian": _(
        "The polygon at {path} spans {span} degrees of longitude, so it probably crosses the antimeridian (longitude ±180), which is not supported. Split it at ±180 into a MultiPolygon with one part on each side."
    ),
    "self_intersection": _(
        "The polygon is not valid ({reason}, near {location}). Redraw it so that its edges do not cross and its parts do not overlap."
    ),
    "unrepairable": _(
        "The polygon is not valid ({reason}, near {location}) and could not be repaired automatically: no area remains. Redraw the outline."
    ),
    "self_intersection_repaired": _(
        "The outline crossed or overlapped itself and was repaired automatically; please check that the stored shape is what you intended."
    ),
}


def geometry_error_message(error: GeometryError) -> str:
    """The error in the active language (the English text when a code has no translation)."""
    template = MESSAGES.get(error.code)
    if template is None:
        return error.message
    try:
        return str(template).format(**error.params)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder must not hide the error itself.
        return str(ENGLISH[error.code]).format(**error.params)
