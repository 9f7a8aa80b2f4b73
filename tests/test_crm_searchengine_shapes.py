"""SearchEngine's query shapes: the SQL is made once per shape of the calls
(engine/crm/searchengine.py Shape), never reused with another query's values
or for another query."""

from __future__ import annotations

import textwrap

import pytest
from crm_helpers import fixture, printed

import engine
from engine.crm import searchengine

CRM = fixture("""\
    rows:
      contact:
        - {contact_id: 1, name: Acme AS}
        - {contact_id: 2, name: Beta AB}
        - {contact_id: 3, name: Gamma Oy}
      person:
        - {person_id: 1, contact_id: 1, firstname: Ada, lastname: Lovelace}
        - {person_id: 2, contact_id: 1, firstname: Alan, lastname: Turing}
        - {person_id: 3, contact_id: 2, firstname: Grace, lastname: Hopper}
        - {person_id: 4, contact_id: 3, firstname: Edsger, lastname: Dijkstra}
    """)

LOOKUP = engine.compile_script(textwrap.dedent("""\
    String id = getEventData().getInputValue("id");
    SearchEngine se;
    se.addFields("person", "firstname,contact_id.name");
    se.addCriteria("person.contact_id", "OperatorEquals", id);
    String names;
    for (se.execute(); !se.eof(); se.next()) names.append(se.getField(0) + "@" + se.getField(1) + ";");
    getEventData().setOutputValue("names", names);
    """), "shapes_lookup.crm")


def lookup(contact_id: str) -> str:
    result = LOOKUP.run(engine.EventData(InputValues={"id": contact_id}), fixture=CRM)
    result.context.crm.close()
    return result.event.OutputValues["names"]


def lines(source: str) -> list[str]:
    return printed(textwrap.dedent(source), CRM).splitlines()


def test_the_same_query_on_every_event_gets_each_events_value():
    assert [lookup(i) for i in ("1", "2", "1", "3", "9", "2")] == [
        "Ada@Acme AS;Alan@Acme AS;", "Grace@Beta AB;", "Ada@Acme AS;Alan@Acme AS;",
        "Edsger@Gamma Oy;", "", "Grace@Beta AB;"]


def test_engines_of_one_shape_in_one_run_keep_their_own_values():
    assert lines("""\
        SearchEngine a;
        a.addField("contact.name");
        a.addCriteria("contact.contact_id", "OperatorEquals", "1");
        SearchEngine b;
        b.addField("contact.name");
        b.addCriteria("contact.contact_id", "OperatorEquals", "2");
        b.execute();
        a.execute();
        printLine(a.getField(0) + "/" + b.getField(0));
        """) == ["Acme AS/Beta AB"]


def test_a_value_of_another_shape_makes_its_own_sql():
    # The same call with one value, then a list, then none: three SQL statements.
    assert lines("""\
        String[] values = String("2|1,3|").split("|");
        for (Integer i = 0; i < values.length(); i++) {
          SearchEngine se;
          se.addField("contact.name");
          se.addCriteria("contact.contact_id", "OperatorIn", values[i]);
          print(se.buildSql() + " ->");
          for (se.execute(); !se.eof(); se.next()) print(" " + se.getField(0));
          printLine("");
        }
        """) == ["select a0.name from contact a0 where (a0.contact_id in (?)) order by a0.contact_id -> Beta AB",
                 "select a0.name from contact a0 where (a0.contact_id in (?, ?)) order by a0.contact_id -> "
                 "Acme AS Gamma Oy",
                 "select a0.name from contact a0 where (a0.contact_id in ()) order by a0.contact_id ->"]


