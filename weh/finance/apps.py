from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "weh.finance"
    label = "finance"
    verbose_name = _("Finance traceability")

    def ready(self) -> None:
        # A funder's members must not review the assessments of those it funds.
        from weh.finance.selectors import funding_ties
        from weh.review.conflicts import register_tie

        register_tie(funding_ties)
