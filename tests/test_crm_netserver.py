"""NetServer agents and carriers on the simulated CRM (docs/netserver.md)."""

from __future__ import annotations

import textwrap

import pytest
from crm_helpers import fixture, printed, run

import engine
from engine.crm import FixtureError
from engine.crm.fixture import parse_fixture
from engine.errors import CRMScriptNotSimulatedError

WORLD = """\
    now: "2026-05-04T10:00:00"
    user: 3
    rows:
      ejuser:
        - {id: 3, username: ola}
      associate:
        - {associate_id: 2, name: OLA, ejuserid: 3, person_id: 1}
      contact:
        - {contact_id: 1, name: Acme AS, orgnr: "123", associate_id: 2, department: Sales}
      person:
        - {person_id: 1, contact_id: 1, firstname: Ola, lastname: Nordmann}
        - {person_id: 7, contact_id: 1, firstname: Ada, lastname: Lovelace}
    """


def stops(source: str, fixture_text: str | None = None) -> CRMScriptNotSimulatedError:
    with pytest.raises(CRMScriptNotSimulatedError) as caught:
        run(source, fixture_text)
    return caught.value


# ------------------------------------------------------------------ carriers


def test_a_declared_carrier_reads_its_types_defaults_and_keeps_what_is_set():
    assert printed("""\
        NSContactEntity c;
        printLine(c.GetContactId().toString() + "|" + c.GetName() + "|" + c.GetNoMailing().toString()
                  + "|" + c.GetCreatedDate().toString() + "|" + c.GetPersons().length().toString());
        c.SetName("Beta");
        c.GetAssociate().SetName("nested");   // a nested carrier is kept: changing it changes c
        printLine(c.GetName() + " " + c.GetAssociate().GetName());
        NSArchiveRestrictionInfo r;
        r.SetName("getAllRows");
        printLine(r.GetName());
        """) == "0||false||0\nBeta nested\ngetAllRows\n"


def test_carrier_arrays_and_enum_constants():
    assert printed("""\
        NSArchiveRestrictionInfo[] restrictions;
        NSArchiveRestrictionInfo r;
        r.SetOperator("=");
        restrictions.pushBack(r);
        NSAppointmentEntity a;
        a.SetType(AppointmentType.inDiary);
        printLine(restrictions.length().toString() + restrictions[0].GetOperator() + a.GetType().toString());
        """) == "1=1\n"


# ------------------------------------------------------------------ agents on the database


def test_get_set_save_round_trip_updates_the_row_and_the_computed_full_name():
    assert printed("""\
        NSPersonAgent agent;
        NSPersonEntity p = agent.GetPersonEntity(7);
        printLine(p.GetFullName() + " at " + p.GetContact().GetName());
        p.SetMiddleName("King");
        agent.SavePersonEntity(p);
        printLine(agent.GetPerson(7).GetFullName() + " " + p.GetUpdatedDate().toString());
        """, WORLD) == "Ada Lovelace at Acme AS\nAda King Lovelace 2026-05-04 10:00:00\n"


def test_a_saved_entity_is_visible_to_searchengine_in_the_run_and_gone_in_the_next():
    world = fixture(WORLD)
    source = """\
        SearchEngine before;
        before.addField("contact.name");
        before.addCriteria("contact.name", "equals", "Beta AS");
        printLine("before: " + before.countRows().toString());
        NSContactAgent agent;
        NSContactEntity c = agent.CreateDefaultContactEntity();
        c.SetName("Beta AS");
        c = agent.SaveContactEntity(c);
        SearchEngine se;
        se.addFields("contact", "contact_id,name,registered,registered_associate_id,associate_id");
        se.addCriteria("contact.name", "equals", "Beta AS");
        for (se.execute(); !se.eof(); se.next())
          printLine(se.getField(0) + " " + se.getField(1) + " " + se.getField(2) + " " + se.getField(3)
                    + " " + se.getField(4) + " " + c.GetContactId().toString());
        """
    assert printed(source, world) == "before: 0\n2 Beta AS 2026-05-04 10:00:00 2 2 2\n"
    assert printed(source, world) == "before: 0\n2 Beta AS 2026-05-04 10:00:00 2 2 2\n"


