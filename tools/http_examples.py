"""Replay the api-reference's HTTP examples (CRMScript.Native.HTTP.yml) from a recording.

    .venv/bin/python tools/http_examples.py [--ref /work/ref/crmscript] [-v]

Every distinct example of the HTTP class's page is compiled and run on
tools/http_examples.yaml: recordings written for the addresses the examples
call (httpbin.org and a JIRA instance; the answers are this project's own).
Many examples are excerpts that stop after `else`, or before a closing
brace: the tool completes them (a `printLine("ok");` after a dangling
`else`, the missing braces), and says so. Prints one line per example (with
-v) and the count of those that ran without error; a run that stops at a
member the simulator lacks, or a check error, counts as not replayed, with
its reason; so does one that made a request no recording answered (the
script runs on, with hasError() true: it must not count). Nothing from the reference is copied into the repository: the
examples are read from the checkout.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from engine.crm import load_fixture  # noqa: E402
from engine.errors import CRMScriptError  # noqa: E402

RECORDINGS = Path(__file__).with_name("http_examples.yaml")


def examples(ref: Path) -> list[tuple[str, str]]:
    """(member, code) of each distinct example of the HTTP page, in page order."""
    page = yaml.safe_load((ref / "docs" / "api-reference" / "CRMScript.Native.HTTP.yml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for item in page["items"]:
        for text in item.get("example") or []:
            match = re.search(r"<code>(.*?)</code>", text or "", re.S)
            if match:
                found.setdefault(html.unescape(match.group(1)), item["name"])
    return [(member, code) for code, member in found.items()]


def completed(code: str) -> tuple[str, list[str]]:
    """The excerpt made runnable, and what was added."""
    added = []
    text = code.rstrip()
    if re.search(r"\belse\s*$", text):
        text += '\n  printLine("ok");'
        added.append("a statement after the dangling else")
    missing = text.count("{") - text.count("}")
    if missing > 0:
        text += "\n}" * missing
        added.append(f"{missing} closing brace(s)")
    return text + "\n", added


def replay(code: str, fixture) -> str:
    """'' when the example ran; else why not."""
    try:
        script = engine.compile_script(code, "example.crm")
        result = script.run(fixture=fixture)
    except CRMScriptError as error:
        return f"{type(error).__name__}: {error}"
    result.context.crm.close()
    calls = [text for level, text in result.context.log if level == "http"]
    if not calls:
        return "made no HTTP request"
    unanswered = [text.split(" -> ")[0] for text in calls if "no recording answers" in text]
    return f"no recording answered {', '.join(unanswered)}" if unanswered else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", type=Path, default=Path("/work/ref/crmscript"))
    parser.add_argument("-v", action="store_true")
    args = parser.parse_args()
    fixture = load_fixture(RECORDINGS)
    found = examples(args.ref)
    replayed = 0
    for member, code in found:
        text, added = completed(code)
        reason = replay(text, fixture)
        replayed += not reason
        if args.v or reason:
            note = f" (completed: {', '.join(added)})" if added else ""
            print(f"  {'ok  ' if not reason else 'FAIL'} {member}{note}{': ' + reason if reason else ''}")
    print(f"HTTP examples of the api-reference: {len(found)} distinct, replayed from a recording {replayed}")
    return 0 if replayed == len(found) else 1


if __name__ == "__main__":
    sys.exit(main())
