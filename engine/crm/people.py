"""Customer (a person row), Company (a contact row), EabEntry (eab_entry) and
the User members that belong with the records: isAdministrator,
hasTicketAccess, loadFromAgentAndKey, toParser (docs/crm-records.md).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array
from ..runtime.table import LIBRARY, builtin
from . import records as rec
from .addresses import formatted_address, save_formatted_address
from .formats import as_text
from .parser import Parser
from .user import User, user_get_value

TABLE_RIGHTS = ("select", "insert", "update", "delete")
FIELD_RIGHTS = ("read", "write", "r", "w", "rw", "select", "update", "insert")
ADMINISTRATOR_LEVEL = 5  # ejuser.access_level of an administrator (docs/crm-records.md)
TICKET_ACCESS_LEVELS = {0: "list", 1: "read", 2: "edit"}


def _first(ctx: Any, sql: str, params: tuple, *tables: str) -> str:
    row = rec.database(ctx, *tables).execute(sql, params).fetchone()
    return as_text(row[0]) if row else ""


def _kept(name: str) -> rec.Derived:
    """A value with no column (a Customer's username and password): the object keeps it."""
    return rec.Derived("(kept by the object: no column)", lambda ctx, r: as_text(r.extra.get(name, "")),
                       lambda ctx, r, value: r.extra.__setitem__(name, value))


def password_hash(password: str) -> str:
    """What a Customer's password reads back as: a hash, never the text (the
    CRMScripts library's hashPassword relies on it). SuperOffice's method is
    not public: here the SHA-256 of the UTF-8 text, in hex."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def _add_email_later(ctx: Any, customer: rec.Record, value: str) -> None:
    customer.extra.setdefault("emails", []).append(value)


def _set_name(ctx: Any, customer: rec.Record, value: str) -> None:
    """`name`: the last word is the last name, the rest the first name (one word: the first name)."""
    words = value.split()
    first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (value.strip(), "")
    customer.changes["firstname"], customer.changes["lastname"] = first, last


def _session_key(ctx: Any, customer: rec.Record) -> str:
    if not customer.id:
        return ""
    return _first(ctx, "SELECT session_key FROM login_customer WHERE customer_id = ? ORDER BY id DESC LIMIT 1",
                  (customer.id,), "login_customer")


CUSTOMER = rec.Kind(
    "Customer", "person", parser_prefix="customer",
    corrections={"contact": "contact_id", "cust_lang": "supportLanguageId", "email": "email", "phone": "phone",
                 "username": "username", "password": "password"},
    derived={
        "email": rec.Derived("email.email_address", lambda ctx, c: _first(
            ctx, "SELECT email_address FROM email WHERE person_id = ? AND person_id > 0 ORDER BY rank, email_id "
                 "LIMIT 1", (c.id,), "email"), _add_email_later),
        "phone": rec.Derived("phone.phone", lambda ctx, c: _first(
            ctx, "SELECT phone FROM phone WHERE owner_id = ? AND owner_id > 0 AND ptype_idx IN (16385, 16388, 16389) "
                 "ORDER BY rank, phone_id LIMIT 1", (c.id,), "phone")),
        "username": _kept("username"),
        "password": rec.Derived("(kept by the object: no column)", lambda ctx, c: as_text(c.extra.get("password", "")),
                                lambda ctx, c, value: c.extra.__setitem__("password", password_hash(value))),
        "loginsessionkey": rec.Derived("login_customer.session_key", _session_key),
        "name": rec.Derived("person.firstname, person.lastname", lambda ctx, c: " ".join(
            as_text(rec.current(c, k)) for k in ("firstname", "lastname") if rec.current(c, k)), _set_name),
    },
)


class Customer(rec.Record):
    __slots__ = ()
    kind = CUSTOMER


def save_customer(ctx: Any, customer: Customer) -> int:
    defaults = {"registered": rec.now_text(ctx), "registered_associate_id": _associate(ctx)} if not customer.id else {}
    rec.write(ctx, customer, defaults)
    for address in customer.extra.pop("emails", []):
        add_email(ctx, customer, address)
    return customer.id


def _associate(ctx: Any) -> int:
    row = rec.database(ctx, "associate").execute(
        "SELECT associate_id FROM associate WHERE ejuserId = ? AND ejuserId <> 0 LIMIT 1", (ctx.crm.user,)).fetchone()
    return row[0] if row else 0


def add_email(ctx: Any, customer: Customer, address: str) -> None:
    if not customer.id:
        raise CRMScriptRuntimeError("Customer.addEmail: the customer is not saved yet")
    db = rec.database(ctx, "email")
    db.begin_write()
    if db.execute("SELECT 1 FROM email WHERE person_id = ? AND email_address = ?",
                  (customer.id, address)).fetchone():
        return
    rank = db.execute("SELECT coalesce(max(rank), 0) + 1 FROM email WHERE person_id = ?", (customer.id,)).fetchone()[0]
    db.execute("INSERT INTO email (person_id, contact_id, email_address, rank, registered) VALUES (?, ?, ?, ?, ?)",
               (customer.id, rec.current(customer, "contact_id") or 0, address, rank, rec.now_text(ctx)))


def check_table_right(cls: str, right: str) -> bool:
    """Rights are not restricted in the simulator: every known right is granted."""
    if right.strip().lower() not in TABLE_RIGHTS:
        raise CRMScriptRuntimeError(f"{cls}.checkTableRights: unknown right '{right}' "
                                    f"(one of {', '.join(TABLE_RIGHTS)})")
    return True


def check_field_right(ctx: Any, record: rec.Record, field: str, right: str) -> bool:
    """A field of the class, or its table's name (the docs ask about "person" and "contact")."""
    if field.strip().lower() != record.kind.table:
        rec.resolve(ctx, record.kind, field)
    if right.strip().lower() not in FIELD_RIGHTS:
        raise CRMScriptRuntimeError(f"{record.kind.name}.checkFieldRights: unknown right '{right}'")
    return True


@builtin("Customer Customer()")
def customer_new() -> Customer:
    return Customer()


@builtin("Bool Customer.load(Integer id)", context=True)
def customer_load(ctx, self: Customer, person_id: int) -> bool:
    self.extra.clear()
    return rec.load(ctx, self, person_id)


@builtin("Bool Customer.loadFromAgentAndKey(Integer agent, String key)", context=True)
def customer_load_agent(ctx, self: Customer, agent: int, key: str) -> bool:
    return rec.load_from_agent_and_key(ctx, self, agent, key)


@builtin("Integer Customer.findFromAgentAndKey(Integer agent, String key)", context=True)
def customer_find_agent(ctx, self: Customer, agent: int, key: str) -> int:
    return self.id if rec.load_from_agent_and_key(ctx, self, agent, key) else 0


@builtin("Bool Customer.findFromEmail(String email)", context=True)
def customer_find_email(ctx, self: Customer, address: str) -> bool:
    rec.database(ctx, "email")
    return rec.load_where(ctx, self, "person_id = (SELECT person_id FROM email WHERE email_address = ? "
                                     "AND person_id > 0 ORDER BY rank, email_id LIMIT 1)", (address.strip(),))


@builtin("Bool Customer.findFromCellphone(String cellphone)", context=True)
def customer_find_cellphone(ctx, self: Customer, number: str) -> bool:
    """The person whose mobile phone (PersonMobile) is `number`, ignoring spaces."""
    rec.database(ctx, "phone")
    wanted = number.replace(" ", "")
    return rec.load_where(ctx, self, "person_id = (SELECT owner_id FROM phone WHERE ptype_idx = 16389 AND "
                                     "replace(phone, ' ', '') = ? ORDER BY rank LIMIT 1)", (wanted,))


@builtin("String Customer.getValue(String colName)", context=True)
def customer_get_value(ctx, self: Customer, name: str) -> str:
    return rec.get_value(ctx, self, name)


@builtin("Void Customer.setValue(String field, String value)", context=True)
def customer_set_value(ctx, self: Customer, name: str, value: str) -> None:
    rec.set_value(ctx, self, name, value)


@builtin("Integer Customer.save()", context=True)
def customer_save(ctx, self: Customer) -> int:
    return save_customer(ctx, self)


@builtin("Integer Customer.save(String gdprSourceKey)", context=True)
def customer_save_gdpr(ctx, self: Customer, source_key: str) -> int:
    """The GDPR source key is not recorded offline."""
    return save_customer(ctx, self)


@builtin("Void Customer.addEmail(String email, Integer extTable, Integer dbiAgentId)", context=True)
def customer_add_email(ctx, self: Customer, address: str, ext_table: int, agent: int) -> None:
    add_email(ctx, self, address)


@builtin("Void Customer.addEmail(String email, Integer externalRank, Integer extTable, Integer dbiAgentId)",
         context=True)
def customer_add_email_rank(ctx, self: Customer, address: str, rank: int, ext_table: int, agent: int) -> None:
    add_email(ctx, self, address)


@builtin("Void Customer.removeEmail(String email)", context=True)
def customer_remove_email(ctx, self: Customer, address: str) -> None:
    db = rec.database(ctx, "email")
    db.begin_write()
    db.execute("DELETE FROM email WHERE person_id = ? AND email_address = ?", (self.id, address))


@builtin("Bool Customer.checkTableRights(String tableRight)")
def customer_table_rights(self: Customer, right: str) -> bool:
    return check_table_right("Customer", right)


@builtin("Bool Customer.checkFieldRights(String field, String fieldRight)", context=True)
def customer_field_rights(ctx, self: Customer, field: str, right: str) -> bool:
    return check_field_right(ctx, self, field, right)


@builtin("String Customer.makeSalutation()", context=True)
def customer_salutation(ctx, self: Customer) -> str:
    """`Dear <first name> <last name>` (the person's own salutation text when it has one)."""
    own = as_text(rec.current(self, "salutation"))
    name = " ".join(as_text(rec.current(self, k)) for k in ("firstname", "lastname") if rec.current(self, k))
    return f"{own} {name}".strip() if own else f"Dear {name}".strip()


@builtin("Void Customer.login()", context=True)
def customer_login(ctx, self: Customer) -> None:
    """A Customer Centre session: a login_customer row with a new session key."""
    if not self.id:
        raise CRMScriptRuntimeError("Customer.login: nothing is loaded")
    db = rec.database(ctx, "login_customer")
    db.begin_write()
    key = f"{ctx.rng.getrandbits(128):032x}"
    db.execute("INSERT INTO login_customer (customer_id, session_key, created_at, seconds_to_live) "
               "VALUES (?, ?, ?, ?)", (self.id, key, rec.now_text(ctx), 3600))


@builtin("Void Customer.logout()", context=True)
def customer_logout(ctx, self: Customer) -> None:
    db = rec.database(ctx, "login_customer")
    db.begin_write()
    db.execute("DELETE FROM login_customer WHERE customer_id = ?", (self.id,))


@builtin("Void Customer.toParser(Parser parser)", context=True)
def customer_to_parser(ctx, self: Customer, parser: Parser) -> None:
    parser.update(rec.parser_values(ctx, self))


LIBRARY.register_class("Customer", Customer, default=Customer)


# ------------------------------------------------------------------ Company

COMPANY = rec.Kind(
    "Company", "contact", parser_prefix="company",
    corrections={"company_domain": "domain", "ticket_priority": "ticketPriorityId",
                 "cust_lang": "supportLanguageId", "supportperson": "supportPersonId", "phone": "phone"},
    derived={
        "domain": rec.Derived("company_domain.domain_name", lambda ctx, c: c.extra.get("domain") or _first(
            ctx, "SELECT domain_name FROM company_domain WHERE company_id = ? ORDER BY rank, id LIMIT 1",
            (c.id,), "company_domain"), lambda ctx, c, value: c.extra.__setitem__("domain", value.strip())),
        "phone": rec.Derived("phone.phone", lambda ctx, c: _first(
            ctx, "SELECT phone FROM phone WHERE owner_id = ? AND owner_id > 0 AND ptype_idx = 1 "
                 "ORDER BY rank, phone_id LIMIT 1", (c.id,), "phone")),
    },
)


class Company(rec.Record):
    __slots__ = ()
    kind = COMPANY


@builtin("Company Company()")
def company_new() -> Company:
    return Company()


@builtin("Bool Company.load(Integer id)", context=True)
def company_load(ctx, self: Company, contact_id: int) -> bool:
    return rec.load(ctx, self, contact_id)


@builtin("Bool Company.loadFromAgentAndKey(Integer agent, String key)", context=True)
def company_load_agent(ctx, self: Company, agent: int, key: str) -> bool:
    return rec.load_from_agent_and_key(ctx, self, agent, key)


@builtin("Bool Company.findFromDomain(String domain)", context=True)
def company_find_domain(ctx, self: Company, domain: str) -> bool:
    rec.database(ctx, "company_domain")
    return rec.load_where(ctx, self, "contact_id = (SELECT company_id FROM company_domain WHERE domain_name = ? "
                                     "ORDER BY rank, id LIMIT 1)", (domain.strip().lstrip("@"),))


@builtin("String Company.getValue(String colName)", context=True)
def company_get_value(ctx, self: Company, name: str) -> str:
    return rec.get_value(ctx, self, name)


@builtin("Void Company.setValue(String colName, String value)", context=True)
def company_set_value(ctx, self: Company, name: str, value: str) -> None:
    rec.set_value(ctx, self, name, value)


@builtin("Integer Company.save()", context=True)
def company_save(ctx, self: Company) -> int:
    defaults = {"registered": rec.now_text(ctx), "registered_associate_id": _associate(ctx)} if not self.id else {}
    if self.id and self.changes:
        self.changes.setdefault("updated", rec.now_text(ctx))
    rec.write(ctx, self, defaults)
    domain = self.extra.pop("domain", None)
    if domain is not None:
        save_domain(ctx, self.id, domain)
    address = self.extra.pop("address", None)
    if address is not None:
        save_formatted_address(ctx, self.id, address)
    return self.id


@builtin("NSLocalizedField[][] Company.getFormattedAddress()", context=True)
def company_formatted_address(ctx, self: Company) -> Array:
    """The postal (and street) address as lines of localized fields (docs/crm-records.md)."""
    pending = self.extra.get("address")
    if pending is not None:  # set and not saved yet: what was set
        return formatted_address(ctx, 0, 0, pending)
    country = rec.get_value(ctx, self, "country_id")
    return formatted_address(ctx, self.id, int(country) if country.isdigit() else 0)


@builtin("Void Company.setFormattedAddress(NSLocalizedField[][] name)")
def company_set_formatted_address(self: Company, lines: Array) -> None:
    """Kept until save(), like the company's other fields."""
    self.extra["address"] = [list(line) for line in lines]


def save_domain(ctx: Any, company_id: int, domain: str) -> None:
    """The company's first domain (company_domain) becomes `domain`."""
    db = rec.database(ctx, "company_domain")
    db.begin_write()
    row = db.execute("SELECT id FROM company_domain WHERE company_id = ? ORDER BY rank, id LIMIT 1",
                     (company_id,)).fetchone()
    if row:
        db.execute("UPDATE company_domain SET domain_name = ? WHERE id = ?", (domain, row[0]))
    else:
        db.execute("INSERT INTO company_domain (company_id, domain_name, rank) VALUES (?, ?, 1)",
                   (company_id, domain))


@builtin("Bool Company.checkTableRights(String tableRight)")
def company_table_rights(self: Company, right: str) -> bool:
    return check_table_right("Company", right)


@builtin("Bool Company.checkFieldRights(String field, String fieldRight)", context=True)
def company_field_rights(ctx, self: Company, field: str, right: str) -> bool:
    return check_field_right(ctx, self, field, right)


@builtin("Void Company.toParser(Parser parser)", context=True)
def company_to_parser(ctx, self: Company, parser: Parser) -> None:
    parser.update(rec.parser_values(ctx, self))


LIBRARY.register_class("Company", Company, default=Company)


# ------------------------------------------------------------------ EabEntry


class EabEntry(rec.Record):
    """An entry of the e-mail address book (eab_entry)."""

    __slots__ = ()
    kind = rec.Kind("EabEntry", "eab_entry", parser_prefix="eab")


rec.register_record_class(EabEntry, deletable=True)


@builtin("Bool EabEntry.loadFromAgentAndKey(Integer id, String key)", context=True)
def eab_load_agent(ctx, self: EabEntry, agent: int, key: str) -> bool:
    return rec.load_from_agent_and_key(ctx, self, agent, key)


# ------------------------------------------------------- the rest of User


def _user_row(ctx: Any, user: User, column: str) -> object:
    return user.changes.get(column, user.values.get(column))


@builtin("Bool User.isAdministrator()", context=True)
def user_is_administrator(ctx, self: User) -> bool:
    """ejuser.access_level 5 (docs/crm-records.md)."""
    return bool(self.id) and int(_user_row(ctx, self, "access_level") or 0) >= ADMINISTRATOR_LEVEL


@builtin("Bool User.hasTicketAccess(Integer ticketId, Integer accessLevel)", context=True)
def user_has_ticket_access(ctx, self: User, ticket_id: int, level: int) -> bool:
    """0 list, 1 read: every active user; 2 edit: the owner, a member of the
    ticket's category, or an administrator. An unknown ticket: false."""
    if level not in TICKET_ACCESS_LEVELS:
        raise CRMScriptRuntimeError(f"User.hasTicketAccess: {level} is not an access level (0 list, 1 read, 2 edit)")
    if not self.id or int(_user_row(ctx, self, "status") or 0) == 3:
        return False
    db = rec.database(ctx, "ticket", "category_membership")
    row = db.execute("SELECT owned_by, category FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        return False
    if level < 2 or row[0] == self.id or user_is_administrator(ctx, self):
        return True
    return db.execute("SELECT 1 FROM category_membership WHERE category_id = ? AND user_id = ?",
                      (row[1], self.id)).fetchone() is not None


@builtin("Bool User.loadFromAgentAndKey(Integer id, String Key)", context=True)
def user_load_agent(ctx, self: User, agent: int, key: str) -> bool:
    from .user import load_user

    row = rec.database(ctx, "ejuser").execute(
        "SELECT id FROM ejuser WHERE dbi_agent_id = ? AND dbi_key = ? ORDER BY id LIMIT 1", (agent, key)).fetchone()
    return load_user(ctx, self, row[0] if row else 0) if row else load_user(ctx, self, 0)


USER_PARSER_NAMES = ("id", "username", "loginname", "firstname", "middlename", "lastname", "email", "status",
                     "language", "sms", "signature", "associateId", "ownerCompany", "group", "profileId")


@builtin("Void User.toParser(Parser parser)", context=True)
def user_to_parser(ctx, self: User, parser: Parser) -> None:
    """The user's values as `user.<name>` (the reference's getValue names)."""
    parser.update({f"user.{name}": user_get_value(ctx, self, name) if self.id else "" for name in USER_PARSER_NAMES})
