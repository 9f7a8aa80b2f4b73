"""The code generator: a checked CRMScript AST becomes one Python code object.

Design (docs/compiler.md has the reasons and the measurements):

* The generated code is a Python *module* tree built with the `ast` module
  and `compile()`d once. Every Python node carries the position of the
  CRMScript node it came from: `lineno` encodes file and line
  (`file_index * LINE_STRIDE + line`, the main script has index 0) and
  `col_offset` is the CRMScript column - 1. `script.py` maps a traceback
  back to file/line/column with `CompiledProgram.position_of`.
* The checker's static types pick the operation: String and Float operators
  are plain Python operators, Integer arithmetic gets an inline 32-bit range
  check, `/` and `%` call the runtime helpers of `runtime/numbers.py`.
* Every CRMScript name is mangled (`v_x`, `g_x`, `f_name`, `m_S_name`,
  `S_name`), every runtime helper starts with `_`, so no script name can
  reach a Python name. The module runs in the namespace of
  runtime/namespace.py (no builtins): the contract's names, which this
  module emits, plus the script's own (`CompiledProgram.namespace`).
* Loops are `while True: if not cond: break` (much faster than `while cond:`
  for a fresh code object on CPython 3.11), each loop iteration and each
  function entry ticks the step budget `_tick` (a C-level iterator: it raises
  StopIteration when the budget is spent; `script.py` turns that into a
  CRMScriptLimitError). A CRMScript `catch` is `except CRMScriptRuntimeError`
  only, so it never swallows a limit.
"""

from __future__ import annotations

import ast
import itertools
import sys
from dataclasses import dataclass, field
from typing import Any

from . import nodes as N
from .errors import CRMScriptCheckError
from .flow import assigned_symbols, has_own_continue, recursive_functions
from .runtime import unsimulated
from .runtime.intrinsics import INTRINSICS
from .runtime.namespace import (
    CTX,
    ERROR_LOCATION,
    MAIN,
    MAX_COLLECTION,
    MAX_DEPTH,
    MAX_STRING,
    SCRIPT_NAME_PREFIX,
    TICK,
)
from .runtime.structs import field_attribute, struct_class
from .runtime.table import LIBRARY, Library, Signature
from .sandbox import DEEP_SCRIPT_FRAMES, ensure_recursion_limit
from .symbols import GLOBAL
from .types import (
    BYTE,
    ELEMENT,
    FLOAT,
    INT_MAX,
    INT_MIN,
    INTEGER,
    LANGUAGE_TYPE_NAMES,
    MAP,
    STRING,
    Type,
    element_type,
    holds_generic,
    is_generic,
    needs_copy,
    substitute_element,
)

# Line numbers of the generated code: file_index * LINE_STRIDE + line.
LINE_STRIDE = 1_000_000

MAIN_FUNCTION = MAIN  # the top-level code's function (namespace.MAIN; the tracer imports it from here)


@dataclass
class CompiledProgram:
    """The result of compiling one program (with its includes)."""

    code: Any  # the module code object: defines the functions and MAIN
    namespace: dict[str, Any]  # the script's own names (runtime/namespace.py: SCRIPT_NAME_PREFIX)
    files: list[str]  # file_index -> file name
    code_objects: frozenset  # every code object of this script (module, functions)
    global_names: tuple = ()  # Python module globals holding script variables
    python_source: str = ""  # ast.unparse of the generated module (debugging aid)

    def position_of(self, lineno: int | None, col_offset: int | None) -> tuple[str, int, int]:
        """(file, line, column) of a generated position."""
        if not lineno:
            return self.files[0], 0, 0
        index, line = divmod(lineno, LINE_STRIDE)
        file = self.files[index] if index < len(self.files) else self.files[0]
        return file, line, (col_offset or 0) + 1


# ------------------------------------------------------------ the compiler


@dataclass
class _FunctionScope:
    """Names of one Python function being generated."""

    names: dict[int, str] = field(default_factory=dict)  # id(Symbol) -> python name
    used: set[str] = field(default_factory=set)
    temp_counter: itertools.count = field(default_factory=itertools.count)
    globals_used: set[str] = field(default_factory=set)
    function: N.FunctionDecl | None = None


