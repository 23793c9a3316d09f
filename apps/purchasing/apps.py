from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "apps.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.inventory.selectors import SOURCE_LABELS, SOURCE_URLS, STOCK_CHECKS

        from .checks import check_ordered_matches_orders
        from .selectors import SOURCE_RECEIPT, SOURCE_RETURN

        STOCK_CHECKS["ordered"] = (
            "Ordered quantity differs from the open purchase order lines",
            check_ordered_matches_orders,
        )

        SOURCE_URLS[SOURCE_RECEIPT] = "purchasing:receipt-detail"
        SOURCE_URLS[SOURCE_RETURN] = "purchasing:return-detail"
        SOURCE_LABELS[SOURCE_RECEIPT] = (_("Purchase receipt"), _("Purchase receipt reversed"))
        SOURCE_LABELS[SOURCE_RETURN] = (_("Purchase return reversed"), _("Purchase return"))