def test_get_of_an_id_no_row_has_is_an_empty_carrier_and_delete_removes_the_row():
    assert printed("""\
        NSContactAgent agent;
        printLine(agent.GetContactEntity(99).GetContactId().toString());
        agent.DeleteContactEntity(1);
        printLine(agent.GetContactEntity(1).GetName() + "|");
        """, WORLD) == "0\n|\n"


def test_an_item_carrier_cannot_be_saved_through_an_entity_method():
    with pytest.raises(engine.errors.CRMScriptError):
        engine.compile_script("NSPersonAgent a; NSPerson p = a.GetPerson(1); a.SavePersonEntity(p);", "t.crm")


# ------------------------------------------------------------------ canned answers


CANNED = WORLD.rstrip(" ") + """\
    netserver:
      - method: NSQuoteAgent.GetQuoteEntity
        args: [4]
        result: {QuoteId: 4, SaleId: 12, PoNumber: PO-77}
      - method: NSContactAgent.GetContactEntity
        args: [1]
        result: {ContactId: 1, Name: Canned AS, Persons: [{Firstname: Kari}]}
      - method: NSListAgent.ChangeCurrency
        result: 42.5
      - method: NSContactAgent.ValidateContactEntity
        args: [{Name: Canned AS}]
        result: {valid: "no"}
    """


def test_a_canned_answer_is_matched_by_method_and_arguments_and_wins_over_the_behaviour():
    assert printed("""\
        NSQuoteAgent quotes;
        NSQuoteEntity q = quotes.GetQuoteEntity(4);
        printLine(q.GetSaleId().toString() + " " + q.GetPoNumber());
        NSContactAgent contacts;
        printLine(contacts.GetContactEntity(1).GetName() + " " + contacts.GetContactEntity(1).GetPersons()[0].GetFirstname());
        NSListAgent lists;
        printLine(lists.ChangeCurrency(1.0, "NOK", "EUR").toString(1));
        printLine(contacts.ValidateContactEntity(contacts.GetContactEntity(1)).get("valid"));
        """, CANNED) == "12 PO-77\nCanned AS Kari\n42.5\nno\n"


def test_a_method_without_behaviour_or_answer_stops_and_shows_the_entry_that_would_answer_it():
    error = stops("""\
        NSContactAgent agent;
        NSDuplicateEntry[] found = agent.GetDuplicates("Acme AS");
        """, CANNED)
    assert error.message.startswith("'NSDuplicateEntry[] NSContactAgent.GetDuplicates(String name)' "
                                    "is part of CRMScript but not simulated yet")
    assert '    - method: NSContactAgent.GetDuplicates\n      args: ["Acme AS"]\n      result: [{' in error.message


@pytest.mark.parametrize(("entry", "at", "message"), [
    ("- method: NSContactAgnt.GetContactEntity", "NSContactAgnt",
     "'NSContactAgnt' is not a NetServer agent (did you mean 'NSContactAgent'?) "
     "(method: NSContactAgent.GetContactEntity)"),
    ("- method: NSContactAgent.GetContactEntty", "NSContactAgent",
     "NSContactAgent has no method 'GetContactEntty' (did you mean 'GetContactEntity'?)"),
    ("- {method: NSContactAgent.GetContactEntity, args: [1, 2]}", "[1",
     "NSContactAgent.GetContactEntity takes 1 arguments, not 2"),
    ("- {method: NSContactAgent.GetContactEntity, result: {Nmae: x}}", "Nmae",
     "NSContactEntity has no property 'Nmae' (did you mean 'Name'?)"),
    ("- {method: NSContactAgent.GetContactEntity, colour: red}", "colour",
     "unknown key 'colour' in a netserver entry (method, args, result)"),
])
def test_a_bad_netserver_entry_is_a_fixture_error_at_its_place(entry, at, message):
    text = textwrap.dedent(WORLD) + "netserver:\n  " + entry + "\n"
    with pytest.raises(FixtureError) as caught:
        parse_fixture(text, "crm.yaml")
    line = text.count("\n", 0, text.index("netserver:")) + 2
    assert (caught.value.line, caught.value.column) == (line, 3 + entry.index(at))
    assert caught.value.message == message


