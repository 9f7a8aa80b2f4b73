"""The record classes (engine/crm/records.py, tickets.py, people.py,
templates.py, extras.py) and the alias table: docs/crm-records.md."""

from __future__ import annotations

import json
import textwrap

import pytest
from crm_helpers import fixture, printed, run

import engine
from engine.crm import records as rec
from engine.crm.extras import ExtraTable
from engine.crm.people import COMPANY, CUSTOMER
from engine.crm.schema import reference_schema
from engine.crm.tickets import MESSAGE, TICKET
from engine.crm.user import _column as user_column
from engine.errors import CRMScriptRuntimeError

CRM_TEXT = textwrap.dedent("""\
    now: "2026-05-04T10:00:00"
    user: 2
    schema:
      ticket: {x_severity: Integer}
      y_gadget: {x_name: String, x_owner: FK contact}
    rows:
      contact:
        - {contact_id: 1, name: Acme AS, supportPersonId: 5}
      person:
        - {person_id: 5, contact_id: 1, firstname: Ada, lastname: Lovelace, supportLanguageId: 2}
        - {person_id: 6, contact_id: 1, firstname: Alan, lastname: Turing}
      email:
        - {email_id: 1, person_id: 5, contact_id: 1, email_address: ada@acme.example, rank: 1}
        - {email_id: 2, person_id: 6, contact_id: 1, email_address: alan@acme.example, rank: 1}
      company_domain:
        - {id: 1, company_id: 1, domain_name: acme.example, rank: 1}
      ejuser:
        - {id: 1, username: System, access_level: 5, status: 1}
        - {id: 2, username: KB, firstname: Kim, lastname: Berg, email: kim@us.example, sms: "+47 1", access_level: 3, status: 1}
        - {id: 3, username: LI, firstname: Li, lastname: Wu, email: li@us.example, access_level: 3, status: 1}
      ej_category:
        - {id: 1, name: Support, fullname: Support}
      category_membership:
        - {id: 1, category_id: 1, user_id: 3}
      ticket_status:
        - {id: 1, status: Active, name: Active}
        - {id: 2, status: Closed, name: Closed}
        - {id: 7, status: Active, name: Waiting}
      ticket:
        - {id: 1, title: Broken, owned_by: 2, category: 1, status: Active, ticket_status: 1, cust_id: 5, x_severity: 3}
      ticket_customers:
        - {id: 1, ticket_id: 1, customer_id: 5}
      ej_message:
        - {id: 1, ticket_id: 1, body: Help, customer_id: 6, time_charge: 15}
      attachment:
        - {id: 1, name: log.txt}
      ticket_attachment:
        - {id: 1, attachment_id: 1, message_id: 1}
      reply_template:
        - {id: 1, name: Thanks}
      reply_template_body:
        - {id: 1, reply_template_id: 1, language_id: 0, subject: "Re: [[ticket.title]]", body_plain: "Hi [[ticket.custName]]", body_html: "<p>[[ticket.title]]</p>"}
      extra_tables:
        - {id: 1, table_name: y_gadget, name: Gadgets, flags: 2}
      extra_fields:
        - {id: 1, domain: 4, field_name: x_severity, name: Severity, type: 1, params: "min=1\\nmax=5", order_pos: 1}
        - {id: 2, domain: 0, extra_table: 1, field_name: x_name, name: Name, type: 10, order_pos: 1}
      y_gadget:
        - {id: 1, x_name: Phone, x_owner: 1}
    """)
CRM = fixture(CRM_TEXT)


# ------------------------------------------------------------ the alias table


