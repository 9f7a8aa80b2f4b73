"""The handler registry's edges: bad files, odd folders, the default tree folder."""

from pathlib import Path

from test_chain import make_tree

from engine.chain import Engine
from engine.cli.common import DEFAULT_HANDLERS, resolve_handlers_dir
from engine.eventdata import EventData
from engine.handlers import HandlerRegistry


def test_handler_file_that_is_not_utf8_fails_with_its_name(tmp_path):
    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "1.crm").write_bytes(b'getEventData().setMessage("\xff");\n')
    out = Engine(tmp_path, load_entry_points=False, on_warning=lambda m: None).execute(EventData(Type="TicketSave"))
    assert out.Exception.startswith("TicketSave/1.crm:1:28: error: handler file is not UTF-8 text")  # at the bad byte


def test_unknown_type_folder_and_missing_tree_are_warnings(tmp_path):
    make_tree(tmp_path, {"SalesBeforSaveSale/1.crm": "", "lib/x.crm": ""})
    seen = []
    Engine(tmp_path, load_entry_points=False, on_warning=seen.append)
    assert seen == ["handlers for 'SalesBeforSaveSale', which is not an event type of the catalog "
                    "(did you mean SalesBeforeSaveSale?)"]


def test_sub_folders_and_other_files_of_a_type_are_not_handlers(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": "", "TicketSave/old/2.crm": "", "TicketSave/readme.md": "",
                         "TicketSave/_draft.crm": "", "_disabled/1.crm": ""})
    registry = HandlerRegistry(tmp_path)
    assert [h.name for h in registry.all_handlers()] == ["TicketSave/1.crm"]
    assert registry.event_types() == ["TicketSave"]


def test_default_tree_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a folder without handlers/ of its own
    assert resolve_handlers_dir(tmp_path) == tmp_path
    assert resolve_handlers_dir(None) == DEFAULT_HANDLERS
    assert DEFAULT_HANDLERS.is_dir()
    assert resolve_handlers_dir(str(tmp_path)) == Path(tmp_path)
