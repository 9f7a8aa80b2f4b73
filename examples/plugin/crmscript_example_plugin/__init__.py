"""An example crmscript-sim plugin (see docs/plugins.md).

It shows the three setup hooks:
- a handler for DbiTaskFailed that raises an alert level for a failed
  DBI (integration) task, registered from source held by the plugin;
- a built-in function `String dbiAlertLevel(Integer failures)` that the
  handler (and every script of the engine) can call;
- an include folder, so `#include "dbi_alert";` finds include/dbi_alert.crm.

DbiTaskFailed was chosen because no handler of the default tree and no test
of the team fires it: an installed example must not change other results.
"""

from __future__ import annotations

from pathlib import Path

from engine.hookspecs import HandlerSource, hookimpl
from engine.runtime.table import builtin

INCLUDE_DIR = Path(__file__).parent / "include"
HANDLER_NAME = "50-example-plugin-alert.crm"

HANDLER_SOURCE = """\
#include "dbi_alert";

EventData ed = getEventData();
Integer failures = ed.getStateValue("dbiFailures").toInteger() + 1;
ed.setStateValue("dbiFailures", failures.toString());
ed.setOutputValue("alertLevel", dbiAlertLevel(failures));
ed.setOutputValue("alertText", dbiAlertText(ed.getInputValue("entryId"), failures));
"""


@hookimpl
def crmscript_handlers():
    return [HandlerSource("DbiTaskFailed", HANDLER_NAME, HANDLER_SOURCE)]


@hookimpl
def crmscript_include_paths():
    return [INCLUDE_DIR]


@hookimpl
def crmscript_library(library):
    @builtin("String dbiAlertLevel(Integer failures)", library=library)
    def dbi_alert_level(failures: int) -> str:
        """`info` for the first failure, `warning` up to three, then `critical`."""
        if failures <= 1:
            return "info"
        return "warning" if failures <= 3 else "critical"
