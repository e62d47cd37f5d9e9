from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weh.registry import selectors as registry_selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"figures": registry_selectors.registry_figures(user=request.user)},
    )
