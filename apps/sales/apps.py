from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.inventory.selectors import SOURCE_LABELS, SOURCE_URLS, STOCK_CHECKS

        from .checks import check_reserved_matches_orders
        from .selectors import SOURCE_DELIVERY, SOURCE_RETURN

        STOCK_CHECKS["reserved"] = (
            "Reserved quantity differs from the confirmed sales order lines",
            check_reserved_matches_orders,
        )
        SOURCE_URLS[SOURCE_DELIVERY] = "sales:delivery-detail"
        SOURCE_URLS[SOURCE_RETURN] = "sales:return-detail"
        SOURCE_LABELS[SOURCE_DELIVERY] = (_("Delivery reversed"), _("Delivery"))
        SOURCE_LABELS[SOURCE_RETURN] = (_("Sales return"), _("Sales return reversed"))