class Compiler:
    def __init__(self, program: N.Program, *, library: Library | None = None,
                 script_name: str = "<script>") -> None:
        self.program = program
        self.library = library or LIBRARY
        self.files: list[str] = [program.file or script_name]
        self.namespace: dict[str, Any] = {}
        self._impl_names: dict[int, str] = {}  # id(impl) -> namespace name
        self._global_names: dict[int, str] = {}  # id(Symbol) -> python global name
        self._taken_globals: set[str] = set()
        self._function_names: dict[int, str] = {}  # id(FunctionDecl) -> the python name calls use
        self._code_names: dict[int, str] = {}  # id(FunctionDecl) -> its `def` name (shared by overloads)
        self._struct_names: dict[int, str] = {}  # id(StructDecl) -> class name
        self._struct_ctor_names: dict[int, str] = {}
        self._structs_by_name: dict[str, N.StructDecl] = {}
        self._recursive: set[int] = set()  # ids of functions in a call cycle
        self._module_body: list[ast.stmt] = []
        self.scope = _FunctionScope()
        # String `+` nodes whose result is checked elsewhere: by the statement
        # that stores it (`s = s + x`, see assign_statement) or by the `+`
        # around it (concat_check_elsewhere). Every other String `+` checks its
        # result inline.
        self._unchecked_concats: set[int] = set()

    # ---------------------------------------------------------- namespace

    def runtime_name(self, obj: Any, hint: str) -> str:
        """The script's own namespace name under which generated code reaches `obj`."""
        key = id(obj)
        name = self._impl_names.get(key)
        if name is None:
            safe = "".join(c if c.isalnum() else "_" for c in hint)
            name = f"{SCRIPT_NAME_PREFIX}{len(self._impl_names)}_{safe}"
            self._impl_names[key] = name
            self.namespace[name] = obj
        return name

    # ------------------------------------------------------------ locations

    def file_index(self, file: str) -> int:
        try:
            return self.files.index(file)
        except ValueError:
            self.files.append(file)
            return len(self.files) - 1

    def locate(self, py: ast.AST, node: N.Node) -> Any:
        """Give `py` and every descendant without a position the position of `node`."""
        lineno = self.file_index(node.file) * LINE_STRIDE + max(node.line, 1) if node.file else max(node.line, 1)
        col = max(node.column - 1, 0)
        stack = [py]
        while stack:
            current = stack.pop()
            if "lineno" in current._attributes and getattr(current, "lineno", None) is None:
                current.lineno = current.end_lineno = lineno
                current.col_offset = col
                current.end_col_offset = col + 1
                stack.extend(ast.iter_child_nodes(current))
            elif "lineno" not in current._attributes:
                stack.extend(ast.iter_child_nodes(current))
        return py

    # ---------------------------------------------------------------- names

    def var_name(self, symbol: Any, fallback: str) -> str:
        """The Python name of a variable symbol (unique within its function)."""
        if symbol is None:
            return "v_" + fallback
        if getattr(symbol, "kind", None) == GLOBAL and id(symbol) in self._global_names:
            name = self._global_names[id(symbol)]
            self.scope.globals_used.add(name)
            return name
        name = self.scope.names.get(id(symbol))
        if name is None:
            base = "v_" + symbol.name
            name = base
            counter = 1
            while name in self.scope.used:
                counter += 1
                name = f"{base}_{counter}"
            self.scope.used.add(name)
            self.scope.names[id(symbol)] = name
        return name

    def temp(self) -> str:
        return f"_t{next(self.scope.temp_counter)}"

    # ------------------------------------------------------------- program

    def compile(self) -> CompiledProgram:
        program = self.program
        decls, main_body = self._split_program(program.body)
        self._find_shared_globals(decls, main_body)
        for struct in (d for d in decls if isinstance(d, N.StructDecl)):
            self._declare_struct(struct)
        # Every function is defined as `f_<name>` (methods `m_<Struct>_<name>`):
        # that code name is what tracebacks and the tracer show. Overloads
        # share it, so each overload is also bound to its own name,
        # `f1_<name>`, `f2_<name>`, ..., and calls use that binding.
        groups: dict[str, list[N.FunctionDecl]] = {}
        for function in (d for d in decls if isinstance(d, N.FunctionDecl)):
            groups.setdefault("f_" + function.name, []).append(function)
        for struct in (d for d in decls if isinstance(d, N.StructDecl)):
            for method in struct.methods:
                groups.setdefault(f"m_{struct.name}_{method.name}", []).append(method)
        for code_name, group in groups.items():
            for nth, function in enumerate(group, 1):
                self._code_names[id(function)] = code_name
                self._function_names[id(function)] = code_name if len(group) == 1 else f"{code_name[0]}{nth}{code_name[1:]}"

        self._recursive = recursive_functions(decls)
        for struct in (d for d in decls if isinstance(d, N.StructDecl)):
            self._module_body.append(self._struct_constructor(struct))
            for method in struct.methods:
                self._module_body.extend(self._function_and_binding(method, struct))
        for function in (d for d in decls if isinstance(d, N.FunctionDecl)):
            self._module_body.extend(self._function_and_binding(function, None))

        # The top-level statements run inside a function: locals are much
        # faster than module globals. Globals used by functions are module
        # globals (declared `global` in every function that names them).
        self.scope = _FunctionScope()
        body = [ast.Assign([ast.Name(DEPTH, ast.Store())], ast.Constant(0))] + self.block(main_body)
        main = ast.FunctionDef(name=MAIN, args=_no_args(), body=self._with_globals(body),
                               decorator_list=[], returns=None)
        self.locate(main, program)
        self._module_body.append(main)
        module = ast.Module(body=self._module_body, type_ignores=[])
        ast.fix_missing_locations(module)
        try:
            code = compile(module, self.files[0], "exec", dont_inherit=True, optimize=2)
        except (SyntaxError, ValueError, TypeError, RecursionError) as problem:  # a compiler bug, or absurd nesting
            raise CRMScriptCheckError(f"cannot compile this script: {problem}", self.files[0], 1, 1) from None
        return CompiledProgram(code, dict(self.namespace), list(self.files), frozenset(_all_code_objects(code)),
                               tuple(self._global_names.values()), _unparse(module))

    def _split_program(self, body: list[N.Stmt]) -> tuple[list[N.Stmt], list[N.Stmt]]:
        """Declarations (functions, structs - also those of includes) and the
        statements that run, in order; include bodies run in place."""
        decls: list[N.Stmt] = []
        statements: list[N.Stmt] = []
        for stmt in body:
            if isinstance(stmt, (N.FunctionDecl, N.StructDecl)):
                decls.append(stmt)
            elif isinstance(stmt, N.Include):
                if stmt.program is not None:
                    inner_decls, inner_statements = self._split_program(stmt.program.body)
                    decls.extend(inner_decls)
                    statements.extend(inner_statements)
            else:
                statements.append(stmt)
        return decls, statements

    def _find_shared_globals(self, decls: list[N.Stmt], main_body: list[N.Stmt]) -> None:
        """Top-level variables that functions use become Python module globals."""
        used = {id(node.symbol): node.symbol for decl in decls for node in N.walk(decl, includes=True)
                if isinstance(node, N.Name) and node.symbol is not None and node.symbol.kind == GLOBAL}
        for symbol in used.values():
            base = "g_" + symbol.name
            name, counter = base, 1
            while name in self._taken_globals:
                counter += 1
                name = f"{base}_{counter}"
            self._taken_globals.add(name)
            self._global_names[id(symbol)] = name
        # Globals get a value before any function could run: default them.
        for name in self._global_names.values():
            self._module_body.append(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(None)))

    def _with_globals(self, body: list[ast.stmt]) -> list[ast.stmt]:
        if self.scope.globals_used:
            return [ast.Global(sorted(self.scope.globals_used))] + body
        return body

    # ------------------------------------------------------------- structs

    def _declare_struct(self, struct: N.StructDecl) -> None:
        cls = struct_class(struct.name, tuple((f.name, f.type_ref.type) for f in struct.fields))
        self._struct_names[id(struct)] = self.runtime_name(cls, "S_" + struct.name)
        self._struct_ctor_names[id(struct)] = "n_" + struct.name
        self._structs_by_name[struct.name] = struct

    def _struct_constructor(self, struct: N.StructDecl) -> ast.stmt:
        """`def n_S(): o = S(); o.v_field = <default or init>; ...; return o`."""
        self.scope = _FunctionScope()
        obj = "_o"
        body: list[ast.stmt] = [
            ast.Assign([ast.Name(obj, ast.Store())], ast.Call(ast.Name(self._struct_names[id(struct)], ast.Load()), [], []))
        ]
        for f in struct.fields:
            value = self.initial_value(f.type_ref, f.init)
            target = ast.Attribute(ast.Name(obj, ast.Load()), field_attribute(f.name), ast.Store())
            body.append(self.locate(ast.Assign([target], value), f))
        body.append(ast.Return(ast.Name(obj, ast.Load())))
        fn = ast.FunctionDef(name=self._struct_ctor_names[id(struct)], args=_depth_args(), body=self._with_globals(body),
                             decorator_list=[], returns=None)
        return self.locate(fn, struct)

    # ----------------------------------------------------------- functions

    def _function(self, fn: N.FunctionDecl, struct: N.StructDecl | None) -> ast.stmt:
        self.scope = _FunctionScope(function=fn)
        args: list[ast.arg] = []
        if struct is not None:
            args.append(ast.arg("this_"))
            self.scope.used.add("this_")
        prologue: list[ast.stmt] = []
        if id(fn) in self._recursive:
            # Only a function that can call itself (directly or not) can nest
            # or repeat without a loop ticking: it alone pays for the checks.
            prologue += [self.locate(_tick_stmt(), fn), self.locate(_depth_check(), fn)]
        for param in fn.params:
            name = self.var_name(param.symbol, param.name)
            args.append(ast.arg(name))
            if needs_copy(param.type_ref.type):
                # Date/Time values are copied when passed; the caller passes
                # its own object, the callee copies (one place for all calls).
                copy = ast.Assign([ast.Name(name, ast.Store())], _method(ast.Name(name, ast.Load()), "copy"))
                prologue.append(self.locate(copy, param))
        body = prologue + self.block(fn.body.body) or [self.locate(ast.Pass(), fn)]
        if not body or not isinstance(body[-1], ast.Return):
            if fn.return_type.name != "Void" or fn.return_type.sizes:
                # Falling off the end of a typed function returns the type's default.
                body.append(self.locate(ast.Return(self.default_value(fn.return_type)), fn))
        args.append(ast.arg(DEPTH))
        arguments = ast.arguments(posonlyargs=[], args=args, vararg=None, kwonlyargs=[], kw_defaults=[],
                                  kwarg=None, defaults=[])
        py = ast.FunctionDef(name=self._code_names[id(fn)], args=arguments, body=self._with_globals(body),
                             decorator_list=[], returns=None)
        return self.locate(py, fn)

    def _function_and_binding(self, fn: N.FunctionDecl, struct: N.StructDecl | None) -> list[ast.stmt]:
        """`def f_x(...)`, and for an overload `f2_x = f_x` right after it."""
        out: list[ast.stmt] = [self._function(fn, struct)]
        code_name, binding = self._code_names[id(fn)], self._function_names[id(fn)]
        if binding != code_name:
            out.append(self.locate(ast.Assign([ast.Name(binding, ast.Store())], ast.Name(code_name, ast.Load())), fn))
        return out

    # ------------------------------------------------------------ statements

    def block(self, statements: list[N.Stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in statements:
            out.extend(self.statement(stmt))
        return out

    def body_of(self, stmt: N.Stmt) -> list[ast.stmt]:
        out = self.statement(stmt)
        return out or [self.locate(ast.Pass(), stmt)]

    def statement(self, stmt: N.Stmt) -> list[ast.stmt]:
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is None:
            raise CRMScriptCheckError(f"{type(stmt).__name__} is not supported here", stmt.file, stmt.line, stmt.column)
        result = method(stmt)
        return [self.locate(s, stmt) for s in result]

    def stmt_Block(self, stmt: N.Block) -> list[ast.stmt]:
        return self.block(stmt.body)

    def stmt_EmptyStmt(self, stmt: N.EmptyStmt) -> list[ast.stmt]:
        return []

    def stmt_LanguageLevel(self, stmt: N.LanguageLevel) -> list[ast.stmt]:
        return []

    def stmt_Include(self, stmt: N.Include) -> list[ast.stmt]:
        # Only reached for includes nested in blocks; top-level ones are
        # flattened by _split_program.
        if stmt.program is None:
            return []
        decls, statements = self._split_program(stmt.program.body)
        if decls:
            raise CRMScriptCheckError("an #include with functions or structs must be at the top level",
                                      stmt.file, stmt.line, stmt.column)
        return self.block(statements)

    def stmt_FunctionDecl(self, stmt: N.FunctionDecl) -> list[ast.stmt]:
        raise CRMScriptCheckError("functions can only be declared at the top level", stmt.file, stmt.line, stmt.column)

    def stmt_StructDecl(self, stmt: N.StructDecl) -> list[ast.stmt]:
        raise CRMScriptCheckError("structs can only be declared at the top level", stmt.file, stmt.line, stmt.column)

    def stmt_VarDecl(self, stmt: N.VarDecl) -> list[ast.stmt]:
        name = self.var_name(stmt.symbol, stmt.name)
        grows = stmt.init is not None and self._grows_string(stmt.type_ref.type, stmt.init)
        value = self.guarded_concat(stmt.init) if grows else self.initial_value(stmt.type_ref, stmt.init)
        out: list[ast.stmt] = [ast.Assign([ast.Name(name, ast.Store())], value)]
        if grows:
            out.append(self._string_guard(ast.Name(name, ast.Load())))
        return out

    def stmt_ExprStmt(self, stmt: N.ExprStmt) -> list[ast.stmt]:
        expr = stmt.expr
        if isinstance(expr, N.Assign):
            return self.assign_statement(expr)
        if isinstance(expr, N.IncDec):
            return self.incdec_statement(expr)
        if _is_string_append_to_variable(expr):
            # `s.append(x)` is `s += x`: CPython grows the string in place only
            # when nothing else holds it, which a call (receiver as argument,
            # result stored back) prevents, making a loop of appends quadratic.
            name = self.var_name(expr.obj.symbol, expr.obj.name)
            grow = ast.AugAssign(ast.Name(name, ast.Store()), ast.Add(), self.converted(expr.args[0], STRING))
            return [grow, self.locate(self._string_guard(ast.Name(name, ast.Load())), expr)]
        # Members that make a String or a collection grow are given the run
        # context and check the limits themselves.
        return [ast.Expr(self.expr(expr))]

    def stmt_If(self, stmt: N.If) -> list[ast.stmt]:
        orelse = self.body_of(stmt.else_) if stmt.else_ is not None else []
        return [ast.If(self.condition(stmt.cond), self.body_of(stmt.then), orelse)]

    def stmt_While(self, stmt: N.While) -> list[ast.stmt]:
        body = self.body_of(stmt.body)
        head = [self.locate(_tick_stmt(), stmt)]
        head.append(self.locate(ast.If(_not(self.condition(stmt.cond)), [ast.Break()], []), stmt.cond))
        return [ast.While(ast.Constant(True), head + body, [])]

    def stmt_For(self, stmt: N.For) -> list[ast.stmt]:
        counted = self.counted_loop(stmt)
        if counted is not None:
            return counted
        out: list[ast.stmt] = []
        if stmt.init is not None:
            out.extend(self.statement(stmt.init))
        has_continue = has_own_continue(stmt.body)
        flag = self.temp() if (has_continue and stmt.update is not None) else None
        body = self.body_of(stmt.body)
        update = self.effect(stmt.update) if stmt.update is not None else []
        head: list[ast.stmt] = []
        if flag is not None:
            # `continue` must still run the update: the update moves to the
            # top of the loop, skipped on the first pass.
            out.append(ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(True)))
            head.append(ast.If(ast.Name(flag, ast.Load()),
                               [ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(False))], update))
            update = []
        head.append(self.locate(_tick_stmt(), stmt))
        if stmt.cond is not None:
            head.append(self.locate(ast.If(_not(self.condition(stmt.cond)), [ast.Break()], []), stmt.cond))
        out.append(ast.While(ast.Constant(True), head + body + update, []))
        return out

    def counted_loop(self, stmt: N.For) -> list[ast.stmt] | None:
        """`for (Integer i = a; i < b; i++) body` as `for v_i in range(a, b)`
        when that means the same: i is declared by the loop (so invisible
        after it), the body never assigns i, and b is a constant or a local
        the body never assigns. `<=` only with a constant bound below the
        Integer maximum (else i++ would overflow where range() would not)."""
        init, cond, update = stmt.init, stmt.cond, stmt.update
        if not (isinstance(init, N.VarDecl) and init.init is not None and init.type_ref.type == INTEGER
                and not init.type_ref.sizes and init.symbol is not None):
            return None
        symbol = init.symbol
        if not (isinstance(cond, N.Binary) and cond.op in ("<", "<=") and isinstance(cond.left, N.Name)
                and cond.left.symbol is symbol and cond.right.ctype == INTEGER):
            return None
        if not (isinstance(update, N.IncDec) and update.op == "++" and isinstance(update.target, N.Name)
                and update.target.symbol is symbol):
            return None
        bound = cond.right
        assigned = assigned_symbols(stmt.body)
        if isinstance(bound, N.IntLit):
            if cond.op == "<=" and bound.value >= INT_MAX:
                return None
        elif isinstance(bound, N.Name) and cond.op == "<":
            if bound.symbol is None or bound.symbol.kind == GLOBAL or bound.symbol in assigned:
                return None
        else:
            return None
        if symbol in assigned:
            return None
        name = self.var_name(symbol, init.name)
        start = self.converted(init.init, init.type_ref.type)
        stop = self.expr(bound)
        if cond.op == "<=":
            stop = ast.Constant(bound.value + 1)
        body = self.body_of(stmt.body)
        loop = ast.For(ast.Name(name, ast.Store()), self.call_name("_range", [start, stop]),
                       [self.locate(_tick_stmt(), stmt)] + body, [])
        return [loop]

    def stmt_Foreach(self, stmt: N.Foreach) -> list[ast.stmt]:
        name = self.var_name(stmt.symbol, stmt.var_name)
        body = self.body_of(stmt.body)
        head: list[ast.stmt] = [self.locate(_tick_stmt(), stmt)]
        var_type = stmt.var_type.type
        if needs_copy(var_type):
            head.append(ast.Assign([ast.Name(name, ast.Store())], _method(ast.Name(name, ast.Load()), "copy")))
        elif var_type == FLOAT and element_type(stmt.collection.ctype) == INTEGER:
            head.append(ast.Assign([ast.Name(name, ast.Store())], self.call_name("_float", [ast.Name(name, ast.Load())])))
        # Iterate over a snapshot: changing the array inside the loop does
        # not change which elements the loop visits (as C++ iterators over a
        # copied vector would).
        collection = self.expr(stmt.collection)
        collection_type = stmt.collection.ctype
        if is_generic(collection_type):
            collection = self.call_name("_g_array", [collection])
        if var_type.name != "Generic" and (is_generic(collection_type) or holds_generic(collection_type)):
            # elements known only as Generic (a Generic, a Generic[]): each checked
            element = ast.Name(name, ast.Load())
            check = (self.call_name("_g_typed_array", [self.call_name("_g_array", [element]), ast.Constant(str(var_type))])
                     if var_type.dims else self.call_name("_g_from", [element, ast.Constant(var_type.name)]))
            head.insert(1, ast.Assign([ast.Name(name, ast.Store())], check))
        if stmt.collection.ctype is not None and stmt.collection.ctype.dims > 0:
            collection = ast.Subscript(collection, ast.Slice(None, None, None), ast.Load())
        return [ast.For(ast.Name(name, ast.Store()), collection, head + body, [])]

    def stmt_Break(self, stmt: N.Break) -> list[ast.stmt]:
        return [ast.Break()]

    def stmt_Continue(self, stmt: N.Continue) -> list[ast.stmt]:
        return [ast.Continue()]

    def stmt_Return(self, stmt: N.Return) -> list[ast.stmt]:
        fn = self.scope.function
        if stmt.value is None:
            return [ast.Return(None)]
        if fn is not None:
            return [ast.Return(self.converted(stmt.value, fn.return_type.type))]
        # `return x;` at top level ends the script.
        return [ast.Expr(self.expr(stmt.value)), ast.Return(None)]

    def stmt_Throw(self, stmt: N.Throw) -> list[ast.stmt]:
        value = self.converted(stmt.value, STRING)
        if stmt.value.ctype is not None and stmt.value.ctype != STRING and not is_generic(stmt.value.ctype):
            value = self.call_name("_str", [value])
        message = ast.BinOp(ast.Constant("GeneralException: "), ast.Add(), value)
        return [ast.Raise(self.call_name("_Throw", [message]), None)]

    def stmt_Try(self, stmt: N.Try) -> list[ast.stmt]:
        body = self.block(stmt.body.body) or [ast.Pass()]
        exc = self.temp()
        handler_body: list[ast.stmt] = []
        error_name = self.var_name(stmt.error_symbol, "error")
        location_name = self.var_name(stmt.location_symbol, "errorLocation")
        handler_body.append(ast.Assign([ast.Name(error_name, ast.Store())],
                                       ast.Attribute(ast.Name(exc, ast.Load()), "message", ast.Load())))
        handler_body.append(ast.Assign([ast.Name(location_name, ast.Store())],
                                       self.call_name(ERROR_LOCATION, [ast.Name(exc, ast.Load())])))
        handler_body.extend(self.block(stmt.handler.body))
        handler = ast.ExceptHandler(ast.Name("_RuntimeError", ast.Load()), exc, handler_body)
        return [ast.Try(body, [handler], [], [])]

    # ----------------------------------------------------------- assignment

    def assign_statement(self, node: N.Assign) -> list[ast.stmt]:
        target = node.target
        ttype = target.ctype or node.ctype
        if node.op == "=":
            if isinstance(target, N.Name) and ttype is not None and self._grows_string(ttype, node.value):
                # `s = s + x`: stored first, then checked; CPython grows the
                # string in place only when the `+` is stored straight into s.
                out = [self.store(target, self.guarded_concat(node.value))]
                out.append(self._string_guard(self.expr(target)))
                return out
            return [self.store(target, self.converted(node.value, ttype))]
        op = node.op[0]
        if ttype == STRING and op == "+" and isinstance(target, N.Name):
            # `s += x` keeps CPython's in-place string growth.
            name = self.var_name(target.symbol, target.name)
            out = [ast.AugAssign(ast.Name(name, ast.Store()), ast.Add(), self.converted(node.value, STRING))]
            out.append(self._string_guard(ast.Name(name, ast.Load())))
            return out
        if isinstance(target, N.Name):
            current = self.expr(target)
            value = self.arith(op, current, self.expr(node.value), ttype, target.ctype, node.value.ctype, node)
            out = [self.store(target, value)]
            if ttype == STRING:
                out.append(self._string_guard(self.expr(target)))
            return out
        # Member / Index target: evaluate the object and index once.
        return [ast.Expr(self.compound_expr(node))]

    def store(self, target: N.Expr, value: ast.expr) -> ast.stmt:
        if isinstance(target, N.Name):
            return ast.Assign([ast.Name(self.var_name(target.symbol, target.name), ast.Store())], value)
        if isinstance(target, N.Member):
            return ast.Assign([ast.Attribute(self.expr(target.obj), field_attribute(target.name), ast.Store())], value)
        if isinstance(target, N.Index):
            obj, value = self.element_store(target.obj, self.expr(target.obj), value)
            return ast.Expr(self.element_setter(target.obj.ctype == MAP, obj, self.index_value(target), value))
        raise CRMScriptCheckError("cannot assign to this expression", target.file, target.line, target.column)

    def assign_expr(self, node: N.Assign) -> ast.expr:
        """An assignment used as a value (`a = b = 1`, `while ((x = f()) > 0)`)."""
        target = node.target
        if node.op == "=":
            value = self.converted(node.value, target.ctype or node.ctype)
            if isinstance(target, N.Name):
                return ast.NamedExpr(ast.Name(self.var_name(target.symbol, target.name), ast.Store()), value)
            if isinstance(target, N.Member):
                return self.call_name("_attr_set", [self.expr(target.obj), ast.Constant(field_attribute(target.name)), value])
            if isinstance(target, N.Index):
                obj, value = self.element_store(target.obj, self.expr(target.obj), value)
                return self.element_setter(target.obj.ctype == MAP, obj, self.index_value(target), value)
        if isinstance(target, N.Name):
            value = self.arith(node.op[0], self.expr(target), self.expr(node.value), target.ctype,
                               target.ctype, node.value.ctype, node)
            return ast.NamedExpr(ast.Name(self.var_name(target.symbol, target.name), ast.Store()), value)
        return self.compound_expr(node)

    def compound_expr(self, node: N.Assign) -> ast.expr:
        """`obj.f op= v` / `a[i] op= v` as an expression, object and index evaluated once."""
        target = node.target
        op = node.op[0]
        obj_tmp = self.temp()
        obj = ast.NamedExpr(ast.Name(obj_tmp, ast.Store()), self.expr(target.obj))
        if isinstance(target, N.Member):
            attr = field_attribute(target.name)
            current = ast.Attribute(ast.Name(obj_tmp, ast.Load()), attr, ast.Load())
            value = self.arith(op, current, self.expr(node.value), target.ctype, target.ctype, node.value.ctype, node)
            # obj is evaluated first (inside the tuple), then the new value.
            return ast.Subscript(ast.Tuple([obj, self.call_name("_attr_set", [
                ast.Name(obj_tmp, ast.Load()), ast.Constant(attr), value])], ast.Load()), ast.Constant(1), ast.Load())
        index_tmp = self.temp()
        index = ast.NamedExpr(ast.Name(index_tmp, ast.Store()), self.index_value(target))
        is_map = target.obj.ctype == MAP
        if is_map:
            current = self.call_name("_map_get", [ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load())])
        else:
            current = self.call_name("_index_get", [ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load())])
        value = self.arith(op, current, self.expr(node.value), target.ctype, target.ctype, node.value.ctype, node)
        if holds_generic(target.obj.ctype):
            value = self.call_name("_g_element", [ast.Name(obj_tmp, ast.Load()), value])
        setter = self.element_setter(is_map, ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load()), value)
        return ast.Subscript(ast.Tuple([obj, index, setter], ast.Load()), ast.Constant(2), ast.Load())

    def incdec_statement(self, node: N.IncDec) -> list[ast.stmt]:
        target = node.target
        if isinstance(target, N.Name):
            name = self.var_name(target.symbol, target.name)
            value = self.arith("+" if node.op == "++" else "-", ast.Name(name, ast.Load()), ast.Constant(1),
                               target.ctype, target.ctype, INTEGER, node)
            return [ast.Assign([ast.Name(name, ast.Store())], value)]
        return [ast.Expr(self.incdec_expr(node))]

    def incdec_expr(self, node: N.IncDec) -> ast.expr:
        """`x++` / `++x` as a value: prefix gives the new value, postfix the old."""
        op = "+" if node.op == "++" else "-"
        target = node.target
        compound = N.Assign(op=op + "=", target=target, value=N.IntLit(1, ctype=INTEGER, file=node.file,
                                                                      line=node.line, column=node.column),
                            ctype=target.ctype, file=node.file, line=node.line, column=node.column)
        new_value = self.assign_expr(compound)
        if node.prefix:
            return new_value
        # old value = new value -/+ 1 (exact for Integers and Bytes in range)
        undo = ast.Sub() if op == "+" else ast.Add()
        old = ast.BinOp(new_value, undo, ast.Constant(1))
        if target.ctype == BYTE:
            old = self.call_name("_byte", [old])
        return old

    def effect(self, expr: N.Expr) -> list[ast.stmt]:
        """An expression evaluated for its side effect (for-loop updates)."""
        if isinstance(expr, N.Assign):
            return [self.locate(s, expr) for s in self.assign_statement(expr)]
        if isinstance(expr, N.IncDec):
            return [self.locate(s, expr) for s in self.incdec_statement(expr)]
        return [self.locate(ast.Expr(self.expr(expr)), expr)]

    # -------------------------------------------------------------- guards

    def _grows_string(self, t: Type, value: N.Expr) -> bool:
        return (t == STRING and isinstance(value, N.Binary) and value.op == "+"
                and value.ctype == STRING and not is_generic(value.left.ctype) and not is_generic(value.right.ctype))

    def guarded_concat(self, value: N.Binary) -> ast.expr:
        """The String `+` `value` without its inline length check: the
        statement checks the variable it is stored into."""
        self._unchecked_concats.add(id(value))
        return self.expr(value)

    def concat_needs_check(self, node: N.Binary) -> bool:
        """Whether the String `+` `node` checks its result inline (string_checked).

        Not when its length is bounded by the script's text (literals,
        numbers' toString(): at most SMALL_CONCAT characters), nor when the
        `+` around it only adds such a bounded piece (`"Sale " + id + " ok"`
        checks once, at the outer `+`): between two checks a chain adds one
        unbounded operand, so no intermediate passes twice the limit (plus
        the bounded pieces), and `s + s + s + ...` still checks every `+`."""
        right = node.right
        if (isinstance(node.left, N.Binary) and node.left.op == "+" and node.left.ctype == STRING
                and _static_length(right) is not None):
            self._unchecked_concats.add(id(node.left))
        if id(node) in self._unchecked_concats:
            return False
        length = _static_length(node)
        return length is None or length > SMALL_CONCAT

    def string_checked(self, value: ast.expr) -> ast.expr:
        """`(t if len(t := value) <= max else _string_limit(ctx))`: the String
        length limit on a concatenation wherever its result goes (a return,
        an argument, a field, an element), not only into a variable."""
        tmp = self.temp()
        test = ast.Compare(self.call_name("_len", [ast.NamedExpr(ast.Name(tmp, ast.Store()), value)]),
                           [ast.LtE()], [ast.Name(MAX_STRING, ast.Load())])
        return ast.IfExp(test, ast.Name(tmp, ast.Load()),
                         self.call_name("_string_limit", [ast.Name(CTX, ast.Load())]))

    def _string_guard(self, value: ast.expr) -> ast.stmt:
        """`if len(s) > max: raise limit` (after a string got longer)."""
        check = ast.Compare(self.call_name("_len", [value]), [ast.Gt()], [ast.Name(MAX_STRING, ast.Load())])
        return ast.If(check, [ast.Expr(self.call_name("_string_limit", [ast.Name(CTX, ast.Load())]))], [])

    # ----------------------------------------------------------- expressions

    def expr(self, node: N.Expr) -> ast.expr:
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise CRMScriptCheckError(f"{type(node).__name__} is not supported here", node.file, node.line, node.column)
        return self.locate(method(node), node)

    def condition(self, node: N.Expr) -> ast.expr:
        return self.bool_operand(node)

    def bool_operand(self, node: N.Expr) -> ast.expr:
        """A value used as a Bool (condition, `!`, `&&`, `||`): a Generic
        must hold a Bool at run time."""
        value = self.expr(node)
        if is_generic(node.ctype):
            return self.call_name("_g_cond", [value])
        return value

    def expr_IntLit(self, node: N.IntLit) -> ast.expr:
        return ast.Constant(node.value)

    def expr_FloatLit(self, node: N.FloatLit) -> ast.expr:
        return ast.Constant(float(node.value))

    def expr_StringLit(self, node: N.StringLit) -> ast.expr:
        return ast.Constant(node.value)

    def expr_BoolLit(self, node: N.BoolLit) -> ast.expr:
        return ast.Constant(bool(node.value))

    def expr_Name(self, node: N.Name) -> ast.expr:
        return ast.Name(self.var_name(node.symbol, node.name), ast.Load())

    def expr_This(self, node: N.This) -> ast.expr:
        return ast.Name("this_", ast.Load())

    def expr_Unary(self, node: N.Unary) -> ast.expr:
        if node.op == "!":
            return _not(self.bool_operand(node.operand))
        operand = self.expr(node.operand)
        if is_generic(node.operand.ctype):
            if node.op == "+":
                return self.call_name("_g_arith", [ast.Constant("+"), ast.Constant(0), operand])
            return self.call_name("_g_neg", [operand])
        if node.op == "+":
            return operand
        if node.operand.ctype == INTEGER:
            return self.int_checked(ast.UnaryOp(ast.USub(), operand))
        if node.operand.ctype == BYTE:
            return self.call_name("_byte", [ast.UnaryOp(ast.USub(), operand)])
        return ast.UnaryOp(ast.USub(), operand)

    def expr_IncDec(self, node: N.IncDec) -> ast.expr:
        return self.incdec_expr(node)

    def expr_Binary(self, node: N.Binary) -> ast.expr:
        op = node.op
        if op in ("&&", "||", "and", "or"):
            kind = ast.And() if op in ("&&", "and") else ast.Or()
            return ast.BoolOp(kind, [self.bool_operand(node.left), self.bool_operand(node.right)])
        checked = op == "+" and node.ctype == STRING and self.concat_needs_check(node)  # before the operands
        left, right = self.expr(node.left), self.expr(node.right)
        if op == "+" and node.ctype == STRING and not is_generic(node.left.ctype) and not is_generic(node.right.ctype):
            value = ast.BinOp(left, ast.Add(), right)
            return self.string_checked(value) if checked else value
        if op in _COMPARE:
            if is_generic(node.left.ctype) or is_generic(node.right.ctype):
                return self.call_name("_g_compare", [ast.Constant(op), left, right])
            return ast.Compare(left, [_COMPARE[op]()], [right])
        return self.arith(op, left, right, node.ctype, node.left.ctype, node.right.ctype, node)

    def arith(self, op: str, left: ast.expr, right: ast.expr, result: Type | None,
              left_type: Type | None, right_type: Type | None, node: N.Node) -> ast.expr:
        """`left op right` for the static types the checker found."""
        if is_generic(left_type) or is_generic(right_type):
            # Types known only at run time: checked there; a known result type
            # (`i += g`, `"a" + g`) is checked on the result.
            value = self.call_name("_g_arith", [ast.Constant(op), left, right])
            if result is not None and result.dims == 0 and not is_generic(result):
                value = self.call_name("_g_from", [value, ast.Constant(result.name)])
            return value
        if result == FLOAT or left_type == FLOAT or right_type == FLOAT:
            if op == "/":
                return self.call_name("_float_div", [left, right])
            if op == "%":
                return self.call_name("_float_mod", [left, right])
            return self.float_checked(ast.BinOp(left, _ARITH[op](), right))
        if result == INTEGER or result == BYTE:
            if op == "/":
                value = self.call_name("_int_div", [left, right])
            elif op == "%":
                value = self.call_name("_int_mod", [left, right])
            elif result == INTEGER and op in ("+", "-") and _small_constant_operand(left, right):
                value = self.int_checked_constant(op, left, right.value)
            else:
                value = ast.BinOp(left, _ARITH[op](), right)
                if result == INTEGER:
                    value = self.int_checked(value)
            if result == BYTE:
                value = self.call_name("_byte", [value])
            return value
        if result == STRING or left_type == STRING:
            if op != "+":
                raise CRMScriptCheckError(f"operator {op} does not apply to String", node.file, node.line, node.column)
            # (a `+` of two Strings in an expression is expr_Binary's; this is `x.f += s`, `a[i] += s`)
            return self.string_checked(ast.BinOp(left, ast.Add(), right))
        if op in _ARITH and op not in ("/", "%"):
            return ast.BinOp(left, _ARITH[op](), right)
        # Unknown static type (Generic): let the runtime decide.
        return self.call_name("_g_arith", [ast.Constant(op), left, right])

    def int_checked(self, value: ast.expr) -> ast.expr:
        """`(t if MIN <= (t := value) <= MAX else _overflow(t))`, an inline range check."""
        tmp = self.temp()
        test = ast.Compare(ast.Constant(INT_MIN), [ast.LtE(), ast.LtE()],
                           [ast.NamedExpr(ast.Name(tmp, ast.Store()), value), ast.Constant(INT_MAX)])
        return ast.IfExp(test, ast.Name(tmp, ast.Load()), self.call_name("_overflow", [ast.Name(tmp, ast.Load())]))

    def float_checked(self, value: ast.expr) -> ast.expr:
        """`(t if -MAX <= (t := value) <= MAX else _float_overflow(t))`: a Float
        result beyond the largest Float (inf) is an error, not a stored 'inf'."""
        tmp = self.temp()
        test = ast.Compare(ast.Constant(-sys.float_info.max), [ast.LtE(), ast.LtE()],
                           [ast.NamedExpr(ast.Name(tmp, ast.Store()), value), ast.Constant(sys.float_info.max)])
        return ast.IfExp(test, ast.Name(tmp, ast.Load()), self.call_name("_float_overflow", [ast.Name(tmp, ast.Load())]))

    def int_checked_constant(self, op: str, name: ast.Name, constant: int) -> ast.expr:
        """`x + c` with a constant c: one comparison of x, no temporary
        (`x + 1 if x <= MAX - 1 else _overflow(x + 1)`)."""
        step = constant if op == "+" else -constant
        value = ast.BinOp(name, _ARITH[op](), ast.Constant(constant))
        if step >= 0:
            test = ast.Compare(name, [ast.LtE()], [ast.Constant(INT_MAX - step)])
        else:
            test = ast.Compare(name, [ast.GtE()], [ast.Constant(INT_MIN - step)])
        overflow = self.call_name("_overflow", [ast.BinOp(ast.Name(name.id, ast.Load()), _ARITH[op](),
                                                          ast.Constant(constant))])
        return ast.IfExp(test, value, overflow)

    def expr_Assign(self, node: N.Assign) -> ast.expr:
        return self.assign_expr(node)

    def expr_Member(self, node: N.Member) -> ast.expr:
        if node.constant is not None:  # `ActivityStatus.Completed`
            return ast.Constant(node.constant)
        return ast.Attribute(self.expr(node.obj), field_attribute(node.name), ast.Load())

    def element_setter(self, is_map: bool, obj: ast.expr, index: ast.expr, value: ast.expr) -> ast.expr:
        """`a[i] = value` (`_index_set`) or `m[k] = value` (`_map_set`, given the
        collection size limit: a new key must not pass it)."""
        if is_map:
            return self.call_name("_map_set", [obj, index, value, ast.Name(MAX_COLLECTION, ast.Load())])
        return self.call_name("_index_set", [obj, index, value])

    def element_store(self, array: N.Expr, array_py: ast.expr, value: ast.expr) -> tuple[ast.expr, ast.expr]:
        """(array, value) for `array[i] = value`: through a Generic[] view (a
        `Generic[]` parameter given an Integer[]) the value must fit the
        array's real element type, checked at run time."""
        if not holds_generic(array.ctype):
            return array_py, value
        tmp = self.temp()
        return (ast.NamedExpr(ast.Name(tmp, ast.Store()), array_py),
                self.call_name("_g_element", [ast.Name(tmp, ast.Load()), value]))

    def index_value(self, node: N.Index) -> ast.expr:
        """The index of `a[i]` / key of `m[k]` (a Generic index is checked at run time)."""
        return self.converted(node.index, STRING if node.obj.ctype == MAP else INTEGER)

    def expr_Index(self, node: N.Index) -> ast.expr:
        obj = self.expr(node.obj)
        index = self.index_value(node)
        if node.obj.ctype == MAP:
            return self.call_name("_map_get", [obj, index])
        if isinstance(obj, ast.Name) and isinstance(index, (ast.Name, ast.Constant)):
            # a[i] with plain names: inline bounds check, no call.
            test = ast.Compare(ast.Constant(0), [ast.LtE(), ast.Lt()], [index, self.call_name("_len", [obj])])
            return ast.IfExp(test, ast.Subscript(obj, index, ast.Load()),
                             self.call_name("_index_fail", [index, obj]))
        return self.call_name("_index_get", [obj, index])

    def expr_Call(self, node: N.Call) -> ast.expr:
        target = node.target
        if isinstance(target, N.FunctionDecl):
            return self.script_call(target, node.args)
        if isinstance(target, Signature):
            return self.library_call(target, None, node.args, node)
        raise CRMScriptCheckError(f"unknown function '{node.name}'", node.file, node.line, node.column)

    def script_call(self, target: N.FunctionDecl, args: list[N.Expr]) -> ast.expr:
        name = self._function_names.get(id(target), "f_" + target.name)
        values = [self.converted(a, p.type_ref.type) for a, p in zip(args, target.params, strict=False)]
        return ast.Call(ast.Name(name, ast.Load()), values + [_deeper()], [])

    def expr_Construct(self, node: N.Construct) -> ast.expr:
        target = node.target
        if isinstance(target, N.FunctionDecl):  # `Foo()` calling the script's factory named like a struct
            return self.script_call(target, node.args)
        if isinstance(target, N.StructDecl):
            return ast.Call(ast.Name(self._struct_ctor_names[id(target)], ast.Load()), [_depth_name()], [])
        if isinstance(target, Signature):
            return self.library_call(target, None, node.args, node)
        if target is None and not node.args:
            return self.default_value(node.type_ref)
        raise CRMScriptCheckError(f"unknown constructor '{node.type_ref.name}'", node.file, node.line, node.column)

    def expr_MethodCall(self, node: N.MethodCall) -> ast.expr:
        target = node.target
        if isinstance(target, N.FunctionDecl):
            name = self._function_names[id(target)]
            args = [self.expr(node.obj)] + [self.converted(a, p.type_ref.type) for a, p in zip(node.args, target.params, strict=False)]
            return ast.Call(ast.Name(name, ast.Load()), args + [_deeper()], [])
        if isinstance(target, Signature):
            if target.mutates:
                return self.mutating_call(target, node)
            return self.library_call(target, node.obj, node.args, node)
        raise CRMScriptCheckError(f"unknown method '{node.method}'", node.file, node.line, node.column)

    def library_call(self, sig: Signature, receiver: N.Expr | None, args: list[N.Expr], node: N.Node,
                     receiver_py: ast.expr | None = None) -> ast.expr:
        impl = sig.impl
        if impl is None:  # documented, not simulated: the stub stops the run at this call
            impl = unsimulated.stub(not_simulated_name(sig))
        py_args: list[ast.expr] = []
        if sig.context:
            py_args.append(ast.Name(CTX, ast.Load()))
        if receiver_py is not None:
            py_args.append(receiver_py)
        elif receiver is not None:
            py_args.append(self.expr(receiver))
        element = element_type(receiver.ctype) if receiver is not None else None
        receiver_tmp = None
        if receiver is not None and holds_generic(receiver.ctype) and any(p.type.name == ELEMENT.name for p in sig.params):
            # Elements added through a Generic[] view must fit the array's real element type.
            receiver_tmp = self.temp()
            py_args[-1] = ast.NamedExpr(ast.Name(receiver_tmp, ast.Store()), py_args[-1])
        for arg, param in zip(args, sig.params, strict=False):
            ptype = substitute_element(param.type, element) if element is not None else param.type
            value = self.converted(arg, ptype)
            if receiver_tmp is not None and param.type == ELEMENT:
                value = self.call_name("_g_element", [ast.Name(receiver_tmp, ast.Load()), value])
            py_args.append(value)
        inline = INTRINSICS.get(impl)
        if inline is not None:
            return inline(*py_args)
        fn = ast.Name(self.runtime_name(impl, sig.qualified_name), ast.Load())
        return ast.Call(fn, py_args, [])

    def mutating_call(self, sig: Signature, node: N.MethodCall) -> ast.expr:
        """A member that changes an immutable receiver (e.g. String.append):
        the implementation returns (new receiver, result); store the receiver back."""
        receiver = node.obj
        pair = self.temp()
        if isinstance(receiver, N.Name):
            call = self.library_call(sig, receiver, node.args, node)
            store = ast.NamedExpr(ast.Name(self.var_name(receiver.symbol, receiver.name), ast.Store()),
                                  ast.Subscript(ast.NamedExpr(ast.Name(pair, ast.Store()), call), ast.Constant(0), ast.Load()))
            return ast.Subscript(ast.Tuple([store, ast.Subscript(ast.Name(pair, ast.Load()), ast.Constant(1), ast.Load())],
                                           ast.Load()), ast.Constant(1), ast.Load())
        if isinstance(receiver, (N.Member, N.Index)):
            obj_tmp = self.temp()
            obj = ast.NamedExpr(ast.Name(obj_tmp, ast.Store()), self.expr(receiver.obj))
            parts: list[ast.expr] = [obj]
            if isinstance(receiver, N.Member):
                attr = ast.Constant(field_attribute(receiver.name))
                current = ast.Attribute(ast.Name(obj_tmp, ast.Load()), field_attribute(receiver.name), ast.Load())
                call = self.library_call(sig, None, node.args, node, receiver_py=current)
                setter = self.call_name("_attr_set", [ast.Name(obj_tmp, ast.Load()), attr,
                                                      ast.Subscript(ast.NamedExpr(ast.Name(pair, ast.Store()), call),
                                                                    ast.Constant(0), ast.Load())])
            else:
                index_tmp = self.temp()
                parts.append(ast.NamedExpr(ast.Name(index_tmp, ast.Store()), self.expr(receiver.index)))
                is_map = receiver.obj.ctype == MAP
                if is_map:
                    current = self.call_name("_map_get", [ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load())])
                else:
                    current = self.call_name("_index_get", [ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load())])
                call = self.library_call(sig, None, node.args, node, receiver_py=current)
                setter = self.element_setter(is_map, ast.Name(obj_tmp, ast.Load()), ast.Name(index_tmp, ast.Load()),
                                             ast.Subscript(ast.NamedExpr(ast.Name(pair, ast.Store()), call),
                                                           ast.Constant(0), ast.Load()))
            parts.append(setter)
            parts.append(ast.Subscript(ast.Name(pair, ast.Load()), ast.Constant(1), ast.Load()))
            return ast.Subscript(ast.Tuple(parts, ast.Load()), ast.Constant(-1), ast.Load())
        # A temporary receiver (`"a".append("b")`): the changed copy is dropped.
        call = self.library_call(sig, receiver, node.args, node)
        return ast.Subscript(call, ast.Constant(1), ast.Load())

    # -------------------------------------------------------- conversions

    def converted(self, node: N.Expr, target: Type | None) -> ast.expr:
        """The value of `node` as stored into a `target`-typed place:
        Integer widened to Float, Date/Time values copied."""
        value = self.expr(node)
        source = node.ctype
        if target is None or source is None:
            return value
        # (a failed Generic check is reported at the Generic expression itself)
        if is_generic(source) and target.name != "Generic":
            if target.dims > 0:
                return self.locate(self.call_name("_g_typed_array", [self.call_name("_g_array", [value]),
                                                                     ast.Constant(str(target))]), node)
            return self.locate(self.call_name("_g_from", [value, ast.Constant(target.name)]), node)
        if holds_generic(source) and target.dims > 0 and target.name != "Generic":
            # A Generic[] viewed as an Integer[]: only when it really is one.
            return self.locate(self.call_name("_g_typed_array", [value, ast.Constant(str(target))]), node)
        if target == FLOAT and (source == INTEGER or source == BYTE):
            if isinstance(value, ast.Constant):
                return ast.Constant(float(value.value))
            return self.call_name("_float", [value])
        if target == BYTE and source == INTEGER:
            # An Integer stored into a Byte keeps its low 8 bits (C's unsigned char).
            if isinstance(value, ast.Constant):
                return ast.Constant(value.value & 0xFF)
            return self.call_name("_byte", [value])
        if needs_copy(target) and _needs_copy_from(node):
            return _method(value, "copy")
        return value

    def initial_value(self, type_ref: N.TypeRef, init: N.Expr | None) -> ast.expr:
        if init is not None:
            return self.converted(init, type_ref.type)
        return self.default_value(type_ref)

    def default_value(self, type_ref: N.TypeRef) -> ast.expr:
        """The value of `Type x;`."""
        if type_ref.sizes:
            sizes = []
            for size in type_ref.sizes:  # `T[3][]`: the leading sized levels
                if size is None:
                    break
                sizes.append(self.expr(size))
            factory = self._element_factory(Type(type_ref.name))
            return self.call_name("_new_array", [factory, ast.Constant(len(type_ref.sizes)),
                                                 ast.Tuple(sizes, ast.Load()),
                                                 ast.Name(MAX_COLLECTION, ast.Load())])
        name = type_ref.name
        if name in _PRIMITIVE_DEFAULTS:
            return self._primitive_default(name)
        struct = self._struct_by_name(name)
        if struct is not None:
            return ast.Call(ast.Name(self._struct_ctor_names[id(struct)], ast.Load()), [_depth_name()], [])
        info = self.library.classes.get(name)
        if info is not None and info.default is not None:
            args = [ast.Name(CTX, ast.Load())] if info.default_context else []
            return ast.Call(ast.Name(self.runtime_name(info.default, name + "_default"), ast.Load()), args, [])
        if info is not None and info.python_class is not None:
            return ast.Call(ast.Name(self.runtime_name(info.python_class, name), ast.Load()), [], [])
        if info is None and name not in LANGUAGE_TYPE_NAMES:
            # A documented class the simulator lacks (the checker lets only those through).
            default = unsimulated.default(name)
            return ast.Call(ast.Name(self.runtime_name(default, name + "_default"), ast.Load()), [], [])
        return ast.Constant(None)  # a Generic holds no value yet

    def _element_factory(self, element: Type) -> ast.expr:
        """A zero-argument callable giving the default of one array element."""
        name = element.name
        if name in _PRIMITIVE_DEFAULTS:
            return ast.Lambda(_no_args(), self._primitive_default(name))
        struct = self._struct_by_name(name)
        if struct is not None:
            return ast.Lambda(_no_args(), ast.Call(ast.Name(self._struct_ctor_names[id(struct)], ast.Load()), [_depth_name()], []))
        return ast.Lambda(_no_args(), self.default_value(N.TypeRef(name)))

    def _primitive_default(self, name: str) -> ast.expr:
        """`Integer x;`: the runtime's registered default, read once here.

        Integer, Float and String register immutable null values (0, 0.0, ""
        that isNull(), docs/architecture.md "Null values"); the generated code
        loads that one object by name instead of calling the factory, so a
        declaration costs what a constant does. Arithmetic and concatenation
        on it give plain values, so loops run on plain int/float/str."""
        info = self.library.classes.get(name)
        if info is None or info.default is None:
            return ast.Constant(_PRIMITIVE_DEFAULTS[name])
        value = info.default()
        if type(value) is type(_PRIMITIVE_DEFAULTS[name]):  # a plain value (Bool, Byte)
            return ast.Constant(value)
        return ast.Name(self.runtime_name(value, "null_" + name), ast.Load())

    def _struct_by_name(self, name: str) -> N.StructDecl | None:
        return self._structs_by_name.get(name)

    def call_name(self, name: str, args: list[ast.expr]) -> ast.expr:
        return ast.Call(ast.Name(name, ast.Load()), args, [])