def test_every_documented_alias_maps_to_a_column_of_the_schema():
    """The whole generated table: each alias names a column of its class's
    table, or a derived value read from an existing table.column, or (the
    docs give no database field) a value the object keeps."""
    data = json.loads(rec.ALIASES_FILE.read_text(encoding="utf-8"))
    assert data["source"]["repository"].endswith("SuperOfficeDocs/crmscript") and len(data["source"]["commit"]) == 40
    schema = reference_schema()
    kinds = {"Ticket": TICKET, "Message": MESSAGE, "Customer": CUSTOMER, "Company": COMPANY}
    checked = 0
    for class_name, entry in data["classes"].items():
        for alias, db_field in entry["aliases"].items():
            checked += 1
            if class_name == "User":
                column = user_column(_Context(schema), alias)  # None: a derived value (ownerCompany)
                assert column is not None and schema.table("ejuser").has_column(column.name) or \
                    (column is None and not db_field), (class_name, alias)
                if db_field:
                    assert column.name.lower() == db_field.lower(), (class_name, alias)
                continue
            kind = kinds[class_name]
            target = rec.resolve(_Context(schema), kind, alias)
            if isinstance(target, rec.Derived):
                if db_field:
                    table, column = target.source.split(".")
                    assert schema.table(table).has_column(column.split(",")[0]), (class_name, alias)
                else:
                    assert target.source.startswith("(kept"), (class_name, alias)
            else:
                assert schema.table(kind.table).has_column(target.name), (class_name, alias)
    assert checked == 62


class _Context:
    """What resolve() reads of a run: the schema."""

    def __init__(self, schema) -> None:
        self.crm = type("Crm", (), {"schema": schema})()


def test_the_documented_aliases_name_the_documented_columns():
    schema = reference_schema()
    context = _Context(schema)
    assert rec.resolve(context, TICKET, "ownedBy").name == "owned_by"
    assert rec.resolve(context, TICKET, "custId").name == "cust_id"
    assert rec.resolve(context, TICKET, "stopEscalation").name == "alert_stop"
    assert rec.resolve(context, MESSAGE, "bodyHtml").name == "html_body"
    assert rec.resolve(context, CUSTOMER, "company").name == "contact_id"
    assert rec.resolve(context, COMPANY, "primContact").name == "supportPersonId"
    assert rec.resolve(context, TICKET, "ticketStatus").name == "ticket_status"  # camelCase of a column
    assert rec.resolve(context, TICKET, "dbiLastModified").name == "dbi_last_modified"


# ------------------------------------------------------------------- Ticket


def test_a_ticket_reads_its_row_by_alias_and_column():
    assert printed("""\
        Ticket t;
        printLine(t.load(1).toString() + " " + t.load(99).toString());
        t.load(1);
        printLine(t.getValue("title") + "|" + t.getValue("ownedBy") + "|" + t.getValue("owned_by") + "|"
                  + t.getValue("status") + "|" + t.getValue("custId") + "|" + t.getValue("x_severity"));
        printLine(t.getValue("customers") + "|" + t.getValue("id"));
        """, CRM) == "true false\nBroken|2|2|1|5|3\n5|1\n"


def test_a_new_ticket_gets_the_products_defaults_and_a_log_row():
    result = run("""\
        Ticket t;
        t.setValue("title", "New one");
        t.setValue("category", "1");
        Integer id = t.save("from a script");
        printLine(id.toString() + " " + t.getValue("createdAt") + " " + t.getValue("ownedBy") + " "
                  + t.getValue("status") + " " + t.getValue("ticketStatus"));
        SearchEngine se;
        se.addFields("ticket_log", "log_code,log_description,log_who");
        se.addCriteria("ticket_log.ticket_id", "equals", id.toString());
        print(se.executeTextTable());
        """, CRM)
    lines = result.output.splitlines()
    assert lines[0] == "2 2026-05-04 10:00:00 2 1 1"
    assert "created" in result.output and "from a script" in result.output and "KB" in result.output


def test_status_and_ticket_status_follow_each_other_and_closing_stamps_the_time():
    assert printed("""\
        Ticket t;
        t.load(1);
        t.setValue("ticketStatus", "7");
        t.save();
        printLine(t.getValue("status") + " " + t.getValue("ticketStatus"));
        t.setValue("status", "2");
        t.save();
        printLine(t.getValue("ticketStatus") + " " + t.getValue("closedAt") + " " + t.getValue("lastChanged"));
        """, CRM) == "1 7\n2 2026-05-04 10:00:00 2026-05-04 10:00:00\n"


