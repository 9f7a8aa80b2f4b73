"""Chain semantics of docs/handlers.md, rule by rule, with a stand-in compiler
(below); tests/test_handlers_*.py run real CRMScript."""

import os
import time
from dataclasses import dataclass

import pytest

from engine.chain import Engine

# ------------------------------------------------------------ stand-in compiler
# A fake script is Python run with `event` (the shared EventData), `ctx` (the
# RunContext), `fail(message, line, column)` (an uncaught CRMScript runtime
# error) and `limit()` (a sandbox limit). `#include name` lines pull in another
# fake script through the engine's include resolver; a first line `SYNTAX`
# makes the compile fail at 1:1.
from engine.errors import CRMScriptLimitError, CRMScriptRuntimeError, CRMScriptSyntaxError
from engine.eventdata import EventData
from engine.runtime.context import Settings

COMPILED: list[str] = []  # names, in compile order: tests count recompilations


@dataclass
class FakeResult:
    output: str
    event: object


class FakeScript:
    def __init__(self, code: str, name: str):
        self.name = name
        self.code = compile(code, name, "exec")

    def run(self, event=None, *, context=None):
        def fail(message, line=1, column=1):
            raise CRMScriptRuntimeError(message, self.name, line, column)

        def limit():
            raise CRMScriptLimitError("too many steps", self.name, 3, 1)

        exec(self.code, {"event": event, "ctx": context, "fail": fail, "limit": limit})
        return FakeResult(context.printed(), event)


def fake_compile(source: str, name: str, *, includes=None, library=None):
    COMPILED.append(name)
    if source.startswith("SYNTAX"):
        raise CRMScriptSyntaxError("unexpected 'SYNTAX'", name, 1, 1)
    lines = []
    for line in source.splitlines():
        if line.startswith("#include "):
            found = includes(line.split()[1]) if includes else None
            if found is None:
                raise CRMScriptSyntaxError(f"cannot find include {line.split()[1]}", name, 1, 1)
            lines.append(found[0])
        else:
            lines.append(line)
    return FakeScript("\n".join(lines), name)


def make_tree(root, files: dict[str, str]):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def engine_for(root, **kwargs) -> Engine:
    kwargs.setdefault("load_entry_points", False)
    return Engine(root, compile=fake_compile, on_warning=lambda m: None, **kwargs)


def test_handlers_run_in_file_name_order_and_share_one_event(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/20-second.crm": "event.StateValues['order'] += ',20'\n",
        "TicketSave/10-first.crm": "event.StateValues['order'] = 'start,10'\n",
        "TicketSave/30-third.crmscript": "event.OutputValues['seen'] = event.StateValues['order']\n",
        "TicketSave/notes.txt": "not a handler",
        "TicketSave/.10-swap.crm": "fail('editor swap file ran')",
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.OutputValues == {"seen": "start,10,20"}
    assert out.Exception == ""


def test_values_start_from_the_request_and_last_write_wins(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/a.crm": "event.Message = 'from a'\nevent.OutputValues['x'] = event.OutputValues['x'] + '+a'\n",
        "TicketSave/b.crm": "event.Message = 'from b'\nevent.BlockExecution = True\nevent.NavigateTo = 'ticket.main'\n",
    })
    request = EventData(Type="TicketSave", InputValues={"ticketId": "7"}, OutputValues={"x": "req"},
                        Message="req", StateValues={"s": "kept"})
    out = engine_for(tmp_path).execute(request)
    assert out.Message == "from b"
    assert out.OutputValues == {"x": "req+a"}
    assert out.StateValues == {"s": "kept"}
    assert out.InputValues == {"ticketId": "7"}
    assert out.BlockExecution is True and out.NavigateTo == "ticket.main"
    # the caller's object is untouched
    assert request.Message == "req" and request.OutputValues == {"x": "req"}


def test_block_execution_does_not_stop_the_chain(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/1.crm": "event.BlockExecution = True\n",
        "TicketSave/2.crm": "event.OutputValues['after'] = 'ran'\n",
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.BlockExecution and out.OutputValues == {"after": "ran"}


def test_uncaught_error_stops_the_chain_and_keeps_earlier_writes(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/1.crm": "event.OutputValues['one'] = '1'\n",
        "TicketSave/2.crm": "event.OutputValues['two'] = '2'\nfail('Division by zero', 4, 9)\n",
        "TicketSave/3.crm": "event.OutputValues['three'] = '3'\n",
    })
    engine = engine_for(tmp_path)
    result = engine.run_chain(EventData(Type="TicketSave"))
    out = result.event
    assert out.OutputValues == {"one": "1", "two": "2"}
    assert out.Exception == "TicketSave/2.crm:4:9: runtime error: Division by zero"
    assert result.failed.name == "TicketSave/2.crm"
    assert [run.handler.file_name for run in result.runs] == ["1.crm", "2.crm"]


