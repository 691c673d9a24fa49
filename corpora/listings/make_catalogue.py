"""Write the sample catalogue (catalogue.csv UTF-8 with BOM, catalogue_gbk.csv GBK).

Every listing is written for this project from the templates below (no third-party text).
It is a shop's mixed export: packaged food with and without SC numbers, 保健食品, cosmetics
claiming 美白/防晒, medical devices, cross-border goods, apparel, home and digital goods; the
prices exercise 划线价 vs. the 7-day lowest price, prices stated in titles and sales below
cost; a few rows are broken the way real exports break (unbalanced quote, wrong column
count, non-numeric price, empty line). Deterministic: run it again and the files are the
same. Usage: python corpora/listings/make_catalogue.py
"""
from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["商品ID", "商品标题", "商品描述", "类目", "售价(元)", "划线价", "近7日最低价", "成本价",
          "是否促销", "生产许可证编号", "备案号/注册证号", "跨境"]

VALID_SC = ["SC11834020305037", "SC12744040400094", "SC10737110203268"]
BAD_SC = ["SC1183402030503", "SC31834020305037", "SC11834020305038", "QS110001010001"]

# (category, title, description, needs: sc|health|cos|device|cross|none)
FOOD = [
    ("休闲食品", "每日坚果混合装 750g 30包", "6种坚果果干科学配比，独立小包装，办公室追剧零食。"),
    ("休闲食品", "手撕风干牛肉干 250g", "内蒙古草原黄牛肉，风干工艺，香辣/原味两种口味。"),
    ("粮油米面", "东北五常大米 5kg 新米", "当季新米，颗粒饱满，煮饭香软，真空包装更新鲜。"),
    ("粮油米面", "古法压榨花生油 5L", "物理压榨，浓香花生味，家庭炒菜凉拌皆宜。"),
    ("调味品", "零添加酱油 500ml 特级生抽", "黄豆小麦酿造，酿造期180天，咸鲜适口。"),
    ("茶叶", "明前西湖龙井 250g 礼盒装", "核心产区手工炒制，豆香馥郁，送礼自饮两相宜。"),
    ("乳品", "高钙纯牛奶 250ml×24盒", "每100ml含钙120mg，早餐好搭档。"),
    ("糕点", "手工蛋黄酥 6枚装", "咸蛋黄配红豆沙，酥皮层层分明，现烤现发。"),
    ("蜂蜜", "土蜂蜜 500g 农家自产", "山区土蜂，一年一取，自然成熟结晶属正常现象。"),
    ("饮料", "无糖气泡水 480ml×15瓶", "0糖0卡0脂，白桃/青柠多口味可选。"),
]
FOOD_CLAIMS = ["全网销量第一", "最好吃的坚果", "国家级品质", "吃了能降血压", "治疗失眠", "提高免疫力，远离感冒",
               "老少皆宜", "早餐首选", "好吃不贵", "回购率很高"]
HEALTH = [
    ("保健食品", "深海鱼油软胶囊 100粒", "富含EPA、DHA，辅助降血脂。", "国食健注G20250288"),
    ("保健食品", "维生素C咀嚼片 60片", "补充维生素C，酸甜橙子味。", "食健备G202044000123"),
    ("保健品", "蛋白粉 乳清蛋白 400g", "增强免疫力，中老年营养补充。", "国食健字G20040123"),
]
COSMETIC = [
    ("美妆护肤", "烟酰胺美白精华液 30ml", "5%烟酰胺，提亮肤色，美白淡斑，28天见证改变。"),
    ("美妆护肤", "玻尿酸补水面膜 10片", "密集补水，水润透亮，敏感肌可用。"),
    ("防晒", "清爽防晒乳 SPF50+ PA++++ 50ml", "轻薄不油腻，户外军训必备。"),
    ("面霜", "积雪草修护面霜 50g", "舒缓泛红，修护屏障，温和不刺激。"),
    ("洗护", "氨基酸洗发水 500ml", "温和清洁，蓬松柔顺，不含硅油。"),
    ("美发", "植物染发膏 栗棕色", "遮盖白发，一梳黑，植物配方。"),
]
COSMETIC_NUMBERS = {"special": "国妆特字G20190372", "special_bad": "国妆特字G2019037", "filing": "粤G妆网备字2019145275",
                    "import": "国妆网备进字（沪）2018001583"}