def test_secondary_customers_are_saved_to_ticket_customers():
    assert printed("""\
        Ticket t;
        t.load(1);
        Vector v;
        v.parseString("6,5", ",");
        t.addSecondaryCustomers(v);
        t.save();
        Ticket again;
        again.load(1);
        print(again.getValue("customers"));
        """, CRM) == "5,6"


def test_delegate_picks_a_category_member_and_owner_texts():
    assert printed("""\
        Ticket t;
        t.load(1);
        printLine(t.getOwnerEmail() + " " + t.getOwnerSms() + " " + t.buildEmailSubject());
        t.delegate();
        t.save();
        printLine(t.getValue("ownedBy") + " " + t.getMailFrom());
        t.delegate(3);
        print(t.getValue("ownedBy"));
        """, CRM) == '"Kim Berg" <kim@us.example> +47 1 [ID:1] Broken\n3 li@us.example\n3'


def test_involved_only_lists_persons_messaged_who_are_not_customers():
    assert printed("Ticket t; t.load(1); print(t.getInvolvedOnly());", CRM) == "alan@acme.example"


def test_notify_email_goes_to_the_outbox():
    result = run("Ticket t; t.load(1); print(t.notifyEmail(1).toString() + t.notifyEmail(99).toString());", CRM)
    assert result.output == "truefalse"
    [mail] = [sent.as_dict() for sent in result.context.outbox]
    assert mail["kind"] == "mail" and mail["to"] == ['"Kim Berg" <kim@us.example>']
    assert mail["subject"] == "Re: Broken" and mail["body"] == "Hi Ada Lovelace"


def test_an_unknown_field_is_a_runtime_error_with_a_suggestion():
    with pytest.raises(CRMScriptRuntimeError, match=r"Ticket: unknown field 'titel' \(did you mean 'title'\?\)"):
        run('Ticket t; t.load(1); t.getValue("titel");', CRM)
    with pytest.raises(CRMScriptRuntimeError, match=r"Ticket.setValue: status: 'Sleeping' is not a value"):
        run('Ticket t; t.setValue("status", "Sleeping");', CRM)
    with pytest.raises(CRMScriptRuntimeError, match="checkEscalating: 9 is not an action"):
        run("Ticket t; t.load(1); t.checkEscalating(9);", CRM)


def test_writes_stay_in_the_run():
    run('Ticket t; t.load(1); t.setValue("title", "Changed"); t.save();', CRM)
    assert printed('Ticket t; t.load(1); print(t.getValue("title"));', CRM) == "Broken"


# ------------------------------------------------------------------ Message


def test_a_message_saves_reads_aliases_and_lists_attachments():
    result = run("""\
        Message m;
        m.load(1);
        Integer[] ids = m.getAttachments();
        printLine(m.getValue("timeCharge") + " " + ids.length().toString() + " " + ids[0].toString());
        Message n;
        n.setValue("ticketId", "1");
        n.setValue("bodyHtml", "<b>x</b>");
        n.setValue("type", "html");
        printLine(n.save().toString() + " " + n.getValue("type") + " " + n.getValue("html_body") + " "
                  + n.getValue("createdBy"));
        Vector to; to.parseString("a@b.example", ",");
        Vector none;
        printLine(n.send(to, none, none, "Subject").toString() + " " + n.send(none, none, none).toString());
        """, CRM)
    assert result.output == "15 1 1\n2 2 <b>x</b> 2\ntrue false\n"
    [mail] = [sent.as_dict() for sent in result.context.outbox]
    assert mail["to"] == ["a@b.example"] and mail["subject"] == "Subject" and mail["bodyHtml"] == "<b>x</b>"


# --------------------------------------------------------- Customer, Company


def test_customer_aliases_and_derived_values():
    assert printed("""\
        Customer c;
        c.load(5);
        printLine(c.getValue("firstname") + "|" + c.getValue("company") + "|" + c.getValue("email") + "|"
                  + c.getValue("language") + "|" + c.makeSalutation());
        Customer f;
        printLine(f.findFromEmail("alan@acme.example").toString() + " " + f.getValue("id"));
        printLine(c.checkTableRights("select").toString() + " " + c.checkFieldRights("email", "read").toString());
        """, CRM) == "Ada|1|ada@acme.example|2|Dear Ada Lovelace\ntrue 6\ntrue true\n"


