"""NSQuoteAgent beyond the generic families: quotes, versions, alternatives,
lines and the product catalogue on their tables (docs/netserver.md).

A quote belongs to a sale (Quote.saleid) and has versions (QuoteVersion.quoteid),
a version alternatives (QuoteAlternative.quoteversionid), an alternative
lines (QuoteLine.quotealternativeid). The ERP side of a quote connection
(placing orders, generating documents) is not simulated: answer those with
`netserver:` entries.
"""

from __future__ import annotations

from typing import Any

from ...runtime.datetimes import now_datetime
from . import entities
from .agents import behaviour
from .carriers import Carrier, carrier_class
from .entities import array_of as _array, ensure as _ensure

# What a copy leaves out: the key, and the parent key the copy sets anew.
_NOT_COPIED = {"QuoteLineId", "QuoteAlternativeId", "QuoteVersionId", "QuoteId", "CreatedDate", "UpdatedDate"}


def _copy(carrier: Carrier, **changes: Any) -> Carrier:
    """A new (unsaved) carrier with the same properties, but for its key."""
    fields = {prop: value for prop, value in carrier.fields.items() if prop not in _NOT_COPIED}
    fields.update(changes)
    return type(carrier)(fields)


@behaviour("NSQuoteAgent.GetProduct")
def product(ctx: Any, connection_id: int, erp_key: str) -> Carrier:
    """The catalogue's product with that ERP key (in a price list of the connection)."""
    _ensure(ctx, "PriceList")
    where = "erpproductkey = ? AND (pricelistid = 0 OR pricelistid IN (SELECT pricelist_id FROM PriceList " \
            "WHERE quoteconnectionid = ?))"
    found = entities.rows(ctx, "NSProduct", where, (erp_key, connection_id))
    return found[0] if found else carrier_class("NSProduct")()


@behaviour("NSQuoteAgent.GetActivePriceLists")
def active_price_lists(ctx: Any, connection_id: int, currency: str) -> Any:
    """The connection's active price lists valid now, in the currency (any when empty)."""
    _ensure(ctx, "Currency")
    now = str(now_datetime(ctx))
    where = ("quoteconnectionid = ? AND isactive = 1 AND (validfrom IS NULL OR validfrom <= ?) "
             "AND (validto IS NULL OR validto >= ?) AND (? = '' OR currencyid IN "
             "(SELECT currency_id FROM Currency WHERE name = ? OR isocode = ?))")
    found = entities.rows(ctx, "NSPriceList", where, (connection_id, now, now, currency, currency, currency))
    return _array("NSPriceList", found)


@behaviour("NSQuoteAgent.RemoveProduct")
def remove_product(ctx: Any, product_id: int) -> None:
    entities.delete(ctx, "NSProduct", product_id)


@behaviour("NSQuoteAgent.CreateQuoteAlternative")
def create_alternative(ctx: Any, version_id: int, name: str, description: str) -> Carrier:
    alternative = carrier_class("NSQuoteAlternative")({"QuoteVersionId": version_id, "Name": name,
                                                        "Description": description})
    return entities.save(ctx, alternative)


@behaviour("NSQuoteAgent.CopyQuoteAlternative")
def copy_alternative(ctx: Any, version_id: int, alternative_id: int, name: str) -> Carrier:
    """The alternative and its lines, copied into the version under a new name."""
    source = entities.load_or_empty(ctx, "NSQuoteAlternative", alternative_id)
    copy = entities.save(ctx, _copy(source, QuoteVersionId=version_id, Name=name))
    _copy_lines(ctx, alternative_id, copy.fields["QuoteAlternativeId"])
    return copy


def _copy_lines(ctx: Any, from_alternative: int, to_alternative: int) -> None:
    for line in entities.rows(ctx, "NSQuoteLine", "quotealternativeid = ?", (from_alternative,), "rank"):
        entities.save(ctx, _copy(line, QuoteAlternativeId=to_alternative))


def _next_rank(ctx: Any, alternative_id: int) -> int:
    _ensure(ctx, "QuoteLine")
    row = ctx.crm.database.execute("SELECT max(rank) FROM QuoteLine WHERE quotealternativeid = ?",
                                   (alternative_id,)).fetchone()
    return int(row[0] or 0) + 1


PRODUCT_TO_LINE = ("ERPProductKey", "Name", "Description", "Code", "QuantityUnit", "PriceUnit", "IsSubscription",
                   "SubscriptionUnit", "ItemNumber", "Url", "ProductCategoryKey", "ProductFamilyKey",
                   "ProductTypeKey", "Supplier", "SupplierCode", "VATInfo", "VAT", "UnitCost",
                   "UnitMinimumPrice", "UnitListPrice", "ExtraInfo", "Rule")


@behaviour("NSQuoteAgent.CreateQuoteLineFromProduct")
def line_from_product(ctx: Any, alternative_id: int, product_carrier: Carrier) -> Carrier:
    """A line of one unit of the product, last in the alternative, priced."""
    fields = {prop: product_carrier.fields[prop] for prop in PRODUCT_TO_LINE if prop in product_carrier.fields}
    fields.update(QuoteAlternativeId=alternative_id, Quantity=1.0, Rank=_next_rank(ctx, alternative_id))
    line = carrier_class("NSQuoteLine")(fields)
    return entities.save(ctx, recalculate(ctx, line, []))


@behaviour("NSQuoteAgent.CreateQuoteLine")
def create_line(ctx: Any, alternative_id: int, erp_key: str) -> Carrier:
    found = entities.rows(ctx, "NSProduct", "erpproductkey = ?", (erp_key,))
    source = found[0] if found else carrier_class("NSProduct")({"ERPProductKey": erp_key})
    return line_from_product(ctx, alternative_id, source)


