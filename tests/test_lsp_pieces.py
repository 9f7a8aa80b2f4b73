"""The language server's incremental parse (engine/lsp/chunks.py) finds
what parsing and checking the whole file finds, version after version.

Each case edits a script step by step (deleting, inserting line breaks,
braces, quotes, words) and compares, at every step, the server's analysis
with a fresh whole-file parse and check: the same check errors when the
script parses, and the first syntax error's position among the server's
syntax errors when it does not (the server reports one per broken
top-level statement).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from engine.checker import check_program
from engine.errors import CRMScriptDiagnostics, CRMScriptError
from engine.includes import IncludePath
from engine.lsp.chunks import split
from engine.lsp.document import Analyser
from engine.lsp.tokens import TokenList
from engine.parser import parse_program

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_frontend import generate_script  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
INSERTIONS = ["\n", "\n\n", "{", "}", ";", "(", ")", '"', "x", " ", ".", "else ", "Integer q; ", "/*", "*/"]


def whole_file(text: str, path: Path, analyser: Analyser) -> list[tuple]:
    context = analyser.context_for(path)
    try:
        program = parse_program(text, str(path), includes=IncludePath(context.include_folders),
                                require_includes=False, type_names=analyser.type_names)
    except CRMScriptError as error:
        return [("syntax", error.line, error.column)]
    try:
        check_program(program, analyser.library)
    except CRMScriptDiagnostics as found:
        return sorted((e.line, e.column, e.message) for e in found.errors)
    return []


def server_view(text: str, path: Path, analyser: Analyser, version: int) -> tuple[bool, list[tuple]]:
    document = analyser.analyse(path.as_uri(), path, text, version)
    if document.parses:
        return True, sorted((p.line, p.column, p.message) for p in document.problems if p.severity == "error")
    return False, [("syntax", e.line, e.column) for e in document.assembly.errors]


def scripts() -> list[tuple[str, Path, str]]:
    handlers = sorted((REPO / "handlers").rglob("*.crm"))
    found = [(p.relative_to(REPO).as_posix(), p, p.read_text(encoding="utf-8")) for p in handlers]
    generated = generate_script(12, random.Random(7))
    found.append(("generated", REPO / "handlers" / "SalesBeforeSaveSale" / "generated.crm", generated))
    return found


@pytest.mark.parametrize("name, path, text", scripts(), ids=[s[0] for s in scripts()])
def test_edit_by_edit_the_server_agrees_with_a_whole_file_check(name, path, text):
    rng = random.Random(name)
    analyser = Analyser()
    for version in range(40):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.45:
            text = text[:at] + text[at + rng.randrange(1, 6):]
        else:
            text = text[:at] + rng.choice(INSERTIONS) + text[at:]
        expected = whole_file(text, path, analyser)
        parses, found = server_view(text, path, analyser, version)
        if expected and expected[0][0] == "syntax":
            assert not parses and expected[0] in found, (version, text)
        else:
            assert parses and found == expected, (version, text)


def test_pieces_are_top_level_statements():
    text = ('#include "a" #setLanguageLevel 3\nInteger f() {\n  return 1;\n}\n'
            "if (x) { y(); } else { z(); }\nstruct S { Integer i; };\ntry { a(); } catch { b(); }\nq();")
    tokens = TokenList(text)
    assert [piece.text(text) for piece in split(tokens)] == [
        '#include "a"', "#setLanguageLevel 3", "Integer f() {\n  return 1;\n}",
        "if (x) { y(); } else { z(); }", "struct S { Integer i; };", "try { a(); } catch { b(); }", "q();"]


def test_an_unchanged_statement_is_not_parsed_again():
    analyser = Analyser()
    path = REPO / "handlers" / "SalesBeforeSaveSale" / "pieces.crm"
    text = "Integer a = 1;\nInteger f() {\n  return a;\n}\nprintLine(f().toString());\n"
    first = analyser.analyse(path.as_uri(), path, text, 1)
    function = first.program.body[1]
    second = analyser.analyse(path.as_uri(), path, "\n\n" + text.replace("a = 1", "a = 2"), 2)
    assert second.program.body[1] is function  # the same nodes, moved down two lines
    assert (function.line, function.body.body[0].value.line) == (4, 5)
    assert second.problems == []
