"""Pages of sales: quotations, sales orders, deliveries, sales returns and exchanges."""

app_name = "sales"

urlpatterns: list = []