def test_customer_login_makes_a_session_key_and_logout_ends_it():
    assert printed("""\
        Customer c;
        c.load(5);
        c.login();
        printLine(c.getValue("loginSessionKey").getLength().toString());
        c.logout();
        print("[" + c.getValue("loginSessionKey") + "]");
        """, CRM) == "32\n[]"


def test_a_new_customer_with_an_email_address():
    assert printed("""\
        Customer c;
        c.setValue("firstname", "Grace");
        c.setValue("company", "1");
        c.setValue("email", "grace@acme.example");
        Integer id = c.save();
        Customer again;
        again.load(id);
        print(id.toString() + " " + again.getValue("email"));
        """, CRM) == "7 grace@acme.example"


def test_company_values_domain_and_to_parser():
    assert printed("""\
        Company c;
        printLine(c.findFromDomain("acme.example").toString() + " " + c.getValue("name") + " "
                  + c.getValue("domain") + " " + c.getValue("primContact"));
        c.setValue("name", "Acme Group");
        c.save();
        Parser p;
        c.toParser(p);
        print(p.getVariable("company.name", 0) + "|" + p.parseString("[[company.domain]]"));
        """, CRM) == "true Acme AS acme.example 5\nAcme Group|acme.example"


# ------------------------------------------------------------------- Parser


def test_parser_variables_rows_and_templates():
    assert printed("""\
        Parser p;
        p.setVariable("name", "Ada");
        p.addVariable("item", "one");
        p.addVariable("item", "two");
        printLine(p.parseString("Hi [[name]], [[ item ]] [[missing]]!"));
        printLine(p.getVariable("item", 1) + " " + p.getVariableCount("item").toString() + " "
                  + p.getVariable("item", 5) + "|");
        p.setVariable("item", "only");
        printLine(p.getVariableCount("item").toString());
        print(p.parseString("[[PARSER_TREE]]"));
        """) == "Hi Ada, one !\ntwo 2 |\n1\nitem\nname"


def test_ticket_to_parser_escapes_html_and_the_raw_variant_does_not():
    assert printed("""\
        Ticket t;
        t.load(1);
        t.setValue("title", "A & B");
        Parser p;
        t.toParser(p);
        Parser raw;
        t.toParserRaw(raw);
        print(p.parseString("[[ticket.title]] [[ticket.custName]] [[ticket.category.fullname]]|")
              + raw.parseString("[[ticket.title]]"));
        """, CRM) == "A &amp; B Ada Lovelace Support|A & B"


def test_reply_template_texts_fall_back_to_the_body_without_a_language():
    assert printed("""\
        ReplyTemplate rt;
        printLine(rt.load(1).toString() + " " + rt.getName() + " " + rt.getSubject(2) + " " + rt.getHtmlBody(7));
        print(rt.load(5).toString() + "[" + rt.getName() + rt.getPlainBody(0) + "]");
        """, CRM) == "true Thanks Re: [[ticket.title]] <p>[[ticket.title]]</p>\nfalse[]"


def test_parser_variable_functions_read_and_write_the_events_parser_values():
    script = engine.compile_script(textwrap.dedent("""\
        printLine(getParserVariable("greeting") + " " + getParserVariable("greeting", 1) + "|"
                  + getParserVariableCount("greeting").toString() + getParserVariableCount("nope").toString());
        printLine(getParserParameter("greeting") + " " + getParserVariableAsCSV("greeting", true));
        setParserVariable("answer", "42");
        Parser p = getParser();
        print(p.getVariable("answer", 0));
        """), "p.crm")
    event = engine.EventData(ParserValues={"greeting": "Hello"})
    result = script.run(event)
    assert result.output == 'Hello |10\nHello "Hello"\n42'
    assert result.event.ParserValues == {"greeting": "Hello", "answer": "42"}


# --------------------------------------------------------------------- User


