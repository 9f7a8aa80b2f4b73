"""The typed AST of CRMScript: plain dataclasses, one per construct.

The parser builds these from lark's parse tree; the checker fills in the
annotation fields (marked "set by the checker"); the compiler reads both.
Every node knows the file, line and column (1-based) it came from, so every
later error can point at the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .types import Type


@dataclass(kw_only=True, eq=False)
class Node:
    file: str = "<script>"
    line: int = 0
    column: int = 0


# --------------------------------------------------------------- types


@dataclass(eq=False)
class TypeRef(Node):
    """A written type: `Integer`, `String[]`, `Integer[3][4]`, `MyStruct`.

    `sizes` has one entry per bracket pair: the size expression, or None for
    `[]`. `Integer[3][4]` has sizes [3, 4]; `String[]` has [None].
    """

    name: str
    sizes: list[Optional["Expr"]] = field(default_factory=list)

    @property
    def type(self) -> Type:
        return Type(self.name, len(self.sizes))


# --------------------------------------------------------- expressions


@dataclass(kw_only=True, eq=False)
class Expr(Node):
    ctype: Optional[Type] = None  # set by the checker: the static type


@dataclass(eq=False)
class IntLit(Expr):
    value: int


@dataclass(eq=False)
class FloatLit(Expr):
    value: float


@dataclass(eq=False)
class StringLit(Expr):
    value: str  # escapes already resolved


@dataclass(eq=False)
class BoolLit(Expr):
    value: bool


@dataclass(eq=False)
class Name(Expr):
    """A variable reference."""

    name: str
    symbol: Any = None  # set by the checker: the Symbol it resolves to


@dataclass(eq=False)
class This(Expr):
    """`this` inside a struct method."""


@dataclass(eq=False)
class Unary(Expr):
    op: str  # "!", "-", "+"
    operand: Expr


@dataclass(eq=False)
class IncDec(Expr):
    op: str  # "++" or "--"
    prefix: bool
    target: Expr


@dataclass(eq=False)
class Binary(Expr):
    op: str  # "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||"
    left: Expr
    right: Expr


@dataclass(eq=False)
class Assign(Expr):
    op: str  # "=", "+=", "-=", "*=", "/="
    target: Expr  # Name, Member or Index
    value: Expr


@dataclass(eq=False)
class Call(Expr):
    """`name(args)`: a global library function or a script function."""

    name: str
    args: list[Expr]
    target: Any = None  # set by the checker: FunctionDecl or runtime Signature


@dataclass(eq=False)
class Construct(Expr):
    """Constructor-style value: `Integer(5)`, `Map("a=1")`, `DateTime()`, `MyStruct()`."""

    type_ref: TypeRef
    args: list[Expr]
    target: Any = None  # set by the checker: runtime Signature, or StructDecl


@dataclass(eq=False)
class MethodCall(Expr):
    """`obj.method(args)` on a built-in value, class or struct."""

    obj: Expr
    method: str
    args: list[Expr]
    target: Any = None  # set by the checker: runtime Signature or struct FunctionDecl


@dataclass(eq=False)
class Member(Expr):
    """`obj.field` of a struct."""

    obj: Expr
    name: str
    target: Any = None  # set by the checker: the field's VarDecl


@dataclass(eq=False)
class Index(Expr):
    """`obj[index]` of an array."""

    obj: Expr
    index: Expr


# ---------------------------------------------------------- statements


@dataclass(eq=False)
class Stmt(Node):
    pass


@dataclass(eq=False)
class VarDecl(Stmt):
    """`Type name;` or `Type name = init;`."""

    type_ref: TypeRef
    name: str
    init: Optional[Expr] = None
    symbol: Any = None  # set by the checker


@dataclass(eq=False)
class Param(Node):
    type_ref: TypeRef
    name: str
    symbol: Any = None  # set by the checker


@dataclass(eq=False)
class Block(Stmt):
    body: list[Stmt]


@dataclass(eq=False)
class FunctionDecl(Stmt):
    """`Type name(params) { body }` at top level, or a method inside a struct."""

    return_type: TypeRef
    name: str
    params: list[Param]
    body: Block
    struct: Optional["StructDecl"] = None  # set by the parser for methods


@dataclass(eq=False)
class StructDecl(Stmt):
    name: str
    fields: list[VarDecl]
    methods: list[FunctionDecl]


@dataclass(eq=False)
class ExprStmt(Stmt):
    expr: Expr


@dataclass(eq=False)
class EmptyStmt(Stmt):
    """A lone `;`."""


@dataclass(eq=False)
class If(Stmt):
    cond: Expr
    then: Stmt
    else_: Optional[Stmt] = None  # `else if` is an If here


@dataclass(eq=False)
class While(Stmt):
    cond: Expr
    body: Stmt


@dataclass(eq=False)
class For(Stmt):
    init: Optional[Stmt]  # VarDecl or ExprStmt
    cond: Optional[Expr]
    update: Optional[Expr]
    body: Stmt


@dataclass(eq=False)
class Foreach(Stmt):
    """`foreach (Type name in collection) body`."""

    var_type: TypeRef
    var_name: str
    collection: Expr
    body: Stmt
    symbol: Any = None  # set by the checker


@dataclass(eq=False)
class Break(Stmt):
    pass


@dataclass(eq=False)
class Continue(Stmt):
    pass


@dataclass(eq=False)
class Return(Stmt):
    value: Optional[Expr] = None


@dataclass(eq=False)
class Try(Stmt):
    """`try { body } catch { handler }`; `error` and `errorLocation` exist in handler."""

    body: Block
    handler: Block
    error_symbol: Any = None  # set by the checker
    location_symbol: Any = None  # set by the checker


@dataclass(eq=False)
class Throw(Stmt):
    value: Expr


@dataclass(eq=False)
class Include(Stmt):
    """`#include "name";` - textual inclusion, resolved by the loader."""

    name: str
    program: Optional["Program"] = None  # set by the loader: the included script


@dataclass(eq=False)
class LanguageLevel(Stmt):
    """`#setLanguageLevel N;` - recorded; level 3 behaviour is the default."""

    level: int


@dataclass(eq=False)
class Program(Node):
    body: list[Stmt]
