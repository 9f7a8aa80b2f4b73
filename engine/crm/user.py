"""Who the script runs as: getActiveUser(), getUsername(id) and the User class.

The logged-in user is the fixture's `user` (an ejuser id; the demo CRM's is
3). A User is a view on one ejuser row of the run's database. Its getValue
names are the reference's (CRMScript.Native.User): the ejuser columns, in
the reference's spelling where it differs (lastCategory for last_category,
associateId for the associate whose ejuserId is the user, ...), and the
extra fields x_*. isAdministrator, hasTicketAccess, loadFromAgentAndKey and
toParser are in people.py, with the record classes (docs/crm-records.md).
"""

from __future__ import annotations

from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.table import LIBRARY, builtin
from .formats import as_text
from .schema import suggest

# getValue names that are not simply the column's name (ignoring case and underscores)
_RENAMED = {"group": "usergroup", "pictureid": "picture_id"}
_DERIVED = ("associateid", "ownercompany")


class User:
    """A CRMScript `User`: the ejuser row it was loaded from, and unsaved changes."""

    __slots__ = ("id", "values", "changes")

    def __init__(self) -> None:
        self.id = 0
        self.values: dict[str, object] = {}
        self.changes: dict[str, object] = {}


def _ejuser(ctx: Any):
    return ctx.crm.schema.table("ejuser")


def _column(ctx: Any, name: str):
    """The ejuser column a getValue/setValue name means, or None for a derived value."""
    table = _ejuser(ctx)
    key = name.strip().lower()
    if key in _DERIVED:
        return None
    key = _RENAMED.get(key, key)
    for column in table.columns.values():
        if column.name.lower() == key or column.name.lower().replace("_", "") == key:
            return column
    known = [c.name for c in table.columns.values()] + ["associateId", "ownerCompany", "group"]
    raise CRMScriptRuntimeError(f"User: unknown field '{name}'{suggest(name, known)}")


def load_user(ctx: Any, user: User, user_id: int) -> bool:
    database = ctx.crm.database
    table = _ejuser(ctx)
    database.ensure_table(table)
    cursor = database.execute("SELECT * FROM ejuser WHERE id = ?", (user_id,))
    row = cursor.fetchone()
    user.changes.clear()
    if row is None:
        user.id, user.values = 0, {}
        return False
    user.id = user_id
    user.values = {description[0].lower(): value for description, value in zip(cursor.description, row, strict=True)}
    return True


def _derived(ctx: Any, user: User, key: str) -> str:
    database = ctx.crm.database
    schema = ctx.crm.schema
    database.ensure_table(schema.table("associate"))
    row = database.execute("SELECT associate_id, person_id FROM associate WHERE ejuserId = ? AND ejuserId <> 0 "
                           "ORDER BY associate_id LIMIT 1", (user.id,)).fetchone()
    if key == "associateid":
        return as_text(row[0]) if row else "0"
    if row is None:
        return "0"
    database.ensure_table(schema.table("person"))
    person = database.execute("SELECT contact_id FROM person WHERE person_id = ?", (row[1],)).fetchone()
    return as_text(person[0]) if person else "0"


@builtin("User getActiveUser()", context=True)
def get_active_user(ctx) -> User:
    """The logged-in user: the fixture's `user` (an ejuser id)."""
    user = User()
    user_id = ctx.crm.user
    if user_id:
        load_user(ctx, user, user_id)
    return user


@builtin("String getUsername(Integer userId)", context=True)
def get_username(ctx, user_id: int) -> str:
    user = User()
    return as_text(user.values.get("username")) if load_user(ctx, user, user_id) else ""


@builtin("User User()")
def user_new() -> User:
    return User()


@builtin("Bool User.load(Integer p_id)", context=True)
def user_load(ctx, self: User, user_id: int) -> bool:
    return load_user(ctx, self, user_id)


@builtin("String User.getValue(String colName)", context=True)
def user_get_value(ctx, self: User, name: str) -> str:
    column = _column(ctx, name)
    if column is None:
        return _derived(ctx, self, name.strip().lower()) if self.id else ""
    key = column.name.lower()
    if key in self.changes:
        return as_text(self.changes[key])
    return as_text(self.values.get(key))


@builtin("Void User.setValue(String column, String value)", context=True)
def user_set_value(ctx, self: User, name: str, value: str) -> None:
    column = _column(ctx, name)
    if column is None or column.is_key:
        raise CRMScriptRuntimeError(f"User.setValue: '{name}' cannot be set")
    try:
        self.changes[column.name.lower()] = column.to_sql(value)
    except ValueError as error:
        raise CRMScriptRuntimeError(f"User.setValue: {name}: {error}") from None


@builtin("Integer User.save()", context=True)
def user_save(ctx, self: User) -> int:
    """Writes the changes to the run's database (a new ejuser row for a user
    never loaded); returns the user's id."""
    database = ctx.crm.database
    database.ensure_table(_ejuser(ctx))
    database.begin_write()
    columns = _ejuser(ctx).columns
    names = [columns[key].name for key in self.changes]
    values = list(self.changes.values())
    if self.id:
        if names:
            assignments = ", ".join(f'"{name}" = ?' for name in names)
            database.execute(f"UPDATE ejuser SET {assignments} WHERE id = ?", [*values, self.id])
    elif names:
        marks = ", ".join("?" * len(names))
        self.id = database.execute(f"INSERT INTO ejuser ({', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)}) "
                                   f"VALUES ({marks})", values).lastrowid
    else:
        self.id = database.execute("INSERT INTO ejuser DEFAULT VALUES").lastrowid
    load_user(ctx, self, self.id)
    return self.id


@builtin("Bool User.isLoggedIn(Integer origin)", context=True)
def user_is_logged_in(ctx, self: User, origin: int) -> bool:
    """Only the fixture's user is logged in (whatever the origin)."""
    return bool(self.id) and self.id == ctx.crm.user


LIBRARY.register_class("User", User, default=User)
