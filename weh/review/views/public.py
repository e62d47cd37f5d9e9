"""The public registry of recognitions: the list and its map, downloads, one recognition, its
certificate (HTML, PDF, signed JSON) and the form to raise a concern. No sign-in needed.

Caching. Every GET answers with a strong ETag and ``Cache-Control: public, max-age=60``, made
``private`` when the answer also sets a cookie (an HTML page hands out the CSRF cookie; see
``weh.core.middleware.PrivateWhenSettingCookiesMiddleware``). The
ETag is worked out before any row is read, from the registry version (one indexed query, reused
by a process for a second; see ``weh.review.registry``) or the recognition's own stamp, so a
request whose ``If-None-Match`` still matches gets ``304 Not Modified`` at once. What costs most
to render (the list's results, the map) is kept by that same ETag. Pages for someone signed in (a
session cookie) are theirs alone (their name, their notices): rendered every time, marked private.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, Final

from allauth.account.adapter import get_adapter as get_account_adapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from weh.core import ratelimit
from weh.core.errors import NotFound, RateLimited, ValidationFailed
from weh.review import pdf, qr, registry, services
from weh.review.certificate import canonical_json

PAGE_SIZE: Final = 25
MAX_AGE: Final = 60
# The representation changes with these request headers: the language (from the header or the
# language cookie), the visitor (cookies) and whether htmx asks for the results only.
HTML_VARY: Final = ("Accept-Language", "Cookie", "HX-Request")
LANGUAGE_VARY: Final = ("Accept-Language", "Cookie")


# ---------------------------------------------------------------------------------------------
# Conditional requests


def _is_signed_in(request: HttpRequest) -> bool:
    # The cookie, not request.user: reading the user would load the session on the fast path.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _visitor(request: HttpRequest) -> str:
    """A digest of the cookies a page depends on (its CSRF token, messages, language)."""
    cookie = request.META.get("HTTP_COOKIE", "")
    return hashlib.blake2b(cookie.encode(), digest_size=8).hexdigest() if cookie else ""


def if_none_match(request: HttpRequest, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x"."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.removeprefix("W/") == etag for tag in parse_etags(header))


PUBLIC_CACHE_CONTROL: Final = f"public, max-age={MAX_AGE}"


def with_cache_headers(
    response: HttpResponseBase, etag: str | None, vary: Iterable[str] = (), *, private: bool = False
) -> HttpResponseBase:
    if etag is not None:
        response["ETag"] = etag
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    elif "Cache-Control" in response:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    else:
        # Set outright when nothing is there yet: the patch helpers parse and merge headers,
        # a tenth of what a 304 costs in this process.
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    if vary:
        if "Vary" in response:
            patch_vary_headers(response, tuple(vary))
        else:
            response["Vary"] = ", ".join(vary)
    return response


def not_modified(etag: str, vary: Iterable[str]) -> HttpResponseBase:
    # A 304 repeats the validators and caching headers a 200 would carry, and no body.
    return with_cache_headers(HttpResponseNotModified(), etag, vary)


def conditional(
    request: HttpRequest,
    etag: Callable[[], str | None],
    respond: Callable[[str | None], HttpResponseBase],
    *,
    vary: Iterable[str] = LANGUAGE_VARY,
    personal: bool = False,
) -> HttpResponseBase:
    """Answer 304 when the client holds the current representation; else ``respond``.

    ``etag()`` is cheap (no row is read; ``None``: nothing there, 404). It is worked out before
    ``respond`` reads any row, so a change in between labels newer rows with an older ETag
    (fetched again next time), never older rows with a newer one. ``respond`` gets that ETag
    (``None`` for a personal page, which is never answered 304: the visitor's name or notices
    on it may have changed).
    """
    if personal:
        return with_cache_headers(respond(None), None, vary, private=True)
    tag = etag()
    if tag is None:
        raise Http404
    if if_none_match(request, tag):
        return not_modified(tag, vary)
    return with_cache_headers(respond(tag), tag, vary)


def _partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


# ---------------------------------------------------------------------------------------------
# The list and the map


def _query(filters: registry.RegistryFilters, **extra: str) -> str:
    return urlencode({**filters.params(), **extra})


@require_safe
def registry_list(request: HttpRequest) -> HttpResponseBase:
    """/recognitions/: the registry, filtered, newest first; ``view=map`` shows the map."""
    filters = registry.RegistryFilters.from_params(request.GET)
    view = "map" if request.GET.get("view") == "map" else "list"
    page_number = request.GET.get("page", "1")[:8]
    partial = _partial(request)

    def etag() -> str:
        return registry.registry_etag(
            "list", filters, view, page_number, partial, get_language(), _visitor(request)
        )

    def respond(_tag: str | None) -> HttpResponse:
        version = registry.registry_version()
        results = _results(filters, view, page_number, version)
        if partial:
            return HttpResponse(results)
        context = {
            "filters": filters,
            "options": registry.filter_choices(version).options(filters),
            "view": view,
            "results": results,
        }
        return render(request, "review/public/registry.html", context)

    return conditional(request, etag, respond, vary=HTML_VARY, personal=_is_signed_in(request))


def _results(
    filters: registry.RegistryFilters, view: str, page_number: str, version: str
) -> SafeString:
    """The results under the filters (count, downloads, map, table, pages): the same for every
    visitor, so rendered once per registry version and kept (no visitor's token is in it)."""
    key = registry.make_etag("results", version, filters.key(), view, page_number, get_language())
    html = registry.page_bodies.get(key)
    if html is None:
        page = registry.page_of(filters, page_number, PAGE_SIZE, version)
        filter_query = _query(filters)
        html = render_to_string(
            "review/public/_registry_results.html",
            {
                "filters": filters,
                "page": page,
                "rows": registry.registry_rows(page.object_list),
                "view": view,
                "query": _query(filters, **({"view": "map"} if view == "map" else {})),
                "filter_query": filter_query,
                "map_url": reverse("review:registry-map") + _suffix(filter_query),
                "weh_map_tiles": settings.WEH_MAP_TILE_URL,
                "weh_map_attribution": settings.WEH_MAP_TILE_ATTRIBUTION,
            },
        )
        registry.page_bodies.put(key, html)
    # Rendered by the template engine, which escaped it; the cache keeps it as text.
    return mark_safe(str(html))


def _suffix(query: str) -> str:
    return f"?{query}" if query else ""


def wants_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def map_response(request: HttpRequest, filters: registry.RegistryFilters) -> HttpResponseBase:
    """The map document of ``filters`` (for the page's map and the API alike), gzipped when the
    client accepts it: the whole registry is megabytes of JSON, a tenth of that compressed."""
    language = get_language()
    encoding = "gzip" if wants_gzip(request) else ""

    def etag() -> str:
        return registry.registry_etag("map", filters, language, encoding)

    def respond(tag: str | None) -> HttpResponse:
        # Only a change of a recognition alters the map: keep the encoded body by its ETag,
        # which names the version it was read at.
        body = registry.map_bodies.get(tag) if tag else None
        if body is None:
            body = registry.map_json(filters)
            if encoding:
                body = registry.gzipped(body)
            if tag:
                registry.map_bodies.put(tag, body)
        response = HttpResponse(body, content_type="application/geo+json")
        if encoding:
            response["Content-Encoding"] = encoding
        return response

    return conditional(request, etag, respond, vary=(*LANGUAGE_VARY, "Accept-Encoding"))


@require_safe
def registry_map(request: HttpRequest) -> HttpResponseBase:
    """/recognitions/map.geojson: the points of the filtered registry (labels in the language)."""
    return map_response(request, registry.RegistryFilters.from_params(request.GET))


def _download_name(filters: registry.RegistryFilters, extension: str) -> str:
    return "recognitions" + ("-filtered" if not filters.is_default else "") + f".{extension}"


@require_safe
def registry_csv(request: HttpRequest) -> HttpResponseBase:
    """/recognitions.csv: every recognition under the filters, streamed."""
    filters = registry.RegistryFilters.from_params(request.GET)
    language = get_language()

    def respond(_tag: str | None) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            registry.csv_chunks(filters), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{_download_name(filters, "csv")}"'
        return response

    return conditional(
        request,
        lambda: registry.registry_etag("csv", filters, language),
        respond,
    )


@require_safe
def registry_json(request: HttpRequest) -> HttpResponseBase:
    """/recognitions.json: every recognition under the filters, streamed."""
    filters = registry.RegistryFilters.from_params(request.GET)
    language = get_language()

    def respond(_tag: str | None) -> StreamingHttpResponse:
        source = settings.WEH_SITE_URL + reverse("review:registry-json")
        response = StreamingHttpResponse(
            registry.json_chunks(filters, source=source + _suffix(_query(filters))),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_download_name(filters, "json")}"'
        )
        return response

    return conditional(
        request,
        lambda: registry.registry_etag("json", filters, language),
        respond,
    )


