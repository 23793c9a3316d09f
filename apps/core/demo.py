"""The demo company (演示公司): three warehouses, a catalogue of a few hundred products, suppliers,
customers and one user per department, with two and a half months of purchasing and two of
selling, and the books of it all: a bank account and a till opened before the history, the
rent, wages and utilities of every month, a little other income and a draw of cash from the
bank — so a fresh install has something to click through and its books reconcile.

``load_demo()`` writes everything through the master-data services (audit trail, pinyin search
index, validation) in one transaction. It is idempotent: when warehouse SH01 already exists the
demo is considered loaded and nothing is written. The data is generated deterministically (a
seeded ``random.Random`` over the lists below), so every install gets the same demo company.

Run it with ``manage.py load_demo``; the README's run command calls it on every start.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history

from apps.accounts import departments as dept
from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.customers.models import Complaint, ComplaintStatus, Customer, CustomerContact
from apps.customers.services import complaint_create, complaint_move, complaint_note, contact_save, customer_create
from apps.finance import cash
from apps.finance import services as finance
from apps.finance.models import (
    CashAccount,
    CashTransfer,
    CustomerReceipt,
    JournalEntry,
    MoneyCategory,
    MoneyDocument,
    Payable,
    Receivable,
    SupplierPayment,
)
from apps.inventory.models import Category, Product, StockBalance, StockLedgerEntry, Unit, ValuationMethod, Warehouse
from apps.inventory.services import category_create, product_create, unit_create, warehouse_create
from apps.purchasing import services as purchasing
from apps.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn
from apps.sales import services as sales
from apps.sales.models import Delivery, Quotation, SalesOrder, SalesReturn
from apps.suppliers.models import Supplier, SupplierProduct
from apps.suppliers.services import supplier_create

from .fields import MONEY_PLACES, QTY_PLACES

# The one password of every demo user. It passes Django's password validators (length,
# similarity to the username, common passwords, all-numeric).
DEMO_PASSWORD = "jxc-demo-2026"

# (username, department, full name), in the order the credentials table prints them.
DEMO_USERS: list[tuple[str, str, str]] = [
    ("warehouse", dept.WAREHOUSE, "王仓管"),
    ("purchasing", dept.PURCHASING, "李采购"),
    ("sales", dept.SALES, "张销售"),
    ("finance", dept.FINANCE, "赵财务"),
    ("service", dept.CUSTOMER_SERVICE, "陈客服"),
    ("manager", dept.MANAGEMENT, "刘经理"),
    ("admin", dept.IT_ADMIN, "孙网管"),
]
# Warehouses each demo user is assigned (management and IT admin see all of them anyway).
DEMO_USER_WAREHOUSES = {"warehouse": ["SH01", "SZ01"]}

# The marker of a loaded demo: the first warehouse.
MARKER_WAREHOUSE = "SH01"

SEED = 2026

WAREHOUSES = [
    ("SH01", "上海总仓", "上海市闵行区华漕镇纪翟路1288号B栋"),
    ("SZ01", "苏州分仓", "江苏省苏州市相城区黄埭镇春申路88号2号库"),
    ("HZ01", "杭州门店仓", "浙江省杭州市拱墅区莫干山路1101号1楼"),
]

# (name, decimal places shown)
UNITS = [
    ("个", 0),
    ("箱", 0),
    ("瓶", 0),
    ("包", 0),
    ("袋", 0),
    ("件", 0),
    ("台", 0),
    ("套", 0),
    ("千克", 3),
    ("米", 2),
    ("卷", 0),
    ("盒", 0),
    ("支", 0),
    ("本", 0),
    ("桶", 0),
    ("把", 0),
    ("块", 0),
    ("条", 0),
    ("提", 0),
    ("卡", 0),
]

VAT_STANDARD = Decimal("0.13")
VAT_REDUCED = Decimal("0.09")  # agricultural products: grain, edible oil, milk, salt

# Categories whose dearer goods are valued FIFO (serial-numbered, price moves fast).
FIFO_CATEGORIES = {"电动工具", "存储设备"}
FIFO_MIN_PRICE = Decimal("400")

# ---------------------------------------------------------------------------------------------
# The catalogue. Two shapes:
#   lines:  "name | unit | spec price; spec price; ... [| 9%]"   one product per spec
#   grids:  brands (name, price factor) x items "name | spec | unit | price": a brand's range
# Prices are purchase prices (tax exclusive, CNY); sale prices are derived.
# ---------------------------------------------------------------------------------------------

CATALOGUE_LINES: dict[tuple[str, str], str] = {
    ("食品饮料", "饮用水"): """
        农夫山泉 饮用天然水 | 箱 | 550ml×24瓶 24.00; 380ml×24瓶 21.00; 1.5L×12瓶 25.00; 4L×6桶 30.00
        农夫山泉 饮用天然水 | 桶 | 19L桶装 12.00
        怡宝 纯净水 | 箱 | 555ml×24瓶 25.00; 350ml×24瓶 21.00; 1.555L×12瓶 26.00; 4.5L×4桶 28.00
        百岁山 天然矿泉水 | 箱 | 348ml×24瓶 36.00; 570ml×24瓶 45.00; 1.5L×12瓶 48.00
        娃哈哈 纯净水 | 箱 | 596ml×24瓶 22.00; 350ml×24瓶 19.00
        康师傅 包装饮用水 | 箱 | 550ml×24瓶 19.00; 1.5L×12瓶 22.00
        景田 饮用纯净水 | 箱 | 560ml×24瓶 28.00; 360ml×24瓶 24.00
        依云 天然矿泉水 | 箱 | 500ml×24瓶 118.00; 330ml×24瓶 98.00
        昆仑山 雪山矿泉水 | 箱 | 510ml×24瓶 86.00
    """,
    ("食品饮料", "饮料"): """
        可口可乐 可乐 | 箱 | 330ml×24罐 38.00; 500ml×24瓶 46.00; 2L×6瓶 36.00
        可口可乐 零度可乐 | 箱 | 330ml×24罐 40.00
        百事 可乐 | 箱 | 330ml×24罐 37.00; 600ml×24瓶 45.00
        雪碧 柠檬味汽水 | 箱 | 330ml×24罐 38.00; 500ml×24瓶 46.00
        芬达 橙味汽水 | 箱 | 500ml×24瓶 45.00
        康师傅 冰红茶 | 箱 | 500ml×15瓶 30.00; 1L×12瓶 36.00
        康师傅 绿茶 | 箱 | 500ml×15瓶 30.00
        统一 冰红茶 | 箱 | 500ml×15瓶 29.00
        统一 阿萨姆奶茶 | 箱 | 500ml×15瓶 45.00
        农夫山泉 东方树叶乌龙茶 | 箱 | 500ml×15瓶 52.00
        元气森林 白桃味苏打气泡水 | 箱 | 480ml×15瓶 58.00
        王老吉 凉茶 | 箱 | 310ml×24罐 62.00
        加多宝 凉茶 | 箱 | 310ml×24罐 60.00
        红牛 维生素功能饮料 | 箱 | 250ml×24罐 110.00
        东鹏 特饮 | 箱 | 250ml×24瓶 68.00; 500ml×24瓶 98.00
        美汁源 果粒橙 | 箱 | 420ml×12瓶 36.00; 1.25L×12瓶 66.00
        汇源 100%橙汁 | 箱 | 1L×6盒 48.00
        伊利 纯牛奶 | 箱 | 250ml×24盒 52.00 | 9%
        蒙牛 纯牛奶 | 箱 | 250ml×24盒 50.00 | 9%
        蒙牛 特仑苏纯牛奶 | 箱 | 250ml×12盒 56.00 | 9%
        伊利 安慕希希腊风味酸奶 | 箱 | 205g×12盒 50.00
    """,
    ("食品饮料", "酒水"): """
        青岛啤酒 经典10度 | 箱 | 500ml×12罐 42.00; 330ml×24罐 55.00
        雪花啤酒 勇闯天涯 | 箱 | 500ml×12罐 40.00
        百威 啤酒 | 箱 | 500ml×12罐 62.00
        哈尔滨啤酒 冰纯 | 箱 | 500ml×12罐 38.00
        燕京啤酒 U8 | 箱 | 500ml×12罐 45.00
        牛栏山 二锅头 | 瓶 | 42度 500ml 18.00
        牛栏山 陈酿 | 箱 | 42度 500ml×12瓶 168.00
        洋河 海之蓝 | 瓶 | 52度 480ml 108.00
        张裕 干红葡萄酒 | 瓶 | 750ml 48.00
    """,
    ("食品饮料", "零食"): """
        乐事 原味薯片 | 箱 | 70g×22袋 88.00; 135g×12袋 78.00
        乐事 黄瓜味薯片 | 箱 | 70g×22袋 88.00
        奥利奥 夹心饼干 | 箱 | 97g×24袋 86.00; 388g×12盒 150.00
        好丽友 巧克力派 | 箱 | 204g×12盒 120.00
        旺旺 雪饼 | 箱 | 520g×8袋 110.00
        旺旺 仙贝 | 箱 | 400g×10袋 125.00
        三只松鼠 每日坚果 | 盒 | 750g(30袋) 68.00
        良品铺子 猪肉脯 | 箱 | 100g×20袋 180.00
        卫龙 大面筋 | 箱 | 102g×40袋 86.00
        康师傅 红烧牛肉面 | 箱 | 103g×24袋 46.00; 桶装110g×12桶 40.00
        统一 老坛酸菜牛肉面 | 箱 | 121g×24袋 48.00
        白象 汤好喝老母鸡汤面 | 箱 | 108g×24袋 55.00
        德芙 丝滑牛奶巧克力 | 盒 | 252g 45.00
        士力架 花生夹心巧克力 | 箱 | 51g×24条 65.00
        徐福记 什锦酥心糖 | 千克 | 散装 42.00
        达利园 法式软面包 | 箱 | 2kg 36.00
    """,
    ("食品饮料", "粮油调味"): """
        金龙鱼 东北大米 | 袋 | 5kg 32.00; 10kg 60.00 | 9%
        福临门 泰国香米 | 袋 | 5kg 45.00 | 9%
        十月稻田 五常大米 | 袋 | 5kg 68.00 | 9%
        金龙鱼 高筋麦芯粉 | 袋 | 5kg 28.00; 2.5kg 15.00 | 9%
        香雪 饺子用小麦粉 | 袋 | 5kg 26.00 | 9%
        金龙鱼 1:1:1调和油 | 桶 | 5L 62.00; 1.8L 26.00 | 9%
        鲁花 5S压榨一级花生油 | 桶 | 5L 128.00; 1.8L 52.00 | 9%
        福临门 大豆油 | 桶 | 5L 55.00 | 9%
        十月稻田 东北小米 | 袋 | 2.5kg 30.00 | 9%
        北大荒 绿豆 | 袋 | 1kg 12.00 | 9%
        中盐 加碘精制盐 | 袋 | 400g 1.90 | 9%
        海天 生抽酱油 | 瓶 | 1.9L 18.50; 500ml 6.80
        海天 蚝油 | 瓶 | 700g 9.80
        李锦记 薄盐生抽 | 瓶 | 500ml 11.50
        恒顺 香醋 | 瓶 | 500ml 6.50
        太太乐 鸡精 | 袋 | 200g 9.00; 1kg 38.00
        老干妈 风味豆豉 | 箱 | 280g×12瓶 110.00
    """,
    ("日用百货", "清洁用品"): """
        蓝月亮 深层洁净洗衣液 | 瓶 | 3kg 36.00; 1kg 14.50
        蓝月亮 洗手液 | 瓶 | 500g 12.00
        蓝月亮 洁厕灵 | 瓶 | 500g 7.50
        立白 天然皂粉 | 袋 | 2.5kg 28.00
        立白 洗洁精 | 瓶 | 1.5kg 9.80; 500g 4.20
        雕牌 超效加酶洗衣粉 | 袋 | 1.65kg 15.50
        雕牌 透明皂 | 箱 | 202g×48块 88.00
        汰渍 洁净薰香洗衣液 | 瓶 | 3kg 42.00
        超能 天然皂粉 | 袋 | 1.5kg 19.00
        威露士 消毒液 | 瓶 | 1L 28.00
        滴露 消毒液 | 瓶 | 750ml 30.00
        威猛先生 厨房重油污净 | 瓶 | 500g 15.80
        妙洁 点断式垃圾袋 | 卷 | 45×50cm 30只 3.20
        3M 思高百洁布 | 包 | 10片装 12.00
    """,
    ("日用百货", "纸品"): """
        维达 超韧抽纸 | 箱 | 3层130抽×24包 62.00
        维达 蓝色经典卷纸 | 提 | 4层140g×10卷 26.00
        维达 擦手纸 | 箱 | 200抽×20包 75.00
        清风 原木纯品抽纸 | 箱 | 3层120抽×24包 55.00
        清风 卷纸 | 提 | 3层200g×10卷 28.00
        心相印 茶语抽纸 | 箱 | 3层120抽×24包 58.00
        心相印 手帕纸 | 包 | 4层8张×18小包 8.50
        洁柔 Face抽纸 | 箱 | 3层100抽×24包 52.00
        洁柔 湿巾 | 包 | 80片 9.80
        得宝 手帕纸 | 包 | 4层9张×18小包 12.00
    """,
    ("日用百货", "个人护理"): """
        舒肤佳 纯白清香型香皂 | 块 | 108g 3.80
        舒肤佳 沐浴露 | 瓶 | 720ml 28.00
        海飞丝 去屑洗发水 | 瓶 | 400ml 32.00; 750ml 52.00
        潘婷 乳液修护洗发水 | 瓶 | 500ml 35.00
        飘柔 洗发水 | 瓶 | 750ml 29.00
        高露洁 防蛀牙膏 | 支 | 140g 6.50
        佳洁士 盐白牙膏 | 支 | 180g 9.20
        云南白药 牙膏 | 支 | 120g 18.50
        黑人 软毛牙刷 | 支 | 单支装 2.60
    """,
    ("办公用品", "纸张本册"): """
        亚太森博 百旺复印纸 | 箱 | A4 70g 500张×8包 92.00; A4 80g 500张×5包 75.00
        金光 金旗舰复印纸 | 箱 | A4 70g 500张×8包 98.00; A3 70g 500张×4包 96.00
        得力 复印纸 | 箱 | A4 70g 500张×8包 88.00; A4 80g 500张×8包 108.00
        晨光 复印纸 | 包 | A4 70g 500张 11.50
        得力 无线装订笔记本 | 本 | A5 80页 4.20; B5 60页 4.80
        晨光 软抄本 | 包 | B5 40页×5本 8.50
        齐心 会议记录本 | 本 | A4 100页 9.80
        晨光 牛皮纸信封 | 包 | 5号 220×110mm 100个 15.00
        得力 记账凭证纸 | 包 | 240×140mm 500张 18.00
    """,
    ("办公用品", "打印耗材"): """
        惠普 803黑色墨盒 | 个 | 标准容量 85.00
        惠普 88A硒鼓 | 个 | CC388A 380.00
        佳能 PG-845黑色墨盒 | 个 | 标准容量 78.00
        兄弟 TN-2325粉盒 | 个 | 约2600页 260.00
        得力 DLH-388A硒鼓 | 个 | 兼容388A 65.00
        天威 388A硒鼓 | 个 | 易加粉 58.00
        得力 热敏收银纸 | 卷 | 57×50mm 2.20; 80×80mm 3.80
    """,
    ("五金工具", "紧固件"): """
        东明 不锈钢十字沉头螺钉 | 盒 | M4×16 100只 12.00; M5×20 100只 18.00; M6×25 50只 16.00
        东明 外六角螺栓 | 盒 | M8×30 50套 22.00; M10×40 25套 24.00
        东明 十字自攻螺丝 | 千克 | 4.2×25 散装 26.00
        晋亿 镀锌膨胀螺丝 | 盒 | M8×80 50套 28.00; M10×100 25套 30.00
        晋亿 不锈钢平垫片 | 千克 | M8 散装 42.00
        镀锌铁丝 | 千克 | 18号 散装 8.50
    """,
    ("五金工具", "电工电料"): """
        公牛 插线板 | 个 | 5孔位 1.8m 新国标 32.00; 8孔位 3m 48.00; 3孔位+3USB 1.8m 58.00
        公牛 墙壁开关 | 个 | 单开单控 86型 6.50; 双开双控 86型 11.00
        公牛 五孔插座面板 | 个 | 10A 86型 7.20
        正泰 小型断路器 | 个 | DZ47 1P 32A 12.00; DZ47 2P 63A 38.00
        远东电缆 BV2.5平方铜芯线 | 米 | 单芯硬线 2.10
        远东电缆 BV4平方铜芯线 | 米 | 单芯硬线 3.30
        熊猫电线 RVV护套线 | 米 | 3×1.5平方 4.20
        欧普 LED球泡灯 | 个 | 9W E27 白光 4.80; 15W E27 白光 7.50
        雷士 LED平板灯 | 个 | 600×600mm 36W 68.00
    """,
    ("电子配件", "存储设备"): """
        西部数据 移动硬盘 | 个 | 1TB USB3.0 320.00; 2TB USB3.0 430.00
        希捷 移动硬盘 | 个 | 1TB USB3.0 310.00; 4TB USB3.0 620.00
    """,
    ("电子配件", "电池"): """
        南孚 碱性电池 | 盒 | 5号 24粒装 38.00; 7号 24粒装 36.00
        南孚 纽扣电池 | 卡 | CR2032 5粒装 9.50
        双鹿 碳性电池 | 盒 | 5号 40粒装 16.00
        金霸王 碱性电池 | 盒 | 5号 20粒装 42.00
    """,
    ("包装材料", "胶带"): """
        永大 透明封箱胶带 | 卷 | 48mm×100m 4.50; 60mm×100m 5.80
        永大 透明封箱胶带 | 箱 | 48mm×100m×48卷 198.00
        得力 米黄封箱胶带 | 卷 | 48mm×100m 4.80
        得力 双面胶 | 卷 | 24mm×10m 1.60
    """,
    ("包装材料", "纸箱"): """
        五层加硬瓦楞纸箱 | 个 | 1号 530×290×370mm 4.20; 3号 430×210×270mm 2.20; 5号 290×170×190mm 1.10
        三层瓦楞纸箱 | 件 | 7号 230×130×160mm 50个/件 28.00
    """,
    ("包装材料", "包装膜"): """
        PE缠绕膜 | 千克 | 50cm宽 20μ 12.50
        防震气泡膜 | 米 | 1m宽 双层加厚 0.85
        PP打包带 | 卷 | 15mm 10kg 58.00
    """,
}

# (brands with price factors, items "name | spec | unit | price")
CATALOGUE_GRIDS: dict[tuple[str, str], tuple[list[tuple[str, str]], str]] = {
    ("办公用品", "文具"): (
        [("得力", "1.00"), ("晨光", "1.05"), ("齐心", "0.98"), ("真彩", "0.92")],
        """
        中性笔 | 0.5mm 黑色 12支/盒 | 盒 | 9.60
        中性笔 | 0.5mm 红色 12支/盒 | 盒 | 9.60
        中性笔替芯 | 0.5mm 黑色 20支/盒 | 盒 | 6.50
        圆珠笔 | 0.7mm 蓝色 40支/盒 | 盒 | 18.00
        记号笔 | 双头 黑色 10支/盒 | 盒 | 12.00
        荧光笔 | 6色 | 套 | 8.50
        订书机 | 12号 可订25页 | 个 | 9.80
        订书钉 | 12号 1000枚/盒 | 盒 | 1.20
        长尾夹 | 32mm 12只/盒 | 盒 | 4.50
        回形针 | 29mm 100枚/盒 | 盒 | 1.80
        美工刀 | 18mm 大号 | 把 | 4.20
        办公剪刀 | 170mm | 把 | 5.50
        固体胶 | 21g | 支 | 2.10
        强力文件夹 | A4 双夹 | 个 | 5.80
        档案盒 | A4 55mm 蓝色 | 个 | 6.20
        计算器 | 12位 太阳能双电源 | 台 | 22.00
        便利贴 | 76×76mm 100张×4本 | 包 | 5.60
        """,
    ),
    ("五金工具", "手动工具"): (
        [("世达", "1.10"), ("史丹利", "1.15"), ("长城精工", "0.90"), ("得力工具", "0.85")],
        """
        钢丝钳 | 8寸 | 把 | 28.00
        尖嘴钳 | 6寸 | 把 | 22.00
        十字螺丝刀 | PH2×150mm | 把 | 8.50
        一字螺丝刀 | 6×150mm | 把 | 8.50
        活动扳手 | 10寸 | 把 | 32.00
        内六角扳手 | 9件套 公制 | 套 | 24.00
        羊角锤 | 0.5kg 纤维柄 | 把 | 26.00
        钢卷尺 | 5m×19mm | 个 | 12.00
        螺丝刀套装 | 32合1 | 套 | 38.00
        测电笔 | 100-500V | 支 | 6.50
        管子钳 | 14寸 | 把 | 45.00
        """,
    ),
    ("五金工具", "电动工具"): (
        [("博世", "1.25"), ("牧田", "1.20"), ("东成", "0.85")],
        """
        冲击钻 | 13mm 710W | 台 | 268.00
        锂电手电钻 | 12V 双电池 | 台 | 360.00
        角磨机 | 100mm 750W | 台 | 198.00
        电锤 | 26mm 800W | 台 | 420.00
        电圆锯 | 185mm 1200W | 台 | 480.00
        热风枪 | 2000W 可调温 | 台 | 185.00
        """,
    ),
    ("电子配件", "数据线"): (
        [("绿联", "1.00"), ("倍思", "0.95"), ("品胜", "0.90"), ("小米", "1.05")],
        """
        Type-C数据线 | 1m 3A快充 | 条 | 12.00
        Type-C数据线 | 2m 3A快充 | 条 | 16.00
        苹果Lightning数据线 | 1m MFi认证 | 条 | 28.00
        三合一充电线 | 1.2m | 条 | 18.00
        HDMI高清线 | 2.0版 3m | 条 | 22.00
        """,
    ),
    ("电子配件", "充电器"): (
        [("绿联", "1.00"), ("倍思", "0.95"), ("品胜", "0.90"), ("小米", "1.05"), ("公牛", "0.98")],
        """
        PD快充充电器 | 20W 单口USB-C | 个 | 22.00
        氮化镓充电器 | 65W 2C1A | 个 | 78.00
        充电宝 | 10000mAh 22.5W | 个 | 58.00
        充电宝 | 20000mAh 22.5W | 个 | 88.00
        无线充电器 | 15W | 个 | 45.00
        """,
    ),
    ("电子配件", "存储设备"): (
        [("闪迪", "1.00"), ("金士顿", "1.02"), ("东芝", "0.98")],
        """
        U盘 | 32GB USB3.0 | 个 | 22.00
        U盘 | 64GB USB3.0 | 个 | 32.00
        U盘 | 128GB USB3.0 | 个 | 52.00
        TF存储卡 | 64GB U3 | 个 | 30.00
        TF存储卡 | 128GB U3 | 个 | 55.00
        """,
    ),
}
# Share of each brand x item grid that becomes products (brands don't all carry everything).
GRID_SHARE = Decimal("0.80")

CATEGORY_ORDER = ["食品饮料", "日用百货", "办公用品", "五金工具", "电子配件", "包装材料"]

# ---------------------------------------------------------------------------------------------
# Partners
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Trade names (字号), unique among suppliers and customers.
TRADE_NAMES = _words(
    "鑫源 恒达 华盛 永兴 泰和 宏远 金诚 瑞丰 长盛 佳和 汇通 德隆 安达 众邦 信达 锦程 荣昌 兴旺 博远 天宇 "
    "嘉禾 凯盛 丰源 昌隆 明辉 志诚 万利 新宇 盛世 通达 和顺 福瑞 祥和 联众 宝成 金鼎 隆鑫 中天 永信 恒昌 "
    "裕丰 百川 卓越 鼎盛 欣荣 润泽 东升 光华 广源 三和 天恒 康泰 益民 乐家 优品 家佳 惠民 金桥 锦华 正兴 "
    "同创 海纳 和美 鸿运 立信 永盛 恒泰 宏达 富达 天成 诚信 聚源 浩宇 瀚海 君悦 万家 顺发 星辰 景泰 盈丰 "
    "合众 协和 华美 瑞祥 伟业 圣达 凯达 晟通 亿佳 美达 泓泰 安居"
)

# city -> (province prefix, region code of the credit code, {district: [roads]})
CITIES: dict[str, tuple[str, str, dict[str, list[str]]]] = {
    "上海": (
        "",
        "310115",
        {
            "浦东新区": ["张江路", "金桥路", "川沙路", "锦绣路"],
            "闵行区": ["虹梅路", "七莘路", "沪闵路"],
            "嘉定区": ["曹安公路", "博园路"],
            "宝山区": ["长江西路", "友谊路"],
            "松江区": ["荣乐东路", "新松江路"],
            "普陀区": ["真北路", "武宁路"],
            "静安区": ["共和新路", "江场西路"],
        },
    ),
    "苏州": (
        "江苏省",
        "320506",
        {
            "工业园区": ["星湖街", "苏虹中路", "金鸡湖大道"],
            "吴中区": ["东吴北路", "吴中大道"],
            "相城区": ["阳澄湖大道", "相城大道"],
            "姑苏区": ["人民路", "干将西路"],
            "高新区": ["长江路", "狮山路"],
        },
    ),
    "昆山": ("江苏省", "320583", {"开发区": ["前进东路", "黄浦江路"], "花桥镇": ["绿地大道", "光明路"]}),
    "杭州": (
        "浙江省",
        "330110",
        {
            "余杭区": ["文一西路", "五常大道"],
            "萧山区": ["市心中路", "金城路"],
            "滨江区": ["江南大道", "滨盛路"],
            "拱墅区": ["莫干山路", "湖州街"],
            "西湖区": ["文三路", "天目山路"],
        },
    ),
    "宁波": ("浙江省", "330212", {"鄞州区": ["天童南路", "宁南南路"], "北仑区": ["明州路", "新大路"]}),
    "无锡": ("江苏省", "320214", {"新吴区": ["长江路", "新华路"], "惠山区": ["惠山大道", "政和大道"]}),
    "南京": ("江苏省", "320115", {"江宁区": ["天元中路", "双龙大道"], "栖霞区": ["仙林大道", "马群街"]}),
    "嘉兴": ("浙江省", "330402", {"南湖区": ["中环南路", "由拳路"], "秀洲区": ["洪兴路", "康和路"]}),
    "常州": ("江苏省", "320411", {"新北区": ["通江中路", "太湖东路"], "武进区": ["延政中路", "常武中路"]}),
    "义乌": ("浙江省", "330782", {"稠城街道": ["工人北路", "宾王路"], "福田街道": ["诚信大道", "福田路"]}),
    "广州": ("广东省", "440111", {"白云区": ["广园中路", "机场路"], "番禺区": ["迎宾路", "市良路"]}),
    "深圳": ("广东省", "440306", {"宝安区": ["宝安大道", "新湖路"], "龙岗区": ["龙岗大道", "布澜路"]}),
}
SUPPLIER_CITIES = ["上海", "苏州", "杭州", "宁波", "无锡", "嘉兴", "常州", "义乌", "广州", "深圳", "南京"]
CUSTOMER_CITIES = ["上海", "上海", "上海", "苏州", "苏州", "杭州", "杭州", "昆山", "无锡", "嘉兴", "南京", "宁波"]

SUPPLIER_TRADES = _words(
    "食品 饮料 粮油 日化用品 纸业 文具 办公用品 五金制品 五金机电 电子科技 电器 包装材料 商贸 贸易 供应链管理"
)
# (name pattern, grades it is usually given); {city} and {trade} are filled in
CUSTOMER_KINDS = [
    ("{city}{trade}超市有限公司", "AB"),
    ("{city}{trade}便利店有限公司", "BC"),
    ("{city}{trade}商贸有限公司", "ABC"),
    ("{city}{trade}贸易有限公司", "ABC"),
    ("{city}{trade}餐饮管理有限公司", "BC"),
    ("{city}{trade}酒店管理有限公司", "AB"),
    ("{city}{trade}科技有限公司", "BC"),
    ("{city}{trade}物业服务有限公司", "BC"),
    ("{city}{trade}建筑工程有限公司", "AB"),
    ("{city}{trade}电子商务有限公司", "BC"),
    ("{city}市{district}{trade}百货商行", "C"),  # sole traders (个体工商户)
    ("{city}市{district}{trade}五金店", "C"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN_NAMES = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 建国 志强 海燕 晓东 丽华 "
    "国庆 春梅 建华 文斌 雪梅 俊杰 晓燕 建平 红霞 志刚 玉兰 海涛 慧敏 子轩 思远 佳怡"
)
MOBILE_PREFIXES = "130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 176 177 180 181 186 187 188 189"
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "江苏银行", "宁波银行"]

N_SUPPLIERS = 30
N_CUSTOMERS = 60
N_INACTIVE_PRODUCTS = 5


# ---------------------------------------------------------------------------------------------
# Purchasing history
# ---------------------------------------------------------------------------------------------

# Second-level category -> the two suppliers (codes) of that trade; a product's preferred
# supplier is one of them, and some products list the other as an alternative.
CATEGORY_SUPPLIERS: dict[str, tuple[str, str]] = {
    "饮用水": ("GYS002", "GYS017"),
    "饮料": ("GYS002", "GYS017"),
    "酒水": ("GYS013", "GYS028"),
    "零食": ("GYS001", "GYS016"),
    "粮油调味": ("GYS003", "GYS018"),
    "清洁用品": ("GYS004", "GYS019"),
    "个人护理": ("GYS004", "GYS019"),
    "纸品": ("GYS005", "GYS020"),
    "文具": ("GYS006", "GYS021"),
    "纸张本册": ("GYS007", "GYS022"),
    "打印耗材": ("GYS007", "GYS022"),
    "紧固件": ("GYS008", "GYS023"),
    "手动工具": ("GYS008", "GYS023"),
    "电工电料": ("GYS009", "GYS024"),
    "电动工具": ("GYS009", "GYS024"),
    "数据线": ("GYS010", "GYS025"),
    "充电器": ("GYS010", "GYS025"),
    "存储设备": ("GYS010", "GYS025"),
    "电池": ("GYS011", "GYS026"),
    "胶带": ("GYS012", "GYS027"),
    "纸箱": ("GYS012", "GYS027"),
    "包装膜": ("GYS012", "GYS027"),
}
ALTERNATIVE_SHARE = 0.25  # products that also list the trade's other supplier

DEMO_BANK_ACCOUNT = ("1002", "工商银行上海闵行支行 基本户")
# The books open this many days ago, before the first document of the history: the bank account
# with its balance, the till with its float (both booked against 3001 paid-in capital).
BOOKS_OPEN_DAYS_AGO = 90
DEMO_BANK_OPENING = Decimal("2000000.00")
DEMO_CASH_OPENING = Decimal("5000.00")
# Drawn from the bank into the till the day before the supplier is paid in cash.
DEMO_CASH_DRAW = (21, Decimal("20000.00"))


@dataclass(frozen=True)
class DemoOrder:
    """One purchase order of the demo: its supplier, warehouse, date (days before today), number
    of lines, the status it ends in and the receipts against it (days ago, share of each line's
    open quantity received). ``large`` orders go above the approval threshold."""

    key: str
    supplier: str
    warehouse: str
    days_ago: int
    lines: int
    status: str
    receipts: tuple[tuple[int, Decimal], ...] = ()
    ended_days_ago: int | None = None  # closed or cancelled on that day
    large: bool = False


_ALL = Decimal(1)
DEMO_ORDERS = [
    DemoOrder("A1", "GYS002", "SH01", 75, 4, "received", ((70, _ALL),)),
    DemoOrder("C1", "GYS006", "SH01", 70, 3, "closed", ((64, _ALL),), ended_days_ago=60),
    DemoOrder("B1", "GYS008", "SZ01", 62, 3, "received", ((55, _ALL),)),
    DemoOrder("E1", "GYS003", "SZ01", 45, 4, "closed", ((40, Decimal("0.6")),), ended_days_ago=30),
    DemoOrder("B2", "GYS008", "SH01", 40, 5, "received", ((36, Decimal("0.5")), (31, _ALL))),
    DemoOrder("A2", "GYS002", "SH01", 30, 4, "partially_received", ((26, Decimal("0.5")),)),
    DemoOrder("H0", "GYS012", "SH01", 25, 2, "cancelled", ended_days_ago=22),
    DemoOrder("F1", "GYS004", "SZ01", 20, 3, "partially_received", ((16, Decimal("0.4")),)),
    DemoOrder("G1", "GYS005", "SH01", 12, 5, "partially_received", ((9, Decimal("0.5")), (5, Decimal("0.5")))),
    DemoOrder("D1", "GYS010", "SH01", 6, 3, "approved"),
    DemoOrder("H1", "GYS012", "SZ01", 3, 4, "approved"),
    DemoOrder("F2", "GYS004", "SH01", 2, 3, "submitted"),
    DemoOrder("D2", "GYS010", "SZ01", 1, 5, "submitted", large=True),
    DemoOrder("C2", "GYS006", "SH01", 1, 3, "draft"),
    DemoOrder("G2", "GYS005", "SZ01", 0, 2, "draft"),
]


# ---------------------------------------------------------------------------------------------
# Building the rows (pure: no database)
# ---------------------------------------------------------------------------------------------


def ean13_check_digit(first12: str) -> str:
    """The EAN-13 check digit of 12 digits: weights 1,3,1,3,... from the left."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def credit_code(region: str, rng: random.Random, *, sole_trader: bool = False) -> str:
    """A well-formed 统一社会信用代码 (GB 32100): 91 (company) or 92 (sole trader) + region +
    organisation code (with its GB 11714 check character) + check character."""
    org = "".join(rng.choice("0123456789") for _ in range(8))
    org_check = 11 - sum(int(c) * w for c, w in zip(org, _ORG_WEIGHTS, strict=True)) % 11
    org += {10: "X", 11: "0"}.get(org_check, str(org_check))
    body = ("92" if sole_trader else "91") + region + org
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def _price(text: str) -> Decimal:
    return Decimal(text).quantize(MONEY_PLACES)


