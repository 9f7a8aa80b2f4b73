"""The plugin surface (engine/hookspecs.py): entry points, direct plugins,
setup hooks and run hooks; and the installed example plugin (examples/plugin)."""

import importlib.util
import types

import pytest
from test_chain import fake_compile, make_tree

from engine.chain import Engine
from engine.eventdata import EventData
from engine.hookspecs import HandlerSource, hook_names, hookimpl
from engine.plugins import PluginError

example_installed = importlib.util.find_spec("crmscript_example_plugin") is not None
needs_example = pytest.mark.skipif(not example_installed,
                                   reason="examples/plugin not installed (make installs it)")


def plugin(**hooks):
    """A plugin object from keyword functions named like the hooks."""
    module = types.SimpleNamespace()
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))
    module.__name__ = "test-plugin"
    return module


def engine_with(tmp_path, *plugins, **kwargs):
    return Engine(tmp_path, plugins=list(plugins), load_entry_points=False,
                  compile=fake_compile, on_warning=lambda m: None, **kwargs)


def test_the_surface_is_documented():
    import engine.hookspecs as specs

    assert hook_names() == [
        "crmscript_after_event", "crmscript_after_handler", "crmscript_before_event",
        "crmscript_before_handler", "crmscript_handler_error", "crmscript_handlers",
        "crmscript_include_paths", "crmscript_library"]
    for name in hook_names():
        assert getattr(specs, name).__doc__.strip()


def test_plugin_handlers_merge_with_the_tree_by_file_name(tmp_path):
    make_tree(tmp_path, {"TicketSave/10-a.crm": "event.Message += 'a'\n",
                         "TicketSave/30-c.crm": "event.Message += 'c'\n"})
    extra = plugin(crmscript_handlers=lambda: [
        HandlerSource("TicketSave", "20-b.crm", "event.Message += 'b'\n"),
        ("TicketClosed", "1.crm", "event.Message = 'tuple form'\n")])
    engine = engine_with(tmp_path, extra)
    assert engine.execute(EventData(Type="TicketSave")).Message == "abc"
    assert engine.execute(EventData(Type="TicketClosed")).Message == "tuple form"
    ids = {h.name: (h.id, h.origin) for h in engine.all_handlers()}
    assert ids["TicketSave/20-b.crm"][1] == "plugin" and ids["TicketSave/10-a.crm"] == (1, "tree")


def test_plugin_include_paths_come_after_the_tree_lib(tmp_path):
    plugin_lib = tmp_path / "plugin_lib"
    make_tree(tmp_path, {"tree/TicketSave/1.crm": "#include shared\n#include only_plugin\nevent.Message = a + b\n",
                         "tree/lib/shared.crm": "a = 'tree'\n",
                         "plugin_lib/shared.crm": "a = 'plugin'\n",
                         "plugin_lib/only_plugin.crm": "b = '+plugin'\n"})
    engine = engine_with(tmp_path / "tree", plugin(crmscript_include_paths=lambda: [plugin_lib]))
    assert engine.execute(EventData(Type="TicketSave")).Message == "tree+plugin"


def test_run_hooks_are_called_in_order(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "ctx.write('hi')\n", "TicketSave/2.crm": "pass\n"})
    calls = []
    spy = plugin(
        crmscript_before_event=lambda event, settings: calls.append(("before_event", event.Type)),
        crmscript_before_handler=lambda handler, event: calls.append(("before", handler.file_name)),
        crmscript_after_handler=lambda run, event: calls.append(("after", run.handler.file_name, run.output)),
        crmscript_after_event=lambda event, runs: calls.append(("after_event", len(runs))),
    )
    engine_with(tmp_path, spy).execute(EventData(Type="TicketSave"))
    assert calls == [("before_event", "TicketSave"), ("before", "1.crm"), ("after", "1.crm", "hi"),
                     ("before", "2.crm"), ("after", "2.crm", ""), ("after_event", 2)]


