"""Run the public docs' runnable examples that need only what the simulator
has: the tier-1 library and the simulated CRM (SearchEngine, User, StringMatrix).

    .venv/bin/python tools/docs_run.py [--corpus /work/corpus] [-v]

For every runnable markdown block (out/markdown/*.run.crm, the docs'
```crmscript! blocks) and every SuperOffice/CRMScripts library example
(out/library/Library/Examples/lib-example-*.crm, includes from
out/library/Library):

1. compile it; a check error about an unknown class, type, function or
   method means the example needs more than tier 1 (tiers 2-3: the
   database, HTTP, NetServer, ...) and it is counted as such; so does any
   other syntax or check error in a script that names a documented class
   the simulator lacks (it could not run here even without the error);
2. run it (with a modest step limit); a run that stops at a documented
   member the simulator does not simulate (CRMScriptNotSimulatedError: the
   checker accepts every documented member) needs more than tier 1 too;
3. where the docs state the output, compare: the stated output is taken
   from the markdown right after the block (a plain fenced block, or the
   `code`/**bold** snippets of a sentence that talks about printing or
   output, *emphasis* right after "print"/"will be"/"return", a number or
   "quoted" text after "will print" or before "in this case"; the part of a
   sentence after "because" is left out) and from `// prints ...` comments
   in the block itself. Outputs the docs state only in prose ("the numbers
   1 through 9") are checked by hand: docs/corpus.md. A stated output with
   "..." in it is an excerpt ("JSON looking something like this: [{...},..."):
   "..." stands for anything, and white space is not compared (the docs add
   line breaks "for presentation"). An html or json block right after the
   example (the SearchEngine pages' results) is a stated output too.

The database examples run on the embedded demo CRM (docs/crm.md), or on
tools/docs_fixtures/<page>.yaml when a page's examples need the data the
page shows (the stated output of a query is the rows of that page's
database): a fixture written from the page, as the issue allows.

Prints the counts (runnable, tier-1 only, ran without error, output stated,
output matched) and one line per failure with its reason. Nothing from the
corpus is copied into the repository: this tool only reads it.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from engine.errors import (  # noqa: E402
    CRMScriptDiagnostics,
    CRMScriptError,
    CRMScriptNotSimulatedError,
    CRMScriptSyntaxError,
)
from engine.includes import IncludePath  # noqa: E402
from engine.parser import is_known_type_name  # noqa: E402
from engine.runtime.context import Limits, RunContext  # noqa: E402
from engine.runtime.table import LIBRARY  # noqa: E402

FENCE = re.compile(r"^```crmscript(!?)[^\n]*\n(.*?)^```[^\n]*\n?", re.S | re.M)
NEXT_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
UNKNOWN = re.compile(r"unknown (class|type|function|method|variable)|has no (member|method)|no method")
OUTPUT_SENTENCE = re.compile(r"\b(print|prints|printed|output|outputs|result|returns|will return|shows|display)", re.I)
SNIPPET = re.compile(r"`([^`\n]+)`|\*\*([^*\n]+)\*\*")
# "This example will print 7, ..." / "prints "abc"": a bare number or quoted text after the verb
PLAIN_STATEMENT = re.compile(r"(?:will print|prints|will output|outputs|output will be|will return)\s+"
                             r"(-?\d+(?:\.\d+)?(?![\w-])|\"[^\"\n]+\")")
# "This will print *Office*", "the output will be *true*", "will return **false**":
# emphasis right after the verb is the output, whatever it looks like
EMPHASISED_STATEMENT = re.compile(r"\b(?:print|prints|output|outputs|output will be|will be|return|returns)\s+"
                                  r"\*{1,2}([^*\n]+?)\*{1,2}(?!\w)")
# "the sum of the numbers, 200 in this case", "the concatenated string, "100100" here"
IN_THIS_CASE = re.compile(r"(-?\d+(?:\.\d+)?|\"[^\"\n]+\")\s+(?:in this case|here)\b")
# the explanation after "because" talks about the code, not the output
BECAUSE = re.compile(r"\s(?:because|since)\s.*", re.S)
PRINTS_COMMENT = re.compile(r"//\s*(?:prints|output:?|outputs|result:?)\s+(.+)$", re.I | re.M)

LIMITS = Limits(steps=2_000_000, recursion=200, string_length=4_000_000, collection_size=200_000)


@dataclass
class Outcome:
    name: str
    tier1: bool = False
    ran: bool = False
    stated: list[str] | None = None  # expected snippets, or [whole output]
    whole: bool = False  # stated is the complete output
    matched: bool = False
    reason: str = ""
    output: str = ""


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)

    def line(self, label: str) -> str:
        o = self.outcomes
        tier1 = [x for x in o if x.tier1]
        ran = [x for x in tier1 if x.ran]
        stated = [x for x in ran if x.stated]
        matched = [x for x in stated if x.matched]
        return (f"{label}: runnable {len(o)}, tier-1 only {len(tier1)}, ran without error {len(ran)}, "
                f"output stated {len(stated)}, output matched {len(matched)}")


# ------------------------------------------------------------ expectations


def markdown_block(corpus: Path, run_file: Path) -> tuple[str | None, str | None]:
    """(text after the block, the block) of the markdown block a .run.crm came from."""
    stem, number = run_file.name[: -len(".run.crm")].rsplit(".", 1)
    md = corpus / "docs" / "docs" / (stem.replace("__", "/") + ".md")
    if not md.is_file():
        return None, None
    text = md.read_text(encoding="utf-8")
    matches = list(FENCE.finditer(text))
    index = int(number) - 1
    if index >= len(matches):
        return None, None
    end = matches[index].end()
    after = text[end:]
    # up to the next heading or crmscript block
    stop = len(after)
    for pattern in (r"^#{1,6} ", r"^```crmscript"):
        m = re.search(pattern, after, re.M)
        if m:
            stop = min(stop, m.start())
    return after[:stop], matches[index].group(2)


def stated_output(after: str | None, code: str) -> tuple[list[str] | None, bool]:
    """What the docs say the block prints: ([whole output], True), ([snippets], False) or (None, False)."""
    comments = [c.strip().strip('"') for c in PRINTS_COMMENT.findall(code)]
    if after:
        fence = NEXT_FENCE.search(after)
        if fence and fence.group(1) in ("", "text", "txt", "console", "output", "plaintext", "html", "json"):
            before_fence = after[: fence.start()]
            if len(before_fence.strip()) < 400:  # the output block belongs to this example
                return [fence.group(2)], True
        snippets: list[str] = []
        identifiers = set(re.findall(r"\w+", code))
        for sentence in re.split(r"(?<=[.!?])\s+|\n\n", after):
            sentence = BECAUSE.sub("", sentence)
            keyword = OUTPUT_SENTENCE.search(sentence)
            if not keyword:
                continue
            snippets.extend(m.strip('"') for m in PLAIN_STATEMENT.findall(sentence))
            snippets.extend(m.strip().rstrip(":") for m in EMPHASISED_STATEMENT.findall(sentence))
            snippets.extend(m.strip('"') for m in IN_THIS_CASE.findall(sentence))
            for code_part, bold in SNIPPET.findall(sentence[keyword.end():]):
                snippet = (code_part or bold).strip().rstrip(":")
                if bold and not snippet.endswith(":") and snippet not in ("true", "false") \
                        and (" " in snippet or snippet.isalpha() and snippet.islower()):
                    continue  # emphasis in prose, not output
                if not snippet or _looks_like_code(snippet) or snippet in identifiers and not snippet.isdigit() \
                        and snippet not in ("true", "false"):
                    continue  # a variable or method the sentence talks about
                snippets.append(snippet)
        if snippets:
            return list(dict.fromkeys(snippets + comments)), False  # each once
    if comments:
        return comments, False
    return None, False


def _looks_like_code(snippet: str) -> bool:
    """Method names, calls and keywords in a sentence are not output."""
    return bool(re.search(r"\(\)|\w\(|^(if|while|for|break|continue|true|false|null|catch|try)$|^\w+\.\w+", snippet)) \
        and snippet not in ("true", "false")


def _normal(text: str) -> str:
    return " ".join(text.split())


def _excerpt_matches(stated: str, output: str) -> bool:
    """A stated output with "..." in it: its parts in order, white space ignored."""
    squeeze = re.compile(r"\s+")
    parts = [squeeze.sub("", part) for part in stated.split("...")]
    pattern = ".*?".join(re.escape(part) for part in parts)
    return re.fullmatch(pattern, squeeze.sub("", output), re.S) is not None


def compare(outcome: Outcome) -> None:
    if not outcome.stated:
        return
    if outcome.whole:
        stated = outcome.stated[0]
        if "..." in stated:
            outcome.matched = _excerpt_matches(stated, outcome.output)
        else:
            outcome.matched = _normal(outcome.output) == _normal(stated)
        if not outcome.matched:
            outcome.reason = f"printed {outcome.output[:60]!r}, the docs show {outcome.stated[0][:60]!r}"
        return
    missing = [s for s in outcome.stated if _normal(s) not in _normal(outcome.output)]
    outcome.matched = not missing
    if missing:
        outcome.reason = f"printed {outcome.output[:60]!r}, the docs mention {missing[0][:60]!r}"


# ----------------------------------------------------------------- running


FIXTURES = Path(__file__).resolve().parent / "docs_fixtures"


def page_fixture(name: str):
    """The fixture written from the example's page, if there is one, else the demo CRM."""
    from engine.crm import demo_fixture, load_fixture

    page = name.split(".", 1)[0]
    path = FIXTURES / f"{page}.yaml"
    return load_fixture(path) if path.is_file() else demo_fixture()