def _sale_price(purchase: Decimal, rng: random.Random) -> Decimal:
    """15-43 % over the purchase price, rounded up to the dime from 10 yuan on (so at most 45 %)."""
    raw = purchase * (1 + Decimal(rng.randint(15, 43)) / 100)
    if raw >= 10:
        return ((raw * 10).to_integral_value(rounding=ROUND_CEILING) / 10).quantize(MONEY_PLACES)
    return raw.quantize(MONEY_PLACES, rounding=ROUND_CEILING)


def _stock_levels(purchase: Decimal, rng: random.Random) -> tuple[Decimal, Decimal, Decimal]:
    """Safety stock, max stock and reorder quantity: cheap goods are kept in bigger numbers."""
    if purchase < 10:
        safety = rng.choice([50, 100, 200])
    elif purchase < 50:
        safety = rng.choice([20, 30, 50])
    elif purchase < 200:
        safety = rng.choice([10, 12, 20])
    else:
        safety = rng.choice([2, 3, 5])
    maximum = safety * rng.choice([4, 5, 6, 8])
    reorder = safety * rng.choice([2, 3])
    return Decimal(safety), Decimal(maximum), Decimal(reorder)


def _parse_lines(text: str):
    for raw in text.strip().splitlines():
        parts = [p.strip() for p in raw.split("|")]
        name, unit, specs = parts[0], parts[1], parts[2]
        tax = VAT_REDUCED if len(parts) > 3 and parts[3] == "9%" else VAT_STANDARD
        for spec_price in specs.split(";"):
            spec, price = spec_price.strip().rsplit(" ", 1)
            brand = name.split(" ", 1)[0]
            yield brand, name, spec, unit, _price(price), tax


