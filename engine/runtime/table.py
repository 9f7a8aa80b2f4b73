"""The one signature table of the built-in library.

Both the checker (names, arity, types) and the compiler/runtime (which Python
function implements a call) read this table, so a member exists for the
checker exactly when it exists at run time.

A family module registers its members with the `builtin` decorator, written
as a CRMScript declaration:

    @builtin("Integer String.getLength()")
    def string_get_length(self: str) -> int:
        return len(self)

    @builtin("Void printLine(String text)", context=True)
    def print_line(ctx, text: str) -> None: ...

    @builtin("String String(Integer value)")      # constructor: owner == name
    def string_from_integer(value: int) -> str: ...

Conventions for implementations:
- Receiver first (`self`), then the CRMScript arguments in order.
- `context=True`: the run's RunContext comes first (before `self`).
- `mutates=True` (only for value-typed receivers whose Python value is
  immutable, e.g. String.append): the implementation returns
  (new_receiver_value, result) and the compiler stores the new value back.
- The type `T` in a declaration is the element type of the array receiver.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..types import Type

GLOBAL = ""  # owner of global functions


@dataclass(frozen=True)
class ParamSig:
    type: Type
    name: str


@dataclass(frozen=True, eq=False)
class Signature:
    owner: str  # class name, or GLOBAL for a global function
    name: str  # member name; equals owner for a constructor
    params: tuple[ParamSig, ...]
    returns: Type
    impl: Callable | None  # None: declared (documented) but not simulated
    context: bool = False
    mutates: bool = False
    doc: str = ""
    url: str = ""  # its address in the public reference (engine/reference.py), if documented

    @property
    def is_constructor(self) -> bool:
        return self.owner != GLOBAL and self.name == self.owner

    @property
    def qualified_name(self) -> str:
        return f"{self.owner}.{self.name}" if self.owner else self.name

    def __str__(self) -> str:
        params = ", ".join(f"{p.type} {p.name}" for p in self.params)
        return f"{self.returns} {self.qualified_name}({params})"


@dataclass
class ClassInfo:
    name: str
    constructors: list[Signature] = field(default_factory=list)
    methods: dict[str, list[Signature]] = field(default_factory=dict)
    python_class: type | None = None  # runtime representation, if a class
    default: Callable[..., object] | None = None  # value of `Name x;`
    default_context: bool = False  # the default is given the RunContext (`Date d;` is today)


class Library:
    """Global functions and classes, each name with its overloads."""

    def __init__(self) -> None:
        self.functions: dict[str, list[Signature]] = {}
        self.classes: dict[str, ClassInfo] = {}

    def add(self, sig: Signature) -> None:
        if sig.owner == GLOBAL:
            self.functions.setdefault(sig.name, []).append(sig)
        else:
            info = self.class_info(sig.owner)
            if sig.is_constructor:
                info.constructors.append(sig)
            else:
                info.methods.setdefault(sig.name, []).append(sig)

    def class_info(self, name: str) -> ClassInfo:
        info = self.classes.get(name)
        if info is None:
            info = self.classes[name] = ClassInfo(name)
        return info

    def register_class(self, name: str, python_class: type | None = None,
                       default: Callable[..., object] | None = None, *, default_context: bool = False) -> ClassInfo:
        """`default` makes the value of a declaration `Name x;`: called with no
        argument, or with the run's RunContext when `default_context`."""
        info = self.class_info(name)
        if python_class is not None:
            info.python_class = python_class
        if default is not None:
            info.default = default
            info.default_context = default_context
        return info

    def copy(self) -> Library:
        """A copy plugins can extend without touching the built-in table."""
        clone = Library()
        clone.functions = {k: list(v) for k, v in self.functions.items()}
        clone.classes = {
            k: ClassInfo(v.name, list(v.constructors), {m: list(s) for m, s in v.methods.items()},
                         v.python_class, v.default, v.default_context)
            for k, v in self.classes.items()
        }
        return clone


LIBRARY = Library()

_DECL = re.compile(
    r"^\s*(?P<ret>\w+(?:\[\])*)\s+(?:(?P<owner>\w+)\.)?(?P<name>\w+)\s*\((?P<params>.*)\)\s*$"
)
_PARAM = re.compile(r"^\s*(?P<type>\w+(?:\[\])*)\s+(?P<name>\w+)\s*$")


def parse_type(text: str) -> Type:
    name = text.replace("[]", "")
    return Type(name, text.count("[]"))


def parse_declaration(decl: str) -> tuple[str, str, tuple[ParamSig, ...], Type]:
    """'Integer String.find(String s)' -> ("String", "find", (ParamSig,), Type)."""
    m = _DECL.match(decl)
    if not m:
        raise ValueError(f"bad builtin declaration: {decl!r}")
    params: list[ParamSig] = []
    if m["params"].strip():
        for part in m["params"].split(","):
            pm = _PARAM.match(part)
            if not pm:
                raise ValueError(f"bad parameter {part!r} in {decl!r}")
            params.append(ParamSig(parse_type(pm["type"]), pm["name"]))
    owner = m["owner"] or GLOBAL
    name = m["name"]
    if not m["owner"] and name == m["ret"] and name[:1].isupper():
        owner = name  # "String String(Integer v)" is a constructor
    return owner, name, tuple(params), parse_type(m["ret"])


def builtin(decl: str, *, context: bool = False, mutates: bool = False,
            library: Library = LIBRARY) -> Callable[[Callable], Callable]:
    """Register the decorated function as the implementation of `decl`."""

    owner, name, params, returns = parse_declaration(decl)

    def register(fn: Callable) -> Callable:
        library.add(Signature(owner, name, params, returns, fn, context, mutates,
                              (fn.__doc__ or "").strip()))
        return fn

    return register
