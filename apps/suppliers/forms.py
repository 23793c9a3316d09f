from apps.core.pages import ServiceForm

from .models import Supplier


class SupplierForm(ServiceForm):
    class Meta:
        model = Supplier
        fields = [
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "address",
            "payment_terms_days",
            "tax_number",
            "bank_account",
            "is_active",
        ]
