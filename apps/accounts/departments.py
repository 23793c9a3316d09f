"""The seven departments and what each may do: THE permission table.

Each department is a Django group of the same name. ``sync_departments`` (run by a migration,
and again by each later migration that adds models or permissions) makes the groups hold
exactly the permissions listed here. Change access here, nowhere else.
"""

from django.utils.translation import gettext_lazy as _

WAREHOUSE = "warehouse"
PURCHASING = "purchasing"
SALES = "sales"
FINANCE = "finance"
CUSTOMER_SERVICE = "customer_service"
MANAGEMENT = "management"
IT_ADMIN = "it_admin"

DEPARTMENTS = {
    WAREHOUSE: _("Warehouse"),
    PURCHASING: _("Purchasing"),
    SALES: _("Sales"),
    FINANCE: _("Finance"),
    CUSTOMER_SERVICE: _("Customer service"),
    MANAGEMENT: _("Management"),
    IT_ADMIN: _("IT admin"),
}

EVERYONE = frozenset(DEPARTMENTS)
BUSINESS = EVERYONE - {IT_ADMIN}
# Departments whose members see every warehouse and every customer without being assigned.
SEE_ALL_WAREHOUSES = frozenset({MANAGEMENT, IT_ADMIN})
SEE_ALL_CUSTOMERS = frozenset({MANAGEMENT, CUSTOMER_SERVICE, FINANCE, WAREHOUSE})

# Model access. "read" grants view_<model>; "write" grants add_, change_ and delete_<model>.
#  model                    read                                                        write
MODEL_ACCESS = [
    ("inventory.warehouse", EVERYONE, {MANAGEMENT}),
    ("inventory.category", BUSINESS, {PURCHASING, MANAGEMENT}),
    ("inventory.unit", BUSINESS, {PURCHASING, MANAGEMENT}),
    ("inventory.product", BUSINESS, {PURCHASING, MANAGEMENT}),
    ("suppliers.supplier", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, {PURCHASING, MANAGEMENT}),
    ("customers.customer", {WAREHOUSE, SALES, FINANCE, CUSTOMER_SERVICE, MANAGEMENT}, {SALES, MANAGEMENT}),
    ("accounts.user", {IT_ADMIN}, {IT_ADMIN}),
    # The stock ledger: read by all who plan or sell (availability); written only by documents.
    ("inventory.stockbalance", BUSINESS, set()),
    ("inventory.stockledgerentry", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, set()),
    # The warehouse's own documents: drafted and posted by the warehouse (in its warehouses).
    ("inventory.stockadjustment", {WAREHOUSE, FINANCE, MANAGEMENT}, {WAREHOUSE, MANAGEMENT}),
    ("inventory.stocktransfer", {WAREHOUSE, PURCHASING, SALES, FINANCE, MANAGEMENT}, {WAREHOUSE, MANAGEMENT}),
    ("inventory.stockcount", {WAREHOUSE, FINANCE, MANAGEMENT}, {WAREHOUSE, MANAGEMENT}),
    # Purchasing: buyers plan and order; the warehouse receives and ships returns; finance reads.
    ("suppliers.supplierproduct", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, {PURCHASING, MANAGEMENT}),
    ("purchasing.purchaseorder", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, {PURCHASING, MANAGEMENT}),
    ("purchasing.purchasereceipt", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, {WAREHOUSE, MANAGEMENT}),
    ("purchasing.purchasereturn", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}, {WAREHOUSE, PURCHASING, MANAGEMENT}),
    # Payables: written only by documents; what is owed is read by finance, buyers and management.
    ("finance.payable", {PURCHASING, FINANCE, MANAGEMENT}, set()),
    ("finance.supplierpayment", {FINANCE, MANAGEMENT}, {FINANCE, MANAGEMENT}),
    ("finance.cashaccount", {FINANCE, MANAGEMENT}, {FINANCE, MANAGEMENT}),
    # Sales: salespeople quote and take orders (for their own customers); the warehouse ships;
    # customer service takes goods back and handles complaints; finance collects.
    ("customers.customercontact", {WAREHOUSE, SALES, FINANCE, CUSTOMER_SERVICE, MANAGEMENT}, {SALES, MANAGEMENT}),
    ("customers.complaint", {SALES, CUSTOMER_SERVICE, MANAGEMENT}, {SALES, CUSTOMER_SERVICE, MANAGEMENT}),
    ("sales.quotation", {SALES, CUSTOMER_SERVICE, FINANCE, MANAGEMENT}, {SALES, MANAGEMENT}),
    ("sales.salesorder", {WAREHOUSE, SALES, CUSTOMER_SERVICE, FINANCE, MANAGEMENT}, {SALES, MANAGEMENT}),
    ("sales.delivery", {WAREHOUSE, SALES, CUSTOMER_SERVICE, FINANCE, MANAGEMENT}, {WAREHOUSE, MANAGEMENT}),
    (
        "sales.salesreturn",
        {WAREHOUSE, SALES, CUSTOMER_SERVICE, FINANCE, MANAGEMENT},
        {WAREHOUSE, CUSTOMER_SERVICE, MANAGEMENT},
    ),
    ("finance.receivable", {SALES, CUSTOMER_SERVICE, FINANCE, MANAGEMENT}, set()),
    ("finance.customerreceipt", {FINANCE, MANAGEMENT}, {FINANCE, MANAGEMENT}),
    # The books: finance keeps them, management reads them; nobody else sees money positions.
    ("finance.account", {FINANCE, MANAGEMENT}, {FINANCE}),
    ("finance.journalentry", {FINANCE, MANAGEMENT}, {FINANCE}),
    ("finance.period", {FINANCE, MANAGEMENT}, set()),
    ("finance.cashmovement", {FINANCE, MANAGEMENT}, set()),
    ("finance.cashtransfer", {FINANCE, MANAGEMENT}, {FINANCE, MANAGEMENT}),
    ("finance.moneycategory", {FINANCE, MANAGEMENT}, {FINANCE}),
    ("finance.moneydocument", {FINANCE, MANAGEMENT}, {FINANCE, MANAGEMENT}),
]