# ------------------------------------------------------------------ beyond the generic families


def test_list_getters_read_the_list_tables_of_the_demo_crm():
    assert printed("""\
        NSListAgent lists;
        printLine(lists.GetBaseCurrency().GetName() + " " + lists.GetCurrencyEntity(2).GetName()
                  + " " + lists.GetAllCurrencies(false).length().toString());
        NSMDOAgent mdo;
        NSMDOListItem[] categories = mdo.GetList("category", true, "", false);
        printLine(categories[0].GetId().toString() + " " + categories[0].GetName());
        """) == "NOK EUR 7\n1 Customer\n"


def test_an_appointment_by_type_and_associate_is_saved_with_the_users_stamp():
    assert printed("""\
        NSAppointmentAgent agent;
        NSAppointmentEntity a = agent.CreateDefaultAppointmentEntityByTypeAndAssociate(AppointmentType.inDiary, 2);
        a.SetDescription("Call Ada");
        a.SetContact(NSContactAgent().GetContact(1));
        a = agent.SaveAppointmentEntity(a);
        NSAppointmentEntity again = agent.GetAppointmentEntity(a.GetAppointmentId());
        printLine(again.GetDescription() + "|" + again.GetAssociate().GetName() + "|" + again.GetType().toString()
                  + "|" + again.GetStartDate().toString() + "|" + again.GetCreatedBy().GetAssociateId().toString());
        """, WORLD) == "Call Ada|OLA|1|2026-05-04 10:00:00|2\n"


def test_preferences_are_saved_for_the_user_and_read_back_by_section_and_key():
    assert printed("""\
        NSPreferenceAgent agent;
        NSPreferenceSpec spec;
        spec.SetSection("Rights-Demo");
        spec.SetKey("colour");
        NSPreference pref = agent.CreateDefaultPreference();
        pref.SetSpecification(spec);
        pref.SetRawValue("blue");
        agent.SavePreference(pref);
        NSPreferenceSpec[] specs;
        specs.pushBack(spec);
        NSPreference[] found = agent.GetPreferences(specs);
        printLine(found[0].GetRawValue() + " " + agent.GetPreference(found[0].GetUserPreferenceId()).GetSpecification().GetKey());
        """, WORLD) == "blue colour\n"


# ------------------------------------------------------------------ case files


def test_a_case_files_netserver_answers_come_before_the_fixtures(tmp_path):
    from engine.testing.model import load_case_file
    from engine.testing.runner import CaseRunner

    (tmp_path / "SalesBeforeSaveSale").mkdir()
    (tmp_path / "SalesBeforeSaveSale" / "10-quote.crm").write_text(textwrap.dedent("""\
        NSQuoteAgent quotes;
        EventData ed = getEventData();
        ed.setOutputValue("po", quotes.GetQuoteEntity(4).GetPoNumber());
        """))
    (tmp_path / "crm.yaml").write_text(textwrap.dedent(CANNED))
    cases = tmp_path / "SalesBeforeSaveSale" / "quote.cases.yaml"
    cases.write_text(textwrap.dedent("""\
        fixture: ../crm.yaml
        cases:
          - name: the fixture's answer
            expect: {OutputValues: {po: PO-77}}
          - name: the case's own answer
            netserver:
              - {method: NSQuoteAgent.GetQuoteEntity, args: [4], result: {PoNumber: PO-1}}
            expect: {OutputValues: {po: PO-1}}
          - name: a bad entry
            netserver:
              - {method: NSQuoteAgent.GetQuoteEntiy}
        """))
    with pytest.raises(engine.errors.CRMScriptError) as caught:
        load_case_file(cases)
    assert (caught.value.line, caught.value.message) == (
        11, "NSQuoteAgent has no method 'GetQuoteEntiy' (did you mean 'GetQuoteEntity'?)")
    cases.write_text(cases.read_text().split("  - name: a bad entry")[0])
    runner = CaseRunner()
    assert [(r.status, r.error) for r in map(runner.run, load_case_file(cases))] == [("passed", None)] * 2