DEVICE = [
    ("医疗器械", "上臂式电子血压计 家用", "一键测量，大屏显示，语音播报，适合中老年人。"),
    ("医疗器械", "医用冷敷贴 5贴", "物理降温，术后修复，舒缓肌肤。"),
    ("家用医疗", "指夹式血氧仪", "血氧饱和度与脉率监测，OLED屏幕。"),
    ("医用口罩", "一次性医用外科口罩 50只", "三层防护，细菌过滤效率≥95%。"),
]
DEVICE_NUMBERS = {"reg": "国械注准20153460123", "reg2": "粤械注准20202140567", "filing": "粤穗械备20200001",
                  "bad_class": "国械注准20154460123", "short": "国械注准2015346012"}
CROSS = [
    ("跨境进口", "澳洲原装进口婴儿奶粉 900g", "新西兰奶源，保税仓发货。"),
    ("跨境进口", "日本进口护手霜 3支装", "保湿滋润，清新香味。"),
    ("海外直邮", "德国进口益生菌 30袋", "肠道调理，海外直邮。"),
]
DISCLOSURE = "本商品符合原产地有关质量、安全、卫生、环保、标识等标准，可能与我国标准存在差异。"
APPAREL = [
    ("服饰", "100%纯棉短袖T恤 男女同款", "精梳棉面料，透气吸汗，宽松版型。"),
    ("服饰", "冰丝防晒衣 UPF50+", "轻薄透气，防晒衣夏季出行。"),
    ("女装", "法式碎花连衣裙 2026新款", "显瘦收腰，度假风。"),
    ("男装", "商务休闲西裤 免烫", "抗皱免烫，四季可穿。"),
    ("鞋靴", "透气跑步鞋 缓震", "飞织鞋面，轻量缓震大底。"),
]
APPAREL_CLAIMS = ["全网最低价", "史上最强", "顶级面料", "第一品牌", "销量遥遥领先", "最佳赏味期内发货", "一级能效",
                  "最近很火", "第一次穿就爱上", "质量很好"]
HOME = [
    ("家居日用", "加厚收纳箱 3个装", "大容量，可叠放，衣物玩具收纳。"),
    ("家用电器", "电热水壶 1.7L 304不锈钢", "快速烧水，自动断电，CCC认证编号2016010901123456。"),
    ("数码配件", "65W氮化镓充电器", "多口快充，小巧便携，3C认证：2020011606123456。"),
    ("厨具", "不粘炒锅 32cm", "麦饭石涂层，少油烟，燃气电磁炉通用。"),
    ("家用电器", "空气炸锅 5L 大容量", "无油烹饪，定时控温，一级能效。"),
]
HOME_CLAIMS = ["国家级认证", "行业第一", "最好用的炒锅", "加微信下单更便宜", "转发朋友圈领红包", "独家专利", "世界领先",
               "最新款", "口碑很好", "全国销量冠军"]