def run_one(name: str, source: str, includes=None) -> Outcome:
    outcome = Outcome(name)
    try:
        script = engine.compile_script(source, name, includes=includes)
    except CRMScriptError as error:
        errors = error.errors if isinstance(error, CRMScriptDiagnostics) else [error]
        if any(UNKNOWN.search(e.message) for e in errors):
            outcome.reason = "needs more than tier 1: " + next(e.message for e in errors if UNKNOWN.search(e.message))
            return outcome
        missing = _classes_not_simulated(source)
        if missing:  # it would not run here anyway: its classes tell
            verb = "parse" if isinstance(error, CRMScriptSyntaxError) else "compile"
            outcome.reason = f"needs more than tier 1 ({missing[0]}) and does not {verb}: {errors[0]}"
            return outcome
        outcome.tier1 = True
        outcome.reason = f"does not compile: {errors[0]}"
        return outcome
    outcome.tier1 = True
    context = RunContext(limits=LIMITS)
    context.fixture = page_fixture(name)
    try:
        script.run(context=context)
        outcome.ran = True
    except CRMScriptNotSimulatedError as error:  # a documented member beyond what is simulated
        outcome.tier1 = False
        outcome.reason = f"needs more than tier 1: {error.message}"
    except CRMScriptError as error:
        outcome.reason = f"{type(error).__name__}: {error}"
    except Exception as bug:  # must never happen: the run boundary converts everything
        outcome.reason = f"PYTHON EXCEPTION {type(bug).__name__}: {bug}"
    outcome.output = context.printed()
    return outcome