def test_a_save_writes_only_what_changed_since_the_entity_was_loaded():
    assert printed("""\
        NSContactAgent agent;
        NSContactEntity first = agent.GetContactEntity(1);
        NSContactEntity second = agent.GetContactEntity(1);
        first.SetName("Renamed AS");
        second.SetDepartment("Support");
        agent.SaveContactEntity(first);
        agent.SaveContactEntity(second);
        NSContactEntity after = agent.GetContactEntity(1);
        printLine(after.GetName() + " / " + after.GetDepartment() + " / " + after.GetOrgNr());
        """, WORLD) == "Renamed AS / Support / 123\n"


ARCHIVE = """\
    NSArchiveOrderByInfo[] order;
    NSArchiveOrderByInfo newest;
    newest.SetName("sale.amount");
    newest.SetDirection(OrderBySortType.DESC);
    order.pushBack(newest);
    NSArchiveRestrictionInfo[] restrictions;
    NSArchiveRestrictionInfo open;
    open.SetName("sale.status");
    open.SetOperator("=");
    String[] values;
    values.pushBack("Open");
    open.SetValues(values);
    restrictions.pushBack(open);
    String[] columns;
    columns.pushBack("sale.heading");
    columns.pushBack("sale.contact_id.name");
    String[] entities;
    NSArchiveAgent agent;
    foreach (NSArchiveListItem i in agent.GetArchiveListByColumns("Dynamic", columns, order, restrictions, entities, 0, 2))
      printLine(i.GetEntityName() + " " + i.GetPrimaryKey().toString() + ": " + i.GetColumnData().get("sale.heading")
                + " / " + i.GetColumnData().get("sale.contact_id.name"));
    """


def test_the_dynamic_archive_provider_is_a_searchengine_query_with_paging():
    assert printed(ARCHIVE) == ("sale 3: Fleet tracking licenses / Havbris Shipping AS\n"
                                "sale 4: Energy portal phase 2 / Nordlys Energi AS\n")
    second_page = printed(ARCHIVE.replace("0, 2))", "1, 2))")).splitlines()
    assert len(second_page) == 2 and second_page[0] == "sale 2: SalgFAAF / Havbris Shipping AS"


def test_the_contact_activity_provider_lists_appointments_documents_and_sales_newest_first():
    output = printed("""\
        String[] columns;
        columns.pushBack("text");
        columns.pushBack("date");
        NSArchiveOrderByInfo[] order;
        NSArchiveRestrictionInfo[] restrictions;
        NSArchiveRestrictionInfo ofContact;
        ofContact.SetName("contactId");
        ofContact.SetOperator("=");
        String[] values;
        values.pushBack("2");
        ofContact.SetValues(values);
        restrictions.pushBack(ofContact);
        String[] entities;
        entities.pushBack("sale");
        entities.pushBack("appointment");
        NSArchiveAgent agent;
        foreach (NSArchiveListItem i in agent.GetArchiveListByColumns("ContactActivity", columns, order, restrictions, entities, 0, 100))
          printLine(i.GetEntityName() + " " + i.GetColumnData().get("date") + " " + i.GetColumnData().get("text"));
        """)
    lines = output.splitlines()
    assert "sale 2026-06-15 00:00:00 SalgAAAA" in lines and any(line.startswith("appointment ") for line in lines)
    dates = [line.split(" ")[1] for line in lines]
    assert dates == sorted(dates, reverse=True)


