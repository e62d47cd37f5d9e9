"""The log's URL prefix (C2SP tlog-tiles), included at ``/log/``."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from weh.ledger import views

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    # The tile path is validated by tiles.parse_tile_path, which knows every rule of it.
    re_path(r"^tile/(?P<path>.+)$", views.tile, name="tile"),
]
