"""A stand-in compiler for the chain and registry tests: the chain's rules do
not depend on CRMScript, so these tests drive it with tiny Python "scripts".

A fake script is Python run with `event` (the shared EventData), `ctx` (the
RunContext), `fail(message, line)` (an uncaught CRMScript runtime error) and
`limit()` (a sandbox limit). `#include name` lines pull in another fake
script through the engine's include resolver; a first line `SYNTAX` makes
the compile fail at line 1, column 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import CRMScriptLimitError, CRMScriptRuntimeError, CRMScriptSyntaxError

COMPILED: list[str] = []  # names, in compile order: tests count recompilations


@dataclass
class FakeResult:
    output: str
    event: object


class FakeScript:
    def __init__(self, code: str, name: str):
        self.name = name
        self.code = compile(code, name, "exec")

    def run(self, event=None, *, context=None):
        def fail(message, line=1, column=1):
            raise CRMScriptRuntimeError(message, self.name, line, column)

        def limit():
            raise CRMScriptLimitError("too many steps", self.name, 3, 1)

        exec(self.code, {"event": event, "ctx": context, "fail": fail, "limit": limit})
        return FakeResult(context.printed(), event)


def fake_compile(source: str, name: str, *, includes=None, library=None):
    COMPILED.append(name)
    if source.startswith("SYNTAX"):
        raise CRMScriptSyntaxError("unexpected 'SYNTAX'", name, 1, 1)
    lines = []
    for line in source.splitlines():
        if line.startswith("#include "):
            found = includes(line.split()[1]) if includes else None
            if found is None:
                raise CRMScriptSyntaxError(f"cannot find include {line.split()[1]}", name, 1, 1)
            lines.append(found[0])
        else:
            lines.append(line)
    return FakeScript("\n".join(lines), name)
