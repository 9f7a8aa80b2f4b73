"""Syntax errors: every message in CRMScript words, at the right place."""

from __future__ import annotations

import re

import pytest
from conftest import check_errors

from engine import syntax_errors
from engine.errors import CRMScriptError, CRMScriptSyntaxError
from engine.parser import parse_program

# (bad source, message, line, column)
CASES = [
    ("Integer x", "expected ';' after the declaration of 'x', found the end of the script", 1, 10),
    ("Integer x = 5\nx = 2;", "expected ';' after the declaration of 'x', found the name 'x'", 1, 14),
    ("Integer a, b;", "one declaration declares one variable: end the declaration of 'a' with ';' and declare the next variable with its own type", 1, 10),
    ("x = 1\ny = 2;", "expected ';' at the end of the statement, found the name 'y'", 1, 6),
    ("f()\ng();", "expected ';' at the end of the statement, found the name 'g'", 1, 4),
    ("return 5 x;", "expected ';' after the 'return' statement, found the name 'x'", 1, 9),
    ("while (x) { y = 1 }", "expected ';' at the end of the statement, found '}'", 1, 18),
    ("for (Integer i = 0 i < 3; i++) {}", "expected ';' in the 'for' header, found the name 'i'", 1, 19),
    ("for (Integer i = 0; i < 10; i++ {}", "expected ')' to close the header of 'for', found '{'", 1, 33),
    ("for (i = 0; i < 10 i++) {}", "expected ';' in the 'for' header, found the name 'i'", 1, 19),
    ("if (a { }", "expected ')' to close the condition of 'if', found '{'", 1, 7),
    ("while (a b", "expected ')' to close the condition of 'while', found the name 'b'", 1, 10),
    ("foo(1, 2;", "expected ')' to close the arguments of 'foo', found ';'", 1, 9),
    ("s.bar(1;", "expected ')' to close the arguments of 'bar', found ';'", 1, 8),
    ("x = (1 + 2;", "expected ')' to close the '(' at line 1, column 5, found ';'", 1, 11),
    ("Integer f(Integer a {", "expected ')' to close the parameter list of 'f', found '{'", 1, 21),
    ("a[1 2];", "expected ']' to close the '[' at line 1, column 2, found the number 2", 1, 5),
    ("if (a)) x;", "')' without a matching '('", 1, 7),
    ("x = a];", "']' without a matching '['", 1, 6),
    ("}", "'}' without a matching '{'", 1, 1),
    ("else x;", "'else' without a matching 'if'", 1, 1),
    ("if (a) else b;", "expected a statement after the condition of 'if', found 'else'", 1, 8),
    ("foreach (s in list) {}", "expected the type of the loop variable, as in 'foreach (String s in list)', found the name 's'", 1, 10),
    ("catch { }", "'catch' without a matching 'try'", 1, 1),
    ("try { x(); }", "expected 'catch', found the end of the script", 1, 13),
    ("{ x = 1;\n", "expected '}' to close the block opened at line 1, found the end of the script", 1, 9),
    ("String a[3];", "'String a[3]' is not allowed: write the size after the type, 'String[3] a'", 1, 9),
    ("Integer[] m[2][n];", "'Integer[] m[2]' is not allowed: write the size after the type, 'Integer[][2] m'", 1, 12),
    ("Integer Integer;", "'Integer' is a reserved word and cannot be used as a name", 1, 9),
    ("String if = 1;", "'if' is a reserved word and cannot be used as a name", 1, 8),
    ("Integer[] foreach;", "'foreach' is a reserved word and cannot be used as a name", 1, 11),
    ("Void f(Integer this) {}", "'this' is a reserved word and cannot be used as a name", 1, 16),
    ("struct in { };", "'in' is a reserved word and cannot be used as a name", 1, 8),
    ("Map XMLNode;", "'XMLNode' is a type name and cannot be used as a name", 1, 5),
    ('x = "abc', 'unterminated string: no closing " before the end of the script', 1, 5),
    ("x = 'abc\n;\ny = 1;", "unterminated string: no closing ' before the end of the script", 1, 5),
    ('print("a);\nprint("b");', "expected ')' to close the arguments of 'print', found the name 'b' "
     "(the string at line 1, column 7 runs over 2 lines: is a closing quote missing?)", 2, 8),
    ("Integer a; /* never closed", "unterminated comment: '/*' without a closing '*/'", 1, 12),
    ("x = 1 @ 2;", "unexpected character '@'", 1, 7),
    ("x = 1 \x01 2;", "unexpected character U+0001", 1, 7),
    ("#define X 1", "unknown directive '#define': only #include and #setLanguageLevel exist", 1, 1),
    ("x = ;", "expected an expression, found ';'", 1, 5),
    ("x = 1 + * 2;", "expected an expression, found '*'", 1, 9),
    ("a.;", "expected a name, found ';'", 1, 3),
    ("if x", "expected '(', found the name 'x'", 1, 4),
    ("f(a b);", "'a b': 'a' is not a known type; if this is not a declaration, an operator or ',' is missing", 1, 5),
    ("5 = x;", "cannot assign to this expression: the left side of '=' must be a variable, a struct field or an array element", 1, 1),
    ("f() += 1;", "cannot assign to this expression: the left side of '+=' must be a variable, a struct field or an array element", 1, 1),
    ("++5;", "'++' needs a variable, a struct field or an array element", 1, 3),
    ("f()--;", "'--' needs a variable, a struct field or an array element", 1, 4),
]


