"""The log's URL prefix (C2SP tlog-tiles), included at ``/log/``."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from weh.ledger import pages, views
from weh.ledger.witness_views import add_checkpoint as witness_add_checkpoint

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("witness/add-checkpoint", witness_add_checkpoint, name="witness-add-checkpoint"),
    path("entries/<int:index>/", pages.entry, name="entry"),
    # The tile path is validated by tiles.parse_tile_path, which knows every rule of it.
    re_path(r"^tile/(?P<path>.+)$", views.tile, name="tile"),
]
