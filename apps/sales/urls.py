"""Pages of sales: quotations and sales orders (order_views), deliveries and sales returns
(delivery_views)."""

from . import delivery_views, order_views

app_name = "sales"

urlpatterns = [*order_views.urlpatterns, *delivery_views.urlpatterns]
