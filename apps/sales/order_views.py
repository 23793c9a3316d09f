"""Pages of quotations and sales orders."""

urlpatterns: list = []