def test_item_carriers_read_names_through_their_foreign_keys_and_they_are_not_saved():
    assert printed("""\
        NSAppointmentAgent agent;
        NSAppointment a = agent.GetAppointment(1);
        printLine(a.GetContactName() + "|" + a.GetPersonFullName() + "|" + a.GetSaleName());
        NSPersonAgent persons;
        NSPersonEntity p = persons.GetPersonEntity(8);
        p.SetFirstname("Astri");
        persons.SavePersonEntity(p);
        printLine(persons.GetPerson(8).GetContactName() + "|" + agent.GetAppointment(1).GetPersonFullName());
        """) == "Nordlys Energi AS|Astrid Dahl|SalgAAAA\nNordlys Energi AS|Astri Dahl\n"


def test_sale_summaries_project_members_and_suggestions():
    assert printed("""\
        NSSaleAgent sales;
        NSSaleSummary s = sales.GetSummaryByContact(1, String("2026-01-01").toDateTime(), String("2027-01-01").toDateTime());
        printLine(s.GetOpen().toString() + " " + s.GetOpenTotalBaseCurrency().toString(0) + " "
                  + s.GetOpenWeightedOwnCurrency().toString(0) + " " + s.GetLost().toString());
        NSProjectAgent projects;
        NSProjectMember m = projects.CreateDefaultProjectMember();
        m.SetPersonId(7);
        NSProjectMember[] members;
        members.pushBack(m);
        projects.AddProjectMembers(1, members);
        printLine(projects.GetProjectMembers(1).length().toString() + " " + m.GetProjectmemberId().toString());
        NSAppointmentAgent appointments;
        NSAppointmentEntity a = appointments.CreateDefaultAppointmentEntityFromSaleSuggestion(1, 1, true, 2);
        printLine(a.GetStartDate().toString() + " " + a.GetEndDate().toString() + " " + a.GetSale().GetSaleId().toString());
        """, WORLD.rstrip(" ") + """\
      sale:
        - {sale_id: 1, contact_id: 1, amount: 1000, probability: 50, status: Open, saledate: "2026-06-01"}
        - {sale_id: 2, contact_id: 1, amount: 300, status: Lost, saledate: "2026-02-01"}
      SuggestedAppointment:
        - {SuggestedAppointment_id: 1, name: First meeting, task_id: 1, daysFuture: 7, duration: 60}
    """) == "1 1000 500 1\n1 1\n2026-05-11 10:00:00 2026-05-11 11:00:00 1\n"


def test_a_quote_is_made_on_a_sale_with_lines_priced_moved_and_copied_into_a_new_version():
    assert printed("""\
        NSQuoteAgent quotes;
        NSQuoteEntity quote = quotes.CreateAndSaveQuote(1, 1, "Standard");
        NSQuoteVersion version = quotes.GetQuoteVersion(quote.GetActiveQuoteVersionId());
        NSQuoteAlternative alternative = quotes.GetQuoteAlternatives(version.GetQuoteVersionId())[0];
        Integer alt = alternative.GetQuoteAlternativeId();
        NSProduct product = quotes.GetProduct(1, "LIC-10");
        NSQuoteLine first = quotes.CreateQuoteLineFromProduct(alt, product);
        NSQuoteLine second = quotes.CreateQuoteLine(alt, "SUP-1");
        second.SetQuantity(2.0);
        second.SetDiscountPercent(10.0);
        String[] changed;
        changed.pushBack("Quantity");
        second = quotes.SaveQuoteLine(quotes.RecalculateQuoteLine(second, changed));
        quotes.MoveQuoteLine(second.GetQuoteLineId(), false);
        foreach (NSQuoteLine line in quotes.GetQuoteLines(alt))
          printLine(line.GetRank().toString() + " " + line.GetName() + " " + line.GetTotalPrice().toString(0));
        NSQuoteVersion next = quotes.CreateAndSaveQuoteVersion(version.GetQuoteVersionId());
        NSQuoteAlternative copied = quotes.GetQuoteAlternatives(next.GetQuoteVersionId())[0];
        printLine(next.GetNumber() + " " + copied.GetName() + " " + quotes.GetQuoteLines(copied.GetQuoteAlternativeId()).length().toString()
                  + " " + quotes.GetQuoteEntity(quote.GetQuoteId()).GetActiveQuoteVersionId().toString());
        """, WORLD.rstrip(" ") + """\
      PriceList:
        - {pricelist_id: 1, quoteconnectionid: 1, name: Standard, isactive: true}
      Product:
        - {product_id: 1, erpproductkey: LIC-10, pricelistid: 1, name: Ten licences, unitlistprice: 1000}
        - {product_id: 2, erpproductkey: SUP-1, pricelistid: 1, name: Support, unitlistprice: 500}
    """) == "1 Support 900\n2 Ten licences 1000\n2 Standard 2 2\n"


