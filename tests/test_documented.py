"""Every documented member type-checks; one the simulator lacks stops the run as "not simulated" (issue 12)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import engine
from engine import parser
from engine.checker import check_program
from engine.cli import app
from engine.documented import (
    added_signatures,
    contradiction,
    contradictions,
    documented_member,
    signatures_of,
    simulation_table,
)
from engine.errors import (
    CRMScriptDiagnostics,
    CRMScriptLimitError,
    CRMScriptNotSimulatedError,
    CRMScriptRuntimeError,
)
from engine.plugins import PluginError
from engine.runtime.table import GLOBAL, LIBRARY, builtin

NOT_SIMULATED = "is part of CRMScript but not simulated yet: answer it with a plugin (docs/plugins.md)"


def run(source: str, library=None) -> engine.RunResult:
    return engine.compile_script(textwrap.dedent(source), "doc.crm", library=library).run()


def stops(source: str, library=None) -> CRMScriptNotSimulatedError:
    with pytest.raises(CRMScriptNotSimulatedError) as info:
        run(source, library)
    return info.value


def check_errors(source: str) -> list[str]:
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(parser.parse_program(textwrap.dedent(source), "doc.crm"))
    return [error.message for error in info.value.errors]


# ----------------------------------------------------------------- the checker


def test_documented_classes_declare_construct_and_call_with_their_documented_types():
    program = parser.parse_program(textwrap.dedent("""\
        NSContactAgent agent;
        NSContactEntity e = agent.GetContactEntity(5);
        SearchEngine se = SearchEngine();
        se.addField("ticket.id");
        NSStream stream;
        String s = String(stream, "utf-8");
        """), "doc.crm")
    check_program(program)  # no error: the reference documents all of it


def test_documented_parameter_and_return_types_are_checked():
    assert check_errors("""\
        NSContactAgent agent;
        NSContactEntity e = agent.GetContactEntity("five");
        Integer n = agent.GetContactEntity(5);
        """) == [
        "a String cannot be argument 1 of 'GetContactEntity', which needs an Integer",
        "a NSContactEntity cannot be assigned to the Integer variable 'n'",
    ]


def test_members_the_pages_mistype_check_with_netservers_types():
    # The pages type these as NSLocalizedField[][] and Integer; NetServer's
    # carriers (and the docs' own guides) give an Address and the pattern
    # carriers (docs/reference.md, "NetServer's contract").
    program = parser.parse_program(textwrap.dedent("""\
        NSContactAgent contacts;
        NSPersonAgent persons;
        NSAddress a = contacts.GetAddress(1);
        a = contacts.GetAddressByCountry(1, 47);
        a = persons.GetAddress(2);
        a = persons.GetAddressByCountry(2, 47);
        NSRecurrenceInfo r;
        Integer p = r.GetDayPattern().GetPattern();
        p = r.GetWeekPattern().GetCycle();
        p = r.GetMonthPattern().GetPattern();
        p = r.GetYearPattern().GetPattern();
        NSRecurrenceDayPattern day;
        r.SetDayPattern(day);
        NSRecurrenceWeekPattern week;
        r.SetWeekPattern(week);
        NSRecurrenceMonthPattern month;
        r.SetMonthPattern(month);
        NSRecurrenceYearPattern year;
        r.SetYearPattern(year);
        """), "doc.crm")
    check_program(program)


def test_misspelt_documented_names_are_check_errors_with_a_did_you_mean():
    assert check_errors("""\
        NSContactAgen agent;
        NSContactAgent other;
        other.GetContactEntty(5);
        exitWithMesage("x");
        Integer s = ActivityStatus.Complete;
        """) == [
        "unknown type 'NSContactAgen' (did you mean 'NSContactAgent'?)",
        "NSContactAgent has no method 'GetContactEntty' (did you mean 'GetContactEntity'?)",
        "unknown function 'exitWithMesage' (did you mean 'exitWithMessage'?)",
        "the enum 'ActivityStatus' has no constant 'Complete' (did you mean 'Completed'?)",
    ]


def test_a_script_using_only_simulated_members_does_not_read_the_reference():
    code = ("import sys, engine; s = engine.compile_script('Integer[] a; a.pushBack(3); printLine(a[0].toString());',"
            " name='x.crm'); s.run(); print('engine.reference' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")


def test_enum_constants_are_their_documented_integers():
    assert run("""\
        Integer done = ActivityStatus.Completed;
        LocalizedTextType[] kinds;
        kinds.pushBack(done);
        printLine(kinds[0].toString() + " " + AddressType.ContactStreetAddress.toString());
        """).output == "3 2\n"


def test_an_enum_constant_cannot_be_assigned_and_a_variable_hides_the_enum():
    assert check_errors("ActivityStatus.Completed = 4;") == [
        "'=' cannot change the enum constant 'ActivityStatus.Completed'"]
    assert check_errors("String ActivityStatus; Integer n = ActivityStatus.Completed;") == [
        "a String has no field 'Completed'"]


# ----------------------------------------------------------------- running


def test_calling_a_member_not_simulated_stops_the_run_at_the_call():
    error = stops("""\
        printLine("before");
        DbiControl dc;
        String value = dc.getParameter("ticket.id");
        printLine("after");
        """)
    assert error.message == f"'DbiControl.getParameter' {NOT_SIMULATED}"
    assert (error.file, error.line, error.column) == ("doc.crm", 3, 16)
    assert str(error).startswith("doc.crm:3:16: not simulated: ")


def test_catch_does_not_swallow_it_like_a_limit():
    error = stops("""\
        DbiControl dc;
        try {
          dc.getParameter("ticket.id");
        } catch {
          printLine("caught");
        }
        """)
    assert error.message == f"'DbiControl.getParameter' {NOT_SIMULATED}"
    assert not isinstance(error, CRMScriptRuntimeError) and not isinstance(error, CRMScriptLimitError)


def test_functions_constructors_and_overloads_not_simulated_are_named():
    # executeMacro has no meaning offline (docs/globals.md): it stays unsimulated
    assert stops('executeMacro("x");').message == f"'executeMacro' {NOT_SIMULATED}"
    assert stops('DbiControl dc = DbiControl(); dc.getParameters();').message == \
        f"'DbiControl.getParameters' {NOT_SIMULATED}"
    # a library where encodeBase64(Byte[]) runs and its documented NSStream overloads only type-check
    library = LIBRARY.copy()
    library.functions["encodeBase64"] = [s for s in library.functions["encodeBase64"]
                                         if str(s.params[0].type) == "Byte[]"]
    assert run('Byte[] b; b.pushBack(65); printLine(encodeBase64(b));', library).output == "QQ==\n"
    assert stops('NSStream s; printLine(encodeBase64(s));', library).message == f"'encodeBase64' {NOT_SIMULATED}"


def test_arguments_are_evaluated_before_the_call_stops():
    source = """\
        String id() { printLine("evaluated"); return "ticket.id"; }
        DbiControl dc;
        dc.getParameter(id());
        """
    result_output = []
    with pytest.raises(CRMScriptNotSimulatedError):
        script = engine.compile_script(textwrap.dedent(source), "doc.crm")
        context = engine.runtime.context.RunContext()
        try:
            script.run(context=context)
        finally:
            result_output.append(context.printed())
    assert result_output == ["evaluated\n"]


def test_declared_values_of_documented_classes_run_until_a_member_is_called():
    assert run("""\
        NSContactAgent agent;
        NSContactEntity[] found;
        DbiControl dc = DbiControl();
        printLine(found.length().toString());
        """).output == "0\n"


def test_the_chain_exception_says_not_simulated(tmp_path: Path):
    tree = tmp_path / "handlers" / "SalesBeforeSaveSale"
    tree.mkdir(parents=True)
    (tree / "10-a.crm").write_text("DbiControl dc;\ndc.getParameter(\"sale.amount\");\n", encoding="utf-8")
    eng = engine.Engine(tmp_path / "handlers", load_entry_points=False)
    out = eng.execute(engine.EventData(Type="SalesBeforeSaveSale"))
    assert out.Exception == f"SalesBeforeSaveSale/10-a.crm:2:1: not simulated: 'DbiControl.getParameter' {NOT_SIMULATED}"


def test_a_case_stopped_by_a_member_not_simulated_cannot_pass(tmp_path: Path):
    from engine.testing.model import load_case_file
    from engine.testing.runner import ERROR, CaseRunner

    tree = tmp_path / "handlers" / "SalesBeforeSaveSale"
    tree.mkdir(parents=True)
    (tree / "10-a.crm").write_text("DbiControl dc;\ndc.getParameter(\"sale.amount\");\n", encoding="utf-8")
    cases = tree / "a.cases.yaml"
    cases.write_text("cases:\n  - name: expects any exception\n    expect:\n      exception: /.*/\n",
                     encoding="utf-8")
    [result] = CaseRunner().run_all(load_case_file(cases))
    assert result.status == ERROR and "not simulated: 'DbiControl.getParameter'" in result.error


def test_a_resolved_call_finds_its_reference_entry_for_hover():
    program = parser.parse_program('printLine("x");\nDbiControl dc;\ndc.getParameter("t.id");\n', "doc.crm")
    check_program(program)
    simulated, not_simulated = program.body[0].expr.target, program.body[2].expr.target
    assert simulated.impl is not None and not_simulated.impl is None
    assert documented_member(simulated).text == "Void printLine(String line)"
    member = documented_member(not_simulated)
    assert member.text == "String DbiControl.getParameter(String name)"
    assert member.url == not_simulated.url and member.url.endswith("#CRMScript_Native_DbiControl_getParameter_String_")


# ----------------------------------------------------------------- plugins


def test_a_plugin_implementation_replaces_the_stub():
    library = LIBRARY.copy()
    added = []
    builtin("String DbiControl.getParameter(String name)", library=library)(lambda dc, name: added.append(name) or "")
    run('DbiControl dc; dc.getParameter("ticket.id");', library)
    assert added == ["ticket.id"]
    # the class's other members still only type-check
    assert stops('DbiControl dc; dc.setParameter("ticket.id", "x");', library).message == \
        f"'DbiControl.setParameter' {NOT_SIMULATED}"


def test_a_plugin_signature_contradicting_the_reference_is_a_setup_error(tmp_path: Path):
    plugin = tmp_path / "wrong_plugin.py"
    plugin.write_text(textwrap.dedent("""\
        from engine.hookspecs import hookimpl
        from engine.runtime.table import builtin

        @hookimpl
        def crmscript_library(library):
            @builtin("String DbiControl.getParameter(Integer name)", library=library)
            def get_parameter(dc, name):
                pass
        """), encoding="utf-8")
    with pytest.raises(PluginError) as info:
        engine.Engine(tmp_path, plugins=[plugin], load_entry_points=False)
    message = str(info.value)
    assert message.startswith(f"{plugin}: plugin error: 'String DbiControl.getParameter(Integer name)' contradicts "
                              "the CRMScript reference, which documents 'String DbiControl.getParameter(String name)'")
    assert "CRMScript.Native.DbiControl.html#" in message


def test_what_agrees_or_is_not_documented_is_no_contradiction():
    def sig(decl):
        library = LIBRARY.copy()
        builtin(decl, library=library)(lambda *args: None)
        [added] = added_signatures(library, LIBRARY)
        return added

    assert contradiction(sig("String DbiControl.getParameter(String name)")) is None
    assert contradiction(sig("String shout(String s)")) is None  # a plugin's own function
    assert contradiction(sig("Integer DbiControl.myHelper()")) is None  # a plugin's own method
    assert contradiction(sig("DbiControl DbiControl()")) is None  # what `DbiControl dc;` holds
    assert contradiction(sig("Integer exitWithMessage(String m)")) == (
        "'Integer exitWithMessage(String m)' contradicts the CRMScript reference, which documents "
        "'Void exitWithMessage(String message)' (https://docs.superoffice.com/en/automation/crmscript/reference/"
        "CRMScript.Global.Void.html#CRMScript_Global_Void_exitWithMessage_String_)")


def test_the_simulated_library_agrees_with_the_reference():
    """Every built-in member is documented with its parameter and return types
    (the language's own Array and Struct members are not classes of the reference)."""
    signatures = [s for s in signatures_of(LIBRARY) if s.owner not in ("Array", "Struct")]
    assert contradictions(signatures) == []
    assert not [str(s) for s in signatures if s.owner == GLOBAL and s.impl is None]


# ----------------------------------------------------------------- the listing


def test_the_table_says_which_members_run():
    table = {cls.name: cls for cls in simulation_table(LIBRARY)}
    assert table["DbiControl"].simulated == 0 and len(table["DbiControl"].members) == 7
    string = {m.name: m for m in table["String"].members}
    assert string["getLength"].runs and string["getLength"].simulated == string["getLength"].documented
    functions = {m.name: m for m in table[GLOBAL].members}
    assert functions["exitWithMessage"].runs and not functions["executeMacro"].runs


def test_check_list_simulated(tmp_path: Path):
    result = CliRunner().invoke(app, ["check", "--list-simulated"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "documented members run in the simulator" in lines[0]
    assert "DbiControl (class): none of its 7 members runs" in lines
    assert any(line.startswith("global functions: ") for line in lines)
    functions = result.stdout.split("\n\n", 1)[1].split("\nBool (value type)")[0]
    assert "  type-checks only: " in functions and "executeMacro," in functions
    plugin = tmp_path / "se_plugin.py"
    plugin.write_text(textwrap.dedent("""\
        from engine.hookspecs import hookimpl
        from engine.runtime.table import builtin

        @hookimpl
        def crmscript_library(library):
            builtin("String DbiControl.getParameter(String name)", library=library)(lambda dc, name: "")
        """), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--list-simulated", "--plugin", str(plugin)])
    assert "DbiControl (class): 1 of 7 members run" in result.stdout.splitlines()
    assert "  runs: getParameter" in result.stdout.splitlines()


def test_check_without_a_path_is_a_usage_error():
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "give the scripts or folders to check" in result.stderr