def not_simulated_name(sig: Signature) -> str:
    """How the not-simulated error names a member: 'SearchEngine.addField', a
    constructor by its parameter types ('Ticket(Integer)')."""
    if sig.is_constructor:
        return f"{sig.owner}({', '.join(str(p.type) for p in sig.params)})"
    return sig.qualified_name


_COMPARE = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}
_ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "%": ast.Mod}
_PRIMITIVE_DEFAULTS = {"Integer": 0, "Float": 0.0, "Bool": False, "String": "", "Byte": 0}


# A String `+` whose result the script's text bounds to this many characters
# is not checked against the String length limit (a limit below it is no
# useful sandbox setting).
SMALL_CONCAT = 256


def _static_length(node: N.Expr) -> int | None:
    """The most characters `node` can hold, when its text says (literals,
    Integer/Byte/Bool toString(), `+` of those); else None."""
    if isinstance(node, N.StringLit):
        return len(node.value)
    if isinstance(node, N.Binary) and node.op == "+" and node.ctype == STRING:
        left, right = _static_length(node.left), _static_length(node.right)
        return None if left is None or right is None else left + right
    target = getattr(node, "target", None)
    if (isinstance(node, N.MethodCall) and isinstance(target, Signature) and target.name == "toString"
            and not target.params and target.owner in ("Integer", "Byte", "Bool")):
        return 11
    return None


