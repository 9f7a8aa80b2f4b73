"""The one exception family of crmscript-sim.

Every stage (parse, check, compile, run) reports problems as a CRMScriptError
carrying the script's file, line and column and a message written for a
script author. Nothing outside this family may escape the engine for bad
input: an internal error is a bug.
"""

from __future__ import annotations


class CRMScriptError(Exception):
    """A problem in a CRMScript script, located at file:line:col (1-based)."""

    kind = "error"

    def __init__(self, message: str, file: str = "<script>", line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.kind}: {self.message}"


class CRMScriptSyntaxError(CRMScriptError):
    """The source does not follow the grammar."""


class CRMScriptCheckError(CRMScriptError):
    """The source parses but breaks a static rule (names, types, arity, ...)."""


class CRMScriptDiagnostics(CRMScriptError):
    """Several errors found in one pass (the checker reports them all).

    The first error gives this exception its location and message; `errors`
    holds every one, in source order.
    """

    def __init__(self, errors: list[CRMScriptError]):
        first = errors[0]
        super().__init__(first.message, first.file, first.line, first.column)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class CRMScriptWarning(CRMScriptError):
    """Something a script author should look at that does not stop the script
    (a typed function that can fall off its end, an input key the trigger never
    sends). Reported as `file:line:col: warning: message`; never raised by a
    stage and never changes an exit status."""

    kind = "warning"


class CRMScriptRuntimeError(CRMScriptError):
    """An error while a script runs. CRMScript `catch` catches these.

    `message` is what `error` holds inside catch (e.g. "Division by zero",
    "GeneralException: text" for throw).
    """

    kind = "runtime error"


class CRMScriptThrow(CRMScriptRuntimeError):
    """A CRMScript `throw expr;` (message "GeneralException: <expr>")."""


class CRMScriptLimitError(CRMScriptError):
    """A sandbox limit ended the run (steps, recursion, size).

    Deliberately NOT a CRMScriptRuntimeError: a CRMScript `catch` must never
    swallow it.
    """

    kind = "limit exceeded"


class CRMScriptNotSimulatedError(CRMScriptError):
    """The script called a documented CRMScript member that the simulator does
    not simulate yet (docs/reference.md): the checker accepts it, running it
    stops the script at the call.

    Like a limit, deliberately NOT a CRMScriptRuntimeError: a CRMScript
    `catch` must not swallow it, or a script (and a test case) could pass
    without the member ever being answered.
    """

    kind = "not simulated"


class ScriptExit(Exception):  # noqa: N818 (not an error: the script ends normally)
    """exitWithMessage(): the script ends here, as a finished run (Script.run
    returns its result). Not a CRMScriptError: a CRMScript `catch` does not see it."""
