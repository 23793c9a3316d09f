"""The general ledger over the API (registered in apps/finance/api_urls.py):

- ``cash-accounts/`` 结算账户 and their cash journal (资金流水, ``{id}/journal/``);
- ``accounts/`` the chart of accounts (科目) with each account's balance;
- ``journal-entries/`` 凭证: every entry to read; finance's manual entries to write, post and reverse;
- ``cash-transfers/`` 资金调拨, ``income-expenses/`` 收入单 / 支出单 and their
  ``income-expense-categories/``;
- ``periods/`` the months of the books, the pre-close checklist, close (月结) and reopen;
- ``books-check/`` whether the books reconcile (the checks of ``manage.py check_books``).

Serializers check the shape of the input; the services (apps.finance.cash, .journal, .periods,
.services, .books) apply the rules and raise 400 (ValidationError) or 409 (BusinessError).
Permissions come from the departments table: finance and management read all of it; finance
alone writes the chart and manual entries and closes a month; management alone reopens one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.core.api import DocumentViewSet, JSONErrorsMixin, MasterDataViewSet
from apps.core.fields import ZERO
from apps.core.services import record_save
from apps.core.xlsx import Column, columns_from_serializer
from apps.inventory.api import DocumentHeaderSerializer, StockDocumentViewSet
from apps.inventory.selectors import source_url

from . import books, cash, journal, periods, services
from .filters import (
    AccountFilter,
    CashAccountFilter,
    CashTransferFilter,
    JournalEntryFilter,
    MoneyCategoryFilter,
    MoneyDocumentFilter,
)
from .models import (
    Account,
    CashAccount,
    CashTransfer,
    JournalEntry,
    JournalLine,
    JournalStatus,
    MoneyCategory,
    MoneyDocument,
    MoneyKind,
    MoneyLine,
    Period,
    PeriodEvent,
)


def _money(label, **kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, label=label, **kwargs)


class DateRangeSerializer(serializers.Serializer):
    """``?date_from=`` / ``?date_to=`` of a read (both optional, both ends included)."""

    date_from = serializers.DateField(required=False, label=_("date from"))
    date_to = serializers.DateField(required=False, label=_("date to"))

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return attrs


def date_range(request) -> dict:
    """The validated ``date_from``/``date_to`` query parameters (400 on a bad date)."""
    params = DateRangeSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


DATE_FROM = OpenApiParameter("date_from", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False)
DATE_TO = OpenApiParameter("date_to", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False)


# --- Cash and bank accounts (结算账户) and the cash journal (资金流水) ----------------------------


class CashAccountSerializer(serializers.ModelSerializer):
    opening_balance = _money(
        _("opening balance"),
        required=False,
        help_text=_(
            "Booked on the opening date against 3001 paid-in capital; a change books the difference on that date."
        ),
    )
    ledger_account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        allow_null=True,
        label=_("ledger account"),
        help_text=_("An active account under 1001 or 1002; empty = 1001 cash or 1002 bank by kind."),
    )
    ledger_account_code = serializers.CharField(
        source="ledger_account.code", read_only=True, allow_null=True, label=_("ledger account code")
    )

    class Meta:
        model = CashAccount
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "opening_balance",
            "opening_date",
            "balance",
            "ledger_account",
            "ledger_account_code",
            "is_default",
            "is_active",
        ]
        read_only_fields = ["balance", "is_default"]


class CashJournalRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(label=_("ID"))
    date = serializers.DateField(label=_("date"))
    source_type = serializers.CharField(label=_("source type"))
    source_number = serializers.CharField(label=_("source number"))
    source_url = serializers.CharField(allow_null=True, label=_("source page"))
    counterparty = serializers.CharField(label=_("counterparty"))
    amount = _money(_("amount"), help_text=_("Signed: money in is positive, money out negative."))
    inflow = _money(_("inflow"))
    outflow = _money(_("outflow"))
    balance = _money(_("balance"), help_text=_("The running balance after this movement."))


class CashJournalSerializer(serializers.Serializer):
    account = CashAccountSerializer(label=_("account"))
    date_from = serializers.DateField(allow_null=True, label=_("date from"))
    date_to = serializers.DateField(allow_null=True, label=_("date to"))
    opening = _money(_("opening balance"), help_text=_("The balance before the first movement shown."))
    rows = CashJournalRowSerializer(many=True, label=_("rows"))
    inflow = _money(_("total inflow"))
    outflow = _money(_("total outflow"))
    closing = _money(_("closing balance"))


@extend_schema_view(
    journal=extend_schema(
        parameters=[DATE_FROM, DATE_TO],
        responses=CashJournalSerializer,
        summary=_("The cash journal (资金流水) of the account with running balances"),
    ),
)
class CashAccountViewSet(MasterDataViewSet):
    """结算账户: the cash tills and bank accounts money moves through. A non-zero opening balance
    is booked on the opening date (cash journal and a journal entry against 3001); changing it
    books the difference (409 ``period_closed`` when that date's month is closed). The kind,
    opening date and ledger account stay once money has moved (400). ``balance`` is written
    only by the postings. An account that money moved through is never deleted (409
    ``in_use``): deactivate it. Read by finance and management, who also write."""

    queryset = CashAccount.objects.select_related("ledger_account")
    serializer_class = CashAccountSerializer
    filterset_class = CashAccountFilter
    instance_kwarg = "account"
    xlsx_filename = "cash-accounts"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("kind", CashAccount.Kind.BANK)
        serializer.instance = cash.cash_account_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = cash.cash_account_update(
            account=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        cash.cash_account_delete(account=instance, user=self.request.user)

    def xlsx_columns(self) -> list[Column]:
        if self.action == "journal":
            return columns_from_serializer(CashJournalRowSerializer())
        return columns_from_serializer(self.get_serializer())

    @action(detail=True, methods=["get"])
    def journal(self, request, pk=None):
        """资金流水: the account's movements in date order (``?date_from=``/``?date_to=``), each
        with the running balance after it; ``opening`` is the balance before the first one
        shown, ``closing`` the balance after the last. ``?format=xlsx``: the rows in Excel."""
        account = self.get_object()
        dates = date_range(request)
        opening, movements = cash.cash_journal(account, date_from=dates.get("date_from"), date_to=dates.get("date_to"))
        rows = [
            {
                "id": movement.pk,
                "date": movement.date,
                "source_type": movement.source_type,
                "source_number": movement.source_number,
                "source_url": source_url(movement.source_type, movement.source_id),
                "counterparty": movement.counterparty,
                "amount": movement.amount,
                "inflow": movement.amount if movement.amount > 0 else ZERO,
                "outflow": -movement.amount if movement.amount < 0 else ZERO,
                "balance": movement.running,
            }
            for movement in movements
        ]
        data = {
            "account": account,
            "date_from": dates.get("date_from"),
            "date_to": dates.get("date_to"),
            "opening": opening,
            "rows": rows,
            "inflow": sum((row["inflow"] for row in rows), ZERO),
            "outflow": sum((row["outflow"] for row in rows), ZERO),
            "closing": rows[-1]["balance"] if rows else opening,
        }
        return Response(CashJournalSerializer(data, context=self.get_serializer_context()).data)


# --- The chart of accounts (科目) -------------------------------------------------------------


class _Balances:
    """Each account's balance (debits − credits of posted lines dated up to ``date_to``, its
    sub-accounts' included), computed once per request on first use."""

    def __init__(self, date_to: datetime.date | None):
        self.date_to = date_to
        self._by_account: dict[int, Decimal] | None = None

    def __getitem__(self, account: Account) -> Decimal:
        if self._by_account is None:
            self._by_account = self._load()
        return self._by_account.get(account.pk, ZERO)

    def _load(self) -> dict[int, Decimal]:
        lines = JournalLine.objects.filter(entry__status=JournalStatus.POSTED)
        if self.date_to is not None:
            lines = lines.filter(entry__date__lte=self.date_to)
        own = {
            row["account"]: (row["debit"] or ZERO) - (row["credit"] or ZERO)
            for row in lines.values("account").annotate(debit=Sum("debit"), credit=Sum("credit"))
        }
        parents = dict(Account.objects.values_list("pk", "parent_id"))
        result: dict[int, Decimal] = {}
        for account_id, amount in own.items():
            seen = set()
            while account_id is not None and account_id not in seen:
                seen.add(account_id)
                result[account_id] = result.get(account_id, ZERO) + amount
                account_id = parents.get(account_id)
        return result


@extend_schema_field(OpenApiTypes.DECIMAL)
class BalanceField(serializers.DecimalField):
    """An account's balance from the view's ``balances`` (see :class:`_Balances`)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=18, decimal_places=2, read_only=True, **kwargs)

    def get_attribute(self, instance):
        balances = self.context.get("balances")
        return balances[instance] if balances is not None else None


class AccountSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, label=_("label"), help_text=_("The name in the user's language."))
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        label=_("parent"),
        help_text=_("Required when adding: a sub-account extends its parent's code (6602 → 6602.01) and kind."),
    )
    balance = BalanceField(
        label=_("balance"),
        allow_null=True,
        help_text=_(
            "Debits − credits of posted entries (sub-accounts included) up to ?date_to= (default: all); "
            "negative for a credit balance."
        ),
    )

    class Meta:
        model = Account
        fields = ["id", "code", "name", "name_en", "label", "kind", "parent", "is_active", "balance"]
        read_only_fields = ["kind"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # Seeded accounts have no parent: an update never requires one.
            fields["parent"].required = False
            fields["parent"].allow_null = True
        return fields

    def validate(self, attrs):
        if self.instance is not None:
            errors = {}
            if "code" in attrs and attrs["code"] != self.instance.code:
                errors["code"] = [_("An account's code never changes: add a new account instead.")]
            if "parent" in attrs and attrs["parent"] != self.instance.parent:
                errors["parent"] = [_("An account's parent never changes.")]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


@extend_schema_view(list=extend_schema(parameters=[DATE_TO]), retrieve=extend_schema(parameters=[DATE_TO]))
class AccountViewSet(MasterDataViewSet):
    """科目: the chart of accounts (小企业会计准则 codes). Finance adds sub-accounts (POST with a
    ``parent``: the code extends the parent's, the kind is the parent's), renames them and
    (de)activates them; the code, kind and parent never change. The accounts the posting rules
    book to stay active (400). Deleting an account with entries, sub-accounts, a cash account
    or a category is 409 ``in_use``. ``balance``: at ``?date_to=`` (default: everything posted)."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    create_service = staticmethod(services.account_create)
    delete_service = staticmethod(services.account_delete)
    instance_kwarg = "account"
    xlsx_filename = "accounts"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        date_to = None
        if getattr(self, "request", None) is not None and not getattr(self, "swagger_fake_view", False):
            date_to = date_range(self.request).get("date_to")
        context["balances"] = _Balances(date_to)
        return context

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in ("name", "name_en", "is_active")}
        serializer.instance = services.account_update(account=serializer.instance, user=self.request.user, **data)


