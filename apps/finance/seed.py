"""Data a fresh database starts with (used by the data migration, and by the tests after a flush)."""


def seed_default_cash_account(apps=None) -> None:
    """The default cash account (现金, code 1001) that payments naming no account use."""
    if apps is None:
        from django.apps import apps
    CashAccount = apps.get_model("finance", "CashAccount")
    if not CashAccount.objects.exists():
        CashAccount.objects.create(code="1001", name="现金", kind="cash", is_default=True)
