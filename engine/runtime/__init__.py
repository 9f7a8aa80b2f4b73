"""The built-in library: importing this package registers every family
module in the one signature table (`runtime.table.LIBRARY`)."""

import importlib as _importlib

_FAMILIES = ("numbers", "strings", "globals", "eventdata", "datetimes", "collections", "jsonxml")

# TEMPORARY (issue 3, item 2): the families are written in parallel, so a
# family module that does not exist yet -- or that imports one that does not
# exist yet -- is skipped. Once all seven exist this becomes plain imports and
# a missing module is an ImportError again. Any other missing module (a real
# bug, e.g. a third-party dependency) is still raised.
for _family in _FAMILIES:
    try:
        _importlib.import_module(f"{__name__}.{_family}")
    except ModuleNotFoundError as _missing:
        if _missing.name not in {f"{__name__}.{f}" for f in _FAMILIES}:
            raise
del _importlib, _family
