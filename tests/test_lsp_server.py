"""`crmscript lsp` driven over stdio by a real LSP client (pygls), as an
editor would: diagnostics, hover, completion, signature help, definition,
references, rename and the outline, each at exact positions.

Positions in the comments are 0-based (line, character), as the protocol counts.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lsp_harness import Editor, span
from lsprotocol import types

from engine.catalog import default_catalog
from engine.plugins import make_plugin_manager, plugin_include_folders
from engine.reference import reference
from engine.runtime.table import LIBRARY

UTIL = textwrap.dedent("""\
    // Helpers of the tests' handlers.
    struct Row {
      Integer id;
      String name;
      Integer twice() { return this.id * 2; }
    };

    // The label of a row.
    String label(Row r) {
      return r.name + " #" + r.id.toString();
    }
    """)

HANDLER = textwrap.dedent("""\
    #include "util";
    EventData ed = getEventData();
    String amount = ed.getInputValue("SaleEntity.Amount");
    Row row;
    row.id = amount.toInteger();
    Integer total(Integer a, Integer b) {
      Integer sum = a + b;
      return sum;
    }
    printLine(label(row) + total(row.twice(), 1).toString());
    """)

TRIGGER = "SalesBeforeSaveSale"


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "handlers"
    (root / TRIGGER).mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "lib" / "util.crm").write_text(UTIL, encoding="utf-8")
    (root / TRIGGER / "10-check.crm").write_text(HANDLER, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def editor():
    session = Editor()
    yield session
    session.close()


_opened = 0


def open_handler(editor: Editor, tree: Path, text: str, name: str | None = None) -> str:
    """Open `text` as a new handler of the tree (a file name of its own)."""
    global _opened
    _opened += 1
    path = tree / TRIGGER / (name or f"{_opened:02d}-case.crm")
    path.write_text(text, encoding="utf-8")
    return editor.open(path)


def messages(diagnostics) -> list[tuple[tuple[int, int, int, int], str, types.DiagnosticSeverity]]:
    return [(span(d.range), d.message, d.severity) for d in diagnostics]


# ------------------------------------------------------------- diagnostics


def test_a_clean_handler_has_no_diagnostics(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    assert editor.wait_diagnostics(uri, 1) == []


def test_check_errors_have_their_ranges(editor, tree):
    uri = open_handler(editor, tree, 'Integer count = "five";\nprintLine(cuont.toString());\n')
    found = messages(editor.wait_diagnostics(uri, 1))
    assert found == [
        ((0, 16, 0, 22), "a String cannot be assigned to the Integer variable 'count'",
         types.DiagnosticSeverity.Error),
        ((1, 10, 1, 15), "unknown variable 'cuont' (did you mean 'count'?)", types.DiagnosticSeverity.Error),
    ]


def test_syntax_errors_of_two_functions_are_both_reported(editor, tree):
    text = "Integer f() {\n  return 1\n}\nInteger g() {\n  return (2;\n}\n"
    uri = open_handler(editor, tree, text)
    found = messages(editor.wait_diagnostics(uri, 1))
    assert [(r[0], severity) for r, _, severity in found] == [(1, types.DiagnosticSeverity.Error),
                                                               (4, types.DiagnosticSeverity.Error)]
    assert "';'" in found[0][1]


def test_a_syntax_error_in_one_function_leaves_the_others_checked(editor, tree):
    text = "Integer f() {\n  return 1;\n}\nString s = f();\n"
    uri = open_handler(editor, tree, text)
    mismatch = ((3, 11, 3, 12), "an Integer cannot be assigned to the String variable 's' "
                "(use toString() to convert the Integer)", types.DiagnosticSeverity.Error)
    assert messages(editor.wait_diagnostics(uri, 1)) == [mismatch]
    version = editor.edit(uri, (1, 10), (1, 11), "")  # `return 1` without its ';'
    found = messages(editor.wait_diagnostics(uri, version))
    assert [(r[0], sev) for r, _, sev in found] == [(1, types.DiagnosticSeverity.Error), (3, mismatch[2])]
    assert found[1] == mismatch  # checked with the function's last version that parsed


def test_completion_inside_a_struct_that_does_not_parse_now(editor, tree):
    text = "struct Box {\n  Integer width;\n  Integer area() { return 0; }\n};\n"
    uri = open_handler(editor, tree, text)
    editor.wait_diagnostics(uri, 1)
    version = editor.edit(uri, (2, 26), (2, 27), "this.")  # return this.; -- half typed
    assert editor.wait_diagnostics(uri, version) != []
    assert labels(editor.complete(uri, 2, 31)) == ["width", *sorted(["area", *_simulated("Struct")])]


def test_input_key_the_trigger_never_sends_is_a_warning(editor, tree):
    uri = open_handler(editor, tree, 'EventData ed = getEventData();\nString x = ed.getInputValue("Sale.Amount");\n'
                                     'printLine(x);\n')
    assert messages(editor.wait_diagnostics(uri, 1)) == [
        ((1, 28, 1, 41), f"input key 'Sale.Amount' is never sent by {TRIGGER}", types.DiagnosticSeverity.Warning)]


def test_missing_return_is_reported_at_the_function(editor, tree):
    uri = open_handler(editor, tree, "Integer f(Integer a) {\n  if (a > 0) return 1;\n}\n")
    (diagnostic,) = editor.wait_diagnostics(uri, 1)
    assert span(diagnostic.range) == (0, 0, 0, 7)
    assert (diagnostic.message, diagnostic.severity) == (
        "missing return at the end of 'Integer f(Integer a)': falling off the end returns the default Integer value",
        types.DiagnosticSeverity.Warning)


def test_unused_local_variable_is_a_hint(editor, tree):
    uri = open_handler(editor, tree, "Void f() {\n  Integer unused = 1;\n}\nf();\n")
    (diagnostic,) = editor.wait_diagnostics(uri, 1)
    assert (span(diagnostic.range), diagnostic.message, diagnostic.severity, list(diagnostic.tags)) == (
        (1, 10, 1, 16), "'unused' is never used", types.DiagnosticSeverity.Hint, [types.DiagnosticTag.Unnecessary])


def test_diagnostics_follow_incremental_changes(editor, tree):
    uri = open_handler(editor, tree, "Integer a = 1;\nprintLine(a.toString());\n")
    assert editor.wait_diagnostics(uri, 1) == []
    version = editor.edit(uri, (1, 10), (1, 11), "b")  # a.toString() -> b.toString()
    assert messages(editor.wait_diagnostics(uri, version)) == [
        ((1, 10, 1, 11), "unknown variable 'b'", types.DiagnosticSeverity.Error)]
    version = editor.edit(uri, (1, 10), (1, 11), "a")
    assert editor.wait_diagnostics(uri, version) == []


def test_an_edit_to_an_include_rechecks_the_files_that_include_it(editor, tree):
    handler = editor.open(tree / TRIGGER / "10-check.crm")
    assert editor.wait_diagnostics(handler, 1) == []
    util = editor.open(tree / "lib" / "util.crm")
    assert editor.wait_diagnostics(util, 1) == []
    try:
        seen = editor.publications(handler)
        editor.edit(util, (8, 7), (8, 12), "labelOf")  # String label(Row r) -> labelOf (not saved)
        assert messages(editor.wait_diagnostics(handler, after=seen)) == [
            ((9, 10, 9, 15), "unknown function 'label'", types.DiagnosticSeverity.Error)]
        seen = editor.publications(handler)
        editor.edit(util, (8, 7), (8, 14), "label")
        assert editor.wait_diagnostics(handler, after=seen) == []
    finally:
        editor.close_document(util)


def test_an_error_inside_an_include_is_shown_at_the_include(editor, tree):
    (tree / "lib" / "broken.crm").write_text("Integer half() {\n  return 1 +;\n}\n", encoding="utf-8")
    uri = open_handler(editor, tree, '#include "broken";\nprintLine("x");\n')
    (diagnostic,) = editor.wait_diagnostics(uri, 1)
    assert span(diagnostic.range) == (0, 0, 0, 8)
    assert diagnostic.message.startswith("in the include 'broken' (broken.crm:2:")
    assert diagnostic.related_information[0].location.uri == (tree / "lib" / "broken.crm").resolve().as_uri()


# ------------------------------------------------------------------- hover


def hover_text(editor: Editor, uri: str, line: int, character: int) -> str:
    result = editor.hover(uri, line, character)
    assert result is not None, f"no hover at {line}:{character}"
    return result.contents.value


def test_hover_library_method_shows_signature_doc_and_the_trigger_keys(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    result = editor.hover(uri, 2, 22)  # getInputValue
    assert span(result.range) == (2, 19, 2, 32)
    text = result.contents.value
    assert text.startswith("```crmscript\nString EventData.getInputValue(String field)\n```")
    assert LIBRARY.classes["EventData"].methods["getInputValue"][0].doc in text
    keys = default_catalog().get(TRIGGER).input_keys
    assert f"Input keys of {TRIGGER} ({len(keys)}): `{keys[0]}`" in text
    (member,) = reference().methods("EventData", "getInputValue")
    assert f"[EventData.getInputValue in the CRMScript reference]({member.url})" in text


def test_hover_input_key_says_whether_the_trigger_sends_it(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    assert hover_text(editor, uri, 2, 40) == f"`SaleEntity.Amount`: an input key {TRIGGER} sends."


def test_hover_variables_show_their_static_type(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    assert hover_text(editor, uri, 4, 10).startswith("```crmscript\nString amount\n```\n\nglobal variable")
    struct = hover_text(editor, uri, 4, 1)  # row
    assert struct.startswith("```crmscript\nRow row\n```")
    assert "struct Row {\n  Integer id;\n  String name;\n  Integer twice();\n}" in struct
    assert hover_text(editor, uri, 6, 16).startswith("```crmscript\nInteger a\n```\n\nparameter")
    assert hover_text(editor, uri, 7, 10).startswith("```crmscript\nInteger sum\n```\n\nlocal variable")


def test_hover_struct_field_and_functions(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    assert hover_text(editor, uri, 4, 5) == "```crmscript\nInteger Row.id\n```\n\nfield"
    assert hover_text(editor, uri, 9, 25) == "```crmscript\nInteger total(Integer a, Integer b)\n```"
    assert hover_text(editor, uri, 9, 12) == "```crmscript\nString label(Row r)\n```\n\nThe label of a row."
    assert hover_text(editor, uri, 9, 34) == "```crmscript\nInteger Row.twice()\n```"


def test_hover_class_name(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    text = hover_text(editor, uri, 1, 3)  # EventData
    assert text.startswith("```crmscript\nclass EventData\n```")
    assert "`getInputValue`" in text
    assert text.endswith(f"[EventData in the CRMScript reference]({reference().cls('EventData').url})")


def test_hover_members_the_checker_does_not_know_and_enum_constants(editor, tree):
    uri = open_handler(editor, tree, 'SearchEngine se;\nse.addField("ticket.id");\nInteger s = ActivityStatus.Started;\n')
    text = hover_text(editor, uri, 1, 5)  # addField, read from the text when the checker cannot resolve it
    overloads = reference().methods("SearchEngine", "addField")
    assert text.startswith("```crmscript\n" + "\n".join(m.text for m in overloads) + "\n```")
    assert f"({overloads[0].url})" in text
    assert ("crmscript-sim does not run it" in text) == ("addField" not in _simulated("SearchEngine"))
    started = next(c for c in reference().constants("ActivityStatus") if c.name == "Started")
    assert hover_text(editor, uri, 2, 30).startswith(f"```crmscript\nActivityStatus.Started = {started.value}\n```")


# -------------------------------------------------------------- completion


def labels(items) -> list[str]:
    return [item.label for item in items]


def test_completion_after_a_dot_offers_the_receivers_members(editor, tree):
    uri = open_handler(editor, tree, "EventData ed = getEventData();\ned.\n")
    assert labels(editor.complete(uri, 1, 3)) == _members("EventData")
    items = {item.label: item for item in editor.complete(uri, 1, 3)}
    assert items["getInputValue"].detail == "String EventData.getInputValue(String field)"


def _simulated(class_name: str) -> set[str]:
    info = LIBRARY.classes.get(class_name)
    return set(info.methods) if info else set()


def _members(class_name: str) -> list[str]:
    """What a value of the class offers: the simulated methods and the documented ones."""
    documented = reference().cls(class_name)
    return sorted(_simulated(class_name) | set(documented.methods if documented else ()))


@pytest.mark.parametrize("class_name", sorted({c for c, info in LIBRARY.classes.items() if info.methods}
                                              - {"Array", "Struct"} | {"SearchEngine", "NSContactAgent"}))
def test_completion_offers_every_class_its_methods(editor, tree, class_name):
    uri = open_handler(editor, tree, f"{class_name} value;\nvalue.")
    assert labels(editor.complete(uri, 1, 6)) == _members(class_name)


def test_completion_items_resolve_to_their_documentation(editor, tree):
    uri = open_handler(editor, tree, "SearchEngine se;\nse.\n")
    (item,) = [i for i in editor.complete(uri, 1, 3) if i.label == "addCriteria"]
    assert item.documentation is None  # sent on request, one item at a time
    resolved = editor.resolve(item)
    assert f"({reference().methods('SearchEngine', 'addCriteria')[0].url})" in resolved.documentation.value
    uri = open_handler(editor, tree, "ActivityStatus.\n")
    constants = reference().constants("ActivityStatus")
    assert [(i.label, i.detail) for i in editor.complete(uri, 0, 15)] == [
        (c.name, f"ActivityStatus.{c.name} = {c.value}") for c in constants]


def test_completion_on_a_half_typed_line_and_a_chain(editor, tree):
    before = 'Map settings;\nString[] parts = "a b".split(" ");\n'
    after = '\nprintLine("done");\n'  # the statements after the cursor are whole
    cases = [("if (settings.", "Map"), ("parts[0].getLength().", "Integer"), ("parts.", "Array")]
    for typed, class_name in cases:
        uri = open_handler(editor, tree, before + typed + after)
        assert labels(editor.complete(uri, 2, len(typed))) == _members(class_name), typed
    arrays = {item.label: item.detail for item in editor.complete(uri, 2, 6)}
    assert arrays["pushBack"] == "Void String[].pushBack(String value) (+1 overload)"  # T: the element type


def test_completion_of_struct_members(editor, tree):
    uri = open_handler(editor, tree, '#include "util";\nRow r;\nr.\n')
    assert labels(editor.complete(uri, 2, 2)) == ["id", "name", *sorted(["twice", *_simulated("Struct")])]


def test_completion_of_names_in_scope(editor, tree):
    text = "Integer top = 1;\nInteger f(Integer a) {\n  Integer inner = a;\n  \n}\nInteger after = 2;\n"
    uri = open_handler(editor, tree, text)
    items = {item.label: item for item in editor.complete(uri, 3, 2)}
    assert {"top", "a", "inner"} <= set(items) and "after" not in items
    assert items["a"].kind == types.CompletionItemKind.Variable and items["a"].detail == "Integer a"
    assert items["f"].kind == types.CompletionItemKind.Function
    assert items["printLine"].kind == types.CompletionItemKind.Function
    assert items["EventData"].kind == types.CompletionItemKind.Class
    assert items["foreach"].kind == types.CompletionItemKind.Keyword
    outside = labels(editor.complete(uri, 5, 0))
    assert "inner" not in outside and "a" not in outside and "top" in outside


def test_completion_of_input_keys_and_includes(editor, tree):
    uri = open_handler(editor, tree, 'EventData ed = getEventData();\nString a = ed.getInputValue("Sa");\n')
    assert labels(editor.complete(uri, 1, 29)) == list(default_catalog().get(TRIGGER).input_keys)
    uri = open_handler(editor, tree, '#include "\nprintLine("x");\n')
    folders = [tree / "lib", *(path for _, path in plugin_include_folders(make_plugin_manager()))]
    libraries = sorted({p.stem for folder in folders for p in Path(folder).glob("*.crm")})
    assert "util" in libraries and labels(editor.complete(uri, 0, 10)) == libraries


def test_no_completion_inside_a_comment_or_a_plain_string(editor, tree):
    uri = open_handler(editor, tree, '// ed.\nprintLine("ed.");\n')
    assert editor.complete(uri, 0, 6) == []
    assert editor.complete(uri, 1, 14) == []


# ------------------------------------------------------------ signature help


def test_signature_help_for_script_and_library_calls(editor, tree):
    uri = open_handler(editor, tree, "Integer total(Integer a, Integer b) { return a + b; }\ntotal(1, \n")
    help_ = editor.signature_help(uri, 1, 9)
    assert [s.label for s in help_.signatures] == ["Integer total(Integer a, Integer b)"]
    assert help_.active_parameter == 1
    assert [p.label for p in help_.signatures[0].parameters] == [(14, 23), (25, 34)]
    uri = open_handler(editor, tree, 'EventData ed = getEventData();\ned.setOutputValue("k", \n')
    library = editor.signature_help(uri, 1, 23)
    assert [s.label for s in library.signatures] == [
        str(s) for s in LIBRARY.classes["EventData"].methods["setOutputValue"]]
    assert library.active_parameter == 1


# ---------------------------------------------------------------- navigation


def test_go_to_definition(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    util = (tree / "lib" / "util.crm").resolve().as_uri()
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 9, 25)] == [(uri, (5, 8, 5, 13))]  # total
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 4, 1)] == [(uri, (3, 4, 3, 7))]  # row
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 7, 9)] == [(uri, (6, 10, 6, 13))]  # sum
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 9, 11)] == [(util, (8, 7, 8, 12))]  # label
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 4, 5)] == [(util, (2, 10, 2, 12))]  # .id
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 9, 35)] == [(util, (4, 10, 4, 15))]  # twice
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 3, 1)] == [(util, (1, 7, 1, 10))]  # Row
    assert [(loc.uri, span(loc)) for loc in editor.definition(uri, 0, 12)] == [(util, (0, 0, 0, 0))]  # include
    assert editor.definition(uri, 9, 2) == []  # printLine: the library has no source


def test_references_within_the_document_and_its_includes(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    util = (tree / "lib" / "util.crm").resolve().as_uri()
    found = [(loc.uri, span(loc)) for loc in editor.references(uri, 3, 5)]  # row
    assert found == [(uri, (3, 4, 3, 7)), (uri, (4, 0, 4, 3)), (uri, (9, 16, 9, 19)), (uri, (9, 29, 9, 32))]
    without = [span(loc) for loc in editor.references(uri, 3, 5, declaration=False)]
    assert (3, 4, 3, 7) not in without and len(without) == 3
    found = [(loc.uri, span(loc)) for loc in editor.references(uri, 9, 12)]  # label
    assert found == [(uri, (9, 10, 9, 15)), (util, (8, 7, 8, 12))]
    fields = [(loc.uri, span(loc)) for loc in editor.references(uri, 4, 5)]  # Row.id
    assert fields == [(uri, (4, 4, 4, 6)), (util, (2, 10, 2, 12)), (util, (4, 32, 4, 34)), (util, (9, 27, 9, 29))]


def test_document_symbols(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    outline = [(s.name, s.kind, span(s.range), span(s.selection_range)) for s in editor.symbols(uri)]
    assert outline == [
        ("ed", types.SymbolKind.Variable, (1, 0, 1, 30), (1, 10, 1, 12)),
        ("amount", types.SymbolKind.Variable, (2, 0, 2, 54), (2, 7, 2, 13)),
        ("row", types.SymbolKind.Variable, (3, 0, 3, 8), (3, 4, 3, 7)),
        ("total", types.SymbolKind.Function, (5, 0, 8, 1), (5, 8, 5, 13)),
    ]
    util = editor.open(tree / "lib" / "util.crm")
    (row, label) = editor.symbols(util)
    assert (row.name, row.kind, span(row.range)) == ("Row", types.SymbolKind.Struct, (1, 0, 5, 2))
    assert [(c.name, c.kind) for c in row.children] == [
        ("id", types.SymbolKind.Field), ("name", types.SymbolKind.Field), ("twice", types.SymbolKind.Method)]
    assert (label.name, label.detail) == ("label", "String label(Row r)")
    editor.close_document(util)


def test_rename_a_local_variable(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    assert span(editor.prepare_rename(uri, 7, 10)) == (7, 9, 7, 12)
    edit = editor.rename(uri, 7, 10, "subtotal")
    assert sorted((span(e.range), e.new_text) for e in edit.changes[uri]) == [
        ((6, 10, 6, 13), "subtotal"), ((7, 9, 7, 12), "subtotal")]


def test_rename_refuses_what_it_cannot_rename(editor, tree):
    uri = editor.open(tree / TRIGGER / "10-check.crm")
    for line, character, reason in [
        (9, 2, "a name of the CRMScript library cannot be renamed"),
        (9, 12, "'label' is declared in an included script: rename it there"),
    ]:
        with pytest.raises(Exception, match=reason):
            editor.prepare_rename(uri, line, character)
    with pytest.raises(Exception, match="'while' is a reserved word or a type name"):
        editor.rename(uri, 7, 10, "while")
    with pytest.raises(Exception, match="'a' is already the name of something the script uses"):
        editor.rename(uri, 7, 10, "a")
