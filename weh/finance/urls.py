"""The funding pages, included at the site root in the "finance" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from weh.finance import views

app_name = "finance"

urlpatterns: list[URLPattern] = [
    path("funding/", views.funding_index, name="index"),
    path("funding/commitments/new/", views.commitment_new, name="commitment_new"),
    path(
        "funding/commitments/<int:commitment_id>/",
        views.commitment_detail,
        name="commitment",
    ),
    path(
        "funding/commitments/<int:commitment_id>/disburse/",
        views.disburse,
        name="disburse",
    ),
    path(
        "funding/commitments/<int:commitment_id>/spending/",
        views.report_spending,
        name="spending",
    ),
    path("funding/batches/<str:serial>/", views.batch_detail, name="batch"),
    path(
        "funding/batches/<str:serial>/<slug:step>/",
        views.batch_step,
        name="batch_step",
    ),
    path(
        "funding/subjects/<int:subject_id>/activities/new/",
        views.activity_new,
        name="activity_new",
    ),
    # Public; before the registry's "subjects/<id>/<action>/" (weh.web), which it would match.
    path("subjects/<int:subject_id>/funding/", views.subject_summary, name="subject_summary"),
]
