"""ServiceScreen elements, the screen functions, MainMenu and the chat
functions (docs/globals.md): what a script changes shows in the response."""

from __future__ import annotations

import json
import textwrap

import pytest
from crm_helpers import fixture

import engine
from engine.errors import CRMScriptRuntimeError
from engine.eventdata import EventData

SCREEN = fixture("""\
    site:
      screen:
        - {name: subject, type: 101, id: 3, value: Printer, config: {label: Subject}}
        - {name: agree, type: 110}
    rows:
      chat_session:
        - {id: 5, topic_id: 1, status: 5, chatbot_isactive: 1}
    """)


def fire(source: str, inputs: dict[str, str] | None = None, crm=SCREEN):
    script = engine.compile_script(textwrap.dedent(source), "screen.crm")
    event = EventData(Type="ServiceScreenEditTicketBeforeSubmit", InputValues=inputs or {})
    result = script.run(event=event, fixture=crm)
    return result


def test_elements_come_from_the_fixture_and_the_input_values():
    result = fire("""\
        HtmlElement subject = getHtmlElement("subject");
        HtmlElement agree = getHtmlElement("agree");
        HtmlElement due = getHtmlElement("due");
        printLine(subject.toString() + " " + subject.getTypeName() + " " + agree.toBool().toString());
        printLine(due.toString() + " " + due.getFieldValue("displayValue") + " " + due.isEmpty().toString());
        printLine(getNumHtmlElements().toString() + " " + getHtmlElementIndex("due").toString() + " "
                  + getHtmlElementName(1) + " " + getScreenElementType(1).toString() + " "
                  + getScreenElementId(0).toString() + " " + getScreenElementConfig(0).get("label"));
        """, {"agree.value": "on", "due.value": "2026-05-04", "due.displayValue": "4 May"})
    assert result.output == ("Printer HtmlText true\n2026-05-04 4 May false\n3 2 agree 110 3 Subject\n")


def test_changes_are_visible_in_the_output_values():
    result = fire("""\
        HtmlElement subject = getHtmlElement("subject");
        subject.setValue("Printer on fire");
        subject.setErrorMessage("Too hot");
        subject.setInfoMessage("Call the fire brigade");
        subject.setDisabled(true);
        subject.setNotEditable(false);
        Map m; m.insert("a", "1");
        subject.setFieldValue("options", m);
        setPageTitle("Edit");
        SetPageRefresh(30);
        setPageFocusFirstControl(true);
        setHidden("step", "2");
        """)
    assert result.event.OutputValues == {
        "subject.value": "Printer on fire", "subject.errorMessage": "Too hot",
        "subject.infoMessage": "Call the fire brigade", "subject.disabled": "true", "subject.notEditable": "false",
        "subject.options.a": "1", "page.title": "Edit", "page.refresh": "30", "page.focusFirstControl": "true",
        "hidden.step": "2"}


def test_a_misspelt_element_on_a_described_screen_is_an_error():
    with pytest.raises(CRMScriptRuntimeError, match="no element 'subjet' \\(did you mean 'subject'\\?\\)"):
        fire('getHtmlElement("subjet");')


def test_on_an_undescribed_screen_every_name_is_an_element():
    result = fire('getHtmlElement("HtmlPage").setErrorMessage("Wrong");', crm=fixture("rows: {}\n"))
    assert result.event.OutputValues == {"HtmlPage.errorMessage": "Wrong"}


def test_elements_added_and_removed():
    result = fire("""\
        Map config; config.insert("label", "Due");
        HtmlElement e = addHtmlElement(9, "due", 106, config, 0);
        addHtmlElement(10, "note", 102, "label = Note\\nrows = 3");
        printLine(getHtmlElementName(0) + " " + getScreenElementConfig(3).get("rows"));
        removeHtmlElement(1);
        addAction("OK", "printLine(1);", true);
        """)
    assert result.output == "due 3\n"
    assert result.event.OutputValues["screen.elements"] == "due,agree,note"
    assert json.loads(result.event.OutputValues["screen.actions"]) == [
        {"button": "OK", "script": "printLine(1);", "doCheck": True}]


def test_set_from_cgi_reads_the_request():
    crm = fixture("""\
        site: {cgi: {agree: "1"}, screen: [{name: agree, type: 110}, {name: subject}]}
        """)
    result = fire("""\
        setFromCgi();
        print(getHtmlElement("agree").toInteger().toString() + getHtmlElement("subject").toString());
        """, {"subject.value": "From input"}, crm)
    assert result.output == "1From input"