def _parse_grid(brands, text: str, rng: random.Random):
    items = [[p.strip() for p in raw.split("|")] for raw in text.strip().splitlines()]
    combos = [(brand, factor, item) for brand, factor in brands for item in items]
    keep = sorted(rng.sample(range(len(combos)), int(len(combos) * GRID_SHARE)))
    for index in keep:
        brand, factor, (name, spec, unit, price) = combos[index]
        jitter = Decimal(rng.randint(94, 106)) / 100
        purchase = (Decimal(price) * Decimal(factor) * jitter).quantize(MONEY_PLACES)
        yield brand, f"{brand} {name}", spec, unit, purchase, VAT_STANDARD


def product_rows(seed: int = SEED) -> list[dict]:
    """Every demo product as a dict of product fields, with ``unit`` and ``category`` given by
    name (category as (parent, child)). Deterministic for a given seed."""
    rng = random.Random(seed)
    raw = []
    for parent in CATEGORY_ORDER:
        for key in dict.fromkeys([*CATALOGUE_LINES, *CATALOGUE_GRIDS]):
            if key[0] != parent:
                continue
            if key in CATALOGUE_LINES:
                raw.extend((key, row) for row in _parse_lines(CATALOGUE_LINES[key]))
            if key in CATALOGUE_GRIDS:
                raw.extend((key, row) for row in _parse_grid(*CATALOGUE_GRIDS[key], rng=rng))

    # One GS1 China company prefix (69 + 5 digits) per brand; item references counted per brand.
    prefixes = iter(rng.sample(range(10000, 100000), len({row[0] for _key, row in raw})))
    brand_prefix: dict[str, str] = {}
    brand_next_item: dict[str, int] = {}
    inactive = set(rng.sample(range(len(raw)), N_INACTIVE_PRODUCTS))

    rows = []
    for index, (category, (brand, name, spec, unit, purchase, tax)) in enumerate(raw):
        if brand not in brand_prefix:
            brand_prefix[brand] = f"69{next(prefixes)}"
            brand_next_item[brand] = rng.randint(100, 900)
        barcode = None
        if unit not in ("千克", "米"):  # goods sold loose by weight or length carry no barcode
            brand_next_item[brand] += rng.randint(1, 7)
            first12 = f"{brand_prefix[brand]}{brand_next_item[brand]:05d}"
            barcode = first12 + ean13_check_digit(first12)
        safety, maximum, reorder = _stock_levels(purchase, rng)
        fifo = category[1] in FIFO_CATEGORIES and purchase >= FIFO_MIN_PRICE
        rows.append(
            {
                "sku": f"SP{index + 1:06d}",
                "name": name,
                "spec": spec,
                "unit": unit,
                "category": category,
                "barcode": barcode,
                "purchase_price": purchase,
                "sale_price": _sale_price(purchase, rng),
                "tax_rate": tax,
                "safety_stock": safety,
                "max_stock": maximum,
                "reorder_qty": reorder,
                "valuation_method": ValuationMethod.FIFO if fifo else ValuationMethod.MOVING_AVERAGE,
                "is_active": index not in inactive,
            }
        )
    return rows


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES.split()) + f"{rng.randint(0, 99999999):08d}"


