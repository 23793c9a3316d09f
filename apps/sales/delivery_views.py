"""Pages of deliveries and sales returns (exchanges included)."""

urlpatterns: list = []