def test_user_rights_and_to_parser():
    assert printed("""\
        User admin; admin.load(1);
        User kim; kim.load(2);
        User li; li.load(3);
        printLine(admin.isAdministrator().toString() + " " + kim.isAdministrator().toString());
        printLine(kim.hasTicketAccess(1, 2).toString() + " " + li.hasTicketAccess(1, 2).toString() + " "
                  + li.hasTicketAccess(1, 1).toString() + " " + kim.hasTicketAccess(99, 0).toString());
        Parser p;
        kim.toParser(p);
        print(p.parseString("[[user.username]] [[user.firstname]] [[user.email]]"));
        """, CRM) == "true false\ntrue true true false\nKB Kim kim@us.example"


# ----------------------------------------------------- extra tables and fields


def test_extra_tables_and_extra_fields_info():
    assert printed("""\
        ExtraTable g = getExtraTable("y_gadget");
        printLine(g.load(1).toString() + " " + g.getValue("x_name") + " " + g.getValue("x_owner"));
        ExtraTable n = getExtraTable("y_gadget");
        n.setValue("x_name", "Tablet");
        printLine(n.save().toString() + " " + n.getValues().get("x_name"));
        ExtraTableInfo info;
        info.load("y_gadget");
        printLine(info.getId().toString() + " " + info.getName() + " " + info.getFlags().toString());
        ExtraFieldsInfo fields;
        fields.getExtraFields("ticket");
        while (!fields.eof()) {
          printLine(fields.getFieldName() + " " + fields.getName() + " " + fields.getDisplayField() + " "
                    + fields.getParam("max"));
          fields.next();
        }
        fields.getExtraFields("y_gadget");
        print(fields.getTableName() + "." + fields.getFieldName());
        """, CRM) == "true Phone 1\n2 Tablet\n1 Gadgets 2\nx_severity Severity ticket.x_severity 5\ny_gadget.x_name"


def test_extra_table_errors_name_the_fix():
    with pytest.raises(CRMScriptRuntimeError, match=r"no extra table 'y_gadgte' \(did you mean 'y_gadget'\?\)"):
        run('getExtraTable("y_gadgte");', CRM)
    with pytest.raises(CRMScriptRuntimeError, match="has no table: get one with getExtraTable"):
        run("ExtraTable t; t.load(1);", CRM)
    assert ExtraTable().kind is None


# ------------------------------------------------ the demo CRM's doc examples


def test_the_docs_ticket_and_template_examples_run_on_the_demo_crm():
    out = printed("""\
        Ticket t;
        t.load(3);
        Parser p;
        t.toParser(p);
        ReplyTemplate rt;
        rt.load(20);
        print(p.parseString(rt.getHtmlBody(2)));
        """)
    assert out.startswith("<h3>Request 3: Export to Excel fails</h3>") and "Havbris Shipping AS" in out


# ------------------------------------------- attachments, involved, headers


def test_attachment_bytes_come_from_files_next_to_the_fixture(tmp_path):
    (tmp_path / "attachments").mkdir()
    (tmp_path / "attachments" / "note.txt").write_bytes(b"hello\n")
    (tmp_path / "crm.yaml").write_text(textwrap.dedent("""\
        rows:
          attachment:
            - {id: 1, name: note.txt, auth_key: abc}
            - {id: 2, name: missing.txt}
            - {id: 3, name: ../../etc/passwd}
        """), encoding="utf-8")
    crm = engine.crm.load_fixture(tmp_path / "crm.yaml")
    assert printed("""\
        Attachment a;
        a.load(1);
        printLine(a.getValue("name") + " " + a.getBase64() + " " + a.getRaw().getLength().toString());
        a.dump();
        """, crm) == "note.txt aGVsbG8K 6\nhello\n"
    with pytest.raises(CRMScriptRuntimeError, match="Attachment 2: no file .*missing.txt"):
        run("Attachment a; a.load(2); a.getRaw();", crm)
    with pytest.raises(CRMScriptRuntimeError, match="outside the fixture's directory"):
        run("Attachment a; a.load(3); a.getRaw();", crm)