def test_main_menu_changes_show_as_json():
    result = fire("""\
        MainMenu menu = getMainMenu();
        menu.addGroup("Tools", "tools.png");
        menu.addGroup("First", "f.png", 0);
        menu.addItem("Equipment", getProgram(1) + "&action=listExtraTable", 1, -1);
        menu.addItem("Home", "/home", 1, 0, "", "home", "_top");
        printLine(menu.getNumGroups().toString() + menu.getNumItems(1).toString() + menu.getGroupId(0)
                  + menu.getGroupIndex("Tools").toString() + menu.getItemId(1, 0)
                  + menu.getItemIndex(1, "Equipment").toString());
        menu.deleteItem(1, 0);
        menu.deleteGroup(0);
        """)
    assert result.output == "22First1home1\n"
    groups = json.loads(result.event.OutputValues["mainMenu"])
    assert [g["label"] for g in groups] == ["Tools"] and [i["label"] for i in groups[0]["items"]] == ["Equipment"]


def test_chat_functions_write_the_chat_tables_and_the_outbox():
    result = fire("""\
        Integer id = addChatMessage(5, "Echo hi", 1, "Bot", 0, "");
        addChatMessage(5, "Later", 1, "Bot", 16, "", DateTime("2026-05-04 10:00:00"));
        setUserIsTyping(5, true);
        resetChat(5);
        setChatStatus(5, 7);
        SearchEngine se; se.addField("chat_message.message"); se.addField("chat_message.when_posted");
        se.addField("chat_message.session_id.status");
        print(id.toString() + "\\n" + se.executeTextTable());
        """)
    assert result.output.startswith("1\n")
    assert "Echo hi" in result.output and "2026-05-04 10:00" in result.output
    assert [(s.sender, s.fields.get("sessionId")) for s in result.context.outbox] == [
        ("addChatMessage", 5), ("addChatMessage", 5), ("setUserIsTyping", 5), ("resetChat", 5),
        ("setChatStatus", 5)]
    assert result.context.outbox[1].as_dict()["specialType"] == 16
    status = result.context.crm.database.execute("SELECT status, chatbot_isactive FROM chat_session").fetchall()
    assert status == [(7, 0)]


def test_a_chains_handlers_share_the_screen_and_a_cases_own_fixture_answers(tmp_path):
    folder = tmp_path / "handlers" / "ServiceScreenNewTicketBeforeSubmit"
    folder.mkdir(parents=True)
    (folder / "10-set.crm").write_text(
        'getHtmlElement("title").setValue(getProgramTicket()); setSessionVariable("seen", "1");', encoding="utf-8")
    (folder / "20-read.crm").write_text(
        'HtmlElement t = getHtmlElement("title");\n'
        'if (getSessionVariable("seen") == "1") t.setInfoMessage("was " + t.toString());', encoding="utf-8")
    case_fixture = fixture("site: {url: 'https://case.example.com/CS'}\n")
    chain = engine.Engine(tmp_path / "handlers").run_chain(
        EventData(Type="ServiceScreenNewTicketBeforeSubmit", InputValues={"title.value": "x"}), fixture=case_fixture)
    url = "https://case.example.com/CS/scripts/ticket.fcgi?_sf=0"
    assert chain.event.OutputValues == {"title.value": url, "title.infoMessage": f"was {url}"}


def test_a_case_file_gives_the_request_headers_and_asserts_the_screen(tmp_path):
    from engine.testing.model import load_case_file
    from engine.testing.runner import CaseRunner

    folder = tmp_path / "ServiceScreenNewTicketLoad"
    folder.mkdir()
    (folder / "10-hello.crm").write_text(
        'getHtmlElement("title").setValue(getHttpHeader("X-Agent") + " " + getCookie("team"));', encoding="utf-8")
    path = folder / "hello.cases.yaml"
    path.write_text(textwrap.dedent("""\
        cases:
          - name: the headers reach the screen
            settings: {headers: {X-Agent: probe, Cookie: "team=blue"}}
            expect:
              OutputValues: {title.value: probe blue}
        """), encoding="utf-8")
    results = [CaseRunner().run(case) for case in load_case_file(path)]
    assert [r.status for r in results] == ["passed"], [r.error or r.mismatches for r in results]