def _price(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randrange(lo, hi)


def listings(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []

    def add(cat, title, desc, price, original="", lowest="", cost="", promo="", sc="", reg="", cross=""):
        rows.append([f"L{len(rows) + 1:04d}", title, desc, cat, str(price), str(original), str(lowest), str(cost),
                     promo, sc, reg, cross])

    for i in range(70):
        cat, title, desc = FOOD[i % len(FOOD)]
        price = _price(rng, 9, 120)
        claim = FOOD_CLAIMS[rng.randrange(len(FOOD_CLAIMS))] if i % 3 == 0 else ""
        mode = i % 7
        sc = {0: "", 1: rng.choice(VALID_SC), 2: rng.choice(VALID_SC), 3: BAD_SC[i % len(BAD_SC)],
              4: rng.choice(VALID_SC)[2:], 5: "", 6: rng.choice(VALID_SC)}[mode]
        if mode == 5:
            desc += f"生产许可证编号：{rng.choice(VALID_SC)}"
        original, lowest = "", ""
        if i % 4 == 0:
            original, lowest = price * 2, price - rng.randrange(1, 5)
        elif i % 4 == 1:
            original, lowest = price + 10, price + 10
        t = f"{title} {claim}".strip() if i % 2 else f"{claim}{title}"
        if i % 10 == 3:
            t += f" 仅售{price - 10}元"
        add(cat, t, desc, price, original, lowest, cost=round(price * 0.6), sc=sc)
    for i in range(24):
        cat, title, desc, number = HEALTH[i % len(HEALTH)]
        mode = i % 4
        reg = number if mode in (0, 1) else ""
        if mode in (0, 2):
            desc += "本品不能代替药物。"
        if mode == 3:
            desc += "吃了不生病，比药还管用"
        add(cat, title, desc, _price(rng, 69, 399), sc=rng.choice(VALID_SC), reg=reg)
    for i in range(36):
        cat, title, desc = COSMETIC[i % len(COSMETIC)]
        key = ["", "special", "filing", "special_bad", "import", ""][(i + i // 6) % 6]
        reg = COSMETIC_NUMBERS.get(key, "")
        if i % 5 == 0:
            desc += "医学级护肤，根治痘痘。"
        price = _price(rng, 39, 299)
        add(cat, title, desc, price, original=price + 100 if i % 3 == 0 else "", lowest=price if i % 3 == 0 else "",
            reg=reg)
    for i in range(20):
        cat, title, desc = DEVICE[i % len(DEVICE)]
        key = ["reg", "", "filing", "bad_class", "reg2", "short", "", "reg"][(i * 3 + i // 4) % 8]
        reg = DEVICE_NUMBERS.get(key, "")
        add(cat, title, desc, _price(rng, 19, 499), reg=reg)
    for i in range(18):
        cat, title, desc = CROSS[i % len(CROSS)]
        if i % 2 == 0:
            desc += DISCLOSURE
        add(cat, title, desc, _price(rng, 59, 459), cross="是")
    for i in range(40):
        cat, title, desc = APPAREL[i % len(APPAREL)]
        claim = APPAREL_CLAIMS[i % len(APPAREL_CLAIMS)]
        price = _price(rng, 29, 259)
        cost = price + 20 if i % 6 == 0 else round(price * 0.4)
        promo = "是" if i % 12 == 0 else ""
        add(cat, f"{title} {claim}", desc + ("\n洗涤说明：冷水手洗，不可漂白。" if i % 8 == 1 else ""), price,
            original=price * 3 if i % 5 == 0 else "", lowest=price if i % 5 == 0 else "", cost=cost, promo=promo)
    for i in range(32):
        cat, title, desc = HOME[i % len(HOME)]
        claim = HOME_CLAIMS[i % len(HOME_CLAIMS)]
        price = _price(rng, 19, 899)
        add(cat, f"{title}, {claim}" if i % 4 == 0 else f"{title} {claim}", desc, f"{price:,}.00" if price > 99 else price,
            original=price + 50 if i % 3 == 0 else "", lowest=price + 50 if i % 3 == 0 else "")
    return rows


def broken_lines(header_width: int) -> dict[int, str]:
    """Raw lines inserted at these positions of the file (1-based data row number)."""
    return {
        17: 'L9017,"限时特惠 坚果大礼包,年货送礼,休闲食品,88,,,,,,,',          # quote never closed
        48: "L9048,蓝牙耳机,降噪长续航",                                      # too few columns
        95: "L9095,保温杯 316不锈钢,24小时保温,家居日用,面议,,,,,,,",       # non-numeric price
        130: "",                                                                 # empty line
        171: "L9171,数据线,快充,数码配件,19,,,,,,,,多余的列,再多一列",         # too many columns
        222: ",,,,,,,,,,,",                                                      # all cells empty
    }


def render(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    broken = broken_lines(len(HEADER))
    n = 0
    for row in rows:
        n += 1
        while n in broken:
            buf.write(broken[n] + "\r\n")
            n += 1
        writer.writerow(row)
    return buf.getvalue()


def main() -> None:
    text = render(listings(random.Random(20261122)))
    (HERE / "catalogue.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (HERE / "catalogue_gbk.csv").write_bytes(text.encode("gbk"))


if __name__ == "__main__":
    main()
