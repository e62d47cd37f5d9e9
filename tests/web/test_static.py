"""The static files collect under the production storage (hashed names, compression)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage(tmp_path: Path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in (
        "vendor/leaflet/leaflet.js",
        "vendor/htmx/htmx.min.js",
        "weh/app.js",
        "weh/assessments.js",
        "vendor/pico/pico.green.min.css",
    ):
        assert f'"{name}"' in manifest
    assert list(tmp_path.glob("vendor/leaflet/leaflet.*.js.gz"))