def test_before_event_can_change_what_handlers_see(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = event.StateValues['injected']\n"})
    injector = plugin(crmscript_before_event=lambda event, settings: event.StateValues.update(injected="yes"))
    assert engine_with(tmp_path, injector).execute(EventData(Type="TicketSave")).Message == "yes"


def test_handler_error_hook_sees_the_failure(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "fail('boom', 2, 3)\n"})
    seen = []
    watcher = plugin(crmscript_handler_error=lambda handler, event, error: seen.append(
        (handler.name, error.line, event.Exception)))
    engine_with(tmp_path, watcher).execute(EventData(Type="TicketSave"))
    assert seen == [("TicketSave/1.crm", 2, "TicketSave/1.crm:2:3: runtime error: boom")]


def test_a_run_hook_that_raises_stops_the_chain_without_a_traceback(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "event.Message = 'ran'\n"})

    def broken(handler, event):
        raise RuntimeError("plugin bug")

    out = engine_with(tmp_path, plugin(crmscript_before_handler=broken)).execute(EventData(Type="TicketSave"))
    assert out.Message == ""
    assert out.Exception == "TicketSave/1.crm: plugin hook crmscript_before_handler failed: RuntimeError: plugin bug"


def test_a_setup_hook_that_raises_is_a_plugin_error(tmp_path):
    def broken():
        raise ValueError("no handlers today")

    with pytest.raises(PluginError, match="crmscript_handlers raised ValueError: no handlers today"):
        engine_with(tmp_path, plugin(crmscript_handlers=broken))
    with pytest.raises(PluginError, match="expected HandlerSource"):
        engine_with(tmp_path, plugin(crmscript_handlers=lambda: ["not a handler"]))


def test_library_hook_gets_a_copy(tmp_path):
    from engine.runtime.table import LIBRARY, builtin

    def extend(library):
        assert library is not LIBRARY

        @builtin("String pluginOnlyFunction()", library=library)
        def plugin_only():
            return "x"

    engine = engine_with(tmp_path, plugin(crmscript_library=extend))
    assert "pluginOnlyFunction" in engine.library.functions
    assert "pluginOnlyFunction" not in LIBRARY.functions


def test_no_library_copy_without_library_plugins(tmp_path):
    assert engine_with(tmp_path).library is None


@needs_example
def test_example_plugin_is_found_through_its_entry_point(tmp_path):
    import crmscript_example_plugin as example

    found = Engine(tmp_path, on_warning=lambda m: None)
    assert found.plugin_manager.is_registered(example)
    assert [h.name for h in found.handlers_for("DbiTaskFailed")] == [
        "DbiTaskFailed/50-example-plugin-alert.crm"]
    assert example.INCLUDE_DIR in found.registry.include_paths
    assert "dbiAlertLevel" in found.library.functions
    alone = Engine(tmp_path, load_entry_points=False, on_warning=lambda m: None)
    assert not alone.has_handlers("DbiTaskFailed")


@needs_example
def test_example_plugin_registered_directly_is_not_doubled(tmp_path):
    import crmscript_example_plugin as example

    engine = Engine(tmp_path, plugins=[example], on_warning=lambda m: None)
    assert len(engine.handlers_for("DbiTaskFailed")) == 1


def test_a_plugin_class_is_a_type_name_in_the_chain_as_in_check(tmp_path):
    """`crmscript check` parsed a plugin's class as a type; the chain (and
    `run`) said "unknown function 'Thing'" for the same handler."""
    class Thing:
        def __init__(self, name: str = "") -> None:
            self.name = name

    def crmscript_library(library):
        from engine.runtime.table import builtin

        library.register_class("Thing", Thing, default=Thing)
        builtin("Thing Thing(String name)", library=library)(lambda name: Thing(name))
        builtin("String Thing.getName()", library=library)(lambda self: self.name)

    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "10-thing.crm").write_text(
        'Thing t = Thing("made");\ngetEventData().setOutputValue("name", t.getName());\n')
    engine = Engine(tmp_path, plugins=[plugin(crmscript_library=crmscript_library)], load_entry_points=False,
                    on_warning=lambda m: None)
    out = engine.execute(EventData(Type="TicketSave"))
    assert out.Exception == "" and out.OutputValues == {"name": "made"}
