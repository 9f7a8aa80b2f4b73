"""The input-key lint: `getInputValue("...")` of a key the handler's trigger never sends.

A handler reading `SaleEntity.Amout` gets "" from every real event: no error,
just a check that never fires. A case written by the same hand passes too.
This pass runs over a *checked* program (the checker has typed the
receivers) and warns for every `getInputValue` call on an EventData whose
argument is a string literal the trigger (the handler's folder, when it is
in the catalog) does not document. Keys computed at run time are not
judged; an open trigger (form fields, UI variables) sends any key.
Included files are not linted here: a lib/ script serves several triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from . import nodes as N
from .catalog import Catalog, default_catalog
from .errors import CRMScriptWarning

EVENT_DATA = "EventData"


def input_key_reads(program: N.Program) -> Iterator[N.StringLit]:
    """The string literals given to `getInputValue` on an EventData in the
    program's own file (not in its includes)."""
    for node in N.walk(program):  # (annotations such as a call's target are not walked)
        if (isinstance(node, N.MethodCall) and node.method == "getInputValue" and len(node.args) == 1
                and isinstance(node.args[0], N.StringLit) and _is_event_data(node.obj)):
            yield node.args[0]


def _is_event_data(receiver: N.Expr) -> bool:
    ctype = receiver.ctype
    return ctype is not None and ctype.name == EVENT_DATA and not ctype.dims


def trigger_of(handler_file: str | Path, catalog: Catalog | None = None) -> str | None:
    """The event type a handler file belongs to: its folder's name, when that
    is a trigger of the catalog (DIR/<EventType>/<file>.crm)."""
    folder = Path(handler_file).resolve().parent.name
    return folder if folder in (catalog or default_catalog()) else None


def input_key_warnings(program: N.Program, event_type: str,
                       catalog: Catalog | None = None) -> list[CRMScriptWarning]:
    """One warning per literal input key `event_type` never sends, in source order."""
    catalog = catalog or default_catalog()
    warnings = []
    for literal in input_key_reads(program):
        message = catalog.unsent_key(event_type, literal.value)
        if message is not None:
            warnings.append(CRMScriptWarning(message, literal.file, literal.line, literal.column))
    return sorted(warnings, key=lambda w: (w.line, w.column))
