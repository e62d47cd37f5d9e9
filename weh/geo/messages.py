"""Translated messages for the pure geometry module's error codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from weh.geo.geometry import GeometryError

MESSAGES = {}


def geometry_error_message(error: GeometryError) -> str:
    """The error in the active language, with where in the GeoJSON it was found."""
    template = MESSAGES.get(error.code)
    text = str(template) % error.params if template is not None else error.message
    return f"{error.path}: {text}" if error.path else text


__all__ = ["_", "geometry_error_message"]