def _is_string_append_to_variable(expr: N.Expr) -> bool:
    """`s.append(text)` on a String variable (not the Byte overload, not a field)."""
    target = getattr(expr, "target", None)
    return (isinstance(expr, N.MethodCall) and isinstance(target, Signature)
            and target.owner == "String" and target.name == "append"
            and len(target.params) == 1 and target.params[0].type == STRING
            and isinstance(expr.obj, N.Name) and expr.obj.ctype == STRING)


def _needs_copy_from(node: N.Expr) -> bool:
    """Fresh values (constructors, script function results) need no copy."""
    if isinstance(node, N.Construct):
        return False
    if isinstance(node, N.Call) and isinstance(node.target, N.FunctionDecl):
        return False
    return True


def _small_constant_operand(left: ast.expr, right: ast.expr) -> bool:
    return (isinstance(left, ast.Name) and isinstance(right, ast.Constant) and type(right.value) is int
            and 0 <= right.value <= INT_MAX)


def _not(value: ast.expr) -> ast.expr:
    return ast.UnaryOp(ast.Not(), value)


def _method(obj: ast.expr, name: str) -> ast.expr:
    return ast.Call(ast.Attribute(obj, name, ast.Load()), [], [])


def _tick_stmt() -> ast.stmt:
    return ast.Expr(ast.Call(ast.Name(TICK, ast.Load()), [], []))