def _address(city: str, rng: random.Random) -> tuple[str, str]:
    province, _region, districts = CITIES[city]
    district = rng.choice(sorted(districts))
    road = rng.choice(districts[district])
    number = rng.choice([rng.randint(1, 399), rng.randint(400, 2999)])
    suffix = rng.choice(["", "", f"{rng.randint(1, 12)}号楼{rng.randint(1, 9)}0{rng.randint(1, 9)}室", "1楼"])
    return district, f"{province}{city}市{district}{road}{number}号{suffix}"


def _slug(text: str) -> str:
    return "".join(lazy_pinyin(text))


def _bank_account(city: str, district: str, rng: random.Random) -> str:
    branch = district.removesuffix("区").removesuffix("街道").removesuffix("镇")
    digits = "".join(rng.choice("0123456789") for _ in range(19))
    return f"{rng.choice(BANKS)}{city}{branch}支行 {digits}"


def partner_rows(seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(suppliers, customers) as dicts of their fields; a customer's ``salesperson`` is a
    username or None. Deterministic for a given seed."""
    rng = random.Random(seed + 1)
    trades = rng.sample(TRADE_NAMES, N_SUPPLIERS + N_CUSTOMERS)

    suppliers = []
    for i, trade in enumerate(trades[:N_SUPPLIERS]):
        city = SUPPLIER_CITIES[i % len(SUPPLIER_CITIES)]
        district, address = _address(city, rng)
        industry = SUPPLIER_TRADES[i % len(SUPPLIER_TRADES)]
        suppliers.append(
            {
                "code": f"GYS{i + 1:03d}",
                "name": f"{city}{trade}{industry}有限公司",
                "contact": _person(rng),
                "phone": _mobile(rng),
                "email": f"{_slug(trade)}@example.com" if rng.random() < 0.7 else "",
                "address": address,
                "payment_terms_days": rng.choice([0, 15, 30, 30, 30, 45, 60]),
                "tax_number": credit_code(CITIES[city][1], rng),
                "bank_account": _bank_account(city, district, rng),
                "is_active": i != N_SUPPLIERS - 1,  # one supplier the company stopped buying from
            }
        )

    customers = []
    grades = ["A"] * 12 + ["B"] * 30 + ["C"] * 18
    rng.shuffle(grades)
    for i, trade in enumerate(trades[N_SUPPLIERS:]):
        grade = grades[i]
        city = CUSTOMER_CITIES[i % len(CUSTOMER_CITIES)]
        district, address = _address(city, rng)
        pattern = rng.choice([pattern for pattern, kind_grades in CUSTOMER_KINDS if grade in kind_grades])
        name = pattern.format(city=city, trade=trade, district=district)
        if grade == "A":
            terms = rng.choice([30, 45, 60])
            limit = None if rng.random() < 0.4 else Decimal(rng.choice([200000, 300000, 500000]))
        elif grade == "B":
            terms = rng.choice([15, 30, 30, 45])
            limit = Decimal(rng.choice([50000, 80000, 100000, 150000]))
        else:
            terms = rng.choice([0, 0, 15, 30])
            limit = Decimal(rng.choice([10000, 20000, 30000]))
        customers.append(
            {
                "code": f"KH{i + 1:04d}",
                "name": name,
                "contact": _person(rng),
                "phone": _mobile(rng),
                "email": f"{_slug(trade)}@example.com" if rng.random() < 0.5 else "",
                "address": address,
                "payment_terms_days": terms,
                "credit_limit": None if limit is None else limit.quantize(MONEY_PLACES),
                "grade": grade,
                "tax_number": credit_code(CITIES[city][1], rng, sole_trader=not name.endswith("公司")),
                # Most customers are the demo salesperson's; a few are house accounts.
                "salesperson": "sales" if i % 8 != 7 else None,
                "is_active": i not in (17, 44),
            }
        )
    return suppliers, customers


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


class DemoConflict(Exception):
    """The database already holds records the demo would collide with (but no demo)."""


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def demo_loaded() -> bool:
    return Warehouse.objects.filter(code=MARKER_WAREHOUSE).exists()


def load_demo() -> DemoResult:
    """Load the demo company, then its purchasing, sales and finance histories, in one
    transaction; do nothing that is already there (a demo loaded before a history existed gets
    just that)."""
    with transaction.atomic():
        created = False
        if not demo_loaded():
            _load_company()
            created = True
        if purchasing_history_missing():
            load_purchasing_history()
            created = True
        if sales_history_missing():
            load_sales_history()
            created = True
        if finance_history_missing():
            load_finance_history()
            created = True
    # Outside the transaction: each report run is its own (as the morning jobs are).
    load_report_files()
    return DemoResult(created=created, counts=_counts())


def load_report_files(today: datetime.date | None = None) -> None:
    """This morning's stock summary and this week's sales and purchases files, as the scheduled
    jobs make them (apps/reports/runs.py), unless there are scheduled files already."""
    from apps.reports.models import ReportRun, RunTrigger
    from apps.reports.runs import SCHEDULES, report_run_scheduled

    if ReportRun.objects.filter(trigger=RunTrigger.SCHEDULED).exists():
        return
    for task in SCHEDULES:
        report_run_scheduled(task=task, today=today)


def _load_company() -> None:
    """Warehouses, users, the catalogue, suppliers and customers (through the master-data services)."""
    products = product_rows()
    suppliers, customers = partner_rows()
    _check_free(products, suppliers, customers)

    users: dict[str, User] = {}

    def make_user(username, department, full_name, *, actor, warehouses=()):
        users[username] = user_create(
            actor=actor,
            username=username,
            password=DEMO_PASSWORD,
            departments=[department],
            warehouses=list(warehouses),
            full_name=full_name,
            email=f"{username}@example.com",
        )

    people = {username: (department, full_name) for username, department, full_name in DEMO_USERS}
    # The IT admin sets up the accounts, the manager the warehouses, purchasing the
    # catalogue and the suppliers, sales the customers: that is what the audit trail shows.
    make_user("admin", *people["admin"], actor=None)
    make_user("manager", *people["manager"], actor=users["admin"])
    warehouses = {
        code: warehouse_create(user=users["manager"], code=code, name=name, address=address)
        for code, name, address in WAREHOUSES
    }
    for username, (department, full_name) in people.items():
        if username not in users:
            assigned = [warehouses[code] for code in DEMO_USER_WAREHOUSES.get(username, [])]
            make_user(username, department, full_name, actor=users["admin"], warehouses=assigned)

    buyer = users["purchasing"]
    units = {}
    for name, decimals in UNITS:
        units[name] = Unit.objects.filter(name=name).first() or unit_create(user=buyer, name=name, decimals=decimals)
    categories: dict[tuple[str, str], Category] = {}
    for parent_name, child_name in {row["category"]: None for row in products}:
        parent = Category.objects.filter(parent=None, name=parent_name).first() or category_create(
            user=buyer, name=parent_name, parent=None
        )
        categories[(parent_name, child_name)] = Category.objects.filter(
            parent=parent, name=child_name
        ).first() or category_create(user=buyer, name=child_name, parent=parent)

    for row in products:
        product_create(user=buyer, **{**row, "unit": units[row["unit"]], "category": categories[row["category"]]})
    for row in suppliers:
        supplier_create(user=buyer, **row)
    for row in customers:
        # The salesperson enters their own customers; the manager keeps the house accounts.
        salesperson = users[row["salesperson"]] if row["salesperson"] else None
        creator = salesperson or users["manager"]
        customer_create(user=creator, **{**row, "salesperson": salesperson})


HISTORY_USERS = ("purchasing", "manager", "warehouse", "finance")


def purchasing_history_missing() -> bool:
    """The demo company is there (its users and suppliers) but has no purchasing yet."""
    if PurchaseOrder.objects.exists() or SupplierProduct.objects.exists():
        return False
    codes = {code for pair in CATEGORY_SUPPLIERS.values() for code in pair}
    return User.objects.filter(username__in=HISTORY_USERS).count() == len(HISTORY_USERS) and Supplier.objects.filter(
        code__in=codes
    ).count() == len(codes)


def load_purchasing_history(today: datetime.date | None = None) -> None:
    """Supplier products (a preferred supplier for every product, lead times, minimum order
    quantities) and two and a half months of purchasing, all through the services and dated
    back from ``today``: the orders of ``DEMO_ORDERS`` in every status, the receipts against
    them and one without an order, two returns (one against a receipt), two supplier payments
    (one oldest first, one allocated explicitly), leaving payables open and some overdue.

    The people are the demo's: the buyer orders and submits, the manager approves (never their
    own), the warehouse clerk receives and returns in SH01/SZ01, finance pays. Stock moves only
    through the ledger (receipts and returns post there)."""
    today = today or timezone.localdate()
    rng = random.Random(SEED + 2)
    users = {user.username: user for user in User.objects.filter(username__in=HISTORY_USERS)}
    buyer, manager, clerk, cashier = (users[name] for name in HISTORY_USERS)
    suppliers = {supplier.code: supplier for supplier in Supplier.objects.all()}
    warehouses = {warehouse.code: warehouse for warehouse in Warehouse.objects.all()}

    # Hundreds of rows of generated, consistent data: written in bulk (with their audit
    # records) rather than one validated save each, which would double the demo's load time.
    # The database's unique constraints still hold them (one preferred supplier per product).
    offered: dict[str, list[Product]] = {}
    offers = []
    for product in Product.objects.select_related("category").order_by("sku"):
        pair = CATEGORY_SUPPLIERS[product.category.name]
        preferred, other = pair if rng.random() < 0.7 else pair[::-1]
        offers.append(_offer(suppliers[preferred], product, rng, preferred=True))
        if product.is_active:
            offered.setdefault(preferred, []).append(product)
        if rng.random() < ALTERNATIVE_SHARE:
            offers.append(_offer(suppliers[other], product, rng, preferred=False))
    bulk_create_with_history(offers, SupplierProduct, default_user=buyer)

    def day(days_ago: int) -> datetime.date:
        return today - datetime.timedelta(days=days_ago)

    bank = cash.cash_account_create(
        user=cashier,
        code=DEMO_BANK_ACCOUNT[0],
        name=DEMO_BANK_ACCOUNT[1],
        kind=CashAccount.Kind.BANK,
        opening_balance=DEMO_BANK_OPENING,
        opening_date=day(BOOKS_OPEN_DAYS_AGO),
    )
    till = finance.default_cash_account()
    if till is not None and till.opening_balance == 0 and not till.movements.exists():
        till = cash.cash_account_update(
            account=till, user=cashier, opening_balance=DEMO_CASH_OPENING, opening_date=day(BOOKS_OPEN_DAYS_AGO)
        )

    orders: dict[str, PurchaseOrder] = {}
    receipts: dict[str, list[PurchaseReceipt]] = {}
    events: list[tuple[int, int, Callable[[], None]]] = []  # (days ago, order, action), oldest first

    def place(spec: DemoOrder) -> None:
        products = rng.sample(offered[spec.supplier], spec.lines)
        if spec.large:
            products.sort(key=lambda p: p.purchase_price, reverse=True)
        lines = [
            {
                "product": product,
                "qty": _order_qty(product, large=spec.large),
                "unit_price": product.purchase_price,
                "tax_rate": product.tax_rate,
            }
            for product in products
        ]
        order = purchasing.purchase_order_create(
            user=buyer,
            supplier=suppliers[spec.supplier],
            warehouse=warehouses[spec.warehouse],
            date=day(spec.days_ago),
            expected_date=day(spec.days_ago) + datetime.timedelta(days=7),
            lines=lines,
        )
        if spec.status != "draft":
            order = purchasing.purchase_order_submit(order=order, user=buyer)
        if spec.status not in ("draft", "submitted"):
            order = purchasing.purchase_order_approve(order=order, user=manager)
        orders[spec.key] = order

    def receive(spec: DemoOrder, days_ago: int, share: Decimal) -> None:
        order = orders[spec.key]
        lines = []
        for line in order.lines.select_related("product__unit").order_by("line_no"):
            qty = line.open_qty if share == _ALL else _share(line.open_qty, share, line.product.unit.decimals)
            if qty > 0:
                lines.append({"purchase_order_line": line, "qty": qty})
        receipt = purchasing.purchase_receipt_create(
            user=clerk,
            purchase_order=order,
            date=day(days_ago),
            lines=lines,
            supplier_reference=f"SHD{day(days_ago):%Y%m%d}{len(lines):02d}",
        )
        receipts.setdefault(spec.key, []).append(purchasing.purchase_receipt_post(receipt=receipt, user=clerk))

    def end(spec: DemoOrder) -> None:
        order = orders[spec.key]
        if spec.status == "closed":
            reason = "供应商缺货，余数不再发货" if order.status == "partially_received" else "已全部到货"
            purchasing.purchase_order_close(order=order, user=buyer, reason=reason)
        else:
            purchasing.purchase_order_cancel(order=order, user=buyer)

    for index, spec in enumerate(DEMO_ORDERS):
        events.append((spec.days_ago, index, lambda spec=spec: place(spec)))
        for days_ago, share in spec.receipts:
            events.append((days_ago, index, lambda spec=spec, d=days_ago, s=share: receive(spec, d, s)))
        if spec.ended_days_ago is not None:
            events.append((spec.ended_days_ago, index, lambda spec=spec: end(spec)))

    def receipt_without_order() -> None:
        products = rng.sample(offered["GYS003"], 3)
        receipt = purchasing.purchase_receipt_create(
            user=clerk,
            supplier=suppliers["GYS003"],
            warehouse=warehouses["SH01"],
            date=day(10),
            lines=[
                {"product": p, "qty": _order_qty(p), "unit_cost": p.purchase_price, "tax_rate": p.tax_rate}
                for p in products
            ],
            note="临时补货，无采购订单",
        )
        purchasing.purchase_receipt_post(receipt=receipt, user=clerk)

    def return_against_receipt() -> None:
        receipt = receipts["C1"][0]
        lines = [
            {"purchase_receipt_line": line, "qty": max(Decimal(1), (line.qty / 10).quantize(Decimal(1), ROUND_DOWN))}
            for line in receipt.lines.order_by("line_no")[:2]
        ]
        document = purchasing.purchase_return_create(
            user=clerk, purchase_receipt=receipt, date=day(59), lines=lines, reason="包装破损，退回供应商"
        )
        purchasing.purchase_return_post(purchase_return=document, user=clerk)

    def free_return() -> None:
        line = receipts["A1"][0].lines.select_related("product").order_by("line_no").first()
        document = purchasing.purchase_return_create(
            user=clerk,
            supplier=suppliers["GYS002"],
            warehouse=warehouses["SH01"],
            date=day(15),
            lines=[{"product": line.product, "qty": Decimal(2), "tax_rate": line.tax_rate}],
            reason="临期商品，供应商同意退货",
        )
        purchasing.purchase_return_post(purchase_return=document, user=clerk)

    def pay_oldest_first() -> None:
        # Everything of the oldest open payable and about half of the next: posting allocates it.
        items = list(
            Payable.objects.filter(supplier=suppliers["GYS002"], status="open", amount__gt=0).order_by("due_date", "id")
        )
        amount = items[0].outstanding + (items[1].outstanding / 2).quantize(Decimal(100), ROUND_DOWN)
        payment = finance.supplier_payment_create(
            user=cashier, supplier=suppliers["GYS002"], amount=amount, date=day(20), reference="现金支票 0012"
        )
        finance.supplier_payment_post(payment=payment, user=cashier)

    def pay_explicitly() -> None:
        # The newest delivery is paid in full on request; the older ones stay open (and overdue).
        item = Payable.objects.filter(supplier=suppliers["GYS008"], status="open").order_by("-date", "-id").first()
        payment = finance.supplier_payment_create(
            user=cashier,
            supplier=suppliers["GYS008"],
            amount=item.outstanding,
            account=CashAccount.objects.get(code=DEMO_BANK_ACCOUNT[0]),
            allocations=[{"payable": item, "amount": item.outstanding}],
            date=day(2),
            reference="网银转账",
            note=f"按供应商对账单支付 {item.source_number}",
        )
        finance.supplier_payment_post(payment=payment, user=cashier)

    def draw_cash() -> None:
        # The supplier paid in cash tomorrow: the till gets its money from the bank.
        if till is None:
            return
        transfer = cash.cash_transfer_create(
            user=cashier,
            from_account=bank,
            to_account=till,
            amount=DEMO_CASH_DRAW[1],
            date=day(DEMO_CASH_DRAW[0]),
            note="提取备用金，支付供应商货款",
        )
        cash.cash_transfer_post(transfer=transfer, user=cashier)

    extra = len(DEMO_ORDERS)
    events += [
        (59, extra, return_against_receipt),
        (DEMO_CASH_DRAW[0], extra, draw_cash),
        (20, extra, pay_oldest_first),
        (15, extra, free_return),
        (10, extra, receipt_without_order),
        (2, extra, pay_explicitly),
    ]
    _play(events)


def _play(events: list[tuple[int, int, Callable[[], None]]]) -> None:
    """Run (days ago, document, action) events oldest first, each document's in the order given,
    so stock and open items move in the order of their dates."""
    for _days_ago, _document, action in sorted(events, key=lambda event: (-event[0], event[1])):
        action()


def _offer(supplier: Supplier, product: Product, rng: random.Random, *, preferred: bool) -> SupplierProduct:
    """What ``supplier`` offers of ``product``: lead time 3–14 days, sometimes a minimum order."""
    minimum = Decimal(0)
    if rng.random() < 0.3:
        minimum = (product.reorder_qty / 2).quantize(Decimal(1), ROUND_DOWN) or Decimal(1)
    return SupplierProduct(
        supplier=supplier,
        product=product,
        supplier_sku=f"{supplier.code[-3:]}-{product.sku[-4:]}" if rng.random() < 0.5 else "",
        lead_time_days=rng.randint(3, 14),
        min_order_qty=minimum,
        is_preferred=preferred,
    )


def _order_qty(product: Product, *, large: bool = False) -> Decimal:
    """What a buyer orders: the reorder quantity; for a large order, enough for ~12,000 yuan."""
    if large:
        return Decimal(max(1, int(12000 / product.purchase_price) + 1))
    return product.reorder_qty


def _share(qty: Decimal, share: Decimal, decimals: int) -> Decimal:
    """``share`` of ``qty`` rounded down to the unit's precision (at least one unit)."""
    step = Decimal(1).scaleb(-decimals)
    return max(step, (qty * share).quantize(step, ROUND_DOWN)).quantize(QTY_PLACES)


