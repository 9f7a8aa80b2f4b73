"""The trigger catalog (engine/data/events.json) and `crmscript events`."""

import json

import pytest
from typer.testing import CliRunner

from engine.catalog import Catalog, default_catalog
from engine.cli import app


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def test_catalog_has_every_documented_trigger(catalog):
    assert len(catalog) == 96
    assert sum(1 for t in catalog if t.id is not None) == 93


def test_known_ids(catalog):
    assert catalog.type_id("SalesBeforeSaveSale") == 1008
    assert catalog.type_id("ChatAfterSaveNewMessage") == 403
    assert catalog.type_id("TicketChangedTicketStatus") == 144


def test_unknown_or_undocumented_id_is_zero(catalog):
    assert catalog.type_id("NoSuchTrigger") == 0
    assert catalog.type_id("") == 0
    assert catalog.get("TicketSave").id is None
    assert catalog.type_id("TicketSave") == 0


def test_repeated_ids_are_accepted_with_unique_names(catalog):
    assert catalog.names_for_id(113) == ["MainMenu", "TicketActivated"]
    assert catalog.names_for_id(1011) == ["SalesAfterSaveProjectMember", "SalesBeforeSaveProjectMember"]
    assert catalog.names_for_id(1002) == ["SalesAfterSaveStakeholder", "SalesBeforeSaveStakeholder"]


def test_phases(catalog):
    assert catalog.get("SalesBeforeSaveSale").phase == "before"
    assert catalog.get("SalesAfterSaveSale").phase == "after"
    assert catalog.get("ServiceScreenEditTicketLoad").phase == "load"
    assert {t.phase for t in catalog} == {"before", "after", "load", "other"}


def test_input_keys_exact_and_patterns(catalog):
    sale = catalog.get("SalesBeforeSaveSale")
    assert sale.receives("SaleEntity.Amount")
    assert sale.receives("SaleEntity.Associate.FullName")  # SaleEntity.Associate.*
    assert sale.receives("SaleEntity.VisibleFor[0].VisibleId")  # VisibleFor[].*
    assert not sale.receives("SaleEntity.Associate")  # the * needs something after the dot
    assert not sale.receives("ticketId")
    screen = catalog.get("ServiceScreenEditTicketLoad")
    assert screen.receives("button") and screen.receives("title.value")
    assert not screen.receives("title")


def test_open_triggers_receive_any_key(catalog):
    form = catalog.get("NewTicketFromForm")
    assert form.open and form.receives("any_form_field")
    assert "Additional form specific fields" not in form.input_keys


def test_duplicate_keys_of_the_reference_are_listed_once(catalog):
    keys = catalog.get("ChatBeforeSaveNewMessage").input_keys
    assert len(keys) == len(set(keys)) == 13


def test_warnings(catalog):
    assert catalog.warnings_for("SalesBeforeSaveSale", {"SaleEntity.Amount": "1"}) == []
    [w] = catalog.warnings_for("SalesBeforeSaveSale", {"SaleEntity.Amount": "1", "ticketId": "4"})
    assert "'ticketId'" in w and "SalesBeforeSaveSale" in w
    [w] = catalog.warnings_for("salesbeforesavesale", {})
    assert "unknown event type" in w and "did you mean SalesBeforeSaveSale" in w
    [w] = catalog.warnings_for("", {})
    assert "no Type" in w


def test_duplicate_names_rejected():
    with pytest.raises(ValueError):
        Catalog.from_json('[{"name": "A", "id": 1}, {"name": "A", "id": 2}]')


def test_events_command_table_and_json():
    runner = CliRunner()
    table = runner.invoke(app, ["events"])
    assert table.exit_code == 0
    assert "SalesBeforeSaveSale" in table.output and "1008" in table.output
    as_json = runner.invoke(app, ["events", "--json"])
    assert as_json.exit_code == 0
    rows = json.loads(as_json.output)
    assert len(rows) == 96
    sale = next(r for r in rows if r["name"] == "SalesBeforeSaveSale")
    assert sale == {"name": "SalesBeforeSaveSale", "id": 1008, "phase": "before",
                    "input_keys": 53, "open": False}
