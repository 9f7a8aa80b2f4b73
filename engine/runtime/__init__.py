"""The built-in library: importing this package registers every family
module in the one signature table (`runtime.table.LIBRARY`)."""

import importlib as _importlib

# TEMPORARY (issue 3, item 2): the families are written in parallel, so a
# family module that does not exist yet is skipped. Once all seven exist this
# becomes plain imports, and a missing module is an ImportError again.
for _family in ("numbers", "strings", "globals", "eventdata", "datetimes", "collections", "jsonxml"):
    try:
        _importlib.import_module(f"{__name__}.{_family}")
    except ModuleNotFoundError as _missing:
        if _missing.name != f"{__name__}.{_family}":
            raise  # the module exists but one of ITS imports is missing: a real bug
del _importlib, _family
