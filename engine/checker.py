"""The static checker: scopes, declaration before use, types, arity, loops, returns.

`check_program(program, library)` walks the parsed AST once, in source
order, and
- reports every problem it finds as a CRMScriptCheckError (all of them,
  collected into one CRMScriptDiagnostics, sorted in source order);
- returns the warnings (CRMScriptWarning: a typed function that can fall
  off its end), which never stop a script;
- annotates the AST for the compiler (docs/architecture.md, "Checker
  annotations"): Expr.ctype, Symbols on declarations and names, resolved
  call/method/constructor/member targets.

The built-in library is never hard-coded here: every global function, class,
method and constructor comes from the signature table (engine.runtime.table),
and where the table has no fitting entry, from the public reference
(engine.documented: a documented member type-checks and its call stops the
run as "not simulated"; the reference is read only then).
The rules and the decisions where the CRMScript reference is silent are
written down in docs/checker.md.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from . import nodes, symbols as sym
from .documented import DocumentedLookup
from .errors import CRMScriptCheckError, CRMScriptDiagnostics, CRMScriptError, CRMScriptWarning
from .flow import can_complete_normally
from .runtime.table import Library, Signature
from .sandbox import DEEP_SCRIPT_FRAMES, ensure_recursion_limit
from .suggestions import NULL_WORDS, did_you_mean, foreign_member_hint, foreign_type_hint
from .types import (
    BOOL,
    BYTE,
    ERROR,
    FLOAT,
    GENERIC,
    INT_MAX,
    INT_MIN,
    INTEGER,
    LANGUAGE_TYPE_NAMES,
    MAP,
    RESERVED_WORDS,
    STRING,
    VALUE_TYPE_NAMES,
    VOID,
    Type,
    arithmetic_result,
    assignable,
    conversion_cost,
    is_error,
    is_numeric,
    is_ordered,
    substitute_element,
)

# Owner name under which the library registers the methods every struct has
# (fromXMLNode, toJson, ...); they overload the struct's own methods. Arrays'
# methods are registered under "Array", with `T` for the element type.
STRUCT_OWNER = "Struct"
ARRAY_OWNER = "Array"

CallTarget = nodes.FunctionDecl | Signature


def check_program(program: nodes.Program, library: Library | None = None, *,
                  warnings: list[CRMScriptWarning] | None = None) -> list[CRMScriptWarning]:
    """Check `program` and annotate it; raise CRMScriptDiagnostics if anything is wrong.

    Returns the warnings (problems that do not stop the script, in source
    order); they are also appended to `warnings` when given, which keeps them
    when errors are raised too."""
    if library is None:
        import engine.runtime  # noqa: F401  (fills the table)

        from .runtime.table import LIBRARY

        library = LIBRARY
    ensure_recursion_limit(DEEP_SCRIPT_FRAMES)  # it walks the tree recursively
    checker = Checker(library, program.file)
    checker.check(program)
    found = checker.sorted_warnings()
    if warnings is not None:
        warnings.extend(found)
    if checker.errors:
        raise CRMScriptDiagnostics(checker.sorted_errors())
    return found


# ------------------------------------------------------------------ helpers


def article(type_: Type | str) -> str:
    """'an Integer', 'a String': messages read as English."""
    text = str(type_)
    return ("an " if text[:1] in "AEIOU" else "a ") + text


def describe_function(decl: nodes.FunctionDecl) -> str:
    params = ", ".join(f"{p.type_ref.type} {p.name}" for p in decl.params)
    return f"{decl.return_type.type} {decl.name}({params})"


def param_types(target: CallTarget, element: Type | None = None) -> list[Type]:
    if isinstance(target, nodes.FunctionDecl):
        return [p.type_ref.type for p in target.params]
    types = [p.type for p in target.params]
    return [substitute_element(t, element) for t in types] if element is not None else types


def return_type(target: CallTarget, element: Type | None = None) -> Type:
    if isinstance(target, nodes.FunctionDecl):
        return target.return_type.type
    if element is not None:
        return substitute_element(target.returns, element)
    return target.returns


def best_overload(candidates: list[CallTarget], arg_types: list[Type],
                  element: Type | None = None) -> CallTarget | None:
    """The candidate these arguments fit at the lowest conversion cost (the
    first of equals), or None; reports nothing."""
    fitting: list[tuple[int, int, CallTarget]] = []
    for position, candidate in enumerate(candidates):
        wanted_types = param_types(candidate, element)
        if len(wanted_types) == len(arg_types) and all(
                assignable(a, p) for a, p in zip(arg_types, wanted_types, strict=False)):
            cost = sum(conversion_cost(a, p) for a, p in zip(arg_types, wanted_types, strict=False))
            fitting.append((cost, position, candidate))
    return min(fitting, key=lambda entry: entry[:2])[2] if fitting else None


def constant_integer(expr: nodes.Expr) -> int | None:
    """The value of an Integer literal, also a negated one; None for anything else."""
    if isinstance(expr, nodes.IntLit):
        return expr.value
    if isinstance(expr, nodes.Unary) and expr.op == "-" and isinstance(expr.operand, nodes.IntLit):
        return -expr.operand.value
    return None


def later_declarations(program: nodes.Program) -> dict[str, str]:
    """Every top-level name the script declares anywhere, its includes too
    ("function f" -> "f", "type S" -> "S", "variable x" -> "x").

    Used only to say "'f' is used before its declaration" instead of
    "unknown function 'f'" when the declaration exists further down.
    """
    found: dict[str, str] = {}
    for node in nodes.walk(program, includes=True, enter=_is_top_level_container):
        kind = _DECLARATION_KINDS.get(type(node))
        if kind is not None:
            found.setdefault(f"{kind} {node.name}", node.name)
    return found


_DECLARATION_KINDS = {nodes.FunctionDecl: "function", nodes.StructDecl: "type", nodes.VarDecl: "variable"}


def _is_top_level_container(node: nodes.Node) -> bool:
    return isinstance(node, (nodes.Program, nodes.Include))


def nested_variable_positions(root: nodes.Node) -> dict[str, list[tuple[str, int, int]]]:
    """Where each variable name is declared in `root` (a function body, or the
    top-level code without its functions): name -> [(file, line, column)].

    Lets "x = 1; ... Integer x;" say "used before its declaration" rather
    than "unknown variable".
    """
    found: dict[str, list[tuple[str, int, int]]] = {}

    def same_code(node: nodes.Node) -> bool:  # another function's variables are not this code's
        return node is root or not isinstance(node, (nodes.FunctionDecl, nodes.StructDecl))

    for node in nodes.walk(root, includes=True, enter=same_code):
        if isinstance(node, (nodes.VarDecl, nodes.Foreach)):
            name = node.name if isinstance(node, nodes.VarDecl) else node.var_name
            found.setdefault(name, []).append((node.file, node.line, node.column))
    return found


# ------------------------------------------------------------------ scopes


class Scope:
    """One block's variables. `function_boundary` marks the outermost scope of
    a function body: a local may not hide another local of the same function
    (Java), but it may hide a global."""

    def __init__(self, parent: Scope | None, *, function_boundary: bool = False):
        self.parent = parent
        self.function_boundary = function_boundary
        self.symbols: dict[str, sym.Symbol] = {}

    def lookup(self, name: str) -> sym.Symbol | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.symbols.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def lookup_same_function(self, name: str) -> sym.Symbol | None:
        """A symbol of an enclosing block of the same function (or of the top-level code)."""
        scope: Scope | None = self
        while scope is not None:
            found = scope.symbols.get(name)
            if found is not None:
                return found
            if scope.function_boundary:
                return None
            scope = scope.parent
        return None


# ------------------------------------------------------------------ checker


class Checker:
    def __init__(self, library: Library, main_file: str = "<script>"):
        self.library = library
        self.documented = DocumentedLookup(library)  # what the table lacks and the reference documents
        self.main_file = main_file
        self.errors: list[tuple[tuple, CRMScriptCheckError]] = []
        self.warnings: list[tuple[tuple, CRMScriptWarning]] = []
        self._reported: set[tuple] = set()
        self.globals = Scope(None, function_boundary=True)
        self.scope = self.globals
        self.functions: dict[str, list[nodes.FunctionDecl]] = {}
        self.structs: dict[str, nodes.StructDecl] = {}
        self.function: nodes.FunctionDecl | None = None  # being checked
        self.struct: nodes.StructDecl | None = None  # whose method is being checked
        self.initialising: nodes.StructDecl | None = None  # whose field initial values are being checked
        self.loop_depth = 0
        self.declared_later: dict[str, str] = {}
        self.program: nodes.Program | None = None
        self.nested_variables: dict[int, dict[str, list[tuple[str, int, int]]]] = {}  # by id(root)
        self.include_anchor: nodes.Node | None = None  # outermost #include being checked
        self.unknown_names: set[tuple[int, str]] = set()  # (function, name) already reported
        self.including: list[str] = []  # files of the includes being checked (cycles)
        self.included: set[str] = set()  # files of every include checked so far (include once)

    # ------------------------------------------------------------ reporting

    def error(self, node: nodes.Node, message: str) -> None:
        self._report(self.errors, CRMScriptCheckError, node, message)

    def warn(self, node: nodes.Node, message: str) -> None:
        """Something the author should look at that does not stop the script."""
        self._report(self.warnings, CRMScriptWarning, node, message)

    def _report(self, found: list, kind: type[CRMScriptError], node: nodes.Node, message: str) -> None:
        key = (kind, node.file, node.line, node.column, message)
        if key in self._reported:
            return
        self._reported.add(key)
        anchor = self.include_anchor if self.include_anchor is not None else node
        order = (anchor.line, anchor.column, len(found))
        found.append((order, kind(message, node.file, node.line, node.column)))

    def sorted_errors(self) -> list[CRMScriptCheckError]:
        return [e for _, e in sorted(self.errors, key=lambda pair: pair[0])]

    def sorted_warnings(self) -> list[CRMScriptWarning]:
        return [w for _, w in sorted(self.warnings, key=lambda pair: pair[0])]

    def declared_further_down(self, use: nodes.Name) -> bool:
        """Is `use` a name the same function (or top-level code) declares after it?"""
        root = self.function if self.function is not None else self.program
        # Built on the first unknown name of each function only: most scripts have none.
        positions = self.nested_variables.get(id(root))
        if positions is None:
            positions = self.nested_variables[id(root)] = nested_variable_positions(root)
        return any(file == use.file and (line, column) > (use.line, use.column)
                   for file, line, column in positions.get(use.name, ()))

    # ------------------------------------------------------------ entry

    def check(self, program: nodes.Program) -> None:
        self.main_file = program.file
        self.program = program
        self.declared_later = later_declarations(program)
        self.check_body(program.body)

    @contextmanager
    def new_scope(self, *, function_boundary: bool = False) -> Iterator[Scope]:
        outer = self.scope
        self.scope = Scope(outer, function_boundary=function_boundary)
        try:
            yield self.scope
        finally:
            self.scope = outer

    def check_body(self, body: Iterable[nodes.Stmt]) -> None:
        for stmt in body:
            self.check_stmt(stmt)

    # ------------------------------------------------------------ types

    def is_known_type(self, name: str) -> bool:
        return (name in LANGUAGE_TYPE_NAMES or name in self.structs or name in self.library.classes
                or self.documented.is_type(name))

    def resolve_type(self, ref: nodes.TypeRef, *, allow_void: bool = False) -> Type:
        """Check a written type (name and array sizes); ERROR if it is unknown."""
        for size in ref.sizes:
            if size is not None:
                size_type = self.check_expr(size)
                if not assignable(size_type, INTEGER):
                    self.error(size, f"an array size must be an Integer, not {article(size_type)}")
        if not self.is_known_type(ref.name):
            if ("type " + ref.name) not in self.declared_later and self.documented.is_enum(ref.name):
                # A NetServer enum's values are Integers (docs/reference.md): its
                # name declares an Integer, as the reference's own examples do.
                ref.name = INTEGER.name
                return ref.type
            if ("type " + ref.name) in self.declared_later:
                self.error(ref, f"the struct '{ref.name}' is used before its declaration")
            else:
                known = [*LANGUAGE_TYPE_NAMES, *self.structs, *self.library.classes, *self.documented.type_names()]
                hint = did_you_mean(ref.name, known) or foreign_type_hint(ref.name)
                self.error(ref, f"unknown type '{ref.name}'" + hint)
            return ERROR
        if ref.name == VOID.name and not (allow_void and not ref.sizes):
            self.error(ref, "'Void' is not a type for values; only a function can be Void")
            return ERROR
        return ref.type

    def check_name(self, node: nodes.Node, name: str, what: str) -> None:
        if name in RESERVED_WORDS:
            self.error(node, f"'{name}' is a reserved word and cannot be used as a {what} name")

    # ------------------------------------------------------------ declarations

    def declare(self, node: nodes.Node, name: str, type_: Type, kind: str) -> sym.Symbol:
        """Create the Symbol of a declaration and enter it in the current scope."""
        self.check_name(node, name, "variable")
        symbol = sym.Symbol(name, type_, kind, decl=node, function=self.function)
        if name in self.scope.symbols:
            self.error(node, f"'{name}' is already declared in this scope")
        elif self.scope is not self.globals and self.scope.lookup_same_function(name) is not None:
            self.error(node, f"'{name}' is already declared in an enclosing block")
        self.scope.symbols[name] = symbol
        return symbol

    def variable_kind(self) -> str:
        if self.function is None and self.scope is self.globals:
            return sym.GLOBAL
        return sym.LOCAL

    def check_var_decl(self, decl: nodes.VarDecl) -> None:
        declared = self.resolve_type(decl.type_ref)
        if decl.init is not None:
            self.check_assignment_value(decl.init, declared, f"the {declared} variable '{decl.name}'")
        decl.symbol = self.declare(decl, decl.name, declared, self.variable_kind())

    def check_byte_literal(self, value: nodes.Expr, to: Type) -> None:
        """A constant outside 0..255 stored into a Byte is a mistake the author
        can see (a computed value wraps at run time, as in C)."""
        if to == BYTE:
            number = constant_integer(value)
            if number is not None and not 0 <= number <= 255:
                self.error(value, f"the number {number} does not fit in a Byte (0 to 255)")

    def check_assignment_value(self, value: nodes.Expr, to: Type, what: str) -> Type:
        """Check `value` and that it may be stored into `what` (of type `to`)."""
        value_type = self.check_expr(value)
        if not assignable(value_type, to):
            self.error(value, self.mismatch_message(value_type, to, f"cannot be assigned to {what}"))
        else:
            self.check_byte_literal(value, to)
        return value_type

    def mismatch_message(self, value: Type, to: Type, tail: str) -> str:
        subject = "a Void call (it gives no value)" if value == VOID else article(value)
        message = f"{subject} {tail}"
        hint = self.conversion_hint(value, to)
        if hint:
            message += f" ({hint})"
        return message

    def conversion_hint(self, value: Type, to: Type) -> str:
        """'use toString() to convert the Integer': the value's own members that
        give the wanted type, from the signature table (Float has no
        toInteger(): its Integer comes from floor() or round())."""
        if value.dims or to.dims or value.name not in VALUE_TYPE_NAMES or to.name not in VALUE_TYPE_NAMES:
            return ""
        if not (to == STRING or (value == FLOAT and to in (INTEGER, BYTE))):
            return ""  # the two mistakes authors make: a value into a String, a Float into an Integer
        info = self.library.classes.get(value.name)
        if info is None:
            return ""
        gives = (to, INTEGER) if to == BYTE else (to,)
        spellings: list[str] = []
        for name in sorted(info.methods):
            if not (name.startswith("to") or name in ("floor", "round")) or (to == STRING and name != "toString"):
                continue  # (toHex() also gives a String, but is not what the author meant)
            fitting = [sig for sig in info.methods[name] if sig.returns in gives]
            if fitting:
                fewest = min(fitting, key=lambda sig: len(sig.params))
                spellings.append(f"{name}({', '.join(p.name for p in fewest.params)})")
        if not spellings:
            return ""
        return f"use {' or '.join(spellings)} to convert the {value}"

    def check_function_decl(self, decl: nodes.FunctionDecl) -> None:
        self.check_name(decl, decl.name, "function")
        self.resolve_type(decl.return_type, allow_void=True)
        for param in decl.params:
            self.resolve_type(param.type_ref)
        if self.struct is None:
            self.register_function(decl, self.functions)
        self.check_function_body(decl)

    def register_function(self, decl: nodes.FunctionDecl, table: dict[str, list[nodes.FunctionDecl]],
                          struct: nodes.StructDecl | None = None) -> None:
        """Add a function (or a struct's method) to its overloads; same parameter types twice is an error."""
        overloads = table.setdefault(decl.name, [])
        signature = [p.type_ref.type for p in decl.params]
        for other in overloads:
            if [p.type_ref.type for p in other.params] == signature:
                where = f" in '{struct.name}'" if struct is not None else ""
                what = "method" if struct is not None else "function"
                # The first declaration may be in another file (an include): name it then.
                at = f"line {other.line}" if other.file == decl.file else f"{other.file}, line {other.line}"
                self.error(decl, f"the {what} '{describe_function(decl)}' is already declared{where} ({at})")
                return
        overloads.append(decl)

    def check_function_body(self, decl: nodes.FunctionDecl) -> None:
        outer_function, outer_loops = self.function, self.loop_depth
        self.function, self.loop_depth = decl, 0
        try:
            with self.new_scope(function_boundary=True):
                for param in decl.params:
                    param_type = param.type_ref.type if self.is_known_type(param.type_ref.name) else ERROR
                    param.symbol = self.declare(param, param.name, param_type, sym.PARAM)
                with self.new_scope():
                    self.check_body(decl.body.body)
            returns = decl.return_type.type
            if returns != VOID and can_complete_normally(decl.body):
                # The product runs such functions (the public library has
                # some): falling off the end returns the type's default.
                self.warn(decl, f"missing return at the end of '{describe_function(decl)}': "
                                f"falling off the end returns the default {returns} value")
        finally:
            self.function, self.loop_depth = outer_function, outer_loops

    def check_struct_decl(self, decl: nodes.StructDecl) -> None:
        self.check_name(decl, decl.name, "struct")
        if decl.name not in RESERVED_WORDS and (  # a reserved word is reported once, by check_name
                decl.name in self.structs or decl.name in LANGUAGE_TYPE_NAMES or decl.name in self.library.classes):
            self.error(decl, f"the type '{decl.name}' is already declared")
        field_names: dict[str, nodes.VarDecl] = {}
        for field in decl.fields:
            self.check_name(field, field.name, "field")
            if field.type_ref.name == decl.name:
                self.error(field.type_ref, f"a struct cannot contain itself: the field '{field.name}' "
                                           f"of '{decl.name}' is {article(field.type_ref.type)}")
            else:
                field_type = self.resolve_type(field.type_ref)
                if field.init is not None:
                    self.initialising = decl
                    try:
                        self.check_assignment_value(field.init, field_type,
                                                    f"the {field_type} field '{field.name}'")
                    finally:
                        self.initialising = None
            if field.name in field_names:
                self.error(field, f"the field '{field.name}' is already declared in '{decl.name}'")
            field_names[field.name] = field
        # The struct's name is usable in its own methods (`Car brand(String b) { return this; }`),
        # and every method may call every other one through `this`.
        self.structs[decl.name] = decl
        methods: dict[str, list[nodes.FunctionDecl]] = {}
        for method in decl.methods:
            method.struct = decl
            self.register_function(method, methods, decl)
        outer_struct = self.struct
        self.struct = decl
        try:
            for method in decl.methods:
                self.check_name(method, method.name, "method")
                self.resolve_type(method.return_type, allow_void=True)
                for param in method.params:
                    self.resolve_type(param.type_ref)
                self.check_function_body(method)
        finally:
            self.struct = outer_struct

    # ------------------------------------------------------------ statements

    def check_stmt(self, stmt: nodes.Stmt) -> None:
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is None:  # a node kind this checker does not know: a bug, not the script's
            raise TypeError(f"checker: no rule for {type(stmt).__name__}")
        method(stmt)

    def stmt_VarDecl(self, stmt: nodes.VarDecl) -> None:
        self.check_var_decl(stmt)

    def stmt_FunctionDecl(self, stmt: nodes.FunctionDecl) -> None:
        # The grammar only allows them there, but an #include inside a block
        # could still bring one in.
        if self.scope is not self.globals:
            self.error(stmt, f"the function '{stmt.name}' must be declared at the top level of the script")
        self.check_function_decl(stmt)

    def stmt_StructDecl(self, stmt: nodes.StructDecl) -> None:
        if self.scope is not self.globals:
            self.error(stmt, f"the struct '{stmt.name}' must be declared at the top level of the script")
        self.check_struct_decl(stmt)

    def stmt_Block(self, stmt: nodes.Block) -> None:
        with self.new_scope():
            self.check_body(stmt.body)

    def stmt_ExprStmt(self, stmt: nodes.ExprStmt) -> None:
        self.check_expr(stmt.expr)

    def stmt_EmptyStmt(self, stmt: nodes.EmptyStmt) -> None:
        pass

    def stmt_LanguageLevel(self, stmt: nodes.LanguageLevel) -> None:
        pass

    def check_condition(self, cond: nodes.Expr, keyword: str) -> None:
        cond_type = self.check_expr(cond)
        if not is_error(cond_type) and cond_type != BOOL and cond_type != GENERIC:
            self.error(cond, f"the condition of '{keyword}' must be a Bool, not {cond_type}")

    def check_branch(self, stmt: nodes.Stmt) -> None:
        """A single-statement branch or loop body gets its own scope, like a block."""
        with self.new_scope():
            self.check_stmt(stmt)

    def stmt_If(self, stmt: nodes.If) -> None:
        self.check_condition(stmt.cond, "if")
        self.check_branch(stmt.then)
        if stmt.else_ is not None:
            self.check_branch(stmt.else_)

    def check_loop_body(self, body: nodes.Stmt) -> None:
        self.loop_depth += 1
        try:
            self.check_branch(body)
        finally:
            self.loop_depth -= 1

    def stmt_While(self, stmt: nodes.While) -> None:
        self.check_condition(stmt.cond, "while")
        self.check_loop_body(stmt.body)

    def stmt_For(self, stmt: nodes.For) -> None:
        with self.new_scope():
            if stmt.init is not None:
                self.check_stmt(stmt.init)
            if stmt.cond is not None:
                self.check_condition(stmt.cond, "for")
            if stmt.update is not None:
                self.check_expr(stmt.update)
            self.check_loop_body(stmt.body)

    def stmt_Foreach(self, stmt: nodes.Foreach) -> None:
        var_type = self.resolve_type(stmt.var_type)
        collection = self.check_expr(stmt.collection)
        if not is_error(collection) and collection != GENERIC:  # a Generic is checked at run time
            if collection.dims == 0:
                self.error(stmt.collection, f"foreach needs an array to go through, not {article(collection)}")
            elif not self.foreach_variable_fits(collection.element(), var_type):
                self.error(stmt.var_type, f"the foreach variable '{stmt.var_name}' must be "
                                          f"{article(collection.element())} to go through {article(collection)}")
        with self.new_scope():
            stmt.symbol = self.declare(stmt, stmt.var_name, var_type, sym.LOCAL)
            self.check_loop_body(stmt.body)

    @staticmethod
    def foreach_variable_fits(element: Type, variable: Type) -> bool:
        """The docs: the loop variable has the array's element type (Generic takes anything)."""
        return is_error(variable) or variable == element or GENERIC in (variable, Type(element.name))

    def stmt_Break(self, stmt: nodes.Break) -> None:
        if self.loop_depth == 0:
            self.error(stmt, "'break' can only be used inside a loop")

    def stmt_Continue(self, stmt: nodes.Continue) -> None:
        if self.loop_depth == 0:
            self.error(stmt, "'continue' can only be used inside a loop")

    def stmt_Return(self, stmt: nodes.Return) -> None:
        decl = self.function
        if decl is None:  # `return;` ends the script; the script has no value to return
            if stmt.value is not None:
                value_type = self.check_expr(stmt.value)
                if value_type != VOID and not is_error(value_type):  # `return Ok(...);` of a Void call is fine
                    self.error(stmt, "the script itself cannot return a value; use 'return;'")
            return
        returns = decl.return_type.type
        if not self.is_known_type(returns.name):
            returns = ERROR  # already reported at the declaration
        if stmt.value is None:
            if returns != VOID and not is_error(returns):
                self.error(stmt, f"'{decl.name}' must return {article(returns)}")
            return
        if returns == VOID:
            # C++'s rule: a Void function may `return g();` when g is Void too
            # (the public library scripts do); any real value is an error.
            value_type = self.check_expr(stmt.value)
            if value_type != VOID and not is_error(value_type):
                self.error(stmt.value, f"'{decl.name}' is Void and cannot return a value")
            return
        self.check_assignment_value(stmt.value, returns, f"the {returns} result of '{decl.name}'")

    def stmt_Try(self, stmt: nodes.Try) -> None:
        self.stmt_Block(stmt.body)
        with self.new_scope():
            stmt.error_symbol = sym.Symbol("error", STRING, sym.CATCH, decl=stmt, function=self.function)
            stmt.location_symbol = sym.Symbol("errorLocation", STRING, sym.CATCH, decl=stmt,
                                              function=self.function)
            self.scope.symbols["error"] = stmt.error_symbol
            self.scope.symbols["errorLocation"] = stmt.location_symbol
            with self.new_scope():
                self.check_body(stmt.handler.body)

    def stmt_Throw(self, stmt: nodes.Throw) -> None:
        thrown = self.check_expr(stmt.value)
        if not assignable(thrown, STRING):
            self.error(stmt.value, self.mismatch_message(thrown, STRING, "cannot be thrown; throw a String"))

    def stmt_Include(self, stmt: nodes.Include) -> None:
        if stmt.program is None:
            self.error(stmt, f"cannot find the include '{stmt.name}'")
            return
        if stmt.program.file in self.including:
            self.error(stmt, f"the include '{stmt.name}' includes itself")
            return
        if stmt.program.file in self.included:
            # Include once (like C's include guards): libraries include each other
            # (lib-orderedmap includes lib-sorting), so a script that includes
            # both must not get every declaration twice. The repeated include
            # becomes empty, so the compiler adds nothing for it either.
            stmt.program = nodes.Program([], file=stmt.program.file, line=stmt.program.line,
                                         column=stmt.program.column)
            return
        self.included.add(stmt.program.file)
        outer_anchor = self.include_anchor
        if outer_anchor is None:
            self.include_anchor = stmt
        self.including.append(stmt.program.file)
        try:
            for name, what in later_declarations(stmt.program).items():
                self.declared_later.setdefault(name, what)
            self.check_body(stmt.program.body)
        finally:
            self.including.pop()
            self.include_anchor = outer_anchor

    # ------------------------------------------------------------ expressions

    def check_expr(self, expr: nodes.Expr) -> Type:
        method = getattr(self, "expr_" + type(expr).__name__, None)
        if method is None:
            raise TypeError(f"checker: no rule for {type(expr).__name__}")
        result = method(expr)
        expr.ctype = result
        return result

    def expr_IntLit(self, expr: nodes.IntLit) -> Type:
        if not INT_MIN <= expr.value <= INT_MAX:
            shown = f"the number {expr.value}" if len(str(expr.value)) <= 20 else "a number of more than 20 digits"
            self.error(expr, f"{shown} does not fit in an Integer ({INT_MIN} to {INT_MAX})")
        return INTEGER

    def expr_FloatLit(self, expr: nodes.FloatLit) -> Type:
        if math.isinf(expr.value):
            self.error(expr, f"the number does not fit in a Float (at most {sys.float_info.max:g})")
        return FLOAT

    def expr_StringLit(self, expr: nodes.StringLit) -> Type:
        return STRING

    def expr_BoolLit(self, expr: nodes.BoolLit) -> Type:
        return BOOL

    def expr_Name(self, expr: nodes.Name) -> Type:
        symbol = self.scope.lookup(expr.name)
        if symbol is None:
            # One report per unknown name and function, not one per use.
            unknown = (id(self.function), expr.name)
            if unknown in self.unknown_names:
                return ERROR
            self.unknown_names.add(unknown)
            if ("variable " + expr.name) in self.declared_later or self.declared_further_down(expr):
                self.error(expr, f"'{expr.name}' is used before its declaration")
            elif self.initialising is not None and any(f.name == expr.name for f in self.initialising.fields):
                self.error(expr, f"a field's initial value cannot use the field '{expr.name}': "
                                 "give it a constant or a global, or set it in a method")
            elif self.struct is not None and any(f.name == expr.name for f in self.struct.fields):
                # C++/Java authors write a bare field name inside a method.
                self.error(expr, f"reach the field '{expr.name}' through 'this': this.{expr.name}")
            elif expr.name in NULL_WORDS:
                self.error(expr, f"CRMScript has no '{expr.name}': a variable declared without a value "
                                 "is empty, and isNull() tells whether it has a value")
            elif expr.name in self.functions or expr.name in self.library.functions:
                self.error(expr, f"'{expr.name}' is a function, not a variable: call it with {expr.name}(...)")
            else:
                self.error(expr, f"unknown variable '{expr.name}'"
                                 + did_you_mean(expr.name, self.visible_variable_names()))
            return ERROR
        expr.symbol = symbol
        return symbol.type

    def visible_variable_names(self) -> list[str]:
        names: list[str] = []
        scope: Scope | None = self.scope
        while scope is not None:
            names.extend(scope.symbols)
            scope = scope.parent
        return names

    def expr_This(self, expr: nodes.This) -> Type:
        if self.struct is None:
            self.error(expr, "'this' can only be used inside a struct method")
            return ERROR
        return Type(self.struct.name)

    def expr_Unary(self, expr: nodes.Unary) -> Type:
        if expr.op == "-" and isinstance(expr.operand, nodes.IntLit) and expr.operand.value == -INT_MIN:
            expr.operand.ctype = INTEGER  # -2147483648 is the smallest Integer, not an overflow
            return INTEGER
        operand = self.check_expr(expr.operand)
        if is_error(operand) or operand == GENERIC:
            return BOOL if expr.op == "!" else operand
        if expr.op == "!":
            if operand != BOOL:
                self.error(expr, f"'!' needs a Bool, not {article(operand)}")
            return BOOL
        if not is_numeric(operand):
            self.error(expr, f"'{expr.op}' needs a number, not {article(operand)}")
            return ERROR
        return INTEGER if operand == BYTE else operand

    def check_lvalue(self, target: nodes.Expr, operation: str) -> Type:
        """The target of = += ++ ...: a variable, a struct field or an array element."""
        if not isinstance(target, (nodes.Name, nodes.Member, nodes.Index)):
            self.check_expr(target)
            self.error(target, f"{operation} needs a variable, a field or an array element on its left")
            return ERROR
        target_type = self.check_expr(target)
        if isinstance(target, nodes.Member) and target.constant is not None:
            self.error(target, f"{operation} cannot change the enum constant '{target.obj.name}.{target.name}'")
            return ERROR
        return target_type

    def expr_IncDec(self, expr: nodes.IncDec) -> Type:
        target = self.check_lvalue(expr.target, f"'{expr.op}'")
        if not is_error(target) and not is_numeric(target) and target != GENERIC:
            self.error(expr, f"'{expr.op}' needs a number variable, not {article(target)}")
            return ERROR
        return target

    def expr_Assign(self, expr: nodes.Assign) -> Type:
        target = self.check_lvalue(expr.target, f"'{expr.op}'")
        if expr.op == "=":
            what = self.describe_target(expr.target, target)
            self.check_assignment_value(expr.value, target, what)
            return target
        value = self.check_expr(expr.value)
        if is_error(target) or is_error(value):
            return target
        if expr.op == "+=" and target == STRING:
            if value != STRING and value != GENERIC:
                self.error(expr.value, self.mismatch_message(value, STRING, "cannot be appended to a String"))
            return target
        if not is_numeric(target) and target != GENERIC:
            self.error(expr, f"'{expr.op}' needs a number variable, not {article(target)}")
            return target
        if not (is_numeric(value) or value == GENERIC) or not assignable(arithmetic_result(target, value), target):
            self.error(expr.value, self.mismatch_message(value, target, f"cannot be used with '{expr.op}' on "
                                                                        f"{article(target)}"))
        return target

    @staticmethod
    def describe_target(target: nodes.Expr, target_type: Type) -> str:
        if isinstance(target, nodes.Name):
            return f"the {target_type} variable '{target.name}'"
        if isinstance(target, nodes.Member):
            return f"the {target_type} field '{target.name}'"
        return f"an element of type {target_type}"

    def expr_Binary(self, expr: nodes.Binary) -> Type:
        left = self.check_expr(expr.left)
        right = self.check_expr(expr.right)
        op = expr.op
        if VOID in (left, right):
            self.error(expr, f"a Void call (it gives no value) cannot be used with '{op}'")
            return ERROR
        if op in ("&&", "||", "and", "or"):
            for side, side_type in ((expr.left, left), (expr.right, right)):
                if not is_error(side_type) and side_type not in (BOOL, GENERIC):
                    self.error(side, f"'{op}' needs Bool values, not {article(side_type)}")
            return BOOL
        if is_error(left) or is_error(right):
            return BOOL if op in ("==", "!=", "<", "<=", ">", ">=") else ERROR
        if op in ("==", "!="):
            if not self.comparable_for_equality(left, right):
                self.error(expr, f"cannot compare {article(left)} with {article(right)} using '{op}'")
            return BOOL
        if op in ("<", "<=", ">", ">="):
            ordered = (is_numeric(left) and is_numeric(right)) or (
                left == right and is_ordered(left)) or GENERIC in (left, right)
            if not ordered:
                self.error(expr, f"cannot compare {article(left)} with {article(right)} using '{op}'")
            return BOOL
        # arithmetic: + - * / %
        if GENERIC in (left, right):
            return GENERIC
        if op == "+" and (left == STRING or right == STRING):
            if left == right:
                return STRING
            other = right if left == STRING else left
            hint = self.conversion_hint(other, STRING)
            self.error(expr, f"cannot add {article(other)} to a String" + (f": {hint}" if hint else ""))
            return STRING
        if is_numeric(left) and is_numeric(right):
            if op == "%" and FLOAT in (left, right):
                self.error(expr, "'%' needs Integer values, not Float")
            return arithmetic_result(left, right)
        self.error(expr, f"'{op}' cannot be used on {article(left)} and {article(right)}")
        return ERROR

    @staticmethod
    def comparable_for_equality(left: Type, right: Type) -> bool:
        if GENERIC in (left, right) or left == right:
            return True
        return is_numeric(left) and is_numeric(right)

    # ------------------------------------------------------------ calls

    def check_args(self, args: list[nodes.Expr]) -> list[Type]:
        return [self.check_expr(arg) for arg in args]

    def resolve_overload(self, node: nodes.Node, what: str, candidates: list[CallTarget],
                         args: list[nodes.Expr], arg_types: list[Type],
                         element: Type | None = None) -> CallTarget | None:
        """Pick the overload for these arguments: by number first, then by types.

        `what` names the callee in messages ("'subString'"). Reports and
        returns None if nothing fits.
        """
        by_arity = [c for c in candidates if len(param_types(c, element)) == len(args)]
        if not by_arity:
            counts = sorted({len(param_types(c, element)) for c in candidates})
            wanted = " or ".join(str(n) for n in counts)
            noun = "argument" if counts == [1] else "arguments"
            self.error(node, f"{what} takes {wanted} {noun}, {len(args)} given")
            return None
        chosen = best_overload(by_arity, arg_types, element)
        if chosen is not None:
            for arg, wanted in zip(args, param_types(chosen, element), strict=False):
                self.check_byte_literal(arg, wanted)  # also for arguments, as for assignments
            return chosen
        if len(by_arity) == 1:
            wanted_types = param_types(by_arity[0], element)
            for number, (arg, a, p) in enumerate(zip(args, arg_types, wanted_types, strict=False), start=1):
                if not assignable(a, p):
                    self.error(arg, self.mismatch_message(a, p, f"cannot be argument {number} of {what}, "
                                                                f"which needs {article(p)}"))
        else:
            given = ", ".join(str(t) for t in arg_types)
            options = "; ".join("(" + ", ".join(str(t) for t in param_types(c, element)) + ")" for c in by_arity)
            self.error(node, f"no variant of {what} takes ({given}); it takes {options}")
        return None

    def expr_Call(self, expr: nodes.Call) -> Type:
        arg_types = self.check_args(expr.args)
        # The script's functions overload the library's of the same name; on a
        # tie (same parameter types) the script's own function wins.
        candidates: list[CallTarget] = list(self.functions.get(expr.name, []))
        candidates += self.library.functions.get(expr.name, [])
        if best_overload(candidates, arg_types) is None:  # then the documented overloads count too
            candidates += self.documented.more_functions(expr.name)
        if not candidates:
            if ("function " + expr.name) in self.declared_later:
                self.error(expr, f"the function '{expr.name}' is used before its declaration")
            elif self.struct is not None and self.struct_methods(self.struct.name, expr.name):
                self.error(expr, f"call the method '{expr.name}' through 'this': this.{expr.name}(...)")
            else:
                known = [*self.functions, *self.library.functions, *self.documented.function_names()]
                self.error(expr, f"unknown function '{expr.name}'" + did_you_mean(expr.name, known))
            return ERROR
        target = self.resolve_overload(expr, f"'{expr.name}'", candidates, expr.args, arg_types)
        if target is None:
            return ERROR
        expr.target = target
        return return_type(target)

    def struct_methods(self, struct_name: str, method: str) -> list[nodes.FunctionDecl]:
        decl = self.structs.get(struct_name)
        if decl is None:
            return []
        return [m for m in decl.methods if m.name == method]

    def expr_MethodCall(self, expr: nodes.MethodCall) -> Type:
        receiver = self.check_expr(expr.obj)
        arg_types = self.check_args(expr.args)
        if is_error(receiver):
            return ERROR
        what = f"'{expr.method}'"
        element: Type | None = None
        candidates: list[CallTarget]
        if receiver.dims > 0:
            element = receiver.element()
            candidates = list(self.library.classes.get(ARRAY_OWNER, _NO_CLASS).methods.get(expr.method, []))
        elif receiver.name in self.structs:
            # The struct's own methods overload the built-in ones every struct has
            # (a struct may declare `String toJson()` and still call `this.toJson(jb)`).
            candidates = list(self.struct_methods(receiver.name, expr.method))
            candidates += self.library.classes.get(STRUCT_OWNER, _NO_CLASS).methods.get(expr.method, [])
        else:
            candidates = list(self.library.classes.get(receiver.name, _NO_CLASS).methods.get(expr.method, []))
            if best_overload(candidates, arg_types) is None:  # then the documented overloads count too
                candidates += self.documented.more_methods(receiver.name, expr.method)
        if not candidates:
            owner = "an array" if receiver.dims > 0 else receiver.name
            known_methods = list(self.method_names(receiver))
            self.error(expr, f"{owner} has no method '{expr.method}'"
                             + (did_you_mean(expr.method, known_methods)
                                or foreign_member_hint(expr.method, known_methods)))
            return ERROR
        target = self.resolve_overload(expr, what, candidates, expr.args, arg_types, element)
        if target is None:
            return ERROR
        expr.target = target
        return return_type(target, element)

    def method_names(self, receiver: Type) -> list[str]:
        """Every method a value of this type has (for suggestions)."""
        if receiver.dims > 0:
            return list(self.library.classes.get(ARRAY_OWNER, _NO_CLASS).methods)
        names = list(self.library.classes.get(receiver.name, _NO_CLASS).methods)
        if receiver.name in self.structs:
            names += [m.name for m in self.structs[receiver.name].methods]
            names += list(self.library.classes.get(STRUCT_OWNER, _NO_CLASS).methods)
        else:
            names += self.documented.method_names(receiver.name)
        return names

    def expr_Construct(self, expr: nodes.Construct) -> Type:
        arg_types = self.check_args(expr.args)
        made = self.resolve_type(expr.type_ref)
        if is_error(made):
            return ERROR
        name = expr.type_ref.name
        if made.dims > 0:
            self.error(expr, f"an array cannot be constructed with {name}[](...); declare it instead")
            return ERROR
        if name in self.structs and name in self.functions and made.dims == 0:
            # `Foo()` where the script declares a function named like the struct
            # (a factory): the script's function is called, not the struct made.
            target = self.resolve_overload(expr, f"'{name}'", list(self.functions[name]), expr.args, arg_types)
            if target is None:
                return ERROR
            expr.target = target
            return return_type(target)
        if name in self.structs:
            if expr.args:
                self.error(expr, f"the struct '{name}' is constructed without arguments: {name}()")
                return ERROR
            expr.target = self.structs[name]
            return made
        constructors: list[CallTarget] = list(self.library.classes.get(name, _NO_CLASS).constructors)
        if not expr.args and not any(not param_types(c) for c in constructors):
            # `DateTime()`, `Map()`: the value a plain declaration would have.
            # target stays None; the compiler builds the default value.
            return made
        if best_overload(constructors, arg_types) is None:  # then the documented constructors count too
            constructors += self.documented.more_constructors(name)
        if not constructors:
            self.error(expr, f"{name} cannot be constructed with {name}(...); declare a variable instead")
            return ERROR
        target = self.resolve_overload(expr, f"the constructor '{name}'", constructors, expr.args, arg_types)
        if target is None:
            return ERROR
        expr.target = target
        return made

    def expr_Member(self, expr: nodes.Member) -> Type:
        if isinstance(expr.obj, nodes.Name) and self.scope.lookup(expr.obj.name) is None \
                and self.documented.is_enum(expr.obj.name):
            return self.enum_constant(expr, expr.obj.name)
        owner = self.check_expr(expr.obj)
        if is_error(owner):
            return ERROR
        decl = self.structs.get(owner.name) if owner.dims == 0 else None
        if decl is None:
            self.error(expr, f"{article(owner)} has no field '{expr.name}'")
            return ERROR
        for field in decl.fields:
            if field.name == expr.name:
                expr.target = field
                return field.type_ref.type if self.is_known_type(field.type_ref.name) else ERROR
        self.error(expr, f"the struct '{decl.name}' has no field '{expr.name}'"
                         + did_you_mean(expr.name, [f.name for f in decl.fields]))
        return ERROR

    def enum_constant(self, expr: nodes.Member, enum: str) -> Type:
        """`ActivityStatus.Completed`: a NetServer enum constant is the Integer
        the reference documents (3)."""
        constant = self.documented.enum_constant(enum, expr.name)
        if constant is None:
            self.error(expr, f"the enum '{enum}' has no constant '{expr.name}'"
                             + did_you_mean(expr.name, self.documented.enum_constant_names(enum)))
            return ERROR
        expr.constant = constant.value
        return INTEGER

    def expr_Index(self, expr: nodes.Index) -> Type:
        owner = self.check_expr(expr.obj)
        index = self.check_expr(expr.index)
        if owner == MAP:
            # `map["key"]` reads and writes a Map entry (the reference's NetServer
            # examples do it with GetCustomFields()); keys and values are Strings.
            if not assignable(index, STRING):
                self.error(expr.index, self.mismatch_message(index, STRING, "cannot be a Map key"))
            return STRING
        if not is_error(index) and index not in (INTEGER, BYTE, GENERIC):
            self.error(expr.index, f"an array index must be an Integer, not {article(index)}")
        if is_error(owner):
            return ERROR
        if owner.dims == 0:
            self.error(expr, f"only arrays can be indexed with [], not {article(owner)}")
            return ERROR
        return owner.element()


class _NoClass:
    """Stands in for a class the library does not have: no methods, no constructors."""

    methods: dict = {}
    constructors: list = []


_NO_CLASS = _NoClass()
