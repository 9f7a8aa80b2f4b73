"""Issue 14's global functions (docs/globals.md): the site, CGI and session
functions, lookups, executeSQLQuery, exitWithMessage, the Generic
reflection functions and the small ones."""

from __future__ import annotations

import textwrap

import pytest
from crm_helpers import fixture, printed, run

import engine
from engine.crm.fixture import FixtureError
from engine.errors import CRMScriptNotSimulatedError, CRMScriptRuntimeError
from engine.runtime.context import RunContext, Settings

SITE = fixture("""\
    site:
      url: https://cs.example.org/Cust7/CS/
      external_url: https://public.example.org/Cust7/CS
      method: POST
      content: "a=1&b=2"
      cgi: {contactId: "12", name: Acme, tag: [red, blue]}
      cookies: {theme: dark}
      headers: {User-Agent: probe/1.0, Remote-User: DOMAIN\\kim}
      session: {step: "2"}
      env: {PATH: /not/the/host}
      language: {lang_ok: {en: OK, "no": Greit}, lang_plain: Plain}
      programs: {"date +%Y": "2026\\n"}
    rows:
      ej_category:
        - {id: 1, parent_id: 0, name: Support, fullname: Support, reply_template: 4}
        - {id: 2, parent_id: 1, name: Billing, fullname: Support/Billing}
      ticket_priority:
        - {id: 3, name: High}
      ticket_status:
        - {id: 6, name: Waiting for customer}
      person:
        - {person_id: 8, contact_id: 0, firstname: Ada}
      email:
        - {email_id: 1, person_id: 8, email_address: second@example.com, rank: 2}
        - {email_id: 2, person_id: 8, email_address: first@example.com, rank: 1}
      reply_template_body:
        - {id: 1, reply_template_id: 4, language_id: 1, subject: Thanks, body_plain: Plain text, body_html: <p>Html</p>}
      attachment:
        - {id: 1, name: a.txt, att_size: 10}
        - {id: 2, name: b.txt, att_size: 32}
      document:
        - {document_id: 5, name: Offer}
    files:
      uploads/cv.pdf: {base64: "JVBERi0="}
      documents/5: offer text
    """)


def test_program_urls_come_from_the_site_url():
    assert printed("""\
        printLine(getProgram(1) + "&action=x");
        printLine(getProgramTicket() + " " + getProgramKnowledge());
        printLine(getExternalProgram(1024) + " " + getExternalProgramAjax());
        printLine("[" + getProgram(3) + "] " + getCgiUrl());
        """, SITE) == (
        "https://cs.example.org/Cust7/CS/scripts/ticket.fcgi?_sf=0&action=x\n"
        "https://cs.example.org/Cust7/CS/scripts/ticket.fcgi?_sf=0 "
        "https://cs.example.org/Cust7/CS/scripts/document.fcgi?_sf=0\n"
        "https://public.example.org/Cust7/CS/scripts/rms.fcgi?_sf=0 "
        "https://public.example.org/Cust7/CS/scripts/ajax.fcgi?_sf=0\n"
        "[] https://cs.example.org/Cust7/CS/scripts\n")


def test_without_a_site_the_base_url_is_the_documented_default():
    assert printed('print(getProgramBlogic());', fixture("rows: {}\n")) == \
        "https://crm.example.com/Cust0/CS/scripts/blogic.fcgi?_sf=0"


def test_cgi_variables_cookies_and_headers():
    assert printed("""\
        printLine(getCgiVariable("contactId") + " " + getCgiVariable("name") + " [" + getCgiVariable("none") + "]");
        String[] tags = getCgiVariableArray("tag");
        printLine(tags.length().toString() + " " + tags[1] + " " + getCgiVariables().get("tag"));
        printLine(buildUrl());
        printLine(cgiWasPost().toString() + " " + getCgiContent() + " " + getHttpHeader("user-agent"));
        printLine(getHttpHeader("REQUEST-METHOD") + " " + getNtUser() + " " + getCookie("theme"));
        setCookie("theme", "light", false);
        printLine(getCookie("theme") + " " + getEnvVariable("PATH") + "|" + getEnvVariable("HOME") + "|");
        """, SITE) == ("12 Acme []\n2 blue red\ncontactId=12&name=Acme&tag=red&tag=blue\n"
                       "true a=1&b=2 probe/1.0\nPOST DOMAIN\\kim dark\nlight /not/the/host||\n")