# ---------------------------------------------------------------------------------------------
# Sales history
# ---------------------------------------------------------------------------------------------

SALES_USERS = ("sales", "manager", "warehouse", "service", "finance")


@dataclass(frozen=True)
class DemoSale:
    """One sales order of the demo: its customer (code), warehouse, date (days before today),
    number of lines, the status it ends in, the deliveries against it (days ago, share of each
    line's open quantity) and the day it was closed or cancelled. ``quotation``: the order comes
    from a quotation converted that day. House accounts (no salesperson) are sold by the manager."""

    key: str
    customer: str
    warehouse: str
    days_ago: int
    lines: int
    status: str
    deliveries: tuple[tuple[int, Decimal], ...] = ()
    ended_days_ago: int | None = None
    quotation: bool = False

    @property
    def confirmed(self) -> bool:
        """Drafts, and an order cancelled the day it was drafted, were never confirmed."""
        return self.status != "draft" and not (self.status == "cancelled" and self.ended_days_ago == self.days_ago)


DEMO_SALES = [
    DemoSale("S01", "KH0006", "SH01", 66, 3, "delivered", ((64, _ALL),)),
    DemoSale("S02", "KH0002", "SH01", 60, 2, "delivered", ((59, _ALL),)),
    DemoSale("S03", "KH0009", "SZ01", 52, 3, "closed", ((50, Decimal("0.6")),), ended_days_ago=44),
    DemoSale("S04", "KH0004", "SH01", 46, 4, "delivered", ((44, Decimal("0.5")), (38, _ALL))),
    DemoSale("S05", "KH0010", "SZ01", 38, 2, "delivered", ((36, _ALL),)),
    DemoSale("S06", "KH0016", "SH01", 32, 3, "partially_delivered", ((30, Decimal("0.5")),)),
    DemoSale("S07", "KH0014", "SH01", 27, 2, "cancelled", ended_days_ago=26),
    DemoSale("S08", "KH0021", "SZ01", 20, 3, "partially_delivered", ((15, Decimal("0.4")),)),
    DemoSale("S09", "KH0005", "SH01", 16, 2, "delivered", ((14, _ALL),), quotation=True),
    DemoSale("S10", "KH0012", "SH01", 9, 3, "confirmed"),
    DemoSale("S11", "KH0025", "SZ01", 6, 2, "confirmed"),
    DemoSale("S12", "KH0003", "SH01", 2, 1, "cancelled", ended_days_ago=2),
    DemoSale("S13", "KH0001", "SH01", 2, 2, "draft"),
    DemoSale("S14", "KH0011", "SH01", 1, 3, "draft", quotation=True),
]
# Quotations that stay quotations: (customer, days ago, valid for days, lines, status).
DEMO_QUOTATIONS = [
    ("KH0026", 40, 30, 3, "sent"),  # expired ten days ago
    ("KH0022", 25, 30, 2, "cancelled"),
    ("KH0001", 5, 30, 3, "sent"),
    ("KH0019", 0, 30, 4, "draft"),
]
# Contacts of the customers sold to: (role, e-mail user part or "").
CONTACT_ROLES = [("采购", "purchase"), ("仓库收货", ""), ("财务对账", "finance")]


