from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "apps.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        # Pages of the finance documents that write journal entries and cash movements, so any
        # page or API row naming such a source links to it (apps.inventory.selectors.source_url).
        from apps.inventory.selectors import SOURCE_URLS

        from . import cash

        SOURCE_URLS.update(
            {
                "supplier_payment": "finance:payment-detail",
                "customer_receipt": "finance:receipt-detail",
                cash.SOURCE_TRANSFER: "finance:cash-transfer-detail",
                cash.SOURCE_MONEY: "finance:money-document",
                cash.SOURCE_OPENING: "finance:cash-account-detail",
            }
        )