@behaviour("NSQuoteAgent.RecalculateQuoteLine")
def recalculate(_ctx: Any, line: Carrier, _changed: list) -> Carrier:
    """TotalPrice = quantity x unit list price, less the discount (the percent
    when given, else the amount); earning = total - quantity x unit cost."""
    fields = line.fields
    quantity = float(fields.get("Quantity") or 0)
    gross = quantity * float(fields.get("UnitListPrice") or 0)
    percent = float(fields.get("DiscountPercent") or 0)
    discount = gross * percent / 100 if percent else float(fields.get("DiscountAmount") or 0)
    total = gross - discount
    earning = total - quantity * float(fields.get("UnitCost") or 0)
    fields.update(DiscountAmount=discount, DiscountPercent=percent or (100 * discount / gross if gross else 0.0),
                  TotalPrice=total, EarningAmount=earning, EarningPercent=100 * earning / total if total else 0.0)
    return line


@behaviour("NSQuoteAgent.MoveQuoteLine")
def move_line(ctx: Any, line_id: int, down: bool) -> None:
    """Swap the line with its neighbour below (`direction` true) or above."""
    line = entities.load(ctx, "NSQuoteLine", line_id)
    if line is None:
        return
    lines = entities.rows(ctx, "NSQuoteLine", "quotealternativeid = ?", (line.fields["QuoteAlternativeId"],), "rank")
    keys = [other.fields["QuoteLineId"] for other in lines]
    here = keys.index(line_id)
    there = here + (1 if down else -1)
    if not 0 <= there < len(lines):
        return
    ranks = [index + 1 for index in range(len(lines))]
    ranks[here], ranks[there] = ranks[there], ranks[here]
    for other, rank in zip(lines, ranks, strict=True):
        if other.fields.get("Rank") != rank:
            other.fields["Rank"] = rank
            entities.save(ctx, other)


@behaviour("NSQuoteAgent.CreateAndSaveQuote")
def create_quote(ctx: Any, sale_id: int, connection_id: int, alternative_name: str) -> Carrier:
    """A quote on the sale with its first version (number 1, active) and alternative."""
    quote = entities.save(ctx, carrier_class("NSQuoteEntity")({"SaleId": sale_id,
                                                              "QuoteConnectionId": connection_id}))
    version = entities.save(ctx, carrier_class("NSQuoteVersion")({"QuoteId": quote.fields["QuoteId"],
                                                                 "Number": "1", "Rank": 1}))
    create_alternative(ctx, version.fields["QuoteVersionId"], alternative_name, "")
    quote.fields["ActiveQuoteVersionId"] = version.fields["QuoteVersionId"]
    return entities.save(ctx, quote)


@behaviour("NSQuoteAgent.CreateAndSaveQuoteVersion")
def create_version(ctx: Any, version_id: int) -> Carrier:
    """A copy of the version (the next number), with its alternatives and lines;
    it becomes the quote's active version."""
    source = entities.load_or_empty(ctx, "NSQuoteVersion", version_id)
    quote_id = source.fields.get("QuoteId", 0)
    versions = entities.rows(ctx, "NSQuoteVersion", "quoteid = ?", (quote_id,))
    number = 1 + max((int(v.fields.get("Number") or 0) for v in versions if str(v.fields.get("Number", "")).isdigit()),
                     default=0)
    copy = entities.save(ctx, _copy(source, QuoteId=quote_id, Number=str(number), Rank=len(versions) + 1))
    new_id = copy.fields["QuoteVersionId"]
    for alternative in entities.rows(ctx, "NSQuoteAlternative", "quoteversionid = ?", (version_id,)):
        moved = entities.save(ctx, _copy(alternative, QuoteVersionId=new_id))
        _copy_lines(ctx, alternative.fields["QuoteAlternativeId"], moved.fields["QuoteAlternativeId"])
    quote = entities.load(ctx, "NSQuoteEntity", quote_id)
    if quote is not None:
        quote.fields["ActiveQuoteVersionId"] = new_id
        entities.save(ctx, quote)
    return copy


@behaviour("NSQuoteAgent.CreateAndSaveQuoteFromSale")
def quote_from_sale(ctx: Any, from_sale: int, to_sale: int) -> Carrier:
    """A copy of the first sale's quote (its active version, alternatives and lines) on the other sale."""
    found = entities.rows(ctx, "NSQuoteEntity", "saleid = ?", (from_sale,))
    if not found:
        return carrier_class("NSQuoteEntity")()
    source = found[0]
    quote = entities.save(ctx, _copy(source, SaleId=to_sale, ActiveQuoteVersionId=0))
    active = source.fields.get("ActiveQuoteVersionId", 0)
    version = entities.load_or_empty(ctx, "NSQuoteVersion", active)
    copy = entities.save(ctx, _copy(version, QuoteId=quote.fields["QuoteId"], Number="1", Rank=1))
    for alternative in entities.rows(ctx, "NSQuoteAlternative", "quoteversionid = ?", (active,)):
        moved = entities.save(ctx, _copy(alternative, QuoteVersionId=copy.fields["QuoteVersionId"]))
        _copy_lines(ctx, alternative.fields["QuoteAlternativeId"], moved.fields["QuoteAlternativeId"])
    quote.fields["ActiveQuoteVersionId"] = copy.fields["QuoteVersionId"]
    return entities.save(ctx, quote)