def sales_history_missing() -> bool:
    """The demo company has its purchasing history (stock to sell) but no sales yet."""
    if SalesOrder.objects.exists() or Quotation.objects.exists() or not PurchaseReceipt.objects.exists():
        return False
    codes = {sale.customer for sale in DEMO_SALES} | {row[0] for row in DEMO_QUOTATIONS}
    return User.objects.filter(username__in=SALES_USERS).count() == len(SALES_USERS) and Customer.objects.filter(
        code__in=codes, is_active=True
    ).count() == len(codes)


def _sellable(product_id: int, warehouse_id: int, on: datetime.date) -> Decimal:
    """What may still be sold of a product on a day without the stock card ever going below
    zero: what came in up to that day, less everything gone out (whatever its date) and what
    confirmed orders hold."""
    entries = StockLedgerEntry.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
    inbound = entries.filter(qty__gt=0, date__lte=on).aggregate(total=Sum("qty"))["total"] or Decimal(0)
    outbound = entries.filter(qty__lt=0).aggregate(total=Sum("qty"))["total"] or Decimal(0)
    balance = StockBalance.objects.filter(product_id=product_id, warehouse_id=warehouse_id).first()
    return inbound + outbound - (balance.reserved_qty if balance else Decimal(0))


def load_sales_history(today: datetime.date | None = None) -> None:
    """Two months of selling, through the services and dated back from ``today``: contacts of
    the customers sold to; quotations (one sent and open, one expired, a draft, a cancelled one,
    two converted into orders); the orders of ``DEMO_SALES`` in every status, the deliveries
    against them (partial ones leave backorders) and one without an order; a return of damaged
    goods and an exchange whose replacement was shipped; customer receipts (oldest first, in
    part, and one allocated explicitly from the bank account), leaving receivables open and
    some overdue; complaint tickets in every status.

    The people are the demo's: the salesperson quotes, orders and confirms for their customers
    (the manager for the house accounts), the warehouse clerk ships from SH01/SZ01, customer
    service takes goods back and handles complaints, finance records the receipts. Orders take
    only goods that are in stock on their day and not held for another order."""
    today = today or timezone.localdate()
    rng = random.Random(SEED + 3)
    users = {user.username: user for user in User.objects.filter(username__in=SALES_USERS)}
    seller, manager, clerk, service, cashier = (users[name] for name in SALES_USERS)
    customers = {customer.code: customer for customer in Customer.objects.all()}
    warehouses = {warehouse.code: warehouse for warehouse in Warehouse.objects.all()}
    catalogue = list(Product.objects.filter(is_active=True).order_by("sku"))
    bank = CashAccount.objects.filter(code=DEMO_BANK_ACCOUNT[0]).first()

    def day(days_ago: int) -> datetime.date:
        return today - datetime.timedelta(days=days_ago)

    def seller_of(customer: Customer) -> User:
        return seller if customer.salesperson_id == seller.pk else manager

    def in_stock(warehouse: Warehouse, days_ago: int, count: int) -> list[dict]:
        """``count`` lines of goods on hand in ``warehouse`` on that day, 15–30 % of each."""
        candidates = []
        for balance in StockBalance.objects.filter(warehouse=warehouse, qty__gt=0, product__is_active=True).order_by(
            "product__sku"
        ):
            sellable = _sellable(balance.product_id, warehouse.pk, day(days_ago))
            if sellable >= 8:
                candidates.append((balance.product, sellable))
        lines = []
        for product, sellable in rng.sample(candidates, count):
            share = Decimal(rng.randint(15, 30)) / 100
            qty = max(Decimal(2), (sellable * share).quantize(Decimal(1), ROUND_DOWN))
            lines.append(
                {"product": product, "qty": qty, "unit_price": product.sale_price, "tax_rate": product.tax_rate}
            )
        return lines

    def offered(count: int) -> list[dict]:
        return [
            {"product": product, "qty": Decimal(rng.choice([5, 10, 12, 20, 24, 50])), "tax_rate": product.tax_rate}
            for product in rng.sample(catalogue, count)
        ]

    # Contacts of everyone the demo sells to (entered by their salesperson or the manager).
    codes = list(dict.fromkeys([sale.customer for sale in DEMO_SALES] + [row[0] for row in DEMO_QUOTATIONS]))
    for code in [*codes, "KH0024"]:
        customer = customers[code]
        for index, (role, mailbox) in enumerate(CONTACT_ROLES[: rng.choice([1, 2, 3])]):
            contact_save(
                contact=CustomerContact(customer=customer),
                user=seller_of(customer),
                name=customer.contact if index == 0 else _person(rng),
                role=role,
                phone=customer.phone if index == 0 else _mobile(rng),
                email=f"{mailbox}.{customer.code.lower()}@example.com" if mailbox else "",
                is_primary=index == 0,
            )

    orders: dict[str, SalesOrder] = {}
    deliveries: dict[str, list[Delivery]] = {}
    events: list[tuple[int, int, Callable[[], None]]] = []  # (days ago, order, action), oldest first

    def place(spec: DemoSale) -> None:
        customer = customers[spec.customer]
        person = seller_of(customer)
        lines = in_stock(warehouses[spec.warehouse], spec.days_ago, spec.lines)
        if spec.quotation:
            quotation = sales.quotation_create(
                user=person,
                customer=customer,
                warehouse=warehouses[spec.warehouse],
                date=day(spec.days_ago + 2),
                valid_until=day(spec.days_ago + 2) + datetime.timedelta(days=30),
                lines=lines,
                note="含税价，报价30天内有效",
            )
            sales.quotation_send(quotation=quotation, user=person)
            order = sales.quotation_convert(quotation=quotation, user=person, date=day(spec.days_ago))
        else:
            order = sales.sales_order_create(
                user=person,
                customer=customer,
                warehouse=warehouses[spec.warehouse],
                date=day(spec.days_ago),
                delivery_date=day(spec.days_ago) + datetime.timedelta(days=3),
                customer_reference=f"PO{day(spec.days_ago):%y%m%d}{rng.randint(10, 99)}",
                lines=lines,
            )
        if spec.confirmed:
            order = sales.sales_order_confirm(order=order, user=person)
        orders[spec.key] = order

    def deliver(spec: DemoSale, days_ago: int, share: Decimal) -> None:
        order = orders[spec.key]
        lines = []
        for line in order.lines.select_related("product__unit").order_by("line_no"):
            qty = line.open_qty if share == _ALL else _share(line.open_qty, share, line.product.unit.decimals)
            if qty > 0:
                lines.append({"sales_order_line": line, "qty": qty})
        delivery = sales.delivery_create(user=clerk, sales_order=order, date=day(days_ago), lines=lines)
        deliveries.setdefault(spec.key, []).append(sales.delivery_post(delivery=delivery, user=clerk))

    def end(spec: DemoSale) -> None:
        order = orders[spec.key]
        person = seller_of(order.customer)
        if spec.status == "closed":
            sales.sales_order_close(order=order, user=person, reason="客户取消余下数量")
        else:
            sales.sales_order_cancel(order=order, user=person)

    for index, spec in enumerate(DEMO_SALES):
        events.append((spec.days_ago, index, lambda spec=spec: place(spec)))
        for days_ago, share in spec.deliveries:
            events.append((days_ago, index, lambda spec=spec, d=days_ago, s=share: deliver(spec, d, s)))
        if spec.ended_days_ago is not None:
            events.append((spec.ended_days_ago, index, lambda spec=spec: end(spec)))

    def delivery_without_order() -> None:
        customer = customers["KH0024"]
        delivery = sales.delivery_create(
            user=clerk,
            customer=customer,
            warehouse=warehouses["SH01"],
            date=day(18),
            lines=in_stock(warehouses["SH01"], 18, 2),
            shipping_address=customer.address,
            note="客户到仓自提，无销售订单",
        )
        sales.delivery_post(delivery=delivery, user=clerk)

    def give_back(key: str, days_ago: int, **fields) -> SalesReturn:
        delivery = deliveries[key][0]
        line = delivery.lines.order_by("line_no").first()
        document = sales.sales_return_create(
            user=service,
            delivery=delivery,
            date=day(days_ago),
            lines=[{"delivery_line": line, "qty": max(Decimal(1), (line.qty / 4).quantize(Decimal(1), ROUND_DOWN))}],
            **fields,
        )
        return sales.sales_return_post(sales_return=document, user=service)

    def damaged_return() -> None:
        give_back("S09", 9, reason="damaged", reason_note="外包装破损，客户拒收")

    def exchange() -> None:
        document = give_back("S05", 30, reason="wrong_item", reason_note="发错规格，客户要求换货", is_exchange=True)
        replacement = document.replacements.get()
        replacement = sales.delivery_update(delivery=replacement, user=clerk, date=day(29))
        sales.delivery_post(delivery=replacement, user=clerk)

    def receive(code: str, days_ago: int, *, share: Decimal | None = None, explicit: bool = False, **fields) -> None:
        customer = customers[code]
        items = list(
            Receivable.objects.filter(customer=customer, status="open", amount__gt=0).order_by("due_date", "id")
        )
        allocations = []
        if explicit:
            amount = items[0].outstanding
            allocations = [{"receivable": items[0], "amount": amount}]
            fields["account"] = bank
        else:
            owed = sum((item.outstanding for item in items), Decimal(0))
            amount = owed if share is None else (owed * share).quantize(Decimal(1), ROUND_DOWN)
        receipt = finance.customer_receipt_create(
            user=cashier, customer=customer, amount=amount, allocations=allocations, date=day(days_ago), **fields
        )
        finance.customer_receipt_post(receipt=receipt, user=cashier)

    extra = len(DEMO_SALES)
    events += [
        (40, extra, lambda: receive("KH0006", 40, reference="银行转账")),
        (30, extra, exchange),
        (28, extra, lambda: receive("KH0002", 28, share=Decimal("0.5"), reference="现金")),
        (18, extra, delivery_without_order),
        (10, extra, lambda: receive("KH0004", 10, explicit=True, reference="网银转账")),
        (9, extra, damaged_return),
    ]
    _play(events)

    # Quotations that are still quotations.
    for code, days_ago, valid_days, count, status in DEMO_QUOTATIONS:
        customer = customers[code]
        person = seller_of(customer)
        quotation = sales.quotation_create(
            user=person,
            customer=customer,
            warehouse=warehouses["SH01"],
            date=day(days_ago),
            valid_until=day(days_ago) + datetime.timedelta(days=valid_days),
            lines=offered(count),
        )
        if status == "sent":
            sales.quotation_send(quotation=quotation, user=person)
        elif status == "cancelled":
            sales.quotation_cancel(quotation=quotation, user=person)

    # Complaints and feedback, one ticket in each status (the last two open).
    returned = deliveries["S09"][0].returns.get()
    tickets = [
        (
            "KH0006",
            "feedback",
            "low",
            "希望每月初提供月结对账单",
            "",
            [ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED],
        ),
        (
            "KH0005",
            "quality",
            "high",
            "部分商品外包装破损",
            returned.number,
            [ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED],
        ),
        (
            "KH0010",
            "delivery",
            "normal",
            "发货规格与订单不符",
            deliveries["S05"][0].number,
            [ComplaintStatus.IN_PROGRESS],
        ),
        ("KH0016", "delivery", "high", "余下货物何时发货？", orders["S06"].number, []),
        ("KH0002", "billing", "normal", "对账单金额有疑问", "", []),
    ]
    for code, category, priority, subject, document, moves in tickets:
        complaint = complaint_create(
            user=service,
            customer=customers[code],
            subject=subject,
            category=category,
            priority=priority,
            document_number=document,
            assignee=service if moves or priority == "high" else None,
        )
        for status in moves:
            if status == ComplaintStatus.IN_PROGRESS:
                complaint_note(complaint=complaint, user=service, text="已联系客户，核实情况中")
            complaint = complaint_move(
                complaint=complaint,
                user=service,
                status=status,
                resolution="已按退货/换货处理，客户确认" if status == ComplaintStatus.RESOLVED else "",
            )