@pytest.mark.parametrize("source, message, line, column", CASES)
def test_syntax_error_message_and_position(source, message, line, column):
    with pytest.raises(CRMScriptSyntaxError) as info:
        parse_program(source, "bad.crm")
    error = info.value
    assert (error.message, error.line, error.column) == (message, line, column)
    assert error.file == "bad.crm"
    assert str(error) == f"bad.crm:{line}:{column}: error: {message}"


# Lark's own vocabulary must never reach a script author.
LARK_WORDS = re.compile(r"\b(RPAR|LPAR|SEMI|LBRACE|RBRACE|LSQB|RSQB|__ANON|\$END|NAME|TYPE_NAME|Token|Tree)\b")


@pytest.mark.parametrize(
    "source",
    [
        "Integer",
        "Integer[",
        "Integer[3",
        "String s = ",
        "f(",
        "a.b(",
        "struct",
        "struct S {",
        "struct S { Integer x }",
        "foreach (String s in) {}",
        "foreach (s in list) {}",
        "for (Integer i = 0; i < 3; i++",
        "return",
        "throw;",
        "#include x;",
        "#setLanguageLevel;",
        "Integer f() return 1;",
        "if (a) else b;",
        "x = y = ;",
        "1 2 3",
        ")",
        "]",
        "a ? b : c;",
        "Integer x = {1, 2};",
        "try x(); catch y();",
    ],
)
def test_every_error_speaks_crmscript(source):
    with pytest.raises(CRMScriptError) as info:
        parse_program(source)
    message = info.value.message
    assert not LARK_WORDS.search(message), message
    assert info.value.line >= 1 and info.value.column >= 1


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    source = "x = " + "(" * 5000 + "1" + ")" * 5000 + ";"
    try:
        parse_program(source)
    except CRMScriptError:
        pass


# ----------------------------------------------- the explainer's rules, one by one

