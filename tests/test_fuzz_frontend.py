"""Property: whatever the source text, the front end (parse, then check when
the checker exists) either accepts it or raises the CRMScriptError family;
never another exception.

Examples per test: a few hundred by default; 10,000 when CI is set, or the
number in CRMSCRIPT_FUZZ_EXAMPLES (e.g. CRMSCRIPT_FUZZ_EXAMPLES=20000).
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import CRMScriptError
from engine.parser import parse_program

try:
    from engine.checker import check_program
except ImportError:  # the checker is optional for the front end
    check_program = None


def _example_count() -> int:
    if os.environ.get("CRMSCRIPT_FUZZ_EXAMPLES"):
        return int(os.environ["CRMSCRIPT_FUZZ_EXAMPLES"])
    return 10_000 if os.environ.get("CI") else 300


settings.register_profile(
    "frontend-fuzz",
    max_examples=_example_count(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
FUZZ = settings.get_profile("frontend-fuzz")

# Valid scripts of our own, covering every construct; mutations start here.
SEEDS = [
    """#setLanguageLevel 3;
#include "lib-shapes";
struct Point {
  Integer x;
  Integer y = 2;
  Integer sum() { return this.x + y; }
  Integer sum(Integer extra) { return sum() + extra; }
};
Point p;
p.x = 40;
printLine(p.sum(2).toString());
""",
    """Integer[3] counts;
String[] names;
Integer[2][2] grid;
names.pushBack('first');
names.pushBack("second\\n");
for (Integer i = 0; i < counts.length(); i++) {
  counts[i] = i * 2 - 1 % 3;
  grid[0][1] += counts[i];
}
foreach (String n in names) {
  if (n.isEmpty() || n == "x") continue;
  else if (n.length() > 3 and !false) break;
  else print(n);
}
""",
    """Float half(Integer n) {
  if (n == 0) throw "zero";
  return n / 2.0;
}
try {
  Float f = half(0);
} catch {
  printLine(error + " at " + errorLocation);
}
Map m = Map("a=1");
m.insert("b", "2");
XMLNode node = XMLNode("root");
Integer k = Integer(5);
Bool done = k >= 5 && k <= 10 or k != 7;
while (!done) { k--; ++k; done = true; }
;
{ DateTime now; Date today = now.toDate(); }
""",
    """EventData ed = getEventData();
String id = ed.getInputValue("SaleEntity.SaleId");
NSSaleAgent agent;
NSSaleEntity sale = agent.GetSaleEntity(id.toInteger());
if (sale.GetAmount() > 1000.5) {
  ed.setBlockExecution(true);
  ed.setMessage("Too big: " + sale.GetAmount().toString());
}
/* block
   comment */ // line comment
""",
]

LIBRARY = ("struct Shape { Integer sides; };\nInteger area(Shape s) { return s.sides; }\n", "lib-shapes.crm")

# Pieces a mutation inserts: real tokens, broken tokens and odd characters.
FRAGMENTS = [
    ";", "{", "}", "(", ")", "[", "]", ",", ".", "=", "==", "+=", "++", "--", "!", "&&", "||",
    "and", "or", "<", ">=", "+", "-", "*", "/", "%", "if", "else", "If", "while", "for",
    "foreach", "in", "return", "break", "continue", "try", "catch", "throw", "struct", "Struct",
    "this", "true", "false", "Integer", "String", "Void", "Map", "Float[]", "NSFoo", "Point",
    "x", "y", "f", "1", "2.5", "1e9", "99999999999999999999", '"s"', "'c'", '"', "'", "\\",
    "/*", "*/", "//", "#include", "#setLanguageLevel", '#include "lib-shapes";', "#", "@",
    "\n", " ", "\t", "\x00", "\u00e9", "\ufeff", "%EJSCRIPT_START%", "<%", "%>", "?", ":",
    # documented names the simulator lacks (issue 12): classes, members, enums and their constants
    "SearchEngine", "addField", "NSContactAgent", "GetContactEntity", "ActivityStatus", "Completed",
    "LocalizedTextType",
]  # fmt: skip

TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|\w+|\s+|.', re.S)


def front_end(source: str) -> None:
    """Parse and check; only the CRMScriptError family may escape."""
    try:
        program = parse_program(source, "fuzz.crm", includes={"lib-shapes": LIBRARY}.get)
        if check_program is not None:
            check_program(program)
    except CRMScriptError as error:
        assert error.line >= 0 and error.column >= 0
        assert isinstance(error.message, str) and error.message


@st.composite
def mutated_scripts(draw) -> str:
    """One of the seeds after a few token and character edits."""
    tokens = TOKEN.findall(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "char-delete", "char-insert"]))
        i = draw(st.integers(0, len(tokens) - 1))
        if action == "delete" and len(tokens) > 1:
            del tokens[i]
        elif action == "insert":
            tokens.insert(i, draw(st.sampled_from(FRAGMENTS)))
        elif action == "duplicate":
            tokens.insert(i, tokens[i])
        elif action == "swap" and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif action == "char-delete" and tokens[i]:
            j = draw(st.integers(0, len(tokens[i]) - 1))
            tokens[i] = tokens[i][:j] + tokens[i][j + 1 :]
        elif action == "char-insert":
            tokens[i] = tokens[i] + draw(st.characters(codec="utf-8"))
    return "".join(tokens)


token_soup = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join)


@FUZZ
@given(mutated_scripts())
def test_mutated_scripts_raise_only_crmscript_errors(source):
    front_end(source)


@FUZZ
@given(token_soup)
def test_token_soup_raises_only_crmscript_errors(source):
    front_end(source)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 5, 50))
@given(st.text(max_size=200))
def test_random_text_raises_only_crmscript_errors(source):
    front_end(source)


def test_the_seeds_are_valid_scripts():
    """Mutations start from scripts the front end accepts."""
    for seed in SEEDS:
        parse_program(seed, "seed.crm", includes={"lib-shapes": LIBRARY}.get)
