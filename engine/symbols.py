"""What a name resolves to: the checker creates one Symbol per declaration and
links every use (nodes.Name.symbol, VarDecl.symbol, Param.symbol, ...) to it;
the compiler turns each Symbol into one Python variable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .types import Type

# Symbol kinds
GLOBAL = "global"  # top-level variable of the script
LOCAL = "local"  # variable inside a function, method or block
PARAM = "param"  # function or method parameter
CATCH = "catch"  # the implicit `error` / `errorLocation` of a catch block


@dataclass(eq=False)
class Symbol:
    name: str
    type: Type
    kind: str
    decl: Any | None = None  # the declaring node (VarDecl, Param, Foreach, Try)
    function: Any | None = None  # enclosing FunctionDecl, None at top level

    def __repr__(self) -> str:
        return f"Symbol({self.kind} {self.type} {self.name})"