def _classes_not_simulated(source: str) -> list[str]:
    """Documented class names in a script that the tier-1 library lacks."""
    words = dict.fromkeys(re.findall(r"\b[A-Z]\w*", source))
    return [w for w in words if is_known_type_name(w) and w not in LIBRARY.classes]


def run_markdown(corpus: Path) -> Tally:
    tally = Tally()
    for path in sorted((corpus / "out" / "markdown").glob("*.run.crm")):
        source = path.read_text(encoding="utf-8")
        outcome = run_one(path.name, source)
        if outcome.ran:
            after, code = markdown_block(corpus, path)
            outcome.stated, outcome.whole = stated_output(after, code or source)
            compare(outcome)
        tally.outcomes.append(outcome)
    return tally


def run_library(corpus: Path) -> Tally:
    tally = Tally()
    library = corpus / "out" / "library" / "Library"
    resolver = IncludePath([library, library / "Examples"])
    for path in sorted((library / "Examples").glob("lib-example-*.crm")):
        outcome = run_one(path.name, path.read_text(encoding="utf-8"), includes=resolver)
        outcome.stated, outcome.whole = stated_output(None, path.read_text(encoding="utf-8"))
        if outcome.ran:
            compare(outcome)
        tally.outcomes.append(outcome)
    return tally


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the docs' tier-1 runnable examples.")
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus"))
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the tier-2/3 examples")
    args = parser.parse_args(argv)
    markdown = run_markdown(args.corpus)
    library = run_library(args.corpus)
    for label, tally in (("markdown", markdown), ("library examples", library)):
        print(tally.line(label))
        for o in tally.outcomes:
            failed = (o.tier1 and not o.ran) or (o.ran and o.stated and not o.matched)
            if failed or (args.verbose and o.reason):
                print(f"  {o.name}: {o.reason}")
    python_errors = [o for t in (markdown, library) for o in t.outcomes if o.reason.startswith("PYTHON")]
    return 1 if python_errors else 0


if __name__ == "__main__":
    sys.exit(main())
