from django.urls import path

from apps.core.crud import crud_urls

from . import document_views as docs
from . import stock_views, views

app_name = "inventory"

urlpatterns = [
    *crud_urls(
        "warehouses/",
        "warehouse",
        list_view=views.WarehouseList,
        detail_view=views.WarehouseDetail,
        create_view=views.WarehouseCreate,
        update_view=views.WarehouseUpdate,
    ),
    *crud_urls(
        "categories/",
        "category",
        list_view=views.CategoryList,
        detail_view=views.CategoryDetail,
        create_view=views.CategoryCreate,
        update_view=views.CategoryUpdate,
    ),
    *crud_urls(
        "units/",
        "unit",
        list_view=views.UnitList,
        detail_view=views.UnitDetail,
        create_view=views.UnitCreate,
        update_view=views.UnitUpdate,
    ),
    *crud_urls(
        "products/",
        "product",
        list_view=views.ProductList,
        detail_view=views.ProductDetail,
        create_view=views.ProductCreate,
        update_view=views.ProductUpdate,
    ),
    # Stock reads: balances and the stock card (stock_views.py).
    path("stock/balances/", stock_views.StockBalanceList.as_view(), name="stock-balance-list"),
    path("stock/balances/<int:pk>/", stock_views.StockBalanceDetail.as_view(), name="stock-balance-detail"),
    path("stock/card/", stock_views.StockCard.as_view(), name="stock-card"),
    # The warehouse's documents: stock adjustments, transfers, counts (document_views.py).
    *docs.document_urls(
        "adjustments/",
        "adjustment",
        docs.AdjustmentKind,
        docs.AdjustmentList,
        docs.AdjustmentDetail,
        docs.AdjustmentCreate,
        docs.AdjustmentGrid,
        docs.AdjustmentPrint,
    ),
    *docs.document_urls(
        "transfers/",
        "transfer",
        docs.TransferKind,
        docs.TransferList,
        docs.TransferDetail,
        docs.TransferCreate,
        docs.TransferGrid,
        docs.TransferPrint,
    ),
    path("counts/", docs.CountList.as_view(), name="count-list"),
    path("counts/new/", docs.CountStart.as_view(), name="count-create"),
    path("counts/<int:pk>/", docs.CountDetail.as_view(), name="count-detail"),
    path("counts/<int:pk>/scan/", docs.CountScan.as_view(), name="count-scan"),
    path("counts/<int:pk>/count/", docs.CountSet.as_view(), name="count-count"),
    path("counts/<int:pk>/print/", docs.CountPrint.as_view(), name="count-print"),
    path("counts/<int:pk>/sheet.xlsx", docs.CountExcel.as_view(), name="count-excel"),
    path("counts/<int:pk>/post/", docs.action_view(docs.CountKind, "post"), name="count-post"),
    path("counts/<int:pk>/cancel/", docs.action_view(docs.CountKind, "cancel"), name="count-cancel"),
]
