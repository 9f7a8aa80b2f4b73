"""crmscript-sim: run SuperOffice CRMScript event handlers offline."""

from .errors import (
    CRMScriptCheckError,
    CRMScriptDiagnostics,
    CRMScriptError,
    CRMScriptLimitError,
    CRMScriptRuntimeError,
    CRMScriptSyntaxError,
    CRMScriptThrow,
)
from .eventdata import EventData, FieldProperty, TableRight
from .script import RunResult, Script, compile_script

__all__ = [
    "CRMScriptCheckError",
    "CRMScriptDiagnostics",
    "CRMScriptError",
    "CRMScriptLimitError",
    "CRMScriptRuntimeError",
    "CRMScriptSyntaxError",
    "CRMScriptThrow",
    "EventData",
    "FieldProperty",
    "RunResult",
    "Script",
    "TableRight",
    "compile_script",
]