def test_the_demo_messages_attachments_have_content():
    assert printed("""\
        Message m;
        m.load(2);
        Integer[] ids = m.getAttachments();
        Attachment a;
        a.load(ids[1]);
        print(a.getValue("name") + ": " + a.getRaw().getLength().toString() + " = " + a.getValue("att_size"));
        """) == "steps.txt: 43 = 43"


def test_save_involved_headers_and_inline_images():
    result = run("""\
        Message m;
        m.load(1);
        m.saveInvolved("zed@else.example");
        Ticket t;
        t.load(1);
        printLine(t.getInvolvedOnly());
        Message n;
        n.setValue("ticketId", "1");
        n.setValue("body", "Hi");
        n.addHeader("X-Tag", "one");
        n.save();
        n.sendFacebook();
        SearchEngine se;
        se.addFields("message_header", "name,value");
        se.addCriteria("message_header.message_id", "equals", n.getValue("id"));
        print(se.executeTextTable());
        """, CRM)
    assert result.output.splitlines()[0] == "zed@else.example,alan@acme.example"
    assert "X-Tag" in result.output and "one" in result.output
    assert [(sent.kind, sent.sender) for sent in result.context.outbox] == [("facebook", "Message.sendFacebook")]


# ------------------------------------------------------ the smaller classes


def test_category_eab_entry_invoice_entry_and_profile_on_the_demo_crm():
    assert printed("""\
        Category c;
        c.load(3);
        printLine(c.getValue("fullname") + " " + c.getValue("parent_id"));
        EabEntry e;
        e.load(1);
        printLine(e.getValue("email_address"));
        e.delete();
        printLine(e.load(1).toString());
        InvoiceEntry i;
        i.load(1);
        i.setDiscount(25.0);
        i.save();
        printLine(i.getDiscount() + " " + i.getPricePrUnit() + " " + i.getValue("description"));
        Profile p;
        String[] fields = p.getListTicketsFields(1);
        print(fields.length().toString());
        """) == "Support/Billing 1\nsupport@oslotech.example\nfalse\n25 950 Sign-in service reset\n0"


def test_priority_knowledge_and_localized_field():
    assert printed("""\
        Priority pr;
        pr.checkEscalating(1, 4);
        Knowledge k;
        Parser p;
        printLine((k.buildExternalEntryURLWithParser(1, p) == p.getVariable("faq.url", 0)).toString());
        k.rebuildFaqSearch(1, "old title");
        LocalizedField f;
        f.setName("zip");
        f.setValue("0150");
        print(f.getName() + "=" + f.getValue() + "[" + f.getTooltip() + "]");
        """) == "true\nzip=0150[]"
    with pytest.raises(CRMScriptRuntimeError, match="no FAQ entry 9"):
        run('Knowledge k; k.rebuildFaqSearch(9, "x");')


def test_the_docs_fragments_settable_derived_values():
    assert printed("""\
        Customer c;
        c.setValue("name", "Mary Ann Smith");
        c.save();
        printLine(c.getValue("firstname") + "|" + c.getValue("lastname") + "|"
                  + c.checkFieldRights("person", "read").toString());
        Company co;
        co.setValue("name", "New AS");
        co.setValue("domain", "new.example");
        co.save();
        Company found;
        printLine(found.findFromDomain("new.example").toString() + " " + found.getValue("name"));
        Message m;
        m.saveInvolved("post@new.example");
        m.setValue("ticketId", "1");
        m.save();
        Ticket t;
        t.load(1);
        print(t.getInvolvedOnly());
        """, CRM) == "Mary Ann|Smith|true\ntrue New AS\npost@new.example,alan@acme.example"


def test_a_customer_password_reads_back_hashed_and_owner_minus_one_delegates():
    assert printed("""\
        Customer c;
        c.setValue("password", "secret");
        String hashed = c.getValue("password");
        printLine(hashed.getLength().toString() + " " + (hashed != "secret").toString());
        Ticket t;
        t.setValue("title", "Auto");
        t.setValue("category", "1");
        t.setValue("ownedBy", "-1");
        t.save();
        print(t.getValue("ownedBy"));
        """, CRM) == "64 true\n3"


