"""Pages of the general ledger: the chart of accounts (科目), journal entries (凭证: the list,
an entry with its lines, the manual entry editor) and the books check (对账检查); plus what
the cash and period pages share with them (the link to the document an entry or a movement
comes from, the editor of a draft with a line grid).

The pages only shape input and output: every write is one call of apps.finance.services /
journal / cash / periods; a ValidationError lands next to its field (line messages above the
line grid), a BusinessError (409: in_use, period_closed, invalid_state) is shown as the
service's sentence, a missing permission is a 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core.errors import BusinessError
from apps.core.fields import ZERO
from apps.core.pages import Column, ObjectPage, Page, add_service_errors, perm
from apps.inventory.document_views import DocumentEditor, DocumentKind, KindPage, StatusColumn, _timeline, action_view
from apps.inventory.selectors import source_url

from . import books, cash, chart, journal, services
from .filters import JournalEntryFilter
from .ledger_forms import (
    AccountEditForm,
    JournalEntryForm,
    JournalLineGrid,
    LineGrid,
    SubAccountForm,
    journal_accounts,
    next_sub_code,
)
from .models import Account, JournalEntry, JournalLine, JournalStatus
from .views import FinanceList

DRAFT, POSTED = JournalStatus.DRAFT, JournalStatus.POSTED
_MONEY = DecimalField(max_digits=18, decimal_places=2)

# --- Where an entry or a movement comes from ----------------------------------------------------

SOURCE_NAMES = {
    "purchase_receipt": gettext_lazy("Purchase receipt"),
    "purchase_return": gettext_lazy("Purchase return"),
    "delivery": gettext_lazy("Delivery"),
    "sales_return": gettext_lazy("Sales return"),
    "stock_adjustment": gettext_lazy("Stock adjustment"),
    "stock_count": gettext_lazy("Stock count"),
    "stock_transfer": gettext_lazy("Transfer"),
    "supplier_payment": gettext_lazy("Supplier payment"),
    "customer_receipt": gettext_lazy("Customer receipt"),
    cash.SOURCE_TRANSFER: gettext_lazy("Cash transfer"),
    cash.SOURCE_MONEY: gettext_lazy("Income/expense document"),
    cash.SOURCE_OPENING: gettext_lazy("Opening balance"),
}


# The finance documents' pages (the stock and trade documents register theirs in
# apps.inventory.selectors.SOURCE_URLS).
def source_link(source_type: str, source_id) -> str | None:
    """The page of the document that wrote an entry or a cash movement, if there is one
    (finance's own documents are registered in apps.finance.apps)."""
    if not source_type or source_id is None:
        return None
    return source_url(source_type, source_id)


MONEY_NAMES = {"income": gettext_lazy("Income document"), "expense": gettext_lazy("Expense document")}


def source_name(source_type: str, source_id=None, *, money_kinds: dict | None = None) -> str:
    """What kind of document an entry or movement comes from, in words (an income/expense
    document by its kind when ``money_kinds`` {id: kind} knows it)."""
    if source_type == cash.SOURCE_MONEY and money_kinds and source_id in money_kinds:
        return str(MONEY_NAMES[money_kinds[source_id]])
    name = SOURCE_NAMES.get(source_type)
    return str(name) if name is not None else source_type.replace("_", " ")


def money_kinds_of(items) -> dict[int, str]:
    """{income/expense document id: its kind} for the entries or movements ``items`` that come
    from one (one query)."""
    from .models import MoneyDocument

    ids = {item.source_id for item in items if item.source_type == cash.SOURCE_MONEY}
    return dict(MoneyDocument.objects.filter(pk__in=ids).values_list("pk", "kind")) if ids else {}


def entries_of(source_type: str, source_id: int) -> list[JournalEntry]:
    """The journal entries a document wrote (and their reversals), in order."""
    return list(JournalEntry.objects.filter(source_type=source_type, source_id=source_id).order_by("id"))


def optional_url(name: str, *args, query: str = "") -> str | None:
    """The URL of ``name`` if that page exists (the statements are another app's pages)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


# --- Drafts with an editor: manual entries, cash transfers, income/expense documents -------------


class FinanceKind(DocumentKind):
    """A finance document's pages: its header form, its line grid (None for a transfer) and
    the services that write it. ``create_kwargs`` go to the create service only (the kind of
    an income/expense document)."""

    form_class: type
    grid_class: type[LineGrid] | None = None
    editor_template = "finance/ledger/editor.html"
    grid_template = ""
    create_kwargs: dict = {}
    texts: dict = {}

    @classmethod
    def grid_choices(cls, document) -> list:
        return []

    @classmethod
    def saved_lines(cls, document):
        return document.lines.order_by("line_no", "id")


class FinanceEditor(DocumentEditor):
    """New (no ``pk``) or draft document: the header form and, for documents with lines, a
    grid of lines (a select and amounts per line, live totals; "Add line" adds rows with or
    without JavaScript). Save draft / Post (saves, then posts: a refusal leaves the saved draft
    and shows the service's sentence) / Cancel or Delete the draft."""

    kind: type[FinanceKind]

    def get_template_names(self):
        return [self.kind.editor_template]

    def grid(self, data=None) -> LineGrid | None:
        grid_class = self.kind.grid_class
        if grid_class is None:
            return None
        choices = self.kind.grid_choices(self.object)
        if data is not None:
            return grid_class(data, choices=choices)
        if self.object is not None:
            return grid_class.from_lines(self.kind.saved_lines(self.object), choices=choices)
        return grid_class(choices=choices)

    def form(self, data=None, *, initial=None):
        if initial is None:
            initial = {} if self.object else {"date": timezone.localdate()}
        return self.kind.form_class(data=data, instance=self.object, initial=initial, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_editor(self.form(), self.grid())

    def post(self, request, *args, **kwargs):
        grid = self.grid(request.POST)
        if request.POST.get("_action") == "add_line":
            # More rows to type into (without JavaScript): show what was typed, check nothing yet.
            form = self.form(initial=request.POST.dict())
            return self.render_editor(form, grid, extra_rows=3, quiet=True)
        form = self.form(request.POST)
        grid_errors: list[str] = []
        if form.is_valid() and (grid is None or grid.is_valid()):
            try:
                document = self.save(form, grid)
            except ValidationError as exc:
                grid_errors = split_line_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                return self.after_save(document)
        elif grid is not None:
            grid_errors = grid.errors
        return self.render_editor(form, grid, grid_errors=grid_errors, status=400)

    def save(self, form, grid):
        data = form.service_data()
        if grid is not None:
            data["lines"] = grid.service_lines()
        if self.object is None:
            return self.kind.create_service(user=self.request.user, **self.kind.create_kwargs, **data)
        return self.kind.update_service(user=self.request.user, **{self.kind.instance_kwarg: self.object}, **data)

    def discard(self, document) -> dict:
        """The editor's button that gets rid of a saved draft: cancel it (those who may post)."""
        if document is None or not self.request.user.has_perm(self.kind.post_permission()):
            return {}
        return {
            "discard_url": self.url("cancel", document.pk),
            "discard_label": _("Cancel document"),
            "discard_confirm": _("Cancel this draft? It cannot be edited or posted afterwards."),
        }

    def render_editor(self, form, grid, *, grid_errors=None, status=200, extra_rows=1, quiet=False):
        document = self.object
        name = str(self.kind.texts.get("name", self.model._meta.verbose_name))
        rows = grid.shown_rows(extra=extra_rows) if grid is not None else []
        if quiet:
            for row in rows:
                row.errors = []
        context = self.get_context_data(
            form=form,
            form_errors=[] if quiet else form.non_field_errors(),
            document=document,
            kind=self.kind,
            texts=self.kind.texts,
            title=(
                _("%(model)s %(number)s") % {"model": capfirst(name), "number": document.number}
                if document
                else _("New %(model)s") % {"model": name}
            ),
            grid=grid,
            grid_rows=rows,
            grid_errors=grid_errors or [],
            grid_template=self.kind.grid_template,
            choices=grid.choices.values() if grid is not None else [],
            totals=self.totals(grid),
            may_post=self.request.user.has_perm(self.kind.post_permission()),
            back_url=self.url("list"),
            **self.discard(document),
        )
        return self.render_to_response(context, status=status)

    @staticmethod
    def totals(grid) -> dict:
        if grid is None:
            return {}
        totals = {name: grid.total(name) for name in grid.amounts}
        if {"debit", "credit"} <= set(totals):
            totals["difference"] = totals["debit"] - totals["credit"]
        return totals


def split_line_errors(form, exc: ValidationError) -> list[str]:
    """A service's ValidationError: line messages for the grid, the rest onto the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return []
    errors = dict(exc.error_dict)
    lines = [message for error in errors.pop("lines", []) for message in error.messages]
    if errors:
        add_service_errors(form, ValidationError(errors))
    return lines


def status_choices(form, choices=None) -> None:
    """The status filter (the API takes several, comma-separated) as one select in the bar."""
    from django import forms

    from .models import PaymentStatus

    if "status" in form.fields:
        form.fields["status"].widget = forms.Select(
            choices=[("", _("All")), *(choices or PaymentStatus.choices)], attrs={"data-autosubmit": ""}
        )


def document_header(document, names: list[str]) -> list[dict]:
    """Label/value pairs of a document's header (empty values left out), who created it, its note."""
    from apps.core.formatting import display_value, format_money

    rows = []
    model = type(document)
    for name in names:
        field = model._meta.get_field(name)
        value = getattr(document, name)
        if value is None or value == "":
            continue
        text = format_money(value) if field.get_internal_type() == "DecimalField" else display_value(field, value)
        if field.is_relation:
            text = str(value)
        rows.append({"label": capfirst(str(field.verbose_name)), "value": text})
    rows.append({"label": capfirst(_("created by")), "value": document.created_by.display_name})
    if document.note:
        rows.append({"label": capfirst(_("note")), "value": document.note})
    return rows


# --- The chart of accounts (科目) -------------------------------------------------------------


def account_balances() -> dict[int, tuple[Decimal, Decimal]]:
    """{account id: (debits, credits)} of every posted line, the account's own."""
    rows = (
        JournalLine.objects.filter(entry__status=POSTED)
        .values("account")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return {row["account"]: (row["debit"] or ZERO, row["credit"] or ZERO) for row in rows}


class ChartOfAccounts(Page):
    """科目: every account by code, sub-accounts indented under their parent, with its kind,
    its balance on its natural side (its sub-accounts' included) and whether it is active.
    Finance adds sub-accounts, renames, deactivates and deletes unused ones."""

    model = Account
    url_base = "finance:account"
    template_name = "finance/ledger/chart.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = list(Account.objects.order_by("code"))
        own = account_balances()
        kind = self.request.GET.get("kind", "")
        search = self.request.GET.get("search", "").strip()
        seeded = {row[0] for row in chart.CHART}
        with_children = {a.parent_id for a in accounts if a.parent_id}
        may_add, may_change, may_delete = self.may("add"), self.may("change"), self.may("delete")
        rows = []
        for account in accounts:
            debit = credit = ZERO
            for other in accounts:
                if other.code == account.code or other.code.startswith(f"{account.code}."):
                    d, c = own.get(other.pk, (ZERO, ZERO))
                    debit, credit = debit + d, credit + c
            if kind and account.kind != kind:
                continue
            if search and not any(
                search.lower() in text.lower() for text in (account.code, account.name, account.name_en)
            ):
                continue
            balance = debit - credit if account.debit_nature else credit - debit
            rows.append(
                {
                    "account": account,
                    "depth": account.code.count("."),
                    "balance": balance,
                    "has_lines": (debit or credit) != ZERO,
                    "journal_url": f"{reverse('finance:journal-list')}?account={account.pk}",
                    "add_url": f"{self.url('create')}?parent={account.pk}" if may_add and account.is_active else None,
                    "edit_url": self.url("update", account.pk) if may_change else None,
                    "delete_url": self.url("delete", account.pk)
                    if may_delete and account.code not in seeded and account.pk not in with_children
                    else None,
                }
            )
        from .models import AccountKind

        context.update(
            {
                "title": _("Chart of accounts"),
                "rows": rows,
                "kinds": AccountKind.choices,
                "kind": kind,
                "search": search,
                "create_url": self.url("create") if may_add else None,
            }
        )
        return context


class AccountCreate(Page):
    """A new sub-account (?parent= preselects the parent and proposes the next free code)."""

    model = Account
    url_base = "finance:account"
    verb = "add"
    template_name = "core/form.html"

    def form(self, data=None):
        initial = {}
        parent_id = self.request.GET.get("parent", "")
        if parent_id.isdigit():
            parent = Account.objects.filter(pk=int(parent_id), is_active=True).first()
            if parent is not None:
                initial = {"parent": parent.pk, "code": next_sub_code(parent)}
        return SubAccountForm(data=data, initial=initial, user=self.request.user)

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form,
            form_errors=form.non_field_errors(),
            title=_("New sub-account"),
            cancel_url=self.url("list"),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                account = services.account_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except BusinessError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Account %(account)s was added.") % {"account": account})
                return HttpResponseRedirect(f"{self.url('list')}#account-{account.pk}")
        return self.render(form, status=400)


class AccountEdit(ObjectPage):
    """Rename an account or (de)activate it; its code, kind and parent never change."""

    model = Account
    url_base = "finance:account"
    verb = "change"
    template_name = "finance/ledger/account_form.html"

    def render(self, form, status=200):
        seeded = self.object.code in {row[0] for row in chart.CHART}
        context = self.get_context_data(
            form=form,
            form_errors=form.non_field_errors(),
            object=self.object,
            title=_("Edit account %(account)s") % {"account": self.object},
            cancel_url=self.url("list"),
            delete_url=self.url("delete", self.object.pk) if self.may("delete") and not seeded else None,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(AccountEditForm(instance=self.object, user=request.user))

    def post(self, request, *args, **kwargs):
        form = AccountEditForm(data=request.POST, instance=self.object, user=request.user)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(self.url("list"))
            try:
                account = services.account_update(account=self.object, user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Account %(account)s was saved.") % {"account": account})
                return HttpResponseRedirect(f"{self.url('list')}#account-{account.pk}")
            self.object = self.get_object()
        return self.render(form, status=400)


@method_decorator(require_POST, name="dispatch")
class AccountDelete(ObjectPage):
    """Delete an unused sub-account; a used one stays (409 ``in_use`` shown as a message)."""

    model = Account
    url_base = "finance:account"
    verb = "delete"

    def post(self, request, *args, **kwargs):
        account = self.object
        label = str(account)
        try:
            services.account_delete(account=account, user=request.user)
        except BusinessError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Account %(account)s was deleted.") % {"account": label})
        return HttpResponseRedirect(self.url("list"))


# --- Journal entries (凭证) -----------------------------------------------------------------------


def journal_entries_for(user):
    return JournalEntry.objects.select_related("created_by")


class JournalKind(FinanceKind):
    model = JournalEntry
    url_base = "finance:journal"
    source_type = None
    selector = staticmethod(journal_entries_for)
    instance_kwarg = "entry"
    form_class = JournalEntryForm
    grid_class = JournalLineGrid
    grid_template = "finance/ledger/_journal_lines.html"
    create_service = staticmethod(journal.manual_create)
    update_service = staticmethod(journal.manual_update)
    post_service = staticmethod(journal.manual_post)
    reverse_service = staticmethod(journal.manual_reverse)
    done_messages = {
        "post": gettext_lazy("%(number)s was posted."),
        "reverse": gettext_lazy("The entry was reversed by %(number)s."),
    }
    texts = {
        "name": gettext_lazy("manual journal entry"),
        "confirm_post": gettext_lazy("Post this entry? A posted entry is never edited: only a reversal undoes it."),
    }

    @classmethod
    def grid_choices(cls, document) -> list:
        used = document.lines.values_list("account_id", flat=True) if document is not None else []
        return journal_accounts(used)

    @classmethod
    def saved_lines(cls, document):
        return document.lines.select_related("account").order_by("line_no", "id")


def _source_cell(entry: JournalEntry) -> str:
    return entry.source_number if entry.source_type else _("Manual")


class JournalList(FinanceList):
    """凭证: every entry, newest first; filters by date range, account (its sub-accounts
    included), source number, manual or written by a document, status; the totals row sums
    the entries selected."""

    model = JournalEntry
    url_base = "finance:journal"
    filterset_class = JournalEntryFilter
    filter_fields = ("search", "date_from", "date_to", "account", "manual", "status")
    api_url_name = "journal-entry-list"
    search_placeholder = gettext_lazy("Number, memo or source number")
    columns = (
        Column("number", link=True, order=True),
        Column("date", order=True),
        Column("memo"),
        Column(
            "source_number",
            gettext_lazy("source document"),
            value=_source_cell,
            link=lambda entry: source_link(entry.source_type, entry.source_id),
        ),
        Column("total", pgettext_lazy("journal entry", "amount"), order=True),
        StatusColumn("status", order=True),
    )

    def get_queryset(self):
        return journal_entries_for(self.request.user)

    def tune_filter_form(self, form):
        super().tune_filter_form(form)
        for name, label in (("date_from", _("From")), ("date_to", _("To"))):
            form.fields[name].label = label
        form.fields["manual"].label = _("Manual")
        status_choices(form, JournalStatus.choices)
        account = form.fields["account"]
        account.label = pgettext("chart of accounts", "Account")
        account.queryset = Account.objects.order_by("code")
        account.label_from_instance = lambda obj: f"{obj.code} {obj.label}"
        account.widget.choices = account.choices

    def totals(self, queryset):
        return queryset.order_by().aggregate(total=Coalesce(Sum("total"), Value(ZERO), output_field=_MONEY))


class JournalDetail(KindPage, ObjectPage):
    """An entry, read-only: its lines (account, description, debit, credit) and totals, the
    document that wrote it, the entry it reverses or that reverses it, who did what when.
    Manual entries: Post / Delete a draft (a draft opens in the editor for finance), Reverse a
    posted one. Entries written by documents have no buttons: cancel the document instead."""

    kind = JournalKind
    template_name = "finance/ledger/journal_detail.html"

    def get(self, request, *args, **kwargs):
        if self.object.status == DRAFT and self.object.is_manual and self.may("change"):
            return HttpResponseRedirect(self.url("update", self.object.pk))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        lines = list(entry.lines.select_related("account").order_by("line_no", "id"))
        reversed_by = JournalEntry.objects.filter(reversal_of=entry).first()
        reversal_of = entry.reversal_of
        may_post = self.request.user.has_perm(self.kind.post_permission())
        manual = entry.is_manual
        header = [
            {"label": capfirst(_("number")), "value": entry.number},
            {"label": capfirst(_("date")), "value": entry.date.isoformat()},
            {"label": capfirst(_("memo")), "value": entry.memo or "—"},
            {
                "label": capfirst(_("origin")),
                "value": _("Manual")
                if manual
                else source_name(entry.source_type, entry.source_id, money_kinds=money_kinds_of([entry])),
            },
            {"label": capfirst(_("created by")), "value": entry.created_by.display_name},
        ]
        if entry.posted_at:
            header.append({"label": capfirst(_("posted at")), "value": timezone.localtime(entry.posted_at)})
        if entry.note:
            header.append({"label": capfirst(_("note")), "value": entry.note})
        context.update(
            {
                "object": entry,
                "title": f"{context['model_name']} {entry.number}",
                "header_rows": header,
                "lines": lines,
                "total_debit": sum((line.debit for line in lines), ZERO),
                "total_credit": sum((line.credit for line in lines), ZERO),
                "source_url": source_link(entry.source_type, entry.source_id),
                "reversal_of": reversal_of,
                "reversed_by": reversed_by,
                "timeline": _timeline(entry),
                "post_url": self.url("post", entry.pk) if manual and may_post and entry.status == DRAFT else None,
                "delete_url": self.url("delete", entry.pk)
                if manual and self.may("delete") and entry.status == DRAFT
                else None,
                "reverse_url": self.url("reverse", entry.pk)
                if manual and may_post and entry.status == POSTED and reversal_of is None and reversed_by is None
                else None,
                "edit_url": self.url("update", entry.pk)
                if manual and entry.status == DRAFT and self.may("change")
                else None,
                "texts": self.kind.texts,
            }
        )
        return context


class JournalEditor(FinanceEditor):
    """A manual entry (finance): date, memo, note and its lines (account, debit, credit,
    description) with the debit and credit totals and their difference shown until they
    balance. The service refuses an unbalanced entry (400): nothing is written."""

    kind = JournalKind

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs and self.has_permission():
            entry = JournalEntry.objects.filter(pk=kwargs["pk"]).only("source_type").first()
            if entry is not None and not entry.is_manual:
                return HttpResponseRedirect(reverse("finance:journal-detail", args=[entry.pk]))
        return super().dispatch(request, *args, **kwargs)

    def discard(self, document) -> dict:
        if document is None or not self.request.user.has_perm(perm(JournalEntry, "delete")):
            return {}
        return {
            "discard_url": self.url("delete", document.pk),
            "discard_label": _("Delete draft"),
            "discard_confirm": _("Delete this draft entry? It is removed for good."),
        }


journal_post = action_view(JournalKind, "post")
journal_reverse = action_view(JournalKind, "reverse")


@method_decorator(require_POST, name="dispatch")
class JournalDelete(KindPage, ObjectPage):
    """Delete a draft manual entry (a posted one is 409 ``invalid_state``: reverse it)."""

    kind = JournalKind
    verb = "delete"

    def post(self, request, *args, **kwargs):
        entry = self.object
        number = entry.number
        try:
            journal.manual_delete(entry=entry, user=request.user)
        except BusinessError as exc:
            messages.error(request, exc.detail)
            return HttpResponseRedirect(self.url("detail", entry.pk))
        messages.success(request, _("%(number)s was deleted.") % {"number": number})
        return HttpResponseRedirect(self.url("list"))


# --- The books check (对账检查) -------------------------------------------------------------------


class BooksCheck(PermissionRequiredMixin, TemplateView):
    """Runs every check of ``manage.py check_books`` and shows each one ok or failing with
    its differences (finance and management)."""

    permission_required = "finance.view_statements"
    template_name = "finance/ledger/books_check.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = [{"check": check, "problems": problems} for check, problems in books.run_checks()]
        context.update(
            {
                "title": _("Books check"),
                "results": results,
                "failing": sum(1 for result in results if result["problems"]),
                "checked_at": timezone.localtime(),
            }
        )
        return context