# --- Journal entries (凭证) --------------------------------------------------------------------


class JournalLineSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all(), label=_("account"))
    account_code = serializers.CharField(source="account.code", read_only=True, label=_("account code"))
    account_name = serializers.CharField(source="account.label", read_only=True, label=_("account name"))
    debit = _money(_("debit"), required=False, default=ZERO)
    credit = _money(_("credit"), required=False, default=ZERO)

    class Meta:
        model = JournalLine
        fields = ["line_no", "account", "account_code", "account_name", "debit", "credit", "description"]
        read_only_fields = ["line_no"]


class JournalEntrySerializer(DocumentHeaderSerializer):
    lines = JournalLineSerializer(
        many=True,
        label=_("lines"),
        help_text=_("At least two; each a debit or a credit (not both); debits equal credits."),
    )
    is_manual = serializers.BooleanField(read_only=True, label=_("manual"))
    source_url = serializers.SerializerMethodField(label=_("source page"))
    reversed_by = serializers.SerializerMethodField(label=_("reversed by"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = JournalEntry
        fields = [
            *DocumentHeaderSerializer.COMMON,
            "memo",
            "is_manual",
            "source_type",
            "source_id",
            "source_number",
            "source_url",
            "reversal_of",
            "reversed_by",
            "total",
            "posted_at",
            "lines",
        ]
        read_only_fields = [
            *DocumentHeaderSerializer.Meta.read_only_fields,
            "source_type",
            "source_id",
            "source_number",
            "reversal_of",
            "total",
            "posted_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_source_url(self, entry) -> str | None:
        """The page of the document that wrote the entry, where one exists."""
        if not entry.source_type or entry.source_id is None:
            return None
        return source_url(entry.source_type, entry.source_id)

    @extend_schema_field(OpenApiTypes.INT)
    def get_reversed_by(self, entry) -> int | None:
        try:
            return entry.reversed_by.pk
        except JournalEntry.DoesNotExist:
            return None


class ReverseSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, label=_("date"), help_text=_("The reversal's date (default: today); in an open month.")
    )


POST_JOURNAL = "finance.post_journalentry"


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post a draft manual entry")),
    reverse=extend_schema(
        request=ReverseSerializer,
        responses={201: JournalEntrySerializer},
        summary=_("Reverse a posted manual entry: answers the new reversing entry (201)"),
    ),
)
class JournalEntryViewSet(mixins.DestroyModelMixin, DocumentViewSet):
    """凭证. Every posting service writes its entry, posted, in its own transaction (``source_*``
    name the document; cancelling the document reverses it with a new entry). Finance also
    writes manual entries: created as drafts (balanced, each line a debit or a credit: 400 on
    ``lines`` otherwise), changed with PUT/PATCH and deleted while drafts, then ``post``
    (409 ``period_closed`` in a closed month) and ``reverse``. ``reverse`` answers the NEW
    reversing entry with 201 (the original is unchanged; its ``reversed_by`` points at the new
    one). A posted entry, or one written by a document, is never edited or deleted: 409
    ``invalid_state`` (cancel the document, or reverse the entry). Read by finance and
    management; written, posted and reversed by finance only."""

    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilter
    queryset = JournalEntry.objects.all()
    instance_kwarg = "entry"
    xlsx_filename = "journal-entries"
    action_permissions = {
        "create": ["finance.add_journalentry", POST_JOURNAL],
        "update": ["finance.change_journalentry", POST_JOURNAL],
        "partial_update": ["finance.change_journalentry", POST_JOURNAL],
        "destroy": ["finance.delete_journalentry", POST_JOURNAL],
        "post_document": ["finance.add_journalentry", POST_JOURNAL],
        "reverse": ["finance.add_journalentry", POST_JOURNAL],
    }

    def get_queryset(self):
        lines = JournalLine.objects.select_related("account").order_by("line_no", "id")
        return JournalEntry.objects.select_related("reversed_by").prefetch_related(Prefetch("lines", queryset=lines))

    @staticmethod
    def _lines(data: dict) -> dict:
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        return data

    def perform_create(self, serializer):
        data = self._lines(dict(serializer.validated_data))
        serializer.instance = journal.manual_create(user=self.request.user, **data)

    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        if entry.status != JournalStatus.DRAFT or not entry.is_manual:
            # Refused whatever the body says: the service says why (409 invalid_state).
            journal.manual_update(entry=entry, user=request.user)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        data = self._lines(dict(serializer.validated_data))
        serializer.instance = journal.manual_update(entry=serializer.instance, user=self.request.user, **data)

    def perform_destroy(self, instance):
        journal.manual_delete(entry=instance, user=self.request.user)

    @action(detail=True, methods=["post"], url_path="post")
    def post_document(self, request, pk=None):
        """Post a draft manual entry (posting a posted one changes nothing)."""
        return self.run_action(journal.manual_post)

    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reverse a posted manual entry with a new entry dated ``date`` (today); 201 with the new entry."""
        params = ReverseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        entry = journal.manual_reverse(entry=self.get_object(), user=request.user, **params.validated_data)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


# --- Cash transfers (资金调拨) ----------------------------------------------------------------


class CashTransferSerializer(DocumentHeaderSerializer):
    from_account = serializers.PrimaryKeyRelatedField(queryset=CashAccount.objects.all(), label=_("from account"))
    to_account = serializers.PrimaryKeyRelatedField(queryset=CashAccount.objects.all(), label=_("to account"))
    from_account_name = serializers.CharField(source="from_account.name", read_only=True, label=_("from"))
    to_account_name = serializers.CharField(source="to_account.name", read_only=True, label=_("to"))
    amount = _money(_("amount"))

    class Meta(DocumentHeaderSerializer.Meta):
        model = CashTransfer
        fields = [
            *DocumentHeaderSerializer.COMMON,
            "from_account",
            "from_account_name",
            "to_account",
            "to_account_name",
            "amount",
        ]
        validators = []  # from ≠ to is the service's rule (a field message on to_account)


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: move the money between the accounts")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted transfer")),
)
class CashTransferViewSet(StockDocumentViewSet):
    """资金调拨: money moved between two of our own cash/bank accounts. Posting takes it out of
    one and into the other on the transfer's date and writes one entry (409 ``period_closed``
    in a closed month); cancelling reverses both. Posting and cancelling need
    ``finance.post_cashtransfer`` (finance, management)."""

    serializer_class = CashTransferSerializer
    filterset_class = CashTransferFilter
    queryset = CashTransfer.objects.select_related("from_account", "to_account")
    create_service = staticmethod(cash.cash_transfer_create)
    update_service = staticmethod(cash.cash_transfer_update)
    post_service = staticmethod(cash.cash_transfer_post)
    cancel_service = staticmethod(cash.cash_transfer_cancel)
    instance_kwarg = "transfer"
    action_permissions = {
        "post_document": ["finance.post_cashtransfer"],
        "cancel": ["finance.post_cashtransfer"],
    }
    xlsx_filename = "cash-transfers"

    def get_queryset(self):
        return CashTransfer.objects.select_related("from_account", "to_account")


# --- Other income and expenses (收入单 / 支出单) -----------------------------------------------


@extend_schema_field({"type": "string", "enum": list(MoneyKind.values), "x-spec-enum-id": "finance-category-kind"})
class CategoryKindField(serializers.ChoiceField):
    """``income`` | ``expense`` of a category. Its own enum id gives the schema a
    ``MoneyCategoryKindEnum`` beside the documents' ``MoneyDocumentKindEnum``: otherwise two
    components share one choice set under the field name ``kind`` (already used by other
    choice sets), which drf-spectacular can only name with a hash and a warning. With
    ``"MoneyKindEnum": "apps.finance.models.MoneyKind"`` in ``ENUM_NAME_OVERRIDES`` this
    field could be a plain ChoiceField."""

    def __init__(self, **kwargs):
        super().__init__(choices=MoneyKind.choices, **kwargs)


class MoneyCategorySerializer(serializers.ModelSerializer):
    kind = CategoryKindField(label=_("kind"))
    label = serializers.CharField(read_only=True, label=_("label"))
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        label=_("account"),
        help_text=_("Where its amounts are booked (an income, expense or other account; not cash or bank)."),
    )
    account_code = serializers.CharField(source="account.code", read_only=True, label=_("account code"))

    class Meta:
        model = MoneyCategory
        fields = ["id", "kind", "name", "name_en", "label", "account", "account_code", "is_active"]

    def validate_account(self, account: Account) -> Account:
        from . import chart

        if not account.is_active:
            raise serializers.ValidationError(_("This account is inactive."))
        if any(account.code == code or account.code.startswith(f"{code}.") for code in (chart.CASH, chart.BANK)):
            raise serializers.ValidationError(_("Choose the account the income or expense belongs to, not cash."))
        return account

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError(_("A category's kind never changes: add a new category instead."))
        return kind


def money_category_create(*, user, **fields) -> MoneyCategory:
    return record_save(MoneyCategory(), user=user, fields=fields)


def money_category_update(*, category: MoneyCategory, user, **fields) -> MoneyCategory:
    return record_save(category, user=user, fields=fields)


class MoneyCategoryViewSet(MasterDataViewSet):
    """Categories of other income and expenses (房租 rent, 工资 wages, 运费 freight ...) and the
    account each books to. Read by finance and management, written by finance. A category
    used by a document is never deleted (409 ``in_use``): deactivate it."""

    queryset = MoneyCategory.objects.select_related("account")
    serializer_class = MoneyCategorySerializer
    filterset_class = MoneyCategoryFilter
    create_service = staticmethod(money_category_create)
    update_service = staticmethod(money_category_update)
    instance_kwarg = "category"
    xlsx_filename = "income-expense-categories"


class MoneyLineSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=MoneyCategory.objects.all(), label=_("category"))
    category_name = serializers.CharField(source="category.label", read_only=True, label=_("category name"))
    amount = _money(_("amount"))

    class Meta:
        model = MoneyLine
        fields = ["line_no", "category", "category_name", "amount", "description"]
        read_only_fields = ["line_no"]


class MoneyDocumentSerializer(DocumentHeaderSerializer):
    account = serializers.PrimaryKeyRelatedField(
        queryset=CashAccount.objects.all(),
        required=False,
        allow_null=True,
        label=_("account"),
        help_text=_("The cash/bank account paid into or from; empty = the default account."),
    )
    account_name = serializers.CharField(source="account.name", read_only=True, label=_("account name"))
    lines = MoneyLineSerializer(many=True, label=_("lines"), help_text=_("One line per category of the kind."))

    class Meta(DocumentHeaderSerializer.Meta):
        model = MoneyDocument
        fields = [
            *DocumentHeaderSerializer.COMMON,
            "kind",
            "account",
            "account_name",
            "counterparty",
            "total",
            "lines",
        ]

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError(_("The kind never changes: cancel the document and write a new one."))
        return kind


@extend_schema_view(
    post_document=extend_schema(request=None, summary=_("Post: move the money and book the categories")),
    cancel=extend_schema(request=None, summary=_("Cancel a draft, or reverse a posted document")),
)
class MoneyDocumentViewSet(StockDocumentViewSet):
    """收入单 (``kind`` income, OI-) / 支出单 (expense, OE-): other income paid into, or an
    expense paid from, a cash/bank account, one line per category (rent, wages, freight ...).
    Posting moves the money and books each line to its category's account (409
    ``period_closed`` in a closed month); cancelling reverses both. ``?kind=`` filters. Posting
    and cancelling need ``finance.post_moneydocument`` (finance, management)."""

    serializer_class = MoneyDocumentSerializer
    filterset_class = MoneyDocumentFilter
    queryset = MoneyDocument.objects.all()
    create_service = staticmethod(cash.money_document_create)
    update_service = staticmethod(cash.money_document_update)
    post_service = staticmethod(cash.money_document_post)
    cancel_service = staticmethod(cash.money_document_cancel)
    instance_kwarg = "document"
    action_permissions = {
        "post_document": ["finance.post_moneydocument"],
        "cancel": ["finance.post_moneydocument"],
    }
    xlsx_filename = "income-expenses"

    def get_queryset(self):
        lines = MoneyLine.objects.select_related("category").order_by("line_no", "id")
        return MoneyDocument.objects.select_related("account").prefetch_related(Prefetch("lines", queryset=lines))


# --- Periods (月份) and the month-end close (月结) ----------------------------------------------


class PeriodEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=PeriodEvent.Action.choices, label=_("action"))
    reason = serializers.CharField(label=_("reason"))
    user = serializers.IntegerField(source="user_id", label=_("user"))
    user_name = serializers.CharField(source="user.display_name", label=_("user name"))
    at = serializers.DateTimeField(label=_("at"))


class PeriodSerializer(serializers.Serializer):
    month = serializers.CharField(label=_("month"), help_text=_("YYYY-MM"))
    date_from = serializers.DateField(label=_("first day"))
    date_to = serializers.DateField(label=_("last day"))
    is_closed = serializers.BooleanField(label=_("closed"))
    closed_at = serializers.DateTimeField(allow_null=True, label=_("closed at"))
    closed_by = serializers.IntegerField(allow_null=True, label=_("closed by"))
    events = PeriodEventSerializer(many=True, label=_("events"), help_text=_("Closes and reopens, newest first."))


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("key"))
    label = serializers.CharField(label=_("check"))
    ok = serializers.BooleanField(label=_("OK"))
    problems = serializers.ListField(child=serializers.CharField(), label=_("problems"))


class ChecklistSerializer(serializers.Serializer):
    month = serializers.CharField(label=_("month"))
    is_closed = serializers.BooleanField(label=_("closed"))
    items = ChecklistItemSerializer(many=True, label=_("items"))
    can_close = serializers.BooleanField(label=_("can close"))


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("reason"), help_text=_("Why the month is reopened."))


def _month_key(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


def _period_row(month: datetime.date, period: Period | None) -> dict:
    events = list(period.events.all()) if period is not None else []
    return {
        "month": _month_key(month),
        "date_from": month,
        "date_to": periods.month_end(month),
        "is_closed": bool(period and period.is_closed),
        "closed_at": period.closed_at if period else None,
        "closed_by": period.closed_by_id if period else None,
        "events": events,
    }


def _last_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    month = today.replace(day=1)
    result = []
    for _i in range(count):
        result.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return result


@extend_schema_view(
    list=extend_schema(summary=_("The months of the books: the last twelve and any other with entries")),
    retrieve=extend_schema(summary=_("One month (YYYY-MM)")),
    checklist=extend_schema(responses=ChecklistSerializer, summary=_("What must hold before the month closes")),
    close=extend_schema(
        request=None,
        responses={200: PeriodSerializer, 409: OpenApiResponse(description=_("invalid_state with the checklist"))},
        summary=_("Close the month (月结)"),
    ),
    reopen=extend_schema(request=ReopenSerializer, responses=PeriodSerializer, summary=_("Reopen a closed month")),
)
class PeriodViewSet(JSONErrorsMixin, viewsets.GenericViewSet):
    """月份: the months of the books, newest first — the twelve up to the current one and any
    other month with a period row or journal entries. A closed month refuses every posting
    dated in it (409 ``period_closed``). ``checklist`` says what must hold before it closes
    (earlier months closed, no drafts dated in or before it, the books and the stock ledger
    reconcile); ``close`` (finance: ``finance.close_period``) is 409 ``invalid_state`` with the
    failing items while they fail; ``reopen`` (management: ``finance.reopen_period``) needs a
    ``reason`` (400 without one) and is recorded with it. Months are ``YYYY-MM``; another
    string is 404."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    lookup_field = "month"
    lookup_value_regex = r"\d{4}-\d{2}"
    filter_backends: list = []
    action_permissions = {"close": ["finance.close_period"], "reopen": ["finance.reopen_period"]}
    xlsx_filename = "periods"

    def _month(self) -> datetime.date:
        try:
            year, month = (int(part) for part in self.kwargs["month"].split("-"))
            return datetime.date(year, month, 1)
        except (KeyError, ValueError):
            raise Http404 from None

    @staticmethod
    def _periods(months=None) -> dict[datetime.date, Period]:
        events = PeriodEvent.objects.select_related("user").order_by("-at", "-id")
        queryset = Period.objects.prefetch_related(Prefetch("events", queryset=events))
        if months is not None:
            queryset = queryset.filter(month__in=months)
        return {period.month: period for period in queryset}

    def _row(self, month: datetime.date) -> dict:
        return _period_row(month, self._periods([month]).get(month))

    def xlsx_columns(self) -> list[Column]:
        return columns_from_serializer(PeriodSerializer())

    def list(self, request, *args, **kwargs):
        found = self._periods()
        months = set(_last_months(timezone.localdate())) | set(found)
        months |= {d.replace(day=1) for d in JournalEntry.objects.dates("date", "month")}
        rows = [_period_row(month, found.get(month)) for month in sorted(months, reverse=True)]
        if request.accepted_renderer.format == "xlsx":
            return Response({"results": PeriodSerializer(rows, many=True).data})
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PeriodSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(PeriodSerializer(self._row(self._month())).data)

    @action(detail=True, methods=["get"])
    def checklist(self, request, month=None):
        month = self._month()
        items = periods.checklist(month)
        closed = periods.is_closed(month)
        data = {
            "month": _month_key(month),
            "is_closed": closed,
            "items": [vars(item) for item in items],
            "can_close": not closed and all(item.ok for item in items),
        }
        return Response(ChecklistSerializer(data).data)

    @action(detail=True, methods=["post"])
    def close(self, request, month=None):
        month = self._month()
        periods.close_period(month=month, user=request.user)
        return Response(PeriodSerializer(self._row(month)).data)

    @action(detail=True, methods=["post"])
    def reopen(self, request, month=None):
        month = self._month()
        params = ReopenSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        periods.reopen_period(month=month, user=request.user, reason=params.validated_data["reason"])
        return Response(PeriodSerializer(self._row(month)).data)