def test_limit_error_stops_the_chain(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "limit()\n", "TicketSave/2.crm": "event.Message = 'no'\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Exception == "TicketSave/1.crm:3:1: limit exceeded: too many steps"
    assert out.Message == ""


def test_compile_error_stops_the_chain_naming_file_and_line(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'ran'\n",
                         "TicketSave/2.crm": "SYNTAX\n",
                         "TicketSave/3.crm": "event.Message = 'too far'\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Message == "ran"
    assert out.Exception == "TicketSave/2.crm:1:1: error: unexpected 'SYNTAX'"


def test_internal_error_is_reported_not_raised(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "{}['missing']\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Exception.startswith("TicketSave/1.crm: internal error: KeyError")


def test_no_handler_returns_the_request_unchanged(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'x'\n"})
    request = EventData(Type="SalesBeforeSaveSale", InputValues={"SaleEntity.Amount": "1"},
                        BlockExecution=True, Message="m", Exception="from the request",
                        TableRight={"Mask": "Delete"}, ShowDialog="d")
    out = engine_for(tmp_path).execute(request)
    assert out == request and out is not request


def test_request_exception_is_cleared_when_handlers_run_and_none_fails(tmp_path):
    # CONTRACT rule 1 lists the members that start from the request; Exception
    # is not among them: it reports this chain's failure only.
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'x'\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave", Exception="earlier"))
    assert out.Exception == "" and out.Message == "x"


def test_request_exception_is_kept_when_no_handler_runs(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'x'\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketClosed", Exception="earlier"))
    assert out.Exception == "earlier"


def test_get_type_uses_the_catalog_id(tmp_path):
    make_tree(tmp_path, {
        "SalesBeforeSaveSale/1.crm": "event.OutputValues['id'] = str(ctx.event_type_id(event.Type))\n",
        "NotInCatalog/1.crm": "event.OutputValues['id'] = str(ctx.event_type_id(event.Type))\n",
    })
    engine = engine_for(tmp_path)
    assert engine.execute(EventData(Type="SalesBeforeSaveSale")).OutputValues["id"] == "1008"
    assert engine.execute(EventData(Type="NotInCatalog")).OutputValues["id"] == "0"


def test_settings_reach_the_script(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = ctx.settings.language\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"), settings=Settings(language="nb"))
    assert out.Message == "nb"


def test_each_handler_output_is_recorded(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "ctx.write('one\\n')\n",
                         "TicketSave/2.crm": "ctx.write('two')\n"})
    printed = []
    result = engine_for(tmp_path).run_chain(EventData(Type="TicketSave"), on_print=printed.append)
    assert [run.output for run in result.runs] == ["one\n", "two"]
    assert printed == ["one\n", "two"]
    assert all(run.seconds >= 0 for run in result.runs)


def test_warnings_never_reach_the_response(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "pass\n"})
    seen = []
    engine = Engine(tmp_path, compile=fake_compile, load_entry_points=False, on_warning=seen.append)
    result = engine.run_chain(EventData(Type="TicketSave", InputValues={"ticketId": "1", "bogus": "x"}))
    assert result.warnings == ["input key 'bogus' is never sent by TicketSave"] == seen
    assert result.event.Exception == "" and result.event.Message == ""
    engine.run_chain(EventData(Type="NoSuchEvent"))
    assert "unknown event type 'NoSuchEvent'" in seen[-1]


def test_has_handlers_and_handlers_for(tmp_path):
    make_tree(tmp_path, {"TicketSave/b.crm": "", "TicketSave/a.crm": "", "lib/x.crm": ""})
    engine = engine_for(tmp_path)
    assert engine.has_handlers("TicketSave") and not engine.has_handlers("lib")
    assert not engine.has_handlers("SalesBeforeSaveSale")
    assert [h.name for h in engine.handlers_for("TicketSave")] == ["TicketSave/a.crm", "TicketSave/b.crm"]


def test_ids_are_stable_in_tree_order_and_run_one_script(tmp_path):
    make_tree(tmp_path, {"TicketSave/b.crm": "event.Message = 'b:' + event.Type\n",
                         "SalesBeforeSaveSale/x.crm": "event.Message = 'x'\n",
                         "TicketSave/a.crm": "event.Message = 'a'\n"})
    engine = engine_for(tmp_path)
    assert [(h.id, h.name) for h in engine.all_handlers()] == [
        (1, "SalesBeforeSaveSale/x.crm"), (2, "TicketSave/a.crm"), (3, "TicketSave/b.crm")]
    out = engine.execute_script(3, EventData(Type="TicketClosed"))
    assert out.Message == "b:TicketClosed"
    with pytest.raises(KeyError):
        engine.execute_script(99, EventData())
    make_tree(tmp_path, {"TicketSave/0-new.crm": ""})
    assert [h.id for h in engine.handlers_for("TicketSave")] == [4, 2, 3]


def bump(path, text):
    """Rewrite a file so that its mtime surely changes."""
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_compiled_once_and_recompiled_when_the_file_changes(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'v1'\n"})
    engine = engine_for(tmp_path)
    before = len(COMPILED)
    for _ in range(3):
        assert engine.execute(EventData(Type="TicketSave")).Message == "v1"
    assert len(COMPILED) == before + 1
    bump(tmp_path / "TicketSave/1.crm", "event.Message = 'v2'\n")
    assert engine.execute(EventData(Type="TicketSave")).Message == "v2"
    assert len(COMPILED) == before + 2


def test_compile_error_is_kept_until_the_file_is_fixed(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "SYNTAX\n"})
    engine = engine_for(tmp_path)
    before = len(COMPILED)
    assert engine.execute(EventData(Type="TicketSave")).Exception
    assert engine.execute(EventData(Type="TicketSave")).Exception
    assert len(COMPILED) == before + 1
    bump(tmp_path / "TicketSave/1.crm", "event.Message = 'fixed'\n")
    out = engine.execute(EventData(Type="TicketSave"))
    assert out.Exception == "" and out.Message == "fixed"


def test_new_and_removed_handlers_are_noticed(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message += '1'\n"})
    engine = engine_for(tmp_path)
    assert engine.execute(EventData(Type="TicketSave")).Message == "1"
    make_tree(tmp_path, {"TicketSave/2.crm": "event.Message += '2'\n",
                         "TicketClosed/1.crm": "event.Message = 'closed'\n"})
    os.utime(tmp_path / "TicketSave", ns=(0, time.time_ns() + 2_000_000_000))
    os.utime(tmp_path, ns=(0, time.time_ns() + 2_000_000_000))
    assert engine.execute(EventData(Type="TicketSave")).Message == "12"
    assert engine.execute(EventData(Type="TicketClosed")).Message == "closed"
    (tmp_path / "TicketSave/1.crm").unlink()
    os.utime(tmp_path / "TicketSave", ns=(0, time.time_ns() + 4_000_000_000))
    assert engine.execute(EventData(Type="TicketSave")).Message == "2"


def test_include_change_recompiles_the_handler(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "#include util\nevent.Message = greeting\n",
                         "lib/util.crm": "greeting = 'hello'\n"})
    engine = engine_for(tmp_path)
    assert engine.execute(EventData(Type="TicketSave")).Message == "hello"
    bump(tmp_path / "lib/util.crm", "greeting = 'hi'\n")
    assert engine.execute(EventData(Type="TicketSave")).Message == "hi"


def test_check_interval_limits_the_checks(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'v1'\n"})
    engine = engine_for(tmp_path, check_interval=3600)
    assert engine.execute(EventData(Type="TicketSave")).Message == "v1"
    bump(tmp_path / "TicketSave/1.crm", "event.Message = 'v2'\n")
    assert engine.execute(EventData(Type="TicketSave")).Message == "v1"  # not checked yet
    engine.refresh()
    assert engine.execute(EventData(Type="TicketSave")).Message == "v2"


def test_missing_handler_folder_is_a_warning_not_an_error(tmp_path):
    seen = []
    engine = Engine(tmp_path / "nope", compile=fake_compile, load_entry_points=False, on_warning=seen.append)
    assert "does not exist" in seen[0]
    request = EventData(Type="TicketSave", Message="m")
    assert engine.execute(request) == request