def test_different_queries_do_not_share_sql():
    assert lines("""\
        SearchEngine byId;
        byId.addField("contact.name");
        byId.addCriteria("contact.contact_id", "OperatorEquals", "2");
        SearchEngine above;
        above.addField("contact.name");
        above.addCriteria("contact.contact_id", "OperatorGt", "2");
        SearchEngine persons;
        persons.addField("person.firstname");
        persons.addCriteria("person.contact_id", "OperatorEquals", "2");
        SearchEngine two;
        two.addField("contact.name");
        two.addField("contact.contact_id");
        two.addCriteria("contact.contact_id", "OperatorEquals", "2");
        byId.execute(); above.execute(); persons.execute(); two.execute();
        printLine(byId.getField(0) + "|" + above.getField(0) + "|" + persons.getField(0) + "|" + two.getField(1));
        """) == ["Beta AB|Gamma Oy|Grace|2"]


def test_limit_and_order_are_part_of_the_query():
    assert lines("""\
        for (Integer limit = 0; limit < 3; limit++) {
          SearchEngine se;
          se.addField("person.firstname");
          se.setLimit(limit);
          if (limit == 2) se.addOrder("person.firstname", false);
          for (se.execute(); !se.eof(); se.next()) print(se.getField(0) + ",");
          printLine("");
        }
        """) == ["Ada,Alan,Grace,Edsger,", "Ada,", "Grace,Edsger,"]


def shapes_in(tree) -> int:
    count, stack = 0, [tree.root]
    while stack:
        shape = stack.pop()
        count += 1
        stack.extend(shape.after.values())
    return count


def test_the_same_calls_spelt_differently_reach_the_same_shape():
    def run(source: str) -> None:
        engine.compile_script(textwrap.dedent(source), "spelt.crm").run(fixture=CRM).context.crm.close()

    run("""\
        SearchEngine se; se.addFields("person", "firstname, lastname");
        se.addCriteria("person.contact_id", "OperatorEquals", "1"); se.execute();""")
    tree = CRM.schema.queries
    shapes = shapes_in(tree)
    run("""\
        SearchEngine se; se.addField("person.firstname"); se.addField("person.lastname");
        se.addCriteria("person.contact_id", "equals", "2"); se.execute();""")
    assert shapes_in(tree) == shapes  # no new shape: the same operations
    assert tree.root.then(("field", "person.firstname", None)).then(("field", "person.lastname", None)) \
        .then(("criterion", "person.contact_id", None, "Equals", "AND", 0, "")).compiled


def test_past_the_limit_the_shapes_start_again_and_engines_in_use_go_on(monkeypatch):
    monkeypatch.setattr(searchengine, "SHAPE_LIMIT", 3)
    assert lines("""\
        SearchEngine kept;
        kept.addField("contact.name");
        kept.addCriteria("contact.contact_id", "OperatorEquals", "1");
        for (Integer i = 0; i < 6; i++) {
          SearchEngine other;
          other.addField("person.firstname");
          other.addCriteria("person.person_id", "OperatorEquals", (i + 1).toString());
          other.addOrder("person.lastname", true);
          other.execute();
          print(other.getField(0) + ",");
        }
        kept.execute();
        printLine(kept.getField(0));
        """) == ["Ada,Alan,Grace,Edsger,,,Acme AS"]
    assert CRM.schema.queries.size <= 3


def test_a_new_limit_on_every_event_does_not_fill_the_memory(monkeypatch):
    monkeypatch.setattr(searchengine, "SHAPE_LIMIT", 10)
    assert lines("""\
        for (Integer limit = 1; limit < 40; limit++) {
          SearchEngine se;
          se.addField("person.firstname");
          se.setLimit(limit);
          print(se.execute().toString() + ",");
        }
        """) == ["1,2,3" + ",4" * 36 + ","]
    tree = CRM.schema.queries
    assert tree.size <= 10
    assert sum(len(shape.compiled) for shape in [tree.root, *tree.root.after.values()]) <= 10


@pytest.mark.parametrize("value", ["1", "01", " 1", "+1"])
def test_a_number_criterion_reads_its_value_as_before(value):
    # The fast path (digits only: int()) and the checked path agree.
    assert lines(f"""\
        SearchEngine se;
        se.addField("contact.name");
        se.addCriteria("contact.contact_id", "OperatorEquals", "{value}");
        se.execute();
        printLine(se.getField(0));
        """) == ["Acme AS"]
