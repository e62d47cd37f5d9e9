"""Finance records in the admin: to look, never to touch.

Every record stands behind an entry of the public log, which can never change; editing or
deleting the record would leave an entry nobody can check any more. Changes go through the
services (a correction is a new event, e.g. a further disbursement), never through the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weh.finance.models import (
    Activity,
    Allocation,
    Commitment,
    Disbursement,
    Retirement,
    SpendingReport,
    Split,
    UnitBatch,
    UnitIssuer,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "funder", "subject", "programme", "amount", "log_index")
    list_select_related = ("funder", "subject")
    search_fields = ("funder__name", "subject__name", "programme")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("pk", "commitment", "disbursed_on", "amount", "log_index")
    list_select_related = ("commitment__funder", "commitment__subject")


@admin.register(UnitBatch)
class UnitBatchAdmin(ReadOnlyAdmin):
    list_display = ("serial", "issuer", "units", "state", "log_index")
    list_filter = ("state",)
    search_fields = ("=serial",)
    list_select_related = ("issuer",)


@admin.register(UnitIssuer)
class UnitIssuerAdmin(ReadOnlyAdmin):
    list_display = ("code", "organisation", "next_serial")


@admin.register(Split)
class SplitAdmin(ReadOnlyAdmin):
    list_display = ("parent", "at_serial", "split_at", "log_index")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("name", "subject", "organisation", "created_at")
    search_fields = ("name", "subject__name")


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("batch", "activity", "allocated_at", "log_index")


@admin.register(Retirement)
class RetirementAdmin(ReadOnlyAdmin):
    list_display = ("batch", "outcome_reference", "retired_at", "log_index")


@admin.register(SpendingReport)
class SpendingReportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "subject", "spent_on", "category", "amount", "log_index")