def test_request_headers_reach_the_script_but_not_the_credentials():
    script = engine.compile_script(
        'print(getHttpHeader("X-Trace") + "|" + getCookie("sid") + "|" + getHttpHeader("Authorization"));', "h.crm")
    from engine.api.headers import settings_from_headers

    settings = settings_from_headers({"X-Trace": "abc", "Cookie": "sid=42; a=b", "Authorization": "Basic eDp5"})
    assert script.run(context=RunContext(settings=settings)).output == "abc|42|"


def test_set_cookie_is_shown_in_the_output_values():
    result = run('setCookie("sid", "7", true);', SITE)
    assert result.event.OutputValues == {"cookie.sid": "7"}


def test_session_and_current_values_live_for_the_run():
    assert printed("""\
        printLine(getSessionVariable("step") + setSessionVariable("user", "kim") + getSessionVariable("user"));
        printLine(getSessionVariables().get("step"));
        setCurrent("k", "v");
        setVariable("a", "1");
        printLine(getCurrent("k") + getVariables().get("a") + getPID().toString());
        """, SITE) == "2kimkim\n2\nv14242\n"


def test_language_variables_and_run_program_answer_from_the_fixture():
    assert printed("""\
        printLine(getLanguageVariable("lang_ok") + " " + getLanguageVariable("lang_ok", "no"));
        printLine(getLanguageVariable("lang_plain") + " " + getLanguageVariable("lang_unknown"));
        print(runProgram("date +%Y"));
        """, SITE) == "OK Greit\nPlain lang_unknown\n2026\n"
    with pytest.raises(CRMScriptRuntimeError, match="give the output of 'rm -rf /' in the fixture's site: programs"):
        run('runProgram("rm -rf /");', SITE)


def test_lookups_read_the_database():
    assert printed("""\
        printLine(getCategoryIdFromFullname("support/billing").toString() + " " + getCategoryIdFromFullname("x").toString());
        printLine(getPriorityIdFromName("High").toString() + " " + getStatusIdFromName("Waiting for customer").toString());
        printLine(getCustomerMainEmail(8) + " [" + getCustomerMainEmail(9) + "]");
        printLine(getReplyTemplateSubject(4, -1) + " " + getReplyTemplateBody(4, true, 1) + " " + getReplyTemplateBody(4, false, 7));
        printLine(findReplyTemplateToMerge(2).toString() + " " + convertStatus(3));
        Integer[] ids; ids.pushBack(1); ids.pushBack(2);
        printLine(getAttachmentsSize(ids).toString() + " " + getDocumentId("Offer").toString() + " " + invoiceTypesExists().toString());
        """, SITE) == ("2 -1\n3 6\nfirst@example.com []\nThanks <p>Html</p> Plain text\n4 Postponed\n"
                       "42 5 false\n")


def test_attachments_from_cgi_uploads_and_documents_are_new_rows_of_the_run():
    source = """\
        SearchEngine se; se.addField("attachment.name"); se.addField("attachment.att_size");
        Integer id = copyCRMDocumentToAttachment(5);
        Integer up = saveCgiAttachment("upload");
        se.addCriteria("attachment.id", "OperatorGt", "2");
        print(id.toString() + " " + up.toString() + " " + se.executeTextTable());
        """
    site = SITE.with_rows({}, "s.yaml")
    site.site = dict(site.site, cgi={"upload": "uploads/cv.pdf"})
    output = printed(source, site)
    assert output.startswith("3 4 ") and "Offer" in output and "cv.pdf" in output and "10" in output


def test_execute_sql_query_runs_read_only_sql():
    assert printed("""\
        executeSQLQuery("SELECT name FROM ej_category WHERE id = 1");
        executeSQLQuery("SELECT COUNT(*) FROM sale");
        try { executeSQLQuery("DELETE FROM ej_category"); } catch { printLine(error); }
        try { executeSQLQuery("SELEC nonsense"); } catch { printLine(error); }
        SearchEngine se; se.addField("ej_category.id"); print(se.countRows().toString());
        """, SITE) == ("executeSQLQuery: only read-only SQL runs offline\n"
                       'executeSQLQuery: near "SELEC": syntax error\n2')