# ---------------------------------------------------------------------------------------------
# Finance history: the running costs of the business and a little other income
# ---------------------------------------------------------------------------------------------

# Paid from the bank every month: (category, day of the month, amount or None = metered,
# counterparty, note naming {month} or the {previous} month).
MONTHLY_EXPENSES = [
    ("房租", 1, Decimal("8000.00"), "上海华漕仓储物业管理有限公司", "{month}仓库及办公室租金"),
    ("工资", 10, Decimal("21600.00"), "员工工资", "{previous}工资"),
    ("水电费", 15, None, "国网上海市电力公司", "{previous}水电费"),
    ("银行手续费", 21, Decimal("35.00"), "中国工商银行", "{month}网银及账户管理费"),
]
# One-off: (days ago, kind, category, amount, account ("bank" | "cash"), counterparty, note).
ONE_OFF_MONEY = [
    (48, "income", "废品收入", Decimal("1280.00"), "cash", "上海闵行再生资源回收站", "废旧纸箱、缠绕膜出售"),
    (33, "expense", "办公费", Decimal("356.00"), "cash", "得力文具旗舰店", "打印纸、墨盒"),
    (12, "income", "利息收入", Decimal("1046.58"), "bank", "中国工商银行", "存款利息"),
]


def finance_history_missing() -> bool:
    """The demo company has its purchasing history (its bank account) but no income or expense
    documents yet."""
    if MoneyDocument.objects.exists() or not PurchaseReceipt.objects.exists():
        return False
    return (
        User.objects.filter(username="finance").exists()
        and CashAccount.objects.filter(code=DEMO_BANK_ACCOUNT[0]).exists()
        and MoneyCategory.objects.filter(name__in=[row[0] for row in MONTHLY_EXPENSES]).exists()
    )