def test_find_contact_summaries_and_accepting_an_invitation():
    assert printed("""\
        NSArchiveRestrictionInfo[] restrictions;
        NSArchiveRestrictionInfo byName;
        byName.SetName("name");
        byName.SetOperator("begins");
        String[] values;
        values.pushBack("Acme");
        byName.SetValues(values);
        restrictions.pushBack(byName);
        String[] columns;
        columns.pushBack("name");
        columns.pushBack("orgnr");
        NSFindAgent finder;
        NSFindResults found = finder.FindFromRestrictionsColumns(restrictions, "contact", columns, 10, 0);
        printLine(found.GetRowCount().toString() + " " + found.GetArchiveRows()[0].GetColumnData().get("orgnr"));
        NSContactSummary summary = NSContactAgent().GetContactSummary(1, 5);
        printLine(summary.GetContact().GetName() + " " + summary.GetSales().length().toString()
                  + " " + summary.GetFollowups()[0].GetDescription());
        NSAppointmentAgent appointments;
        appointments.Accept(1, 0);
        SearchEngine se;
        se.addField("appointment.status");
        se.addCriteria("appointment.appointment_id", "equals", "1");
        se.execute();
        printLine(se.getField(0));
        """, WORLD.rstrip(" ") + """\
      appointment:
        - {appointment_id: 1, contact_id: 1, associate_id: 2, status: Booking, do_by: "2026-05-06 10:00:00"}
    """) == "1 123\nAcme AS 0 \n1\n"


def test_a_documents_contact_and_date_live_on_its_appointment_and_are_saved_there():
    assert printed("""\
        NSDocumentAgent agent;
        NSDocumentEntity d = agent.CreateDefaultDocumentEntity();
        d.SetHeader("Offer");
        d.SetContact(NSContactAgent().GetContact(1));
        d = agent.SaveDocumentEntity(d);
        NSDocumentEntity again = agent.GetDocumentEntity(d.GetDocumentId());
        printLine(again.GetHeader() + " " + again.GetContact().GetName() + " " + again.GetAssociate().GetName()
                  + " " + again.GetDate().toString());
        SearchEngine se;
        se.addFields("appointment", "type,status,contact_id,document_id");
        se.addCriteria("appointment.document_id", "equals", d.GetDocumentId().toString());
        se.execute();
        printLine(se.getField(0) + " " + se.getField(1) + " " + se.getField(2) + " " + se.getField(3));
        """, WORLD) == "Offer Acme AS OLA 2026-05-04 10:00:00\n4 3 1 1\n"


def test_arrays_of_child_rows_are_read_through_their_foreign_keys():
    assert printed("""\
        NSContactAgent agent;
        NSContactEntity c = agent.GetContactEntity(1);
        NSPerson[] persons = c.GetPersons();
        printLine(persons.length().toString() + " " + persons[0].GetFullName() + " " + persons[1].GetFullName());
        c.SetDepartment("Board");
        agent.SaveContactEntity(c);
        printLine(agent.GetContactEntity(1).GetDepartment());
        """, WORLD) == "2 Ola Nordmann Ada Lovelace\nBoard\n"


