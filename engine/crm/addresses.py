"""A company's address as localized fields: Company.getFormattedAddress and
setFormattedAddress (docs/crm-records.md, "Addresses").

The address lives in the `address` table (owner_id the contact, atype_idx
ContactPostalAddress 1 / ContactStreetAddress 2). Its layout comes from the
`AddressFormat` rows of the company's country (layout_id = the country's
addressLayout, atype_idx the address type; each field's line and position in
it, line 0 not shown), and where the fixture has none, from the built-in
layouts below, chosen by the country's abbrev2.
"""

from __future__ import annotations

from typing import Any

from ..runtime.collections import Array
from ..types import Type
from .records import database

# The address fields: the AddressFormat prefix, the address column, the documented
# field name (without its Postal/Street prefix) and the label shown
FIELDS = {"address1": ("address1", "Address1", "Address 1"), "address2": ("address2", "Address2", "Address 2"),
          "address3": ("address3", "Address3", "Address 3"), "zip": ("zipcode", "Zipcode", "Postcode"),
          "city": ("city", "City", "City"), "county": ("county", "County", "County"),
          "state": ("state", "State", "State")}

# Built-in layouts: lines of AddressFormat prefixes
_ZIP_CITY = [["address1"], ["address2"], ["address3"], ["zip", "city"]]
LAYOUTS = {"GB": [["address1"], ["address2"], ["address3"], ["city"], ["county"], ["zip"]],
           "US": [["address1"], ["address2"], ["address3"], ["city", "state", "zip"]],
           "FR": [["address1"], ["address2"], ["zip", "city"]]}
ADDRESS_TYPES = {1: ("Postal", "ContactPostalAddress"), 2: ("Street", "ContactStreetAddress")}


def _layout(ctx: Any, country_id: int, atype: int) -> list[list[str]]:
    db = database(ctx, "country", "AddressFormat")
    row = db.execute("SELECT addressLayout, abbrev2 FROM country WHERE country_id = ?",
                                (country_id,)).fetchone()
    layout_id, abbrev = (row[0] or 0, (row[1] or "").upper()) if row else (0, "")
    columns = ", ".join(f"{p}_line, {p}_subpos" for p in FIELDS)
    fmt = db.execute(f"SELECT {columns} FROM AddressFormat WHERE layout_id = ? AND atype_idx = ? "
                                "ORDER BY addressformat_id LIMIT 1", (layout_id, atype)).fetchone() \
        if layout_id else None
    if fmt is None:
        return LAYOUTS.get(abbrev, _ZIP_CITY)
    placed: dict[int, list[tuple[int, str]]] = {}
    for index, prefix in enumerate(FIELDS):
        line, position = fmt[2 * index] or 0, fmt[2 * index + 1] or 0
        if line > 0:
            placed.setdefault(line, []).append((position, prefix))
    return [[prefix for _, prefix in sorted(placed[line])] for line in sorted(placed)]


def formatted_address(ctx: Any, contact_id: int, country_id: int, pending: list | None = None) -> Array:
    """The company's postal address lines, then its street address lines when it has one
    (`pending`: the lines a script set and has not saved yet)."""
    from .netserver.carriers import carrier_class, element_factory

    if pending is not None:
        return Array(element_factory(Type("NSLocalizedField[]")),
                     [Array(element_factory(Type("NSLocalizedField")), line) for line in pending])
    field = carrier_class("NSLocalizedField")
    db = database(ctx, "address")
    table = ctx.crm.schema.table("address")
    lines = []
    for atype, (prefix, type_name) in ADDRESS_TYPES.items():
        row = db.execute("SELECT address1, address2, address3, zipcode, city, county, state FROM address "
                                    "WHERE owner_id = ? AND atype_idx = ?", (contact_id, atype)).fetchone()
        if row is None and atype != 1:
            continue
        values = dict(zip(("address1", "address2", "address3", "zipcode", "city", "county", "state"),
                          row or ("",) * 7, strict=True))
        for layout_line in _layout(ctx, country_id, atype):
            fields = []
            for key in layout_line:
                column, name, label = FIELDS[key]
                fields.append(field({"Name": prefix + name, "Label": label, "Value": values[column] or "",
                                     "Tooltip": f"{prefix} address: {label}", "AddressType": type_name,
                                     "ValueLength": _length(table.column(column).type)}))
            lines.append(Array(element_factory(Type("NSLocalizedField")), fields))
    return Array(element_factory(Type("NSLocalizedField[]")), lines)


def _length(type_text: str) -> int:
    """String(79) -> 79."""
    return int(type_text.partition("(")[2].rstrip(")") or 0)


def save_formatted_address(ctx: Any, contact_id: int, lines: list) -> None:
    """Write the fields back to the address rows by their names (PostalCity, StreetAddress1, ...);
    a field of another name is ignored, as NetServer ignores it."""
    by_type: dict[int, dict[str, str]] = {}
    for line in lines:
        for item in line:
            name = str(item.fields.get("Name", ""))
            for atype, (prefix, _) in ADDRESS_TYPES.items():
                column = next((c for c, n, _ in FIELDS.values() if prefix + n == name), None)
                if column is not None:
                    by_type.setdefault(atype, {})[column] = str(item.fields.get("Value", ""))
    db = database(ctx, "address")
    db.begin_write()
    for atype, values in by_type.items():
        found = db.execute("SELECT address_id FROM address WHERE owner_id = ? AND atype_idx = ?",
                                      (contact_id, atype)).fetchone()
        if found is None:
            db.execute("INSERT INTO address (owner_id, atype_idx, zipcode) VALUES (?, ?, '')",
                                  (contact_id, atype))
        assignments = ", ".join(f"{column} = ?" for column in values)
        db.execute(f"UPDATE address SET {assignments} WHERE owner_id = ? AND atype_idx = ?",
                              (*values.values(), contact_id, atype))