def load_finance_history(today: datetime.date | None = None) -> None:
    """What finance books besides the trade, through the services and dated back from ``today``
    over the purchasing history: every month's rent (1st), wages (10th), metered utilities
    (15th) and bank charges (21st) paid from the bank; scrap sold and office supplies bought
    for cash; the bank's quarterly interest. Finance records them all (支出单 / 收入单)."""
    today = today or timezone.localdate()
    rng = random.Random(SEED + 4)
    cashier = User.objects.get(username="finance")
    bank = CashAccount.objects.get(code=DEMO_BANK_ACCOUNT[0])
    till = finance.default_cash_account() or bank
    categories = {(c.kind, c.name): c for c in MoneyCategory.objects.all()}
    first = today - datetime.timedelta(days=max(order.days_ago for order in DEMO_ORDERS))

    def book(kind: str, category: str, amount: Decimal, *, on, account, counterparty: str, note: str) -> None:
        document = cash.money_document_create(
            user=cashier,
            kind=kind,
            account=account,
            date=on,
            counterparty=counterparty,
            lines=[{"category": categories[(kind, category)], "amount": amount, "description": note}],
            note=note,
        )
        cash.money_document_post(document=document, user=cashier)

    events: list[tuple[datetime.date, Callable[[], None]]] = []
    month = first.replace(day=1)
    while month <= today:
        labels = {"month": f"{month.month}月", "previous": f"{(month - datetime.timedelta(days=1)).month}月"}
        for category, day_of_month, amount, counterparty, note in MONTHLY_EXPENSES:
            on = month.replace(day=day_of_month)
            if first <= on <= today:
                amount = amount or Decimal(rng.randint(80000, 150000)) / 100
                action = partial(
                    book,
                    "expense",
                    category,
                    amount,
                    on=on,
                    account=bank,
                    counterparty=counterparty,
                    note=note.format(**labels),
                )
                events.append((on, action))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    for days_ago, kind, category, amount, where, counterparty, note in ONE_OFF_MONEY:
        on = today - datetime.timedelta(days=days_ago)
        account = till if where == "cash" else bank
        action = partial(book, kind, category, amount, on=on, account=account, counterparty=counterparty, note=note)
        events.append((on, action))
    for _on, action in sorted(events, key=lambda event: event[0]):
        action()


def _check_free(products: list[dict], suppliers: list[dict], customers: list[dict]) -> None:
    taken = []
    checks = [
        ("users", User.objects.filter(username__in=[u for u, _d, _n in DEMO_USERS]), "username"),
        ("warehouses", Warehouse.objects.filter(code__in=[c for c, _n, _a in WAREHOUSES]), "code"),
        ("products", Product.objects.filter(sku__in=[r["sku"] for r in products]), "sku"),
        (
            "barcodes",
            Product.objects.filter(barcode__in=[r["barcode"] for r in products if r["barcode"]]),
            "barcode",
        ),
        ("suppliers", Supplier.objects.filter(code__in=[r["code"] for r in suppliers]), "code"),
        ("customers", Customer.objects.filter(code__in=[r["code"] for r in customers]), "code"),
    ]
    for label, queryset, attr in checks:
        values = sorted(queryset.values_list(attr, flat=True)[:5])
        if values:
            taken.append(f"{label}: {', '.join(values)}")
    if taken:
        raise DemoConflict(
            "the database already holds records the demo company would use, so it was not loaded ("
            + "; ".join(taken)
            + "). Load the demo into an empty database."
        )


def _counts() -> dict[str, int]:
    return {
        "warehouses": Warehouse.objects.count(),
        "units": Unit.objects.count(),
        "categories": Category.objects.count(),
        "products": Product.objects.count(),
        "inactive products": Product.objects.filter(is_active=False).count(),
        "suppliers": Supplier.objects.count(),
        "customers": Customer.objects.count(),
        "users": User.objects.count(),
        "supplier products": SupplierProduct.objects.count(),
        "purchase orders": PurchaseOrder.objects.count(),
        "purchase receipts": PurchaseReceipt.objects.count(),
        "purchase returns": PurchaseReturn.objects.count(),
        "payables": Payable.objects.count(),
        "supplier payments": SupplierPayment.objects.count(),
        "customer contacts": CustomerContact.objects.count(),
        "quotations": Quotation.objects.count(),
        "sales orders": SalesOrder.objects.count(),
        "deliveries": Delivery.objects.count(),
        "sales returns": SalesReturn.objects.count(),
        "receivables": Receivable.objects.count(),
        "customer receipts": CustomerReceipt.objects.count(),
        "complaints": Complaint.objects.count(),
        "cash transfers": CashTransfer.objects.count(),
        "income/expenses": MoneyDocument.objects.count(),
        "journal entries": JournalEntry.objects.count(),
    }


def credentials_table() -> list[str]:
    """The demo logins as aligned text lines, for the command and the README's run command."""
    rows = [("username", "department", "password")]
    rows += [(username, department, DEMO_PASSWORD) for username, department, _name in DEMO_USERS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