def test_the_coverage_tool_prints_the_mapping_and_which_called_methods_run(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "netserver_coverage", Path(__file__).resolve().parents[1] / "tools" / "netserver_coverage.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    (tmp_path / "a.crm").write_text("NSContactAgent agent;\nagent.GetContactEntity(1);\nagent.GetDuplicates(\"x\");\n")
    assert tool.main(["--calls", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("carriers a table holds: ")
    assert any(line.startswith("NSContactEntity ") and "contact" in line for line in out)
    assert "agent methods called: 2; run without a canned answer: 1 (50%)" in out
    assert "  runs    1x NSContactAgent.GetContactEntity" in out and "  stops   1x NSContactAgent.GetDuplicates" in out


def test_emails_and_phones_are_read_from_their_tables_first_by_rank():
    assert printed("""\
        NSPersonAgent agent;
        NSPerson p = agent.GetPerson(7);
        printLine(p.GetEmail() + " | " + p.GetMobilePhone());
        NSPersonEntity e = agent.GetPersonEntity(7);
        printLine(e.GetEmails().length().toString() + " " + e.GetEmails()[1].GetValue() + " "
                  + e.GetMobilePhones()[0].GetStrippedValue());
        printLine(NSContactAgent().GetContact(1).GetEmailAddress());
        """, WORLD.rstrip(" ") + """\
      email:
        - {email_id: 1, person_id: 7, contact_id: 1, email_address: ada@acme.example, rank: 2}
        - {email_id: 2, person_id: 7, contact_id: 1, email_address: lovelace@acme.example, rank: 1}
        - {email_id: 3, person_id: 0, contact_id: 1, email_address: post@acme.example, rank: 1}
      phone:
        - {phone_id: 1, owner_id: 7, ptype_idx: PersonMobile, phone: "+47 900 00 007", rank: 1}
    """) == "lovelace@acme.example | +47 900 00 007\n2 ada@acme.example +4790000007\npost@acme.example\n"


def test_a_new_person_is_saved_with_the_emails_and_phones_the_script_set():
    assert printed("""\
        NSPersonAgent agent;
        NSPersonEntity p = agent.CreateDefaultPersonEntity();
        p.SetFirstname("Grace");
        p.SetLastname("Hopper");
        p.SetContact(NSContactAgent().GetContact(1));
        NSEntityElement email;
        email.SetValue("grace@acme.example");
        NSEntityElement[] emails;
        emails.pushBack(email);
        p.SetEmails(emails);
        NSEntityElement mobile;
        mobile.SetValue("+47 955 55 555");
        NSEntityElement[] mobiles;
        mobiles.pushBack(mobile);
        p.SetMobilePhones(mobiles);
        p = agent.SavePersonEntity(p);
        NSPerson saved = agent.GetPerson(p.GetPersonId());
        printLine(saved.GetFullName() + " " + saved.GetContactName() + " " + saved.GetEmail() + " " + saved.GetMobilePhone());
        SearchEngine se;
        se.addField("person.emailAddress");
        se.addCriteria("person.person_id", "equals", p.GetPersonId().toString());
        se.execute();
        printLine(se.getField(0));
        """, WORLD) == "Grace Hopper Acme AS grace@acme.example +47 955 55 555\ngrace@acme.example\n"


def test_extra_fields_are_a_map_of_the_rows_x_fields_read_and_saved():
    assert printed("""\
        NSContactAgent agent;
        NSContactEntity c = agent.GetContactEntity(2);
        Map extra = c.GetExtraFields();
        printLine(extra.get("x_label") + " " + extra.get("x_vip"));
        extra.insert("x_vip", "0");
        agent.SaveContactEntity(c);
        printLine(agent.GetContactEntity(2).GetExtraFields().get("x_vip"));
        """) == "13 1\n0\n"
    with pytest.raises(engine.errors.CRMScriptRuntimeError, match="contact has no extra field 'x_lable' "
                                                                   r"\(did you mean 'x_label'\?\)"):
        run("""\
            NSContactAgent agent;
            NSContactEntity c = agent.GetContactEntity(2);
            Map extra;
            extra.insert("x_lable", "1");
            c.SetExtraFields(extra);
            agent.SaveContactEntity(c);
            """)