DEPTH = "_depth"  # hidden last parameter of every script function: the call depth


def _depth_name() -> ast.expr:
    return ast.Name(DEPTH, ast.Load())


def _deeper() -> ast.expr:
    return ast.BinOp(_depth_name(), ast.Add(), ast.Constant(1))


def _depth_check() -> ast.stmt:
    """`if _depth > _max_depth: _recursion_limit()`."""
    test = ast.Compare(_depth_name(), [ast.Gt()], [ast.Name(MAX_DEPTH, ast.Load())])
    return ast.If(test, [ast.Expr(ast.Call(ast.Name("_recursion_limit", ast.Load()), [ast.Name(CTX, ast.Load())], []))], [])


def _depth_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(DEPTH)], vararg=None, kwonlyargs=[], kw_defaults=[],
                         kwarg=None, defaults=[])


def _no_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _all_code_objects(code) -> list:
    out = [code]
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            out.extend(_all_code_objects(const))
    return out


def _unparse(module: ast.Module) -> str:
    try:
        return ast.unparse(module)
    except Exception:  # pragma: no cover - debugging aid only
        return ""


def compile_program(program: N.Program, *, library: Library | None = None,
                    script_name: str = "<script>") -> CompiledProgram:
    """Compile a checked program (see docs/architecture.md, "Checker annotations")."""
    ensure_recursion_limit(DEEP_SCRIPT_FRAMES)
    return Compiler(program, library=library, script_name=script_name).compile()