def test_exit_with_message_ends_the_run_normally():
    result = run("""\
        printLine("before");
        try { exitWithMessage("No access"); } catch { printLine("caught"); }
        printLine("after");
        """)
    assert result.output == "before\nNo access" and result.event.Message == "No access"


def test_generic_reflection_fills_a_struct_by_member_names():
    assert printed("""\
        struct Building { Integer id; String name; Date acquired; Bool rented; Float value; };
        Building b;
        String[] members = getStructMembers("Building");
        String[] values; values.pushBack("12"); values.pushBack("HQ"); values.pushBack("2024-01-02");
        values.pushBack("true"); values.pushBack("1.5");
        for (Integer i = 0; i < members.length(); i++) {
          Generic g = getGenericValue(b, members[i]);
          setGenericFromString(g, values[i]);
        }
        printLine(b.id.toString() + " " + b.name + " " + b.acquired.toString() + " " + b.rented.toString()
                  + " " + b.value.toString(2));
        Integer age = 42;
        printLine(GenericToInteger(getGenericValue("age")).toString() + " " + convertGenericToString(getGenericValue(b, "name")));
        """) == "12 HQ 2024-01-02 true 1.50\n42 HQ\n"
    with pytest.raises(CRMScriptRuntimeError, match="has no member 'nmae' \\(did you mean 'name'\\?\\)"):
        run('struct P { String name; }; P p; getGenericValue(p, "nmae");')
    assert printed("""\
        Integer counter = 7;
        Integer shared = 1;
        Void show() { shared = shared + 1; Integer local = 3;
          printLine(GenericToInteger(getGenericValue("counter")).toString() + " "
                    + GenericToInteger(getGenericValue("shared")).toString() + " "
                    + GenericToInteger(getGenericValue("local")).toString()); }
        show();
        """) == "7 2 3\n"
    with pytest.raises(CRMScriptRuntimeError, match="there is no variable 'nope'"):
        run('getGenericValue("nope");')


def test_text_helpers():
    assert printed("""\
        printLine(htmlConvToText("<html><head><title>T</title></head><p>Hello <b>world</b> &amp; co</p><ul><li>a</li></ul>"));
        printLine(isValidPhoneNumber("+47 22 33 44 55", false).toString() + isValidPhoneNumber("12a", false).toString()
                  + isValidPhoneNumber("(0)22-334455, 99887766", true).toString() + isValidPhoneNumber("12", false).toString());
        printLine(decodeDBValue("[I:23]") + " " + decodeDBValue("plain"));
        Vector v; v.pushBack("<html><head><title>One</title><style>a{}</style></head><body>A</body></html>");
        v.pushBack("<html><head><title>Two</title></head><body>B</body></html>");
        printLine(combineHtmlStrings(v));
        """) == ("Hello world & co\n- a\ntruefalsetruefalse\n23 plain\n"
                 "<html><head><title>One</title><style>a{}</style></head><body>AB</body></html>\n")


def test_small_functions_record_what_they_did():
    result = run("""\
        forwardMail("Subject: x", "a@example.com", 3);
        debugWait("here"); enableDebug("d1"); flushCaches();
        Byte[] b; b.pushBack(72); b.pushBack(105);
        printBinary(b);
        Byte[] s = simpleTwoWay(simpleTwoWay(b));
        print(s.length().toString() + s[0].toString());
        Bool ok = true;
        for (Integer i = 0; i < 6; i++) ok = checkReply("x@example.com");
        print(ok.toString());
        getGlobalStaticMap().insert("k", "v");
        print(getGlobalStaticMap().get("k"));
        print((getFunctionList().length() > 100).toString());
        """)
    assert result.output == "Hi272falsevtrue"
    assert [s.as_dict() for s in result.context.outbox] == [
        {"kind": "mail", "sender": "forwardMail", "to": "a@example.com", "body": "Subject: x", "ticketId": 3}]
    assert ("debug", "here") in result.context.log


