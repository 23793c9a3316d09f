"""Pages of the money in the bank and the till: cash/bank accounts (结算账户: list, create and
edit with the opening balance, and each account's cash journal 资金流水 with running balance),
cash transfers between them (资金调拨) and other income and expenses (收入单 / 支出单: rent,
wages, freight ...). Every write is one call of apps.finance.cash; refusals are shown on the
page (next to the field, or the service's sentence), never as an error page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import BusinessError
from apps.core.fields import ZERO
from apps.core.pages import Column, ObjectPage, Page, add_service_errors, perm
from apps.inventory.document_views import KindPage, StatusColumn, _timeline, action_view

from . import cash
from .filters import CashAccountFilter, CashTransferFilter, MoneyDocumentFilter
from .ledger_forms import CashAccountForm, CashTransferForm, MoneyDocumentForm, MoneyLineGrid, money_categories
from .ledger_views import (
    FinanceEditor,
    FinanceKind,
    document_header,
    entries_of,
    money_kinds_of,
    source_link,
    source_name,
    status_choices,
)
from .models import CashAccount, CashMovement, CashTransfer, MoneyCategory, MoneyDocument, MoneyKind, PaymentStatus
from .views import FinanceList

DRAFT, POSTED, CANCELLED = PaymentStatus.DRAFT, PaymentStatus.POSTED, PaymentStatus.CANCELLED
_MONEY = DecimalField(max_digits=18, decimal_places=2)


# --- Cash/bank accounts (结算账户) --------------------------------------------------------------


class CashAccountList(FinanceList):
    """Every cash and bank account with its balance; the totals row sums the balances shown."""

    model = CashAccount
    url_base = "finance:cash-account"
    filterset_class = CashAccountFilter
    filter_fields = ("search", "kind", "is_active")
    api_url_name = "cash-account-list"
    search_placeholder = gettext_lazy("Code or name")
    columns = (
        Column("code", link=True, order=True),
        Column("name", link=True, order=True),
        Column("kind"),
        Column(
            "ledger_account",
            value=lambda account: (
                f"{account.ledger_account.code} {account.ledger_account.label}" if account.ledger_account else ""
            ),
        ),
        Column("balance", order=True),
        Column("is_default", kind="text", value=lambda account: _("Default") if account.is_default else ""),
        Column("is_active"),
    )

    def get_queryset(self):
        return CashAccount.objects.select_related("ledger_account")

    def totals(self, queryset):
        return queryset.order_by().aggregate(balance=Coalesce(Sum("balance"), Value(ZERO), output_field=_MONEY))


class CashAccountCreate(Page):
    """A new account; a non-zero opening balance is booked on its opening date (cash journal
    and a journal entry against paid-in capital)."""

    model = CashAccount
    url_base = "finance:cash-account"
    verb = "add"
    template_name = "core/form.html"

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form,
            form_errors=form.non_field_errors(),
            title=_("New cash/bank account"),
            cancel_url=self.url("list"),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(CashAccountForm(initial={"opening_date": timezone.localdate()}, user=request.user))

    def post(self, request, *args, **kwargs):
        form = CashAccountForm(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                account = cash.cash_account_create(user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Account %(account)s was created.") % {"account": account})
                return HttpResponseRedirect(self.url("detail", account.pk))
        return self.render(form, status=400)


class CashAccountEdit(ObjectPage):
    """Change an account; a changed opening balance books the difference on the opening date.
    Kind, opening date and ledger account are fixed once money has moved."""

    model = CashAccount
    url_base = "finance:cash-account"
    verb = "change"
    template_name = "core/form.html"

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form,
            form_errors=form.non_field_errors(),
            object=self.object,
            title=_("Edit %(account)s") % {"account": self.object},
            cancel_url=self.url("detail", self.object.pk),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(CashAccountForm(instance=self.object, user=request.user))

    def post(self, request, *args, **kwargs):
        form = CashAccountForm(data=request.POST, instance=self.object, user=request.user)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(self.url("detail", self.object.pk))
            try:
                account = cash.cash_account_update(account=self.object, user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Account %(account)s was saved.") % {"account": account})
                return HttpResponseRedirect(self.url("detail", account.pk))
        self.object = self.get_object()
        form.instance = self.object
        return self.render(form, status=400)


def _date_param(request, name: str, default):
    """A date from the query string: ``default`` when the parameter is absent, None when it is
    empty, and (with an error message) ``default`` when it is not a date."""
    if name not in request.GET:
        return default, None
    text = request.GET[name].strip()
    if not text:
        return None, None
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        return default, _("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text}
    return value, None


class CashAccountDetail(ObjectPage):
    """An account and its cash journal (资金流水) for a date range (this month by default): the
    balance before the first day, each movement with the document, the counterparty, money in
    and out and the running balance, and the closing balance."""

    model = CashAccount
    url_base = "finance:cash-account"
    template_name = "finance/cash/account_detail.html"

    def get_permission_required(self):
        return [perm(CashAccount, "view"), perm(CashMovement, "view")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        request = self.request
        date_from, error_from = _date_param(request, "date_from", timezone.localdate().replace(day=1))
        date_to, error_to = _date_param(request, "date_to", None)
        opening, movements = cash.cash_journal(account, date_from=date_from, date_to=date_to)
        kinds = money_kinds_of(movements)
        rows = [
            {
                "movement": movement,
                "url": source_link(movement.source_type, movement.source_id),
                "what": source_name(movement.source_type, movement.source_id, money_kinds=kinds),
                "in": movement.amount if movement.amount > 0 else None,
                "out": -movement.amount if movement.amount < 0 else None,
            }
            for movement in movements
        ]
        money_in = sum((row["in"] for row in rows if row["in"]), ZERO)
        money_out = sum((row["out"] for row in rows if row["out"]), ZERO)
        ledger = account.ledger_account
        context.update(
            {
                "object": account,
                "title": f"{account.code} {account.name}",
                "header_rows": [
                    {"label": capfirst(_("kind")), "value": account.get_kind_display()},
                    {
                        "label": capfirst(_("ledger account")),
                        "value": f"{ledger.code} {ledger.label}" if ledger else "—",
                    },
                    {"label": capfirst(_("opening balance")), "value": account.opening_balance, "money": True},
                    {"label": capfirst(_("opening date")), "value": account.opening_date.isoformat()},
                    {"label": capfirst(_("balance")), "value": account.balance, "money": True},
                    {
                        "label": capfirst(_("status")),
                        "value": (_("Active") if account.is_active else _("Inactive"))
                        + (" · " + _("Default") if account.is_default else ""),
                    },
                ],
                "date_from": date_from,
                "date_to": date_to,
                "date_errors": [error for error in (error_from, error_to) if error],
                "opening": opening,
                "rows": rows,
                "money_in": money_in,
                "money_out": money_out,
                "closing": opening + money_in - money_out,
                "edit_url": self.url("update", account.pk) if self.may("change") else None,
            }
        )
        return context


# --- Cash transfers (资金调拨) -------------------------------------------------------------------


def cash_transfers_for(user):
    return CashTransfer.objects.select_related("from_account", "to_account", "created_by")


class TransferKind(FinanceKind):
    model = CashTransfer
    url_base = "finance:cash-transfer"
    source_type = cash.SOURCE_TRANSFER
    selector = staticmethod(cash_transfers_for)
    instance_kwarg = "transfer"
    form_class = CashTransferForm
    create_service = staticmethod(cash.cash_transfer_create)
    update_service = staticmethod(cash.cash_transfer_update)
    post_service = staticmethod(cash.cash_transfer_post)
    cancel_service = staticmethod(cash.cash_transfer_cancel)
    texts = {
        "name": gettext_lazy("cash transfer"),
        "plural": gettext_lazy("Cash transfers"),
        "confirm_post": gettext_lazy(
            "Post this transfer? The money leaves one account and enters the other at once; "
            "only a cancellation undoes it."
        ),
        "confirm_cancel_posted": gettext_lazy(
            "Cancel this posted transfer? The money goes back to where it came from."
        ),
    }


class TransferList(KindPage, FinanceList):
    kind = TransferKind
    filterset_class = CashTransferFilter
    filter_fields = ("search", "status", "account", "date_from", "date_to")
    api_url_name = "cash-transfer-list"
    search_placeholder = gettext_lazy("Number or note")
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("from_account", value=lambda transfer: transfer.from_account.name),
        Column("to_account", value=lambda transfer: transfer.to_account.name),
        Column("amount", order=True),
        StatusColumn("status", order=True),
        Column("note"),
        Column("created_by", value=lambda transfer: transfer.created_by.display_name),
    )

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
        status_choices(form)
        account = form.fields["account"]
        account.queryset = CashAccount.objects.order_by("code")
        account.label_from_instance = lambda obj: f"{obj.code} {obj.name}"
        account.widget.choices = account.choices

    def totals(self, queryset):
        return queryset.order_by().aggregate(amount=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))


class TransferEditor(FinanceEditor):
    kind = TransferKind


class FinanceDocumentDetail(KindPage, ObjectPage):
    """A posted or cancelled transfer or income/expense document, read-only: header, lines,
    the cash movements and journal entries it wrote, who did what when, Post / Cancel for
    those who may. A draft opens in its editor for those who may change it."""

    kind: type[FinanceKind]
    template_name = "finance/cash/document_detail.html"
    header_fields: list[str] = []

    def get(self, request, *args, **kwargs):
        if self.object.status == DRAFT and self.may("change"):
            return HttpResponseRedirect(self.url("update", self.object.pk))
        return super().get(request, *args, **kwargs)

    def lines(self, document) -> list:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        may_post = self.request.user.has_perm(self.kind.post_permission())
        movements = CashMovement.objects.filter(source_type=self.kind.source_type, source_id=document.pk)
        texts = self.kind.texts
        context.update(
            {
                "object": document,
                "title": f"{capfirst(texts['name'])} {document.number}",
                "list_title": texts["plural"],
                "texts": texts,
                "header_rows": document_header(document, self.header_fields),
                "lines": self.lines(document),
                "movements": list(movements.select_related("account").order_by("id")),
                "entries": entries_of(self.kind.source_type, document.pk),
                "timeline": _timeline(document),
                "post_url": self.url("post", document.pk) if may_post and document.status == DRAFT else None,
                "cancel_url": self.url("cancel", document.pk)
                if may_post and document.status in (DRAFT, POSTED)
                else None,
                "edit_url": self.url("update", document.pk)
                if document.status == DRAFT and self.may("change")
                else None,
            }
        )
        return context


class TransferDetail(FinanceDocumentDetail):
    kind = TransferKind
    header_fields = ["number", "date", "from_account", "to_account", "amount"]


transfer_post = action_view(TransferKind, "post")
transfer_cancel = action_view(TransferKind, "cancel")


# --- Other income and expenses (收入单 / 支出单) ---------------------------------------------------


class MoneyKindBase(FinanceKind):
    """收入单 (``money_kind`` income, OI-) or 支出单 (expense, OE-): one page set each."""

    model = MoneyDocument
    money_kind: str
    source_type = cash.SOURCE_MONEY
    instance_kwarg = "document"
    form_class = MoneyDocumentForm
    grid_class = MoneyLineGrid
    grid_template = "finance/cash/_money_lines.html"
    create_service = staticmethod(cash.money_document_create)
    update_service = staticmethod(cash.money_document_update)
    post_service = staticmethod(cash.money_document_post)
    cancel_service = staticmethod(cash.money_document_cancel)

    @classmethod
    def selector(cls, user):
        return MoneyDocument.objects.filter(kind=cls.money_kind).select_related("account", "created_by")

    @classmethod
    def grid_choices(cls, document) -> list:
        used = document.lines.values_list("category_id", flat=True) if document is not None else []
        return money_categories(cls.money_kind, used)

    @classmethod
    def saved_lines(cls, document):
        return document.lines.select_related("category").order_by("line_no", "id")


class IncomeKind(MoneyKindBase):
    money_kind = MoneyKind.INCOME
    url_base = "finance:income"
    create_kwargs = {"kind": MoneyKind.INCOME}
    texts = {
        "name": gettext_lazy("income document"),
        "plural": gettext_lazy("Other income"),
        "counterparty_hint": gettext_lazy("Who paid"),
        "confirm_post": gettext_lazy(
            "Post this income document? The money enters the account at once; only a cancellation undoes it."
        ),
        "confirm_cancel_posted": gettext_lazy(
            "Cancel this posted income document? The money leaves the account again."
        ),
    }


class ExpenseKind(MoneyKindBase):
    money_kind = MoneyKind.EXPENSE
    url_base = "finance:expense"
    create_kwargs = {"kind": MoneyKind.EXPENSE}
    texts = {
        "name": gettext_lazy("expense document"),
        "plural": gettext_lazy("Other expenses"),
        "counterparty_hint": gettext_lazy("Who was paid"),
        "confirm_post": gettext_lazy(
            "Post this expense document? The money leaves the account at once; only a cancellation undoes it."
        ),
        "confirm_cancel_posted": gettext_lazy(
            "Cancel this posted expense document? The money comes back to the account."
        ),
    }


class MoneyList(KindPage, FinanceList):
    kind: type[MoneyKindBase]
    filterset_class = MoneyDocumentFilter
    filter_fields = ("search", "status", "account", "category", "date_from", "date_to")
    api_url_name = "income-expense-list"
    search_placeholder = gettext_lazy("Number, counterparty or note")
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("account", value=lambda document: document.account.name),
        Column("counterparty"),
        Column("categories", gettext_lazy("categories"), value=lambda document: _category_names(document)),
        Column("total", order=True),
        StatusColumn("status", order=True),
        Column("created_by", value=lambda document: document.created_by.display_name),
    )

    def get_queryset(self):
        return self.kind.selector(self.request.user).prefetch_related("lines__category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.kind.texts["plural"]
        return context

    def excel_url(self, query):
        query = query.copy()
        query["kind"] = self.kind.money_kind
        return super().excel_url(query)

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
        status_choices(form)
        category = form.fields["category"]
        category.queryset = MoneyCategory.objects.filter(kind=self.kind.money_kind).order_by("id")
        category.label_from_instance = lambda obj: obj.label
        category.widget.choices = category.choices
        account = form.fields["account"]
        account.queryset = CashAccount.objects.order_by("code")
        account.label_from_instance = lambda obj: f"{obj.code} {obj.name}"
        account.widget.choices = account.choices

    def totals(self, queryset):
        return queryset.order_by().aggregate(total=Coalesce(Sum("total"), Value(ZERO), output_field=_MONEY))


def _category_names(document) -> str:
    return "、".join(dict.fromkeys(line.category.label for line in document.lines.all()))


class MoneyDetail(FinanceDocumentDetail):
    kind: type[MoneyKindBase]
    header_fields = ["number", "date", "account", "counterparty", "total"]

    def lines(self, document) -> list:
        return list(document.lines.select_related("category__account").order_by("line_no", "id"))


class IncomeList(MoneyList):
    kind = IncomeKind


class ExpenseList(MoneyList):
    kind = ExpenseKind


class IncomeEditor(FinanceEditor):
    kind = IncomeKind


class ExpenseEditor(FinanceEditor):
    kind = ExpenseKind


class IncomeDetail(MoneyDetail):
    kind = IncomeKind


class ExpenseDetail(MoneyDetail):
    kind = ExpenseKind


income_post = action_view(IncomeKind, "post")
income_cancel = action_view(IncomeKind, "cancel")
expense_post = action_view(ExpenseKind, "post")
expense_cancel = action_view(ExpenseKind, "cancel")


class MoneyDocumentRedirect(Page):
    """/finance/money/<pk>/: the income or expense page of a document (where the journal and
    the cash journal link to, knowing only the document's id)."""

    model = MoneyDocument
    url_base = "finance:income"

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(MoneyDocument.objects.only("kind"), pk=kwargs["pk"])
        name = "finance:income-detail" if document.kind == MoneyKind.INCOME else "finance:expense-detail"
        return HttpResponseRedirect(reverse(name, args=[document.pk]))
