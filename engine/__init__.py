"""crmscript-sim: run SuperOffice CRMScript event handlers offline."""

from .chain import Engine  # noqa: E402  (after script: the chain compiles through it)
from .errors import (
    CRMScriptCheckError,
    CRMScriptDiagnostics,
    CRMScriptError,
    CRMScriptLimitError,
    CRMScriptNotSimulatedError,
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
    "CRMScriptNotSimulatedError",
    "CRMScriptRuntimeError",
    "CRMScriptSyntaxError",
    "CRMScriptThrow",
    "Engine",
    "EventData",
    "FieldProperty",
    "RunResult",
    "Script",
    "TableRight",
    "compile_script",
]