def test_nsstream_overloads_read_the_stream_bytes():
    assert printed('NSStream s; print("[" + encodeBase64(s) + "]");') == "[]"
    assert printed("""\
        NSStream s = decodeBase64AsStream("QUJD");
        printLine(encodeBase64(s, false) + " " + encodeBase64(s) + " " + String(s) + " " + String(s, "utf-8"));
        printBinary(s);
        """) == "QUJD QUJD ABC ABC\nABC"


@pytest.mark.parametrize(("text", "message"), [
    ("site: {urll: x}", "unknown key 'urll' in site (did you mean 'url'?)"),
    ("site: {method: PUT}", "site.method: 'PUT' is not GET or POST"),
    ("files: {a.bin: {base64: '***'}}", "files.a.bin: not valid base64"),
    ("site: {screen: [{nam: x}]}", "unknown key 'nam' in a screen element (did you mean 'name'?)"),
])
def test_bad_site_and_files_sections_are_load_errors(text: str, message: str):
    with pytest.raises(FixtureError, match=message.replace("(", "\\(").replace(")", "\\)").replace("?", "\\?")):
        fixture(textwrap.dedent(text))


def test_get_dbi_control_returns_the_unsimulated_object():
    with pytest.raises(CRMScriptNotSimulatedError, match="'DbiControl.getParameters'"):
        run("DbiControl dc = getDbiControl(); dc.getParameters();")


def test_settings_keep_their_defaults():
    assert Settings().headers == {} and Settings().headers is not Settings().headers


def test_execute_sql_query_stops_at_the_time_limit():
    from engine.errors import CRMScriptLimitError
    from engine.runtime.context import Limits

    script = engine.compile_script(
        'try { executeSQLQuery("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) '
        'SELECT x FROM c"); } catch { printLine("caught"); }', "sql.crm")
    with pytest.raises(CRMScriptLimitError, match="time limit exceeded"):
        script.run(context=RunContext(limits=Limits(seconds=0.2)))


def test_the_library_loads_without_sqlite_and_its_authorizer_codes_are_sqlites():
    import sqlite3
    import subprocess
    import sys

    from engine.crm import services_lookups

    assert services_lookups._READ_ONLY == {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                                           sqlite3.SQLITE_RECURSIVE}
    assert (services_lookups._SQLITE_OK, services_lookups._SQLITE_DENY) == (sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY)
    probe = "import sys, engine.runtime; print('sqlite3' in sys.modules, 'yaml' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False False"  # the library loads neither SQLite nor YAML (cold start: docs/crm.md)


def test_faq_search_fills_the_parser_best_hits_first():
    crm = fixture("""\
        rows:
          kb_category:
            - {id: 1, parent_id: 0, name: Passwords, description: Sign-in and password help}
            - {id: 2, parent_id: 1, name: Two-factor, description: Codes}
            - {id: 3, parent_id: 0, name: Billing, description: Invoices}
          kb_entry:
            - {id: 10, category_id: 2, title: Reset the code, question: Lost my phone, answer: Call us, access_level: 4}
            - {id: 11, category_id: 1, title: Reset my password, question: Forgot the password, answer: Use the link, access_level: 4}
            - {id: 12, category_id: 3, title: Password on invoices, question: Which one, answer: No, access_level: 2}
        """)
    source = """\
        Parser p;
        faqSearch(%s, %s, "reset password", p, 5);
        for (Integer i = 0; i < p.getVariableCount("faq.entryId"); i++)
          printLine(p.getVariable("faq.entryId", i) + " " + p.getVariable("faq.entryScore", i));
        printLine(p.getVariable("faq.categoryName", 0) + " " + p.getVariable("faq.categoryScore", 0));
        """
    assert printed(source % ("-1", "4"), crm) == "11 100.00\n10 50.00\nPasswords 50.00\n"
    assert printed(source % ("-1", "2"), crm) == "11 100.00\n10 50.00\n12 50.00\nPasswords 50.00\n"
    assert printed(source % ("2", "4"), crm) == "10 50.00\n \n"
