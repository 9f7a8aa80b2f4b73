"""CRMScript source text -> nodes.Program.

One LALR parser (lark) is built from grammar/crmscript.lark once per process.
Three pieces sit around it:

* `TypeNamePostLex` turns a NAME token into TYPE_NAME when it names a type.
  CRMScript has no keyword before a declaration, so `Foo x;` and `foo = x;`
  (or `Foo[2] x;` and `foo[2] = x;`) share a prefix; knowing which names are
  types makes the grammar LALR (the C "typedef name" technique). It also
  resolves `#include` as soon as it sees one, so struct names of the included
  script are type names for the rest of the file.
* `_NodeBuilder`, the lark transformer that builds the nodes, run inline by
  the LALR parser (no intermediate parse tree).
* the syntax-error explainer (engine/syntax_errors.py), which turns lark's
  exceptions into CRMScriptSyntaxError messages in CRMScript words.

Public entry point: `parse_program(source, file, includes=resolver)`.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, VisitError
from lark.lark import PostLex

from . import nodes
from .errors import CRMScriptCheckError, CRMScriptError, CRMScriptSyntaxError
from .syntax_errors import SyntaxErrorExplainer
from .types import LANGUAGE_TYPE_NAMES

# An include resolver maps the name written in `#include "name";` to
# (source text, file name), or None when there is no such script.
IncludeResolver = Callable[[str], tuple[str, str] | None]

# ------------------------------------------------------------------ type names

_HERE = Path(__file__).resolve().parent

# The language's types (engine/types.py), the built-in collections and
# EventData, and the reserved words of docs/language.md that name classes.
BUILTIN_TYPE_NAMES = LANGUAGE_TYPE_NAMES | {
    "Map", "Vector", "EventData",
    "Category", "Company", "Customer", "Diary", "Email", "Inbox", "Invoice",
    "License", "Message", "Priority", "Ticket", "User",
}  # fmt: skip


def _load_documented_class_names() -> frozenset[str]:
    """Class names of the public reference (engine/data/type_names.txt)."""
    path = _HERE / "data" / "type_names.txt"
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line)
    return frozenset(names)


KNOWN_TYPE_NAMES = BUILTIN_TYPE_NAMES | _load_documented_class_names()

# NetServer classes: NSContactAgent, NSPersonEntity, ... (hundreds of them).
_NETSERVER_NAME = re.compile(r"NS[A-Z]\w*\Z")


def is_known_type_name(name: str) -> bool:
    """A built-in or documented class name, or a NetServer (NS...) class."""
    return name in KNOWN_TYPE_NAMES or _NETSERVER_NAME.match(name) is not None


# ------------------------------------------------------------- parse context


# Digits an Integer literal is read with (more is out of range for certain).
INTEGER_LITERAL_DIGITS = 30


@dataclass
class _IncludeState:
    """Shared by one parse_program call and every include it parses."""

    resolver: IncludeResolver | None
    # False: an include the resolver cannot find is left unresolved (None)
    # instead of being an error (`crmscript check --syntax-only`).
    require_found: bool = True
    # Class names the caller adds (e.g. classes of plugins), type names in every file.
    extra_type_names: frozenset[str] = frozenset()
    # name -> (program, struct names it declares, directly or by its includes)
    cache: dict[str, tuple[nodes.Program, frozenset[str]]] = field(default_factory=dict)
    # names being parsed right now, outermost first (to report cycles)
    active: list[str] = field(default_factory=list)


@dataclass
class _FileContext:
    """What the post-lexer and the node builder know about the file being parsed."""

    file: str
    source: str
    includes: _IncludeState
    # Struct names this file declared so far, and those its includes brought in.
    struct_names: set[str] = field(default_factory=set)
    # Included programs by the (line, column) of their `#include` token.
    included: dict[tuple[int, int], nodes.Program] = field(default_factory=dict)
    # The last two tokens handed to the parser (for error positions).
    recent: deque = field(default_factory=lambda: deque(maxlen=2))

    def is_type_name(self, name: str) -> bool:
        return (
            name in self.struct_names
            or is_known_type_name(name)
            or name in self.includes.extra_type_names
        )


_CONTEXT: contextvars.ContextVar[_FileContext] = contextvars.ContextVar("crmscript_parse_context")

# ---------------------------------------------------------------- post-lexer

# Tokens after which a statement can start: only there (and at the start of a
# parameter, a for or a foreach variable) can `Name other` declare `other`.
_STATEMENT_BOUNDARIES = frozenset({"SEMI", "LBRACE", "RBRACE", "RPAR", "ELSE"})
# Tokens before a '(' that opens a place for declarations: `name(` (a function
# declaration's parameters; a call's arguments never hold `Name other`),
# `for (` and `foreach (`.
_DECLARING_PAREN_OWNERS = frozenset({"NAME", "FOR", "FOREACH"})


def _declaration_may_start(previous_type: str | None, paren_owners: list) -> bool:
    if previous_type is None or previous_type in _STATEMENT_BOUNDARIES:
        return True
    if previous_type == "LPAR":
        return bool(paren_owners) and paren_owners[-1] in _DECLARING_PAREN_OWNERS
    if previous_type == "COMMA":
        return bool(paren_owners) and paren_owners[-1] == "NAME"
    return False


class TypeNamePostLex(PostLex):
    """Turns NAME into TYPE_NAME where the name is a type (see module doc).

    A NAME is a type name when it is
      * a built-in type, a documented class, an `NS...` NetServer class, or
        a class the caller added (parse_program's type_names);
      * a struct declared earlier in the file or in an included script;
      * where a declaration can start, followed by another NAME directly
        (`Foo x`) or after bracket pairs (`Foo[] x`, `Foo[3] x`): a type we
        cannot see, e.g. a struct from an include that was not resolved.
    A NAME right after `.` (member or method) or after `struct` is never a type.
    """

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        ctx = _CONTEXT.get()
        stream = iter(stream)
        lookahead: deque[Token] = deque()

        def peek(n: int) -> Token | None:
            while len(lookahead) < n:
                token = next(stream, None)
                if token is None:
                    return None
                lookahead.append(token)
            return lookahead[n - 1]

        previous: Token | None = None
        # For each open '(': the type of the token before it, so that `(Foo x`
        # counts as a declaration only in a parameter list, `for (` or `foreach (`.
        paren_owners: list[str | None] = []
        while True:
            token = lookahead.popleft() if lookahead else next(stream, None)
            if token is None:
                return
            kind = token.type
            if kind == "NAME":
                token = self._classify(token, previous, paren_owners, ctx, peek)
            elif kind == "LPAR":
                paren_owners.append(previous.type if previous is not None else None)
            elif kind == "RPAR":
                if paren_owners:
                    paren_owners.pop()
            elif kind == "STRING" and previous is not None and previous.type == "INCLUDE":
                _resolve_include(ctx, previous, token)
            ctx.recent.append(token)
            previous = token
            yield token

    @staticmethod
    def _classify(token: Token, previous: Token | None, paren_owners: list, ctx: _FileContext, peek) -> Token:
        previous_type = previous.type if previous is not None else None
        if previous_type == "DOT":
            return token
        if previous_type in ("STRUCT", "STRUCT_CAPITAL"):
            ctx.struct_names.add(token.value)
            return token
        if previous_type in ("TYPE_NAME", "RSQB") and token.value in ctx.struct_names \
                and _next_type(peek) == "LPAR":
            # `Foo Foo() { Foo f; ...; return f; }`: a function may be named like a
            # struct (a factory, as the public library does); a variable may not.
            return token
        if ctx.is_type_name(token.value):
            return Token.new_borrow_pos("TYPE_NAME", token.value, token)
        if _declaration_may_start(previous_type, paren_owners) and _declares_after(peek):
            return Token.new_borrow_pos("TYPE_NAME", token.value, token)
        return token


def _next_type(peek) -> str | None:
    following = peek(1)
    return following.type if following is not None else None


# How far the post-lexer looks past `Name[` for the `] other` of a declaration.
_DIMENSION_LOOKAHEAD = 64


def _declares_after(peek) -> bool:
    """Whether the tokens after a name make it the type of a declaration: a
    name follows directly (`Widget w`) or after bracket pairs (`Widget[] w`,
    `Widget[3][n] w`). An expression never has a name right after `]`."""
    position = 1
    depth = 0
    while position <= _DIMENSION_LOOKAHEAD:
        following = peek(position)
        if following is None:
            return False
        if depth == 0:
            if following.type == "NAME":
                return True
            if following.type != "LSQB":
                return False
            depth = 1
        elif following.type == "LSQB":
            depth += 1
        elif following.type == "RSQB":
            depth -= 1
        elif following.type in ("SEMI", "LBRACE", "RBRACE"):
            return False
        position += 1
    return False


# ------------------------------------------------------------------ includes


def _unquote(string_token: str) -> str:
    # A line break inside the quotes is one "\n" whatever the file's line ends
    # (a C compiler reading a text file does the same).
    return _decode_escapes(string_token[1:-1].replace("\r\n", "\n"))


def _resolve_include(ctx: _FileContext, include_token: Token, name_token: Token) -> None:
    """Parse the script named by `#include "name"` (when a resolver is given)
    and make its struct names type names of the including file."""
    state = ctx.includes
    if state.resolver is None:
        return
    name = _unquote(name_token.value)
    if name in state.active:
        chain = " -> ".join([*state.active[state.active.index(name):], name])
        raise CRMScriptCheckError(
            f"#include \"{name}\" includes itself: {chain}",
            ctx.file,
            include_token.line,
            include_token.column,
        )
    if name not in state.cache:
        try:
            found = state.resolver(name)
        except CRMScriptError:
            raise
        except (OSError, UnicodeDecodeError) as exc:
            raise CRMScriptCheckError(
                f"cannot read the script of #include \"{name}\": {exc}",
                ctx.file,
                include_token.line,
                include_token.column,
            ) from None
        if found is None and not state.require_found:
            return
        if found is None:
            raise CRMScriptCheckError(
                f"#include \"{name}\": no such script in the include path",
                ctx.file,
                include_token.line,
                include_token.column,
            )
        source, file_name = found
        state.active.append(name)
        try:
            program, struct_names = _parse_file(source, file_name, state)
        finally:
            state.active.pop()
        state.cache[name] = (program, struct_names)
    program, struct_names = state.cache[name]
    ctx.struct_names |= struct_names
    ctx.included[(include_token.line, include_token.column)] = program


# --------------------------------------------------------------- node builder

_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|[0-7]{1,3}|.)", re.S)
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'",
    "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?",
}  # fmt: skip


def _decode_escapes(text: str) -> str:
    """Resolve C escapes; an unknown escape `\\q` stands for `q` (as C compilers do)."""
    if "\\" not in text:
        return text

    def one(match: re.Match) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape[0] == "x" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        if escape[0] == "u" and len(escape) == 5:
            code = int(escape[1:], 16)
            return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate is no character
        if escape[0] in "01234567":
            return chr(int(escape, 8) & 0xFF)
        return escape

    return _ESCAPE.sub(one, text)


@dataclass
class _Dim:
    """One `[size]` or `[]` of a type, until type_ref collects them."""

    size: nodes.Expr | None


@dataclass
class _ForPart:
    """The init, condition or update of a for header, tagged by which it is."""

    kind: str
    value: object


_ASSIGNABLE = (nodes.Name, nodes.Member, nodes.Index)
_OPERATOR_SPELLING = {"and": "&&", "or": "||"}
# Binary operators from loosest to tightest binding (docs/language.md).
_PRECEDENCE = {
    op: level
    for level, ops in enumerate(
        [("||", "or"), ("&&", "and"), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%")], 1
    )
    for op in ops
}


class _NodeBuilder(Transformer):
    """Builds nodes from the LALR reductions; method names are grammar rules."""

    # -- helpers

    @staticmethod
    def _at(item) -> dict:
        """file/line/column keywords for a node starting at `item` (token or node)."""
        return {"file": _CONTEXT.get().file, "line": item.line, "column": item.column}

    # -- program and directives

    def start(self, items):
        ctx = _CONTEXT.get()
        return nodes.Program(body=list(items), file=ctx.file, line=1, column=1)

    def include(self, items):
        keyword, name = items[0], items[1]
        program = _CONTEXT.get().included.get((keyword.line, keyword.column))
        return nodes.Include(_unquote(name.value), program, **self._at(keyword))

    def language_level(self, items):
        keyword, level = items[0], items[1]
        return nodes.LanguageLevel(int(level.value), **self._at(keyword))

    # -- declarations

    def dim(self, items):
        return _Dim(items[0] if items else None)

    def type_ref(self, items):
        name = items[0]
        return nodes.TypeRef(name.value, [d.size for d in items[1:]], **self._at(name))

    def var_decl(self, items):
        type_ref, name = items[0], items[1]
        init = items[2] if len(items) > 2 else None
        return nodes.VarDecl(type_ref, name.value, init, **self._at(type_ref))

    def param(self, items):
        type_ref, name = items
        return nodes.Param(type_ref, name.value, **self._at(type_ref))

    def params(self, items):
        return list(items)

    def function_decl(self, items):
        type_ref, name = items[0], items[1]
        params = items[2] if len(items) == 4 else []
        body = items[-1]
        return nodes.FunctionDecl(type_ref, name.value, params, body, **self._at(type_ref))

    def struct_decl(self, items):
        keyword, name, *members = items
        members = [m for m in members if isinstance(m, nodes.Node)]  # drop the `;` after `}`
        fields = [m for m in members if isinstance(m, nodes.VarDecl)]
        methods = [m for m in members if isinstance(m, nodes.FunctionDecl)]
        struct = nodes.StructDecl(name.value, fields, methods, **self._at(keyword))
        for method in methods:
            method.struct = struct
        return struct

    # -- statements

    def block(self, items):
        brace, *body = items
        return nodes.Block(list(body), **self._at(brace))

    def expr_stmt(self, items):
        return nodes.ExprStmt(items[0], **self._at(items[0]))

    def empty_stmt(self, items):
        return nodes.EmptyStmt(**self._at(items[0]))

    def if_stmt(self, items):
        keyword, cond, then = items[0], items[1], items[2]
        else_ = items[4] if len(items) > 3 else None
        return nodes.If(cond, then, else_, **self._at(keyword))

    def while_stmt(self, items):
        keyword, cond, body = items
        return nodes.While(cond, body, **self._at(keyword))

    def for_init(self, items):
        (part,) = items
        if not isinstance(part, nodes.VarDecl):
            part = nodes.ExprStmt(part, **self._at(part))
        return _ForPart("init", part)

    def for_cond(self, items):
        return _ForPart("cond", items[0])

    def for_update(self, items):
        return _ForPart("update", items[0])

    def for_stmt(self, items):
        keyword, body = items[0], items[-1]
        parts = {p.kind: p.value for p in items[1:-1] if isinstance(p, _ForPart)}
        return nodes.For(parts.get("init"), parts.get("cond"), parts.get("update"), body, **self._at(keyword))

    def foreach_stmt(self, items):
        keyword, type_ref, name, _in, collection, body = items
        return nodes.Foreach(type_ref, name.value, collection, body, **self._at(keyword))

    def break_stmt(self, items):
        return nodes.Break(**self._at(items[0]))

    def continue_stmt(self, items):
        return nodes.Continue(**self._at(items[0]))

    def return_stmt(self, items):
        value = items[1] if len(items) > 1 else None
        return nodes.Return(value, **self._at(items[0]))

    def try_stmt(self, items):
        keyword, body, _catch, handler = items
        return nodes.Try(body, handler, **self._at(keyword))

    def throw_stmt(self, items):
        return nodes.Throw(items[1], **self._at(items[0]))

    # -- expressions

    def assign(self, items):
        target, op, value = items
        if not isinstance(target, _ASSIGNABLE):
            raise _syntax_error(
                f"cannot assign to this expression: the left side of '{op.value}' must be "
                "a variable, a struct field or an array element",
                target,
            )
        return nodes.Assign(op.value, target, value, **self._at(target))

    def operator_chain(self, items):
        """`a op b op c ...` (operands and operator tokens alternating) as
        Binary nodes by precedence, each level left to right (shunting-yard)."""
        operands = [items[0]]
        operators: list[Token] = []
        for i in range(1, len(items), 2):
            op, right = items[i], items[i + 1]
            level = _PRECEDENCE[op.value]
            while operators and _PRECEDENCE[operators[-1].value] >= level:
                self._combine(operands, operators.pop())
            operators.append(op)
            operands.append(right)
        while operators:
            self._combine(operands, operators.pop())
        return operands[0]

    def _combine(self, operands: list, op: Token) -> None:
        right = operands.pop()
        left = operands.pop()
        operator = _OPERATOR_SPELLING.get(op.value, op.value)
        operands.append(nodes.Binary(operator, left, right, **self._at(left)))

    def prefix(self, items):
        op, operand = items
        if op.value in ("++", "--"):
            if not isinstance(operand, _ASSIGNABLE):
                raise _syntax_error(
                    f"'{op.value}' needs a variable, a struct field or an array element", operand
                )
            return nodes.IncDec(op.value, True, operand, **self._at(op))
        return nodes.Unary(op.value, operand, **self._at(op))

    def postfix_incdec(self, items):
        target, op = items
        if not isinstance(target, _ASSIGNABLE):
            raise _syntax_error(f"'{op.value}' needs a variable, a struct field or an array element", op)
        return nodes.IncDec(op.value, False, target, **self._at(target))

    def args(self, items):
        return list(items)

    def method_call(self, items):
        obj, name = items[0], items[1]
        args = items[2] if len(items) > 2 else []
        return nodes.MethodCall(obj, name.value, args, **self._at(obj))

    def member(self, items):
        obj, name = items
        return nodes.Member(obj, name.value, **self._at(obj))

    def index(self, items):
        obj, index = items
        return nodes.Index(obj, index, **self._at(obj))

    def name(self, items):
        return nodes.Name(items[0].value, **self._at(items[0]))

    def call(self, items):
        name = items[0]
        args = items[1] if len(items) > 1 else []
        return nodes.Call(name.value, args, **self._at(name))

    def construct(self, items):
        name = items[0]
        args = items[1] if len(items) > 1 else []
        type_ref = nodes.TypeRef(name.value, [], **self._at(name))
        return nodes.Construct(type_ref, args, **self._at(name))

    def int_lit(self, items):
        digits = items[0].value.lstrip("0")
        # Python refuses to convert more than 4,300 digits; anything past
        # INTEGER_LITERAL_DIGITS is out of range anyway (the checker says so).
        value = int(digits or "0") if len(digits) <= INTEGER_LITERAL_DIGITS else 10 ** INTEGER_LITERAL_DIGITS
        return nodes.IntLit(value, **self._at(items[0]))

    def float_lit(self, items):
        return nodes.FloatLit(float(items[0].value), **self._at(items[0]))

    def string_lit(self, items):
        return nodes.StringLit(_unquote(items[0].value), **self._at(items[0]))

    def true_lit(self, items):
        return nodes.BoolLit(True, **self._at(items[0]))

    def false_lit(self, items):
        return nodes.BoolLit(False, **self._at(items[0]))

    def this(self, items):
        return nodes.This(**self._at(items[0]))


def _syntax_error(message: str, at) -> CRMScriptSyntaxError:
    return CRMScriptSyntaxError(message, _CONTEXT.get().file, at.line, at.column)


# ------------------------------------------------------------- the parser


def _grammar_text() -> str:
    """The grammar from a checkout (grammar/ at the repository root) or from
    an installed wheel (engine/_grammar/, see pyproject's force-include)."""
    candidates = [_HERE.parent / "grammar" / "crmscript.lark", _HERE / "_grammar" / "crmscript.lark"]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise RuntimeError("crmscript.lark not found in " + ", ".join(map(str, candidates)))


def _grammar_cache_path(grammar: str) -> str | bool:
    """Where lark keeps the analysed grammar between runs (start-up drops from
    ~0.2 s to ~0.01 s): a per-user cache folder, never a shared temp folder
    (the cache is a pickle). False (no cache) when that folder is not writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crmscript-sim"
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(base, os.W_OK):
        return False
    return str(base / f"grammar-{digest}-lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.cache")


_GRAMMAR = _grammar_text()
_PARSER = Lark(
    _GRAMMAR,
    parser="lalr",
    lexer="basic",
    postlex=TypeNamePostLex(),
    transformer=_NodeBuilder(),
    maybe_placeholders=False,
    cache=_grammar_cache_path(_GRAMMAR),
)


# ------------------------------------------------------------ entry points


def parse_program(
    source: str,
    file: str = "<script>",
    *,
    includes: IncludeResolver | None = None,
    require_includes: bool = True,
    type_names: Iterable[str] = (),
) -> nodes.Program:
    """Parse CRMScript source into a Program.

    `includes` resolves `#include "name";` to (source, file name) or None
    (a mapping name -> source or a list of folders is accepted too);
    each included script is parsed (once per call) into Include.program, and
    its struct names are type names after the include. Without a resolver
    Include.program stays None. Raises CRMScriptSyntaxError, or
    CRMScriptCheckError for an include that includes itself or that cannot be
    found (unless `require_includes` is False: then it stays None).
    `type_names` adds class names beyond the built-in and documented ones
    (e.g. classes a plugin registers), so `Thing("x")` is a constructor.
    """
    resolver = _as_resolver(includes)
    state = _IncludeState(resolver, require_found=require_includes, extra_type_names=frozenset(type_names))
    program, _structs = _parse_file(source, file, state)
    return program


def _as_resolver(includes) -> IncludeResolver | None:
    """Accept the usual ways to say where includes come from: a resolver
    callable, a mapping name -> source text (or -> (source, file name)), or a
    list of folders (engine.includes.IncludePath)."""
    if includes is None or callable(includes):
        return includes
    if isinstance(includes, Mapping):
        def from_mapping(name: str) -> tuple[str, str] | None:
            found = includes.get(name)
            if found is None or isinstance(found, tuple):
                return found
            return str(found), name

        return from_mapping
    if isinstance(includes, (list, tuple, str, os.PathLike)):
        from .includes import IncludePath

        folders = [includes] if isinstance(includes, (str, os.PathLike)) else list(includes)
        return IncludePath(folders)
    raise TypeError(f"includes must be a resolver, a mapping or a list of folders, not {type(includes).__name__}")


def _parse_file(source: str, file: str, includes: _IncludeState) -> tuple[nodes.Program, frozenset[str]]:
    if not isinstance(source, str):
        raise TypeError("parse_program expects the source as str")
    source = _strip_ejscript_markers(source)
    ctx = _FileContext(file=file, source=source, includes=includes)
    reset = _CONTEXT.set(ctx)
    try:
        try:
            program = _PARSER.parse(source)
        except UnexpectedInput as exc:
            raise _EXPLAINER.explain(exc, ctx) from None
        except VisitError as exc:  # a node builder error wrapped by lark
            if isinstance(exc.orig_exc, CRMScriptError):
                raise exc.orig_exc from None
            raise
        except RecursionError:
            raise CRMScriptSyntaxError(
                "the script nests too deeply (brackets or blocks) to be read", file, 1, 1
            ) from None
    finally:
        _CONTEXT.reset(reset)
    return program, frozenset(ctx.struct_names)


# A script exported from SuperOffice can be wrapped in the ejscript template
# markers: `%EJSCRIPT_START%`, `<%` ... `%>`, `%EJSCRIPT_END%`. Only the
# wrapper (first and last markers) is understood; it is blanked out with
# spaces so lines and columns stay those of the file.
_EJSCRIPT_WRAPPER = re.compile(
    r"\A(\ufeff?\s*%EJSCRIPT_START%\s*<%)(.*)(%>\s*%EJSCRIPT_END%\s*)\Z", re.S
)


def _strip_ejscript_markers(source: str) -> str:
    if "%EJSCRIPT_START%" not in source[:200]:
        return source
    match = _EJSCRIPT_WRAPPER.match(source)
    if match is None:
        return source
    blank = lambda text: re.sub(r"[^\n]", " ", text)  # noqa: E731
    return blank(match.group(1)) + match.group(2) + blank(match.group(3))


_EXPLAINER = SyntaxErrorExplainer(_PARSER.terminals)