# Single permissions (custom actions and special reads).
#  permission                        departments
EXTRA_PERMISSIONS = [
    ("accounts.view_audit_trail", {MANAGEMENT, IT_ADMIN}),
    ("auth.view_group", {IT_ADMIN}),
    ("inventory.post_stockadjustment", {WAREHOUSE, MANAGEMENT}),
    ("inventory.post_stocktransfer", {WAREHOUSE, MANAGEMENT}),
    ("inventory.post_stockcount", {WAREHOUSE, MANAGEMENT}),
    # Approval keeps duties apart: buyers approve each other's orders up to the threshold
    # (JXC_PO_APPROVAL_THRESHOLD), management above it; nobody approves their own.
    ("purchasing.approve_purchaseorder", {PURCHASING, MANAGEMENT}),
    ("purchasing.approve_large_purchaseorder", {MANAGEMENT}),
    ("purchasing.post_purchasereceipt", {WAREHOUSE, MANAGEMENT}),
    ("purchasing.post_purchasereturn", {WAREHOUSE, MANAGEMENT}),
    ("finance.post_supplierpayment", {FINANCE, MANAGEMENT}),
    # Costs, stock values and margins: not for sales and customer service.
    ("inventory.view_cost", {WAREHOUSE, PURCHASING, FINANCE, MANAGEMENT}),
    ("sales.confirm_salesorder", {SALES, MANAGEMENT}),
    ("sales.override_credit_limit", {MANAGEMENT}),
    # Sales figures: sales (their own customers), finance and management; margins need view_cost.
    ("sales.view_sales_report", {SALES, FINANCE, MANAGEMENT}),
    ("sales.post_delivery", {WAREHOUSE, MANAGEMENT}),
    ("sales.post_salesreturn", {WAREHOUSE, CUSTOMER_SERVICE, MANAGEMENT}),
    ("finance.post_customerreceipt", {FINANCE, MANAGEMENT}),
    ("finance.view_statements", {FINANCE, MANAGEMENT}),
    ("finance.post_journalentry", {FINANCE}),
    ("finance.post_cashtransfer", {FINANCE, MANAGEMENT}),
    ("finance.post_moneydocument", {FINANCE, MANAGEMENT}),
    ("finance.close_period", {FINANCE}),
    ("finance.reopen_period", {MANAGEMENT}),
    # Excel import; which kinds a user may import follows the model permissions (apps/imports).
    ("imports.import_data", {WAREHOUSE, PURCHASING, SALES, MANAGEMENT}),
]


def department_permissions() -> dict[str, set[str]]:
    """``{department: {"app_label.codename", ...}}`` from the tables above."""
    result: dict[str, set[str]] = {code: set() for code in DEPARTMENTS}
    for model, read, write in MODEL_ACCESS:
        app_label, model_name = model.split(".")
        for dept in read:
            result[dept].add(f"{app_label}.view_{model_name}")
        for dept in write:
            result[dept].update(f"{app_label}.{verb}_{model_name}" for verb in ("view", "add", "change", "delete"))
    for perm, depts in EXTRA_PERMISSIONS:
        for dept in depts:
            result[dept].add(perm)
    return result


def sync_departments(apps=None) -> None:
    """Create the department groups and give each exactly the permissions of the table.

    Usable from a data migration (pass the migration's ``apps``) and from code. In a migration,
    permissions of models that do not exist yet at that point of the history are skipped: the
    migration that adds those models calls this again.
    """
    strict = apps is None
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration-state app configs have no models module; create_permissions needs one.
        saved = getattr(app_config, "models_module", None)
        app_config.models_module = saved or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = saved

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = department_permissions()
    for code in DEPARTMENTS:
        group, _created = Group.objects.get_or_create(name=code)
        perms = []
        for perm in sorted(wanted[code]):
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                if strict:
                    raise LookupError(f"permission {perm} named in the departments table does not exist")
                continue
            perms.append(found)
        group.permissions.set(perms)