# --- Do the books reconcile? -----------------------------------------------------------------


class HasPermissions(BasePermission):
    """The user holds every one of the view's ``required_permissions``; anonymous users are refused."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_permissions))


class BooksCheckItemSerializer(serializers.Serializer):
    key = serializers.CharField(label=_("key"))
    label = serializers.CharField(label=_("check"))
    ok = serializers.BooleanField(label=_("OK"))
    problems = serializers.ListField(child=serializers.CharField(), label=_("problems"))


class BooksCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField(label=_("OK"))
    checks = BooksCheckItemSerializer(many=True, label=_("checks"))


@extend_schema(responses=BooksCheckSerializer, summary=_("Whether the books reconcile (check_books)"))
class BooksCheckView(JSONErrorsMixin, GenericAPIView):
    """The checks of ``manage.py check_books``: the journal balances (overall and per entry),
    inventory 1405 = the stock ledger's value, receivables 1122 and payables 2202 = their open
    items, the VAT accounts = the documents' taxes, cash and bank = the cash journals, every
    posting has its entry. ``ok`` is true when no check finds a problem. Needs
    ``finance.view_statements`` (finance, management)."""

    permission_classes = [HasPermissions]
    required_permissions = ("finance.view_statements",)
    serializer_class = BooksCheckSerializer
    pagination_class = None
    filter_backends: list = []
    xlsx_filename = "books-check"

    def get_queryset(self):  # pragma: no cover - not a model list
        return None

    def xlsx_columns(self) -> list[Column]:
        return [
            Column("key", _("key")),
            Column("label", _("check")),
            Column("ok", _("OK")),
            Column("problems", _("problems")),
        ]

    def get(self, request, *args, **kwargs):
        checks = [
            {"key": check.key, "label": str(check.label), "ok": not problems, "problems": problems}
            for check, problems in books.run_checks()
        ]
        data = BooksCheckSerializer({"ok": all(c["ok"] for c in checks), "checks": checks}).data
        if request.accepted_renderer.format == "xlsx":
            return Response({"rows": [{**c, "problems": "\n".join(c["problems"])} for c in data["checks"]]})
        return Response(data)
