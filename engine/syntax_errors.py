"""Syntax errors in CRMScript words: lark's exceptions become CRMScriptSyntaxError.

The LALR parser only knows that a token was not among those it expected.
The explainer reads what the parser had read so far (its value stack, the
last tokens) and says what the author most likely got wrong: a missing ';',
')' or '}', a reserved word as a name, a statement of C, Java or JavaScript
CRMScript does not have.

An unexpected token goes through `TOKEN_RULES` in order: each rule is a
small function of a `TokenSite` (what the parser saw) that returns the
error when its case applies, else None; the first that applies wins, and
when none does the message lists what the parser expected. The order
matters where cases overlap (a missing '}' at the end of the script before
a missing ';'); tests/test_parser_errors.py checks each rule alone and in
the list.

Nothing here imports the parser: it hands in its terminals (for their
spellings) and the file being parsed (`ParseContext`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Protocol

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from . import nodes
from .errors import CRMScriptSyntaxError
from .types import RESERVED_WORDS


class ParseContext(Protocol):
    """What the explainer needs of the file being parsed (parser._FileContext)."""

    file: str
    source: str
    recent: Sequence[Token]  # the last two tokens handed to the parser

    def is_type_name(self, name: str) -> bool: ...


# How terminals that are not a fixed spelling read in a message.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "TYPE_NAME": "a type name",
    "INT": "a number",
    "FLOAT": "a number",
    "STRING": "a string",
    "$END": "the end of the script",
}
# Everything that can start an expression / a statement, to say "an
# expression" instead of listing twenty tokens.
_EXPRESSION_STARTERS = frozenset(
    {"NAME", "TYPE_NAME", "INT", "FLOAT", "STRING", "TRUE", "FALSE", "THIS", "LPAR"}
)  # fmt: skip
_EXPRESSION_ENDERS = frozenset({"NAME", "RPAR", "RSQB", "INT", "FLOAT", "STRING", "TRUE", "FALSE", "THIS"})
_STATEMENT_STARTERS = frozenset({"IF", "IF_CAPITAL", "WHILE", "FOR", "FOREACH", "RETURN", "TRY", "THROW", "LBRACE"})
_KEYWORDS = frozenset(
    {"IF", "IF_CAPITAL", "ELSE", "WHILE", "FOR", "FOREACH", "IN", "BREAK", "CONTINUE", "RETURN", "TRY",
     "CATCH", "THROW", "STRUCT", "STRUCT_CAPITAL", "THIS", "TRUE", "FALSE"}
)  # fmt: skip
_OPERATORS = frozenset(
    {"=", "+=", "-=", "*=", "/=", "%=", "||", "or", "&&", "and", "==", "!=", "<", "<=", ">", ">=",
     "+", "-", "*", "/", "%", "++", "--", ".", "["}
)  # fmt: skip
_CLOSER_OF = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
_NOT_IN_CRMSCRIPT = {
    "switch": "CRMScript has no 'switch': use if / else if / else",
    "do": "CRMScript has no 'do ... while': use while (...) { ... }",
    "finally": "CRMScript has no 'finally': put that code after the try { } catch { }",
    "elseif": "write 'else if' (two words)",
    "elsif": "write 'else if' (two words)",
    "elif": "write 'else if' (two words)",
}


class SyntaxErrorExplainer:
    """Explains the parse failures of one grammar (its terminals' spellings)."""

    def __init__(self, terminals: Iterable) -> None:
        # The literal text of each fixed terminal ('(' for LPAR).
        self.spellings: dict[str, str] = {
            t.name: t.pattern.value for t in terminals if isinstance(t.pattern, PatternStr)}

    def explain(self, exc: UnexpectedInput, ctx: ParseContext) -> CRMScriptSyntaxError:
        """A CRMScriptSyntaxError, in CRMScript words, for a lark exception."""
        if isinstance(exc, UnexpectedCharacters):
            return explain_character(exc, ctx.file, ctx.source)
        if isinstance(exc, UnexpectedToken):
            return with_string_hint(explain_token(TokenSite(exc, ctx, self.spellings)), ctx)
        if isinstance(exc, UnexpectedEOF):  # not raised by the LALR parser, kept for safety
            return CRMScriptSyntaxError("unexpected end of the script", ctx.file, ctx.source.count("\n") + 1, 1)
        return CRMScriptSyntaxError("the script cannot be read here", ctx.file, getattr(exc, "line", 1) or 1,
                                    getattr(exc, "column", 1) or 1)


def explain_character(exc: UnexpectedCharacters, file: str, source: str) -> CRMScriptSyntaxError:
    char = source[exc.pos_in_stream] if exc.pos_in_stream < len(source) else ""
    rest = source[exc.pos_in_stream : exc.pos_in_stream + 40]
    if char in "\"'":  # strings may span lines, so no closing quote up to the end
        message = f"unterminated string: no closing {char} before the end of the script"
    elif rest.startswith("/*"):
        message = "unterminated comment: '/*' without a closing '*/'"
    elif char == "#":
        word = re.match(r"#\w*", rest).group(0)
        message = f"unknown directive '{word}': only #include and #setLanguageLevel exist"
    elif char.isprintable() and not char.isspace():
        message = f"unexpected character '{char}'"
    else:
        message = f"unexpected character U+{ord(char):04X}" if char else "unexpected character"
    return CRMScriptSyntaxError(message, file, exc.line, exc.column)


def with_string_hint(error: CRMScriptSyntaxError, ctx: ParseContext) -> CRMScriptSyntaxError:
    """A string may span lines, so a forgotten closing quote swallows code up
    to the next quote and the error shows up far away: name the string."""
    for token in ctx.recent:
        if token.type == "STRING" and "\n" in token.value:
            hint = (f" (the string at line {token.line}, column {token.column} runs over "
                    f"{token.value.count(chr(10)) + 1} lines: is a closing quote missing?)")
            return CRMScriptSyntaxError(error.message + hint, error.file, error.line, error.column)
    return error


# ------------------------------------------------------ an unexpected token


class TokenSite:
    """Where the parser stopped: the token it could not take, what it expected,
    its value stack (tokens and the nodes already built), and the file."""

    def __init__(self, exc: UnexpectedToken, ctx: ParseContext, spellings: dict[str, str]) -> None:
        self.ctx = ctx
        self.spellings = spellings
        self.token: Token = exc.token
        self.expected: set[str] = set(exc.expected)
        self.stack: list = list(exc.state.value_stack) if exc.state is not None else []
        self.at_end = self.token.type == "$END"
        recent = ctx.recent
        if self.at_end:
            last = recent[-1] if recent else None
            self.line, self.column = _end_of(last) if last is not None else (1, 1)
            self.previous = last
        else:
            self.line, self.column = self.token.line, self.token.column
            self.previous = recent[-2] if len(recent) >= 2 else None

    @property
    def top(self):
        return self.stack[-1] if self.stack else None

    def top_is(self, *types: str) -> bool:
        top = self.top
        return isinstance(top, Token) and top.type in types

    def spelling(self, terminal: str) -> str | None:
        return self.spellings.get(terminal)

    @cached_property
    def found(self) -> str:
        return describe_found(self.token)

    @cached_property
    def opener(self) -> tuple[int, Token] | None:
        """The innermost '(', '[' or '{' not yet closed: (stack index, token)."""
        openers = unclosed_openers(self.stack)
        return openers[0] if openers else None

    @cached_property
    def semicolon_due(self) -> bool:
        """In `for (init; cond; update)` a ';' is due until both are there, then the ')'."""
        opener = self.opener
        return (opener is not None and opener[1].type == "LPAR" and _is_for_header(self.stack, opener[0])
                and _semicolons_after(self.stack, opener[0]) < 2)

    def ends_expression(self) -> bool:
        """Does what the parser read last end an expression?"""
        top = self.top
        return isinstance(top, nodes.Expr) or (
            isinstance(top, Token) and (top.type in _EXPRESSION_ENDERS or self.spelling(top.type) in ("++", "--")))

    def after_previous(self) -> tuple[int, int]:
        """Just after the previous token: where a missing ';' belongs."""
        return _end_of(self.previous) if self.previous is not None else (self.line, self.column)

    def error(self, message: str, where: tuple[int, int] | None = None) -> CRMScriptSyntaxError:
        line, column = where or (self.line, self.column)
        return CRMScriptSyntaxError(message, self.ctx.file, line, column)


Rule = Callable[[TokenSite], CRMScriptSyntaxError | None]


def size_after_the_name(site: TokenSite) -> CRMScriptSyntaxError | None:
    """`String a[3];`: the size belongs to the type."""
    stack = site.stack
    if site.token.type == "LSQB" and len(stack) >= 2 and isinstance(stack[-2], nodes.TypeRef) \
            and site.top_is("NAME"):
        type_text = stack[-2].name + "[]" * len(stack[-2].sizes)
        size = _bracket_text(site.ctx.source, site.token.start_pos)
        name = site.top.value
        return site.error(f"'{type_text} {name}{size}' is not allowed: write the size after the type, "
                          f"'{type_text}{size} {name}'")
    return None


def word_where_a_name_must_come(site: TokenSite) -> CRMScriptSyntaxError | None:
    """A reserved word or a type name where a name must come (`Integer if;`)."""
    token = site.token
    after_a_type = isinstance(site.top, nodes.TypeRef) or site.top_is("TYPE_NAME", "RSQB", "STRUCT", "STRUCT_CAPITAL",
                                                                      "DOT")
    if "NAME" in site.expected and token.type not in site.expected \
            and (token.type == "TYPE_NAME" or token.type in _KEYWORDS) and after_a_type:
        if token.value in RESERVED_WORDS:
            return site.error(f"'{token.value}' is a reserved word and cannot be used as a name")
        return site.error(f"'{token.value}' is a type name and cannot be used as a name")
    return None


def missing_brace_at_the_end(site: TokenSite) -> CRMScriptSyntaxError | None:
    if not (site.at_end and "RBRACE" in site.expected):
        return None
    opened = innermost_open(site.stack, "LBRACE")
    if opened is not None:
        brace = site.stack[opened]
        return site.error(f"expected '}}' to close the block opened at line {brace.line}, found the end of the script")
    return site.error("expected '}' at the end of the struct, found the end of the script")


def unterminated_comment(site: TokenSite) -> CRMScriptSyntaxError | None:
    if site.token.type == "SLASH" and site.ctx.source.startswith("/*", site.token.start_pos):
        return site.error("unterminated comment: '/*' without a closing '*/'")
    return None


def statement_of_another_language(site: TokenSite) -> CRMScriptSyntaxError | None:
    """`switch`, `do`, `finally`, `elif`: say so instead of "expected ';'"."""
    if site.token.type != "LBRACE":
        return None
    # `do {` leaves the name `do` on the stack; `switch (x) {` leaves `switch ( args )`.
    stack = site.stack
    word = site.top if site.top_is("NAME") else (stack[-4] if len(stack) >= 4 and site.top_is("RPAR") else None)
    if isinstance(word, Token) and word.type == "NAME" and word.value in _NOT_IN_CRMSCRIPT:
        return site.error(_NOT_IN_CRMSCRIPT[word.value], (word.line, word.column))
    return None


def new_before_a_type(site: TokenSite) -> CRMScriptSyntaxError | None:
    """`new Foo(...)`: a Java and JavaScript habit."""
    top = site.top
    if site.top_is("NAME") and top.value == "new" and site.token.type == "TYPE_NAME":
        name = site.token.value
        return site.error(f"CRMScript has no 'new': a declaration makes the value ({name} x; or "
                          f"{name} x = {name}(...);)", (top.line, top.column))
    return None


def array_literal(site: TokenSite) -> CRMScriptSyntaxError | None:
    """`= {1, 2}` / `= [1, 2]`."""
    if site.top_is("EQUAL") and site.token.type in ("LBRACE", "LSQB"):
        return site.error("CRMScript has no array literals: declare the array (Integer[] a;) and add the "
                          "elements with pushBack")
    return None


def try_or_catch_without_a_block(site: TokenSite) -> CRMScriptSyntaxError | None:
    """try / catch as C#, Java or C++ write them."""
    if not site.top_is("TRY", "CATCH") or site.token.type == "LBRACE":
        return None
    if site.top.type == "CATCH" and site.token.type == "LPAR":
        return site.error("CRMScript's catch takes no parameter: write catch { ... } and read the message "
                          "from the String variable 'error'")
    return site.error(f"'{site.top.value}' needs a block in braces: try {{ ... }} catch {{ ... }}")


def throw_without_a_value(site: TokenSite) -> CRMScriptSyntaxError | None:
    if site.top_is("THROW") and site.token.type == "SEMI":
        return site.error("'throw' needs a String: throw \"what went wrong\"; (inside catch, throw error; "
                          "passes the caught error on)")
    return None


def declaration_inside_a_block(site: TokenSite) -> CRMScriptSyntaxError | None:
    """Functions and structs are declared only at the top level (structs' methods aside)."""
    if innermost_open(site.stack, "LBRACE") is None:
        return None
    if site.token.type in ("STRUCT", "STRUCT_CAPITAL"):
        return site.error("a struct can only be declared at the top level of the script, "
                          "not inside a block or function")
    declared = declared_name(site.stack)
    if site.token.type == "LPAR" and declared is not None:
        return site.error(f"'{declared}' looks like a function declaration: functions can only be "
                          "declared at the top level of the script (or as methods of a struct), "
                          "not inside a block or function")
    return None


def misplaced_else(site: TokenSite) -> CRMScriptSyntaxError | None:
    if site.token.type != "ELSE":
        return None
    stack = site.stack
    if site.top_is("RPAR") and len(stack) >= 4 and isinstance(stack[-4], Token) \
            and stack[-4].type in ("IF", "IF_CAPITAL"):
        return site.error("expected a statement after the condition of 'if', found 'else'")
    if "SEMI" in site.expected and site.ends_expression():
        # `if (c) f() else g();`: the statement before 'else' is not finished.
        return site.error("expected ';' at the end of the statement before 'else'", site.after_previous())
    return site.error("'else' without a matching 'if'")


def foreach_without_a_type(site: TokenSite) -> CRMScriptSyntaxError | None:
    stack = site.stack
    if "TYPE_NAME" in site.expected and site.top_is("LPAR") and len(stack) >= 2 \
            and isinstance(stack[-2], Token) and stack[-2].type == "FOREACH":
        return site.error("expected the type of the loop variable, as in 'foreach (String s in list)', "
                          f"found {site.found}")
    return None


def unmatched_closer_or_catch(site: TokenSite) -> CRMScriptSyntaxError | None:
    """A '}' without '{', a 'catch' without 'try'."""
    if site.token.type == "RBRACE" and innermost_open(site.stack, "LBRACE") is None:
        return site.error("'}' without a matching '{'")
    if site.token.type == "CATCH":
        return site.error("'catch' without a matching 'try'")
    return None


def unknown_type_before_a_name(site: TokenSite) -> CRMScriptSyntaxError | None:
    """`a b` where `a` was taken for a type only because a name follows it."""
    top = site.top
    if site.top_is("TYPE_NAME") and not site.ctx.is_type_name(top.value) and site.token.type == "NAME":
        return site.error(f"'{top.value} {site.token.value}': '{top.value}' is not a known type; "
                          "if this is not a declaration, an operator or ',' is missing")
    return None


def unmatched_bracket(site: TokenSite) -> CRMScriptSyntaxError | None:
    """A ')' or ']' that closes nothing."""
    closing = {"RPAR": ("LPAR", "(", ")"), "RSQB": ("LSQB", "[", "]")}.get(site.token.type)
    if closing is not None and innermost_open(site.stack, closing[0]) is None:
        return site.error(f"'{closing[2]}' without a matching '{closing[1]}'")
    return None


def missing_closing_bracket(site: TokenSite) -> CRMScriptSyntaxError | None:
    """A missing ')' or ']': lark's expected set holds every terminal that may
    follow, so decide by the innermost bracket still open on the stack."""
    opener = site.opener
    if opener is None:
        return None
    index, token = opener
    if token.type == "LPAR" and "RPAR" in site.expected and not ("SEMI" in site.expected and site.semicolon_due):
        return site.error(f"expected ')' to close {what_parenthesis_closes(site.stack, index)}, found {site.found}")
    if token.type == "LSQB" and "RSQB" in site.expected:
        return site.error(f"expected ']' to close the '[' at line {token.line}, column {token.column}, "
                          f"found {site.found}")
    return None


def missing_semicolon(site: TokenSite) -> CRMScriptSyntaxError | None:
    if "SEMI" not in site.expected:
        return None
    where = site.after_previous()
    declared = declared_name(site.stack)
    keyword = statement_keyword(site.stack)
    if site.semicolon_due:
        return site.error(f"expected ';' in the 'for' header, found {site.found}", where)
    if declared is not None and site.token.type == "COMMA":
        return site.error(f"one declaration declares one variable: end the declaration of '{declared}' "
                          "with ';' and declare the next variable with its own type")
    if declared is not None:
        return site.error(f"expected ';' after the declaration of '{declared}', found {site.found}", where)
    if keyword is not None:
        return site.error(f"expected ';' after the '{keyword}' statement, found {site.found}", where)
    if site.ends_expression():
        return site.error(f"expected ';' at the end of the statement, found {site.found}", where)
    return None


# The rules for an unexpected token, most specific first.
TOKEN_RULES: list[Rule] = [
    size_after_the_name,
    word_where_a_name_must_come,
    missing_brace_at_the_end,
    unterminated_comment,
    statement_of_another_language,
    new_before_a_type,
    array_literal,
    try_or_catch_without_a_block,
    throw_without_a_value,
    declaration_inside_a_block,
    misplaced_else,
    foreach_without_a_type,
    unmatched_closer_or_catch,
    unknown_type_before_a_name,
    unmatched_bracket,
    missing_closing_bracket,
    missing_semicolon,
]


def explain_token(site: TokenSite) -> CRMScriptSyntaxError:
    """The first rule that applies; else what the parser expected."""
    for rule in TOKEN_RULES:
        error = rule(site)
        if error is not None:
            return error
    return site.error(f"expected {expected_list(site.expected, site.spellings)}, found {site.found}")


# ------------------------------------------------------------- descriptions


def describe_expected(terminal: str, spellings: dict[str, str]) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    spelling = spellings.get(terminal)
    return f"'{spelling}'" if spelling is not None else terminal.lower()


def describe_found(token: Token) -> str:
    if token.type == "$END":
        return "the end of the script"
    if token.type == "NAME":
        return f"the name '{token.value}'"
    if token.type == "TYPE_NAME":
        return f"the type name '{token.value}'"
    if token.type in ("INT", "FLOAT"):
        return f"the number {token.value}"
    if token.type == "STRING":
        text = token.value if len(token.value) <= 30 else token.value[:27] + "..."
        return f"the string {text}"
    return f"'{token.value}'"


def expected_list(expected: set[str], spellings: dict[str, str]) -> str:
    """A short, readable 'one of' list of what the parser could take."""
    expected = set(expected)
    words: list[str] = []
    prefix_operators = {t for t in expected if spellings.get(t) in ("!", "-", "+", "++", "--")}
    if "INT" in expected and "STRING" in expected:
        words.append("an expression")
        expected -= _EXPRESSION_STARTERS | prefix_operators
    if "IF" in expected and "WHILE" in expected:
        words.insert(0, "a statement")
        words = [w for w in words if w != "an expression"]
        expected -= _STATEMENT_STARTERS | {"SEMI", "BREAK", "CONTINUE", "STRUCT", "STRUCT_CAPITAL"}
    operators = {t for t in expected if spellings.get(t, "") in _OPERATORS}
    if len(operators) > 3:
        words.append("an operator")
        expected -= operators
    words = sorted(describe_expected(t, spellings) for t in expected) + words
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


# ------------------------------------------------- reading the parser stack


def _end_of(token: Token) -> tuple[int, int]:
    """Line and column just after a token (where a missing ';' belongs)."""
    return token.end_line, token.end_column


def unclosed_openers(stack: list) -> list[tuple[int, Token]]:
    """'(' '[' '{' tokens on the parser's value stack not closed by a later
    ')' ']' '}' on the stack (closed pairs inside reduced rules are gone
    already), innermost first, as (stack index, token)."""
    pending_closers = {"RPAR": 0, "RSQB": 0, "RBRACE": 0}
    found = []
    for i in range(len(stack) - 1, -1, -1):
        item = stack[i]
        if not isinstance(item, Token):
            continue
        if item.type in pending_closers:
            pending_closers[item.type] += 1
        elif item.type in _CLOSER_OF:
            closer = _CLOSER_OF[item.type]
            if pending_closers[closer]:
                pending_closers[closer] -= 1
            else:
                found.append((i, item))
    return found


def innermost_open(stack: list, opener: str) -> int | None:
    """Stack index of the innermost unclosed token of type `opener`."""
    for index, token in unclosed_openers(stack):
        if token.type == opener:
            return index
    return None


def _semicolons_after(stack: list, index: int) -> int:
    return sum(1 for item in stack[index + 1 :] if isinstance(item, Token) and item.type == "SEMI")


def _is_for_header(stack: list, index: int) -> bool:
    before = stack[index - 1] if index > 0 else None
    return isinstance(before, Token) and before.type == "FOR"


def declared_name(stack: list) -> str | None:
    """The variable name if the parser is inside `Type name [= value]`."""
    for i in range(len(stack) - 1, max(len(stack) - 5, 0) - 1, -1):
        item = stack[i]
        if isinstance(item, nodes.TypeRef) and i + 1 < len(stack):
            name = stack[i + 1]
            if isinstance(name, Token) and name.type == "NAME":
                return name.value
    return None


def statement_keyword(stack: list) -> str | None:
    """The keyword of the simple statement being parsed (return, throw, ...)."""
    for item in reversed(stack[-4:]):
        if isinstance(item, Token) and item.type in ("RETURN", "THROW", "BREAK", "CONTINUE"):
            return item.value
    return None


def what_parenthesis_closes(stack: list, index: int) -> str:
    """Describe what the '(' at stack[index] opened, for "expected ')' to close ..."."""
    before = stack[index - 1] if index > 0 else None
    if isinstance(before, Token):
        if before.type in ("IF", "IF_CAPITAL", "WHILE"):
            return f"the condition of '{before.value}'"
        if before.type in ("FOR", "FOREACH"):
            return f"the header of '{before.value}'"
        if before.type == "NAME":
            if index >= 2 and isinstance(stack[index - 2], nodes.TypeRef):
                return f"the parameter list of '{before.value}'"
            return f"the arguments of '{before.value}'"  # a call, method call or constructor
        if before.type == "TYPE_NAME":
            return f"the arguments of '{before.value}'"
    opener = stack[index]
    return f"the '(' at line {opener.line}, column {opener.column}"


def _bracket_text(source: str, start: int) -> str:
    """The text `[...]` starting at `start`, up to its matching `]` (same line)."""
    depth = 0
    for i in range(start, min(len(source), start + 200)):
        char = source[i]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return source[start : i + 1]
        elif char == "\n":
            break
    return "[...]"