# ---------------------------------------------------------------------------------------------
# One recognition


class AlertForm(forms.Form):
    """Labels and widgets only: ``services.file_alert`` decides what is valid, and its errors are
    added to the form, so no field here validates anything itself."""

    body = forms.CharField(
        label=gettext_lazy("What is wrong?"),
        help_text=gettext_lazy(
            "Describe what you know and how you know it (at least 20 characters). The "
            "secretariat reads every concern; it is not published."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        required=False,
    )
    contact = forms.CharField(
        label=gettext_lazy("Your e-mail (optional)"),
        help_text=gettext_lazy("Only if you agree to be contacted about it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        required=False,
    )


def _stamp_etag(view: str, serial: str, *extra: object) -> Callable[[], str | None]:
    def etag() -> str | None:
        stamp = registry.recognition_stamp(serial)
        return None if stamp is None else registry.make_etag(view, serial, *stamp, *extra)

    return etag


def _recognition_page(
    request: HttpRequest,
    recognition: registry.RecognitionPage,
    form: AlertForm,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "review/public/recognition.html",
        {"recognition": recognition, "form": form},
        status=status,
    )


def _get_page(serial: str) -> registry.RecognitionPage:
    recognition = registry.get_recognition(serial)
    if recognition is None:
        raise Http404(_("No recognition has this certificate number."))
    return recognition


@require_safe
def recognition_detail(request: HttpRequest, serial: str) -> HttpResponseBase:
    """/recognitions/<serial>/: facts, scores, decision, validity, status; the alert form."""

    def respond(_tag: str | None) -> HttpResponse:
        return _recognition_page(request, _get_page(serial), AlertForm())

    return conditional(
        request,
        _stamp_etag("page", serial, get_language(), _visitor(request)),
        respond,
        vary=HTML_VARY,
        personal=_is_signed_in(request),
    )


def alert_rate_limit() -> str:
    return str(settings.WEH_ALERT_RATE_LIMIT)


def client_address(request: HttpRequest) -> str:
    """The client's address as the login rate limits see it (allauth's proxy settings)."""
    return str(get_account_adapter(request).get_client_ip(request))


@require_POST
def file_alert(request: HttpRequest, serial: str) -> HttpResponse:
    """POST /recognitions/<serial>/alert/: anyone raises a concern; limited per address."""
    form = AlertForm(request.POST)
    status = 200
    try:
        # Counted before validation: failed attempts are attempts too.
        ratelimit.hit(f"alert:{client_address(request)}", alert_rate_limit())
        services.file_alert(
            actor=request.user,
            serial=serial,
            body=request.POST.get("body", ""),
            contact=request.POST.get("contact", "").strip(),
        )
    except NotFound:
        raise Http404(_("No recognition has this certificate number.")) from None
    except RateLimited as error:
        form.add_error(None, str(error.detail))
        status = 429
    except ValidationFailed as error:
        for name, problems in error.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        status = 422
    else:
        messages.success(
            request,
            _("Thank you. Your concern was sent to the secretariat, who will look into it."),
        )
        return redirect(reverse("review:recognition", args=[serial]) + "#alert")
    response = _recognition_page(request, _get_page(serial), form, status=status)
    # An answer to one visitor's form: never stored or reused.
    patch_cache_control(response, private=True, no_store=True)
    return response


# ---------------------------------------------------------------------------------------------
# The certificate


def _document(serial: str) -> dict[str, Any]:
    document = registry.recognition_document(serial)
    if not document:
        raise Http404(_("No recognition has this certificate number."))
    return document


@require_safe
def certificate_page(request: HttpRequest, serial: str) -> HttpResponseBase:
    """/recognitions/<serial>/certificate/: the printable certificate with its QR code."""

    def respond(_tag: str | None) -> HttpResponse:
        document = _document(serial)
        facts = registry.certificate_facts(document)
        status = registry.recognition_status(serial) or ""
        url = settings.WEH_SITE_URL + reverse("review:recognition", args=[serial])
        return render(
            request,
            "review/public/certificate.html",
            {
                "facts": facts,
                "status": status,
                "status_label": registry.status_label(status),
                "qr": qr.qr_svg(
                    url,
                    title=_("QR code leading to this recognition in the registry: %(url)s")
                    % {"url": url},
                ),
                "page_url": url,
                "site_url": settings.WEH_SITE_URL,
                "keys_url": settings.WEH_SITE_URL + "/.well-known/weh-keys.json",
            },
        )

    return conditional(
        request,
        _stamp_etag("certificate", serial, get_language(), _visitor(request)),
        respond,
        vary=HTML_VARY,
        personal=_is_signed_in(request),
    )


@require_safe
def certificate_pdf(request: HttpRequest, serial: str) -> HttpResponseBase:
    """/recognitions/<serial>/certificate.pdf: the same facts, drawn from the signed statement."""

    def respond(_tag: str | None) -> HttpResponse:
        document = _document(serial)
        body = pdf.certificate_pdf(document, status=registry.recognition_status(serial) or "")
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{serial}.pdf"'
        return response

    return conditional(request, _stamp_etag("pdf", serial, get_language()), respond)


@require_safe
def certificate_json(request: HttpRequest, serial: str) -> HttpResponseBase:
    """/recognitions/<serial>/certificate.json: the stored signed document, to verify offline."""

    def respond(_tag: str | None) -> HttpResponse:
        # Canonical JSON of the stored document: the statement's bytes are the signed bytes.
        response = HttpResponse(canonical_json(_document(serial)), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{serial}.json"'
        # Verifiers on other sites may fetch it from a browser, as they do the keys.
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return conditional(request, _stamp_etag("json", serial), respond, vary=())
