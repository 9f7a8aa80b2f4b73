"""The typed AST of CRMScript: plain dataclasses, one per construct, and
the one way to walk it.

The parser builds these from lark's parse tree; the checker fills in the
annotation fields (declared with `annotation()`: they point elsewhere in the
tree, to a Symbol or to the library, and are never children); the compiler
reads both. Every node knows the file, line and column (1-based) it came
from, so every later error can point at the script.

Traversal (`children`, `walk`) is driven by the dataclass fields: a field is
a child when it holds a Node (or a list of them) and is not an annotation.
`Include.program` (the included file, set by the loader) is walked only when
asked for (`includes=True`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING

from .symbols import Symbol
from .types import Type

if TYPE_CHECKING:
    from .runtime.table import Signature

# Field metadata key of the fields that are not children (see `annotation`).
_ANNOTATION = "annotation"


def annotation(*, set_by: str = "the checker"):
    """A field filled in after parsing that refers to something elsewhere
    (a declaration, a Symbol, a library Signature, the enclosing struct):
    None until then, and never a child of its node."""
    return field(default=None, metadata={_ANNOTATION: set_by})


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
    sizes: list[Expr | None] = field(default_factory=list)

    @property
    def type(self) -> Type:
        return Type(self.name, len(self.sizes))


# --------------------------------------------------------- expressions


@dataclass(kw_only=True, eq=False)
class Expr(Node):
    ctype: Type | None = annotation()  # the static type


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
    symbol: Symbol | None = annotation()  # the variable it resolves to


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
    target: FunctionDecl | Signature | None = annotation()


@dataclass(eq=False)
class Construct(Expr):
    """Constructor-style value: `Integer(5)`, `Map("a=1")`, `DateTime()`, `MyStruct()`."""

    type_ref: TypeRef
    args: list[Expr]
    # a constructor's Signature, the StructDecl, or a factory function named like the struct
    target: Signature | StructDecl | FunctionDecl | None = annotation()


@dataclass(eq=False)
class MethodCall(Expr):
    """`obj.method(args)` on a built-in value, class or struct."""

    obj: Expr
    method: str
    args: list[Expr]
    target: Signature | FunctionDecl | None = annotation()  # a library member or a struct method


@dataclass(eq=False)
class Member(Expr):
    """`obj.field` of a struct, or `Enum.Constant` of a documented NetServer enum."""

    obj: Expr
    name: str
    target: VarDecl | None = annotation()  # the field's declaration
    constant: int | None = annotation()  # the value of an enum constant (`ActivityStatus.Completed`)


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
    init: Expr | None = None
    symbol: Symbol | None = annotation()


@dataclass(eq=False)
class Param(Node):
    type_ref: TypeRef
    name: str
    symbol: Symbol | None = annotation()


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
    struct: StructDecl | None = annotation(set_by="the parser")  # the struct of a method


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
    else_: Stmt | None = None  # `else if` is an If here


@dataclass(eq=False)
class While(Stmt):
    cond: Expr
    body: Stmt


@dataclass(eq=False)
class For(Stmt):
    init: Stmt | None  # VarDecl or ExprStmt
    cond: Expr | None
    update: Expr | None
    body: Stmt


@dataclass(eq=False)
class Foreach(Stmt):
    """`foreach (Type name in collection) body`."""

    var_type: TypeRef
    var_name: str
    collection: Expr
    body: Stmt
    symbol: Symbol | None = annotation()


@dataclass(eq=False)
class Break(Stmt):
    pass


@dataclass(eq=False)
class Continue(Stmt):
    pass


@dataclass(eq=False)
class Return(Stmt):
    value: Expr | None = None


@dataclass(eq=False)
class Try(Stmt):
    """`try { body } catch { handler }`; `error` and `errorLocation` exist in handler."""

    body: Block
    handler: Block
    error_symbol: Symbol | None = annotation()
    location_symbol: Symbol | None = annotation()


@dataclass(eq=False)
class Throw(Stmt):
    value: Expr


@dataclass(eq=False)
class Include(Stmt):
    """`#include "name";` - textual inclusion, resolved by the loader."""

    name: str
    # The included script (set by the loader). Not a child: another file's
    # tree, walked only with walk(..., includes=True).
    program: Program | None = annotation(set_by="the loader")


@dataclass(eq=False)
class LanguageLevel(Stmt):
    """`#setLanguageLevel N;` - recorded; level 3 behaviour is the default."""

    level: int


@dataclass(eq=False)
class Program(Node):
    body: list[Stmt]


# ------------------------------------------------------------ traversal


@cache
def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold children, in declaration order
    (which is source order: `If` is cond, then, else_)."""
    return tuple(f.name for f in fields(cls)
                 if f.name not in ("file", "line", "column") and _ANNOTATION not in f.metadata)


def children(node: Node) -> Iterator[Node]:
    """The direct children of `node`, in source order (annotations excluded)."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Node):
                    yield item


def walk(root: Node, *, includes: bool = False,
         enter: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """`root` and every node under it, depth first in source order.

    `enter(node)` False: the node is yielded but nothing under it (e.g. a
    nested loop, whose `break` is its own). `includes=True` walks the
    programs of `#include` statements too, each included file once.
    Iterative, so a deep script (an else-if chain of thousands) is no problem.
    """
    stack = [root]
    walked_programs: set[int] = set()
    while stack:
        node = stack.pop()
        yield node
        if enter is not None and not enter(node):
            continue
        if includes and isinstance(node, Include) and node.program is not None \
                and id(node.program) not in walked_programs:
            walked_programs.add(id(node.program))
            stack.append(node.program)
        found = list(children(node))
        found.reverse()
        stack.extend(found)
