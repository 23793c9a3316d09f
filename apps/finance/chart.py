"""The chart of accounts a new company starts with (小企业会计准则 codes), the accounts the
posting rules book to, and the seeded income/expense categories.

Postings name accounts by code (the constants below): finance may rename them and add
sub-accounts, but the codes the rules use stay. Used by the data migration and by the tests
after a flush (:func:`seed_chart`)."""

from __future__ import annotations

CASH = "1001"  # 库存现金
BANK = "1002"  # 银行存款
RECEIVABLE = "1122"  # 应收账款
PREPAYMENT = "1123"  # 预付账款
INVENTORY = "1405"  # 库存商品
PAYABLE = "2202"  # 应付账款
ADVANCE = "2203"  # 预收账款
VAT = "2221"  # 应交税费
VAT_INPUT = "2221.01"  # 应交增值税（进项税额）
VAT_OUTPUT = "2221.02"  # 应交增值税（销项税额）
CAPITAL = "3001"  # 实收资本: what opening balances are booked against
PROFIT_THIS_YEAR = "3103"  # 本年利润
RETAINED = "3104"  # 利润分配
REVENUE = "6001"  # 主营业务收入
OTHER_REVENUE = "6051"  # 其他业务收入
OTHER_GAINS = "6301"  # 营业外收入: stock found, count gains
COST_OF_SALES = "6401"  # 主营业务成本: also cost differences of a few cents
SELLING_EXPENSES = "6601"  # 销售费用
ADMIN_EXPENSES = "6602"  # 管理费用
FINANCE_EXPENSES = "6603"  # 财务费用
OTHER_LOSSES = "6711"  # 营业外支出: scrap, damage, count losses
INCOME_TAX = "6801"  # 所得税费用

#  code       name                            English name                    kind
CHART = [
    (CASH, "库存现金", "Cash on hand", "asset"),
    (BANK, "银行存款", "Bank deposits", "asset"),
    ("1012", "其他货币资金", "Other monetary funds", "asset"),
    ("1121", "应收票据", "Notes receivable", "asset"),
    (RECEIVABLE, "应收账款", "Accounts receivable", "asset"),
    (PREPAYMENT, "预付账款", "Prepayments", "asset"),
    ("1221", "其他应收款", "Other receivables", "asset"),
    ("1401", "材料采购", "Materials in transit", "asset"),
    (INVENTORY, "库存商品", "Inventory (goods)", "asset"),
    ("1601", "固定资产", "Fixed assets", "asset"),
    ("1602", "累计折旧", "Accumulated depreciation", "asset"),
    ("1901", "待处理财产损溢", "Assets pending write-off", "asset"),
    ("2001", "短期借款", "Short-term loans", "liability"),
    ("2201", "应付票据", "Notes payable", "liability"),
    (PAYABLE, "应付账款", "Accounts payable", "liability"),
    (ADVANCE, "预收账款", "Advances from customers", "liability"),
    ("2211", "应付职工薪酬", "Wages payable", "liability"),
    (VAT, "应交税费", "Taxes payable", "liability"),
    (VAT_INPUT, "应交增值税（进项税额）", "VAT payable: input tax", "liability"),
    (VAT_OUTPUT, "应交增值税（销项税额）", "VAT payable: output tax", "liability"),
    ("2241", "其他应付款", "Other payables", "liability"),
    (CAPITAL, "实收资本", "Paid-in capital", "equity"),
    ("3002", "资本公积", "Capital reserve", "equity"),
    ("3101", "盈余公积", "Surplus reserve", "equity"),
    (PROFIT_THIS_YEAR, "本年利润", "Profit for the year", "equity"),
    (RETAINED, "利润分配", "Retained earnings", "equity"),
    (REVENUE, "主营业务收入", "Sales revenue", "income"),
    (OTHER_REVENUE, "其他业务收入", "Other operating revenue", "income"),
    ("6111", "投资收益", "Investment income", "income"),
    (OTHER_GAINS, "营业外收入", "Non-operating income", "income"),
    (COST_OF_SALES, "主营业务成本", "Cost of goods sold", "expense"),
    ("6402", "其他业务成本", "Other operating costs", "expense"),
    ("6403", "税金及附加", "Taxes and surcharges", "expense"),
    (SELLING_EXPENSES, "销售费用", "Selling expenses", "expense"),
    (ADMIN_EXPENSES, "管理费用", "Administrative expenses", "expense"),
    (FINANCE_EXPENSES, "财务费用", "Finance costs", "expense"),
    (OTHER_LOSSES, "营业外支出", "Non-operating expenses", "expense"),
    (INCOME_TAX, "所得税费用", "Income tax expense", "expense"),
]

#  kind       name        English name         account
CATEGORIES = [
    ("expense", "房租", "Rent", ADMIN_EXPENSES),
    ("expense", "工资", "Wages", ADMIN_EXPENSES),
    ("expense", "水电费", "Utilities", ADMIN_EXPENSES),
    ("expense", "办公费", "Office supplies", ADMIN_EXPENSES),
    ("expense", "运费", "Freight", SELLING_EXPENSES),
    ("expense", "广告费", "Advertising", SELLING_EXPENSES),
    ("expense", "银行手续费", "Bank charges", FINANCE_EXPENSES),
    ("expense", "其他支出", "Other expenses", OTHER_LOSSES),
    ("income", "利息收入", "Interest received", FINANCE_EXPENSES),
    ("income", "废品收入", "Scrap sales", OTHER_REVENUE),
    ("income", "其他收入", "Other income", OTHER_GAINS),
]


def parent_code(code: str) -> str | None:
    """'2221.01' → '2221'; a top-level code has none."""
    return code.rsplit(".", 1)[0] if "." in code else None


def seed_chart(apps=None) -> None:
    """Create the chart and the categories where missing (idempotent), and point cash accounts
    without a ledger account at 1001 (cash) or 1002 (bank)."""
    if apps is None:
        from django.apps import apps
    Account = apps.get_model("finance", "Account")
    MoneyCategory = apps.get_model("finance", "MoneyCategory")
    CashAccount = apps.get_model("finance", "CashAccount")
    existing = {a.code: a for a in Account.objects.all()}
    for code, name, name_en, kind in CHART:
        if code not in existing:
            parent = existing.get(parent_code(code)) if parent_code(code) else None
            existing[code] = Account.objects.create(code=code, name=name, name_en=name_en, kind=kind, parent=parent)
    for kind, name, name_en, code in CATEGORIES:
        MoneyCategory.objects.get_or_create(
            kind=kind, name=name, defaults={"name_en": name_en, "account": existing[code]}
        )
    for account in CashAccount.objects.filter(ledger_account__isnull=True):
        account.ledger_account = existing[CASH if account.kind == "cash" else BANK]
        account.save(update_fields=["ledger_account"])
