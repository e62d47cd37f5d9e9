"""The public registry of recognitions, included in the "review" namespace at the site root."""

from __future__ import annotations

from django.urls import URLPattern, path

from weh.review.views import public

urlpatterns: list[URLPattern] = [
    path("recognitions/", public.registry_list, name="registry"),
    # Before <serial>/: "map.geojson" is not a certificate number.
    path("recognitions/map.geojson", public.registry_map, name="registry-map"),
    path("recognitions.csv", public.registry_csv, name="registry-csv"),
    path("recognitions.json", public.registry_json, name="registry-json"),
    path("recognitions/<str:serial>/", public.recognition_detail, name="recognition"),
    path("recognitions/<str:serial>/alert/", public.file_alert, name="file-alert"),
    path("recognitions/<str:serial>/certificate/", public.certificate_page, name="certificate"),
    path(
        "recognitions/<str:serial>/certificate.pdf",
        public.certificate_pdf,
        name="certificate-pdf",
    ),
    path(
        "recognitions/<str:serial>/certificate.json",
        public.certificate_json,
        name="certificate-json",
    ),
]
