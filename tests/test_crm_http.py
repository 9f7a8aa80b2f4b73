"""The HTTP class answered from recordings (engine/crm/http*.py), and Email into the outbox."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

from engine.crm.fixture import FixtureError
from tests.crm_helpers import fixture, printed, run

ORDERS = """\
    http:
      - request: {method: GET, url: "https://erp.example.com/api/orders/42"}
        response: {status: 200, headers: {Content-Type: application/json, X-Trace: abc}, body: {id: 42, state: shipped}}
    """


def test_a_get_is_answered_by_its_recording():
    out = printed("""\
        HTTP h;
        Byte[] b = h.get("https://erp.example.com/api/orders/42");
        printLine(h.getValue("statusCode") + " " + h.hasError().toString());
        printLine(String(b));
        printLine(h.getResponseHeader("x-trace"));
        Map m = h.getResponseHeaders();
        printLine(m.get("content-type"));
        """, ORDERS)
    assert out == '200 false\n{"id": 42, "state": "shipped"}\nabc\napplication/json\n'


def test_an_unrecorded_request_is_an_error_that_shows_the_entry_to_add():
    result = run("""\
        HTTP h;
        h.setValue("q", "x y");
        Byte[] b = h.get("https://erp.example.com/api/orders/43");
        printLine(h.hasError().toString() + " " + h.getValue("statusCode") + " " + b.length().toString());
        print(h.getErrorMessage());
        """, ORDERS)
    first, message = result.output.split("\n", 1)
    assert first == "true 0 0"
    assert message.startswith("no recording answers GET https://erp.example.com/api/orders/43?q=x+y")
    assert "  - request:\n      method: GET\n      url: https://erp.example.com/api/orders/43\n      query: {q: x y}\n" \
        "    response: {status: 200, body: ''}" in message
    assert any(level == "http" and "orders/43" in text for level, text in result.context.log)


def test_several_matching_recordings_answer_in_order_and_the_last_repeats():
    recordings = """\
        http:
          - request: {url: "https://api.example.com/job"}
            response: {body: pending}
          - request: {url: "https://api.example.com/job"}
            response: {body: done}
        """
    out = printed("""\
        HTTP h;
        for (Integer i = 0; i < 3; i++) printLine(String(h.get("https://api.example.com/job")));
        """, recordings)
    assert out == "pending\ndone\ndone\n"


def test_matching_on_query_headers_and_body_exact_or_pattern():
    recordings = """\
        http:
          - request: {method: POST, url: "/^https://hooks\\\\.example\\\\.com/", headers: {content-type: application/json}, body: '/"ticket": ?7/'}
            response: {status: 201, body: created 7}
          - request: {method: POST, url: "https://hooks.example.com/t", body: {ticket: 8}}
            response: {status: 201, body: created 8}
          - request: {method: GET, url: "https://api.example.com/find", query: {name: Acme}}
            response: {body: found}
        """
    out = printed("""\
        HTTP h;
        h.addHeader("Content-Type", "application/json");
        h.setOption("parameters", "X{\\"ticket\\": 7}");
        printLine(String(h.post("https://hooks.example.com/t")));
        HTTP h2;
        h2.setOption("parameters", " {\\"ticket\\":8}");
        printLine(String(h2.post("https://hooks.example.com/t")));
        HTTP h3;
        h3.setValue("name", "Acme");
        h3.setValue("page", "2");
        printLine(String(h3.get("https://api.example.com/find")));
        HTTP h4;
        h4.setValue("name", "Other");
        h4.get("https://api.example.com/find");
        printLine(h4.hasError().toString());
        """, recordings)
    assert out == "created 7\ncreated 8\nfound\ntrue\n"


def test_a_500_answer_is_an_error_with_its_status_and_body():
    recordings = """\
        http:
          - request: {method: POST, url: "https://erp.example.com/orders"}
            response: {status: 500, body: boom}
        """
    out = printed("""\
        HTTP h;
        h.setValue("id", "1");
        Byte[] b = h.post("https://erp.example.com/orders");
        printLine(h.getValue("statusCode") + " " + String(b) + " " + h.getErrorMessage());
        """, recordings)
    assert out == "500 boom The requested URL returned error: 500\n"


def test_a_recorded_transport_error():
    recordings = """\
        http:
          - request: {url: "https://down.example.com/"}
            response: {error: "Could not resolve host: down.example.com"}
        """
    assert printed('HTTP h; h.get("https://down.example.com"); print(h.getErrorMessage());', recordings) == \
        "Could not resolve host: down.example.com"


def test_a_body_file_beside_the_fixture(tmp_path: Path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "order.json").write_text('{"id": 1}', encoding="utf-8")
    (tmp_path / "crm.yaml").write_text(textwrap.dedent("""\
        http:
          - request: {url: "https://erp.example.com/o/1"}
            response: {file: answers/order.json}
        """), encoding="utf-8")
    from engine.crm import load_fixture

    loaded = load_fixture(tmp_path / "crm.yaml")
    assert printed('HTTP h; print(String(h.get("https://erp.example.com/o/1")));', loaded) == '{"id": 1}'


def test_follow_location_and_streams():
    recordings = """\
        http:
          - request: {url: "https://a.example.com/old"}
            response: {status: 301, headers: {Location: /new}}
          - request: {url: "https://a.example.com/new"}
            response: {body: moved here}
        """
    out = printed("""\
        HTTP h;
        h.get("https://a.example.com/old");
        printLine(h.getValue("statusCode"));
        HTTP f;
        f.setOption("followLocation", "true");
        NSStream s = f.getAsStream("https://a.example.com/old");
        printLine(f.getValue("statusCode") + " " + String(s.GetStream()));
        """, recordings)
    assert out == "301\n200 moved here\n"


def test_options_username_password_and_debug():
    recordings = """\
        http:
          - request: {method: DELETE, url: "https://api.example.com/x", headers: {Authorization: "Basic dTpw"}}
            response: {status: 204}
        """
    out = printed("""\
        HTTP h;
        h.setDebugMode(true);
        h.setOption("username", "u");
        h.setOption("password", "p");
        h.setOption("timout", "5");
        h.delete("https://api.example.com/x");
        printLine(h.getValue("statusCode"));
        print(h.getDebug());
        """, recordings)
    lines = out.splitlines()
    assert lines[0] == "204"
    assert "setOption: 'timout' is not an option (did you mean 'timeout'?); ignored" in lines[1]
    assert lines[2].startswith("DELETE https://api.example.com/x -> 204 (crm.yaml:2)")


def test_binary_attachment_and_document_bodies():
    recordings = """\
        rows:
          attachment: [{id: 5, name: logo.png, content_type: image/png, att_size: 10}]
          document: [{document_id: 3, name: offer.pdf}]
        http:
          - request: {method: POST, url: "https://up.example.com/", headers: {Content-Type: image/png}}
            response: {body: png}
          - request: {method: POST, url: "https://up.example.com/", headers: {Content-Type: application/pdf}}
            response: {body: pdf}
          - request: {method: PATCH, url: "https://up.example.com/", body: AB}
            response: {body: bytes}
        """
    out = printed("""\
        HTTP a;
        printLine(a.addAttachmentData(5).toString() + " " + String(a.post("https://up.example.com/")));
        HTTP d;
        printLine(d.addDocumentData(3).toString() + " " + String(d.post("https://up.example.com/")));
        HTTP n;
        printLine(n.addDocumentData(99).toString());
        HTTP b;
        b.addBinaryData("AB".toByteArray());
        printLine(String(b.patch("https://up.example.com/")));
        """, recordings)
    assert out == "true png\ntrue pdf\nfalse\nbytes\n"


def test_no_socket_is_ever_opened(monkeypatch: pytest.MonkeyPatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was created")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    out = printed("""\
        HTTP h;
        printLine(String(h.get("https://erp.example.com/api/orders/42")));
        h.post("https://elsewhere.example.com/");
        printLine(h.hasError().toString());
        """, ORDERS)
    assert out == '{"id": 42, "state": "shipped"}\ntrue\n'


@pytest.mark.parametrize("entry, where, message", [
    ('- request: {method: GET}\n    response: {status: 200}', "2:14", "an http request needs a url"),
    ('- request: {url: "https://x"}\n    response: {status: 700}', "3:24", "status '700' is not an HTTP status (100-599)"),
    ('- request: {url: "https://x"}\n    response: {status: 99}', "3:24", "is not an HTTP status"),
    ('- request: {url: "https://x"}\n    response: {file: nowhere.json}', "3:22", "response file 'nowhere.json' does not exist"),
    ('- request: {url: "https://x", methd: GET}', "2:33", "unknown key 'methd' in an http request (did you mean 'method'?)"),
    ('- request: {url: "https://x", method: FETCH}', "2:41", "method 'FETCH' is not one of GET"),
    ('- request: {url: "/[a/"}', "2:20", "bad regular expression"),
    ('- response: {status: 200}', "2:5", "an http entry needs a request"),
])
def test_a_malformed_recording_is_a_fixture_error_at_its_place(entry: str, where: str, message: str):
    with pytest.raises(FixtureError) as caught:
        fixture("http:\n  " + entry + "\n")
    error = caught.value
    assert f"{error.line}:{error.column}" == where and message in error.message


def test_a_malformed_recording_exits_2_on_the_command_line(tmp_path: Path):
    from typer.testing import CliRunner

    from engine.cli import app

    (tmp_path / "crm.yaml").write_text("http:\n  - request: {url: x}\n    response: {status: 600}\n", encoding="utf-8")
    (tmp_path / "a.crm").write_text('print("x");\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "a.crm"), "--fixture", str(tmp_path / "crm.yaml")])
    assert result.exit_code == 2
    assert "crm.yaml:3:24: error: status '600' is not an HTTP status (100-599)" in result.output


# ---------------------------------------------------------------------- Email


def test_email_send_goes_to_the_outbox():
    result = run("""\
        Email e;
        e.setValue("from", "crm@example.com");
        e.setValue("to", "ada@example.com");
        e.setValue("to", "ola@example.com");
        e.setValue("cc", "boss@example.com");
        e.setValue("subject", "Order shipped");
        e.setValue("body", "It is on its way.");
        e.setValue("bodyHtml", "<p>It is on its way.</p>");
        e.setValue("X-Order", "42");
        printLine(e.addAttachment(7, true));
        e.send();
        Email s;
        s.setValue("sms", "+4712345678");
        s.setValue("body", "shipped");
        s.send();
        """)
    assert result.output == "attachment1.7\n"
    assert [text for level, text in result.context.log if level == "outbox"] == [
        "mail to ada@example.com, ola@example.com, boss@example.com: Order shipped", "sms to +4712345678"]
    assert [sent.as_dict() for sent in result.context.outbox] == [
        {"kind": "mail", "sender": "Email.send", "from": "crm@example.com",
         "to": ["ada@example.com", "ola@example.com"], "cc": ["boss@example.com"], "subject": "Order shipped",
         "body": "It is on its way.", "bodyHtml": "<p>It is on its way.</p>", "headers": {"X-Order": "42"},
         "attachments": [{"id": 7, "inline": True, "contentId": "attachment1.7"}]},
        {"kind": "sms", "sender": "Email.send", "to": ["+4712345678"], "body": "shipped"},
    ]


def test_the_webhook_example_passes_without_a_socket(monkeypatch: pytest.MonkeyPatch):
    """handlers/SalesAfterSaveContact: a success, a 500 answer and an unrecorded call."""
    from engine.testing.model import load_case_file
    from engine.testing.runner import CaseRunner

    def refuse(*args, **kwargs):
        raise AssertionError("a socket was created")

    monkeypatch.setattr(socket, "socket", refuse)
    cases = Path(__file__).resolve().parents[1] / "handlers" / "SalesAfterSaveContact" / "erp-webhook.cases.yaml"
    results = CaseRunner().run_all(load_case_file(cases))
    assert [(r.case.name, r.status) for r in results] == [
        ("the ERP answers with a customer number", "passed"),
        ("a 500 from the ERP is reported and mailed", "passed"),
        ("an unrecorded call fails like an unreachable ERP, and says which entry would answer it", "passed"),
    ]


REFERENCE = Path("/work/ref/crmscript")


@pytest.mark.skipif(not (REFERENCE / "docs" / "api-reference" / "CRMScript.Native.HTTP.yml").is_file(),
                    reason="the public reference checkout is not here")
def test_the_reference_examples_replay_from_a_recording():
    """tools/http_examples.py: every example but setOption's (a string literal over
    several lines with unescaped quotes: not CRMScript) is answered by a recording."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import http_examples

    fixture = http_examples.load_fixture(http_examples.RECORDINGS)
    outcomes = {member: http_examples.replay(http_examples.completed(code)[0], fixture)
                for member, code in http_examples.examples(REFERENCE)}
    failed = {member: reason for member, reason in outcomes.items() if reason}
    assert list(failed) == ["setOption(String,Bool)"] and "CRMScriptSyntaxError" in failed["setOption(String,Bool)"]
    assert len(outcomes) == 19