def test_parser_values_pass_along_a_handler_chain_into_the_response(tmp_path):
    from engine.chain import Engine

    for name, text in {"10-a.crm": 'setParserVariable("seen", getParserVariable("incoming") + "!");',
                       "20-b.crm": 'setParserVariable("second", getParserVariable("seen"));'}.items():
        path = tmp_path / "TicketChangedTicketStatus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    chain = Engine(tmp_path, load_entry_points=False)
    out = chain.execute(engine.EventData(Type="TicketChangedTicketStatus", ParserValues={"incoming": "hi"}))
    assert out.ParserValues == {"incoming": "hi", "seen": "hi!", "second": "hi!"}


def test_bad_input_is_a_crmscript_error_naming_the_member():
    cases = {
        'Ticket t; t.setValue("customers", "1,x");': r"Ticket.setValue: customers: 'x' is not an Integer",
        'Ticket t; t.setValue("id", "4");': r"Ticket.setValue: 'id' is the key",
        'Ticket t; t.log("x");': r"Ticket.log: the ticket is not saved yet",
        'Customer c; c.checkTableRights("drop");': r"Customer.checkTableRights: unknown right 'drop'",
        'Customer c; c.setValue("emial", "x");': r"Customer: unknown field 'emial' \(did you mean 'email'\?\)",
        'Company c; c.load(1); c.setValue("phone", "1");': r"Company.setValue: 'phone' cannot be set",
        'ExtraFieldsInfo f; f.getFieldName();': r"ExtraFieldsInfo.getFieldName: no current field",
        'ExtraFieldsInfo f; f.getExtraFields("sale");': r"'sale' has no extra fields",
        'Attachment a; a.saveBase64("%%%");': r"Attachment.saveBase64: the text is not Base64",
        'User u; u.load(2); u.hasTicketAccess(1, 7);': r"User.hasTicketAccess: 7 is not an access level",
        'Parser p; getParserVariable("x", -1);': r"row -1 is negative",
    }
    for source, message in cases.items():
        with pytest.raises(CRMScriptRuntimeError, match=message):
            run(source, CRM)


def test_the_ticket_url_variable_of_the_docs_template():
    assert printed('Ticket t; t.load(1); Parser p; t.toParser(p); print(p.parseString("[[ticket.url]]"));', CRM) \
        == "https://crm.example.invalid/ticket?id=1"


def test_a_case_file_asserts_what_the_record_classes_wrote_and_sent(tmp_path):
    from engine.testing.diff import render
    from engine.testing.model import load_case_file
    from engine.testing.runner import CaseRunner

    handler = tmp_path / "TicketChangedTicketStatus" / "10-accept.crm"
    handler.parent.mkdir()
    handler.write_text(textwrap.dedent("""\
        Ticket t;
        t.load(getEventData().getInputValue("ticketId").toInteger());
        t.setValue("ownedBy", "3");
        t.setValue("status", "Closed");
        t.save("closed by the trigger");
        t.notifyEmail(1);
        """), encoding="utf-8")
    (tmp_path / "crm.yaml").write_text(CRM_TEXT, encoding="utf-8")
    cases = handler.parent / "accept.cases.yaml"
    cases.write_text(textwrap.dedent("""\
        fixture: ../crm.yaml
        cases:
          - name: closes, logs and tells the new owner
            input: {ticketId: "1"}
            expect:
              db:
                ticket: [{id: 1, owned_by: 3, status: Closed, ticket_status: 2, closed_at: "2026-05-04 10:00:00"}]
                ticket_log: {count: 2, rows: [{ticket_id: 1, log_code: 2}, {ticket_id: 1, log_description: closed by the trigger}]}
              outbox: [{kind: mail, sender: Ticket.notifyEmail, to: ['"Li Wu" <li@us.example>'], subject: "Re: Broken"}]
        """), encoding="utf-8")
    [result] = [CaseRunner().run(case) for case in load_case_file(cases)]
    assert (result.status, result.error) == ("passed", None), render(result.mismatches).plain
