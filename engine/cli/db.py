"""`crmscript db`: look at a fixture's database, or make a SQLite file of it.

    crmscript db init crm.sqlite [--fixture crm.yaml] [--only-used]
    crmscript db show [TABLE] [--fixture FILE] [--columns a,b] [--where col=value]...
    crmscript db tables [NAME-PART]

`init` writes the fixture (default: the handler tree's fixture.yaml, else
the demo CRM) as a SQLite file that any SQLite tool can open and change;
`--fixture crm.sqlite` then runs on it. `show` prints a table's rows (the
columns some row sets, or --columns); without TABLE it lists the tables that
hold rows. `tables` lists the schema's tables (those whose name contains
NAME-PART). Exit status: 0 done, 2 bad input (a fixture that does not load,
an unknown table or column).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import CRMScriptError
from . import app
from .common import EXIT_USAGE, describe, handler_tree_option

db_app = typer.Typer(help="Look at a fixture's database, or write it as a SQLite file.", no_args_is_help=True)
app.add_typer(db_app, name="db")

FIXTURE_HELP = "Fixture (YAML or SQLite); default: the handler tree's fixture.yaml, else the demo CRM."


def _fixture(fixture: Path | None, handlers: Path | None):
    from ..crm import demo_fixture, resolve_fixture

    try:
        return resolve_fixture(fixture, handler_tree_option(handlers, "db") if fixture is None else None) \
            or demo_fixture()
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None


def _usage(message: str) -> typer.Exit:
    print(f"crmscript db: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USAGE)


@db_app.command("init")
def init_command(
    target: Path = typer.Argument(..., metavar="FILE.sqlite", help="The SQLite file to write (replaced if it exists)."),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree whose fixture.yaml is the default."),
    only_used: bool = typer.Option(False, "--only-used", help="Only the tables the fixture fills (default: all 495)."),
) -> None:
    """Write a fixture as a SQLite file (every table of the schema; now/timezone/user in crmscript_fixture)."""
    from ..crm.store import write_sqlite

    loaded = _fixture(fixture, handlers)
    try:
        count = write_sqlite(loaded, target, all_tables=not only_used)
    except OSError as error:
        raise _usage(f"cannot write {target}: {error.strerror}") from None
    print(f"{target}: {count} tables, from {loaded.name}", file=sys.stderr)


@db_app.command("show")
def show_command(
    table: str | None = typer.Argument(None, help="The table (names match ignoring case); none: list the tables with rows."),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree whose fixture.yaml is the default."),
    columns: str | None = typer.Option(None, "--columns", help="Comma-separated columns (default: those some row sets)."),
    where: list[str] = typer.Option([], "--where", help="column=value: only the rows where the column has the value (repeatable)."),
) -> None:
    """Print a table of the fixture's database as a text table."""
    from ..crm.schema import SchemaError
    from ..crm.store import Session

    loaded = _fixture(fixture, handlers)
    session = Session(loaded)
    try:
        if table is None:
            _list_filled(session)
            return
        try:
            print(_table_text(session, table, columns, where), end="")
        except (SchemaError, ValueError) as error:
            raise _usage(str(error)) from None
    finally:
        session.close()


def _list_filled(session) -> None:
    database = session.database
    names = sorted((name for (name,) in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")), key=str.lower)
    for name in names:
        if name.lower() == "crmscript_fixture":
            continue
        count = database.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        if count:
            print(f"{name}: {count} row{'' if count == 1 else 's'}")


def _table_text(session, name: str, columns: str | None, where: list[str]) -> str:
    from ..crm.formats import as_text, text_table
    from ..crm.query import sql_name

    table = session.schema.table(name)
    database = session.database
    database.ensure_table(table)
    conditions, params = [], []
    for condition in where:
        column, sep, value = condition.partition("=")
        if not sep:
            raise ValueError(f"--where {condition!r} is not column=value")
        found = table.column(column.strip())
        conditions.append(f"{sql_name(found.name)} = ?")
        params.append(found.to_sql(value))
    sql = f"SELECT * FROM {sql_name(table.name)}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    key = table.key
    cursor = database.execute(sql + (f" ORDER BY {sql_name(key.name)}" if key else ""), params)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if columns:
        wanted = [table.column(c.strip()).name for c in columns.split(",") if c.strip()]
    else:  # the key, and every column some row sets to more than its default
        wanted = [n for i, n in enumerate(names) if (key and n == key.name) or any(
            row[i] not in (None, 0, 0.0, "") for row in rows)]
    indexes = [names.index(c) for c in wanted]
    texts = [[as_text(row[i]) for i in indexes] for row in rows]
    return text_table(wanted, texts) + f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n"


@db_app.command("tables")
def tables_command(
    part: str = typer.Argument("", metavar="NAME-PART", help="Only the tables whose name contains this."),
) -> None:
    """List the tables of the schema (SuperOfficeDocs/database) with their number of fields."""
    from ..crm.schema import reference_schema

    schema = reference_schema()
    for name in sorted(schema.table_names(), key=str.lower):
        if part.lower() in name.lower():
            print(f"{name} ({len(schema.table(name).columns)} fields)")