# (rule, a script where it is the rule that speaks, a fragment of its message)
RULE_CASES = [
    (syntax_errors.size_after_the_name, "String a[3];", "write the size after the type"),
    (syntax_errors.word_where_a_name_must_come, "String if = 1;", "is a reserved word"),
    (syntax_errors.missing_brace_at_the_end, "{ x = 1;\n", "to close the block opened at line 1"),
    (syntax_errors.unterminated_comment, "x = 1;\n/* y", "unterminated comment"),
    (syntax_errors.statement_of_another_language, "switch (x) { }", "CRMScript has no 'switch'"),
    (syntax_errors.new_before_a_type, "Map m = new Map();", "CRMScript has no 'new'"),
    (syntax_errors.array_literal, "Integer[] a = {1, 2};", "no array literals"),
    (syntax_errors.try_or_catch_without_a_block, "try { x(); } catch (e) { }", "catch takes no parameter"),
    (syntax_errors.throw_without_a_value, "throw;", "'throw' needs a String"),
    (syntax_errors.declaration_inside_a_block, "if (a) { struct S { }; }", "a struct can only be declared"),
    (syntax_errors.misplaced_else, "if (c) f() else g();", "before 'else'"),
    (syntax_errors.foreach_without_a_type, "foreach (s in list) {}", "the type of the loop variable"),
    (syntax_errors.unmatched_closer_or_catch, "catch { }", "'catch' without a matching 'try'"),
    (syntax_errors.unknown_type_before_a_name, "f(a b);", "'a' is not a known type"),
    (syntax_errors.unmatched_bracket, "if (a)) x;", "')' without a matching '('"),
    (syntax_errors.missing_closing_bracket, "foo(1, 2;", "expected ')' to close the arguments of 'foo'"),
    (syntax_errors.missing_semicolon, "Integer x = 5\nx = 2;", "expected ';' after the declaration of 'x'"),
]


def _message(source: str) -> str:
    with pytest.raises(CRMScriptSyntaxError) as info:
        parse_program(source, "bad.crm")
    return info.value.message


@pytest.mark.parametrize("rule, source, fragment", RULE_CASES, ids=[r.__name__ for r, _, _ in RULE_CASES])
def test_each_rule_alone_and_in_the_list(monkeypatch, rule, source, fragment):
    in_the_list = _message(source)
    assert fragment in in_the_list  # no earlier rule takes its case
    monkeypatch.setattr(syntax_errors, "TOKEN_RULES", [rule])
    assert _message(source) == in_the_list
    monkeypatch.setattr(syntax_errors, "TOKEN_RULES", [])
    assert fragment not in _message(source)  # without the rule: lark's expected set, in words


def test_every_rule_has_its_case():
    assert {rule for rule, _, _ in RULE_CASES} == set(syntax_errors.TOKEN_RULES)


# --------------------------------------------- regressions found by review (was: tests/test_language_qa.py)


@pytest.mark.parametrize("source, line, column, message", [
    # was "expected ';' after the declaration of 'helper', found '('"
    ("Void run() {\n  Integer helper(Integer n) { return n; }\n}", 2, 17,
     "'helper' looks like a function declaration: functions can only be declared at the top level of the "
     "script (or as methods of a struct), not inside a block or function"),
    # was "expected ';' after the declaration of 'run', found 'struct'" at the '{' of run
    ("Void run() {\n  struct Pair { Integer a; };\n}", 2, 3,
     "a struct can only be declared at the top level of the script, not inside a block or function"),
    # was "'else' without a matching 'if'"
    ('Integer n = 2;\nif (n > 1) n = 0 else n = 1;', 2, 17, "expected ';' at the end of the statement before 'else'"),
    ('Integer n = 2;\nif (n > 1) n++ else n--;', 2, 15, "expected ';' at the end of the statement before 'else'"),
    # were "expected ';' at the end of the statement, found '{'"
    ("Integer n = 2;\nswitch (n) {\n}", 2, 1, "CRMScript has no 'switch': use if / else if / else"),
    ("Integer n = 2;\ndo { n--; } while (n > 0);", 2, 1, "CRMScript has no 'do ... while': use while (...) { ... }"),
    # were "expected '{', found ...", "expected an expression, found ';'" and "expected ';' ..., found '{'"
    ('try\n  printLine("x");\ncatch { }', 2, 3, "'try' needs a block in braces: try { ... } catch { ... }"),
    ('try { printLine("x"); }\ncatch (Exception e) { }', 2, 7,
     "CRMScript's catch takes no parameter: write catch { ... } and read the message from the String variable 'error'"),
    ('try { printLine("x"); } catch { throw; }', 1, 38,
     "'throw' needs a String: throw \"what went wrong\"; (inside catch, throw error; passes the caught error on)"),
    ('try { printLine("x"); } catch { }\nfinally { printLine("y"); }', 2, 1,
     "CRMScript has no 'finally': put that code after the try { } catch { }"),
])
def test_syntax_errors_name_the_real_mistake(source, line, column, message):
    assert check_errors(source) == [(line, column, message)]
