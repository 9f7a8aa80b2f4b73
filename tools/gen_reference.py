"""Generate the signature table of the public CRMScript reference.

Reads the DocFX YAML pages of the public reference (SuperOfficeDocs/crmscript,
docs/api-reference/*.yml, MIT) and writes the facts of every documented
class, global function, method, constructor, overload, enum constant and
trigger (names, parameter and return types, values, the page and anchor of
each in the public reference) to engine/data/reference.json.gz. The pages'
prose and examples stay in the reference.

    python tools/gen_reference.py [SOURCE] [--docs FILE] [--check] [--repairs]

SOURCE is a checkout of the repository (default /work/ref/crmscript) or its
git directory (a bare mirror such as /work/.mirror/SuperOfficeDocs+crmscript/repo).
It also writes engine/data/type_names.txt (the type names of the parser) and
the list of repairs in docs/reference.md (--docs: another copy of that page).
--check regenerates in memory and exits 1 when the committed files differ.
--repairs prints every defect of the pages that the generator repaired.

The reference has defects of its own (a missing return type, `String'`,
`Vodi`, a uid that lists fewer parameters than the declaration, a stray
control character, ...). The generator reads three descriptions of each
member (its uid, its parameter table and its declaration text, plus the
intellisense name) and keeps what they agree on; each disagreement it
resolves is recorded as a repair (uid, what, found, used) in the data file,
printed by --repairs and listed in docs/reference.md. A disagreement no rule
resolves stops the generator until a decision is added to RETURN_DECISIONS below.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from engine.reference import FORMAT  # noqa: E402

DEFAULT_SOURCES = (Path("/work/ref/crmscript"), Path("/work/.mirror/SuperOfficeDocs+crmscript/repo"))
DATA_FILE = REPO_ROOT / "engine" / "data" / "reference.json.gz"
TYPE_NAMES_FILE = REPO_ROOT / "engine" / "data" / "type_names.txt"
FUNCTION_NAMES_FILE = REPO_ROOT / "engine" / "data" / "function_names.txt"
DOCS_FILE = REPO_ROOT / "docs" / "reference.md"

SOURCE_REPOSITORY = "SuperOfficeDocs/crmscript"
PAGES_PATH = "docs/api-reference"
# The published pages (the repository moved to SuperOfficeDocs/superoffice-docs,
# where the same YAML files are built to these addresses; the triggers page
# moved to automation/trigger/).
SITE = "https://docs.superoffice.com/en/automation/crmscript/reference/"
TRIGGER_SITE = "https://docs.superoffice.com/en/automation/trigger/reference/"

# Pages whose members are global functions (called without a receiver): the
# global function page, and the Generic page (getTypeName(x), GenericToInteger(g), ...).
FUNCTION_PAGES = frozenset({"CRMScript.Global.Void", "CRMScript.Native.Generic"})

# Return types the parameter table and the declaration disagree on and no
# general rule settles: uid -> (the type used, why).
RETURN_DECISIONS: dict[str, tuple[str, str]] = {
    "CRMScript.Global.DateTime.setTime(Time)": (
        "Void", "the declaration; setTime changes the DateTime in place (as the simulated library does)"),
    "CRMScript.Native.File.readBinary()": ("Byte[]", "the parameter table; a binary read yields the bytes"),
    "CRMScript.Native.TimeSpan.getSec()": ("Integer", "the declaration; every other TimeSpan getter returns Integer"),
    "CRMScript.NetServer.NSTicketMessageHeader.SetName(String)": (
        "Void", "the parameter table; every other NetServer setter returns Void"),
    "CRMScript.NetServer.NSTicketMessageHeader.SetValue(String)": (
        "Void", "the parameter table; every other NetServer setter returns Void"),
}

# Members whose page contradicts its own parameter list in a way the three
# descriptions do not show (its example, sister members and the public library
# agree with each other, not with the table): uid -> (the other parameter list
# accepted as an overload, why).
PARAMETER_DECISIONS: dict[str, tuple[list[tuple[str, str]], str]] = {
    "CRMScript.NetServer.NSContactEntity.SetAddress(NSLocalizedField[][])": (
        [("NSAddress", "address")],
        "the page's own example passes an NSAddress (GetAddress returns one), as NSPersonEntity.SetAddress "
        "and the public library's lib-address do"),
}

# Members a page types consistently but wrongly: the page took a description
# (of the address as LocalizedField arrays) or an enum-like Integer where the
# NetServer carrier the CRMScript class wraps has another type, and the docs'
# own guides (and the page's own example) use NetServer's type. Evidence:
# SuperOfficeDocs/superoffice-docs, the WebApi reference of IContactAgent,
# IPersonAgent (GetAddressAsync, GetAddressByCountryAsync: Task<Address>) and
# of RecurrenceInfo (DayPattern: RecurrenceDayPattern, ...). uid -> (the return
# type, or the parameter list, used instead of the page's; why).
_ADDRESS_WHY = ("NetServer's ContactAgent/PersonAgent return the Address carrier; the page's own example, "
                "NSContact.GetAddress and the public library's lib-address use an NSAddress")
_PATTERN_WHY = ("NetServer's RecurrenceInfo holds the {0} carrier (documented on its own page, which no other "
                "member gives or takes); the docs' follow-ups/recurrence guide uses it so")
NETSERVER_RETURNS: dict[str, tuple[str, str]] = {
    "CRMScript.NetServer.NSContactAgent.GetAddress(Integer)": ("NSAddress", _ADDRESS_WHY),
    "CRMScript.NetServer.NSContactAgent.GetAddressByCountry(Integer,Integer)": ("NSAddress", _ADDRESS_WHY),
    "CRMScript.NetServer.NSPersonAgent.GetAddress(Integer)": ("NSAddress", _ADDRESS_WHY),
    "CRMScript.NetServer.NSPersonAgent.GetAddressByCountry(Integer,Integer)": ("NSAddress", _ADDRESS_WHY),
    **{f"CRMScript.NetServer.NSRecurrenceInfo.Get{kind}Pattern()": (
        f"NSRecurrence{kind}Pattern", _PATTERN_WHY.format(f"Recurrence{kind}Pattern"))
       for kind in ("Day", "Week", "Month", "Year")},
}
NETSERVER_PARAMETERS: dict[str, tuple[list[tuple[str, str]], str]] = {
    f"CRMScript.NetServer.NSRecurrenceInfo.Set{kind}Pattern(Integer)": (
        [(f"NSRecurrence{kind}Pattern", "pattern")], _PATTERN_WHY.format(f"Recurrence{kind}Pattern"))
    for kind in ("Day", "Week", "Month", "Year")
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UID = re.compile(r"(?P<owner>CRMScript\.\w+\.\w+)\.(?P<name>#ctor|\w+)(?:\((?P<args>.*)\))?\Z")
_TYPE_TEXT = re.compile(r"(?P<name>[A-Za-z][\w.]*?)(?P<dims>(?:\s*\[\s*\])*)\Z")
_CANONICAL = re.compile(r"CRMScript\.(?P<ns>Global|Native|NetServer)\.(?P<name>[A-Za-z]\w*)(?P<dims>(?:\[\])*)\Z")
_NETSERVER_NAME = re.compile(r"NS[A-Z]\w*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*\Z")
_TRIGGER_ID = re.compile(r"^\s*\((\d+)\)")


# ------------------------------------------------------------------ sources


@dataclass
class PageSource:
    """The reference pages, from a checkout or from a git directory."""

    path: Path

    @property
    def is_git_dir(self) -> bool:
        return (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        where = ["--git-dir", str(self.path)] if self.is_git_dir else ["-C", str(self.path)]
        return subprocess.run(["git", *where, *args], input=data, capture_output=True, check=True).stdout

    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").decode().strip()

    def pages(self) -> Iterator[tuple[str, bytes]]:
        """(file name, content) of every page, sorted by name."""
        if not self.is_git_dir:
            for page in sorted((self.path / PAGES_PATH).glob("*.yml")):
                yield page.name, page.read_bytes()
            return
        listing = self._git("ls-tree", "-z", "HEAD", PAGES_PATH + "/").decode().split("\0")
        blobs = sorted((line.split("\t")[1].rsplit("/", 1)[1], line.split()[2])
                       for line in listing if line.endswith(".yml"))
        batch = self._git("cat-file", "--batch", data="".join(f"{sha}\n" for _, sha in blobs).encode())
        stream = io.BytesIO(batch)
        for name, _sha in blobs:
            size = int(stream.readline().split()[2])
            yield name, stream.read(size)
            stream.read(1)  # the newline after each object

    def licence(self) -> tuple[str, str]:
        """(licence name, copyright line) of the repository's LICENSE."""
        text = (self.path / "LICENSE").read_text() if not self.is_git_dir else self._git("show", "HEAD:LICENSE").decode()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[0], next((line for line in lines if line.startswith("Copyright")), "")


def find_source(explicit: Path | None = None) -> PageSource | None:
    for candidate in ([explicit] if explicit else DEFAULT_SOURCES):
        source = PageSource(candidate)
        if (candidate / PAGES_PATH).is_dir() or source.is_git_dir:
            return source
    return None


# ------------------------------------------------------------------ repairs


@dataclass
class Repairs:
    entries: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, uid: str, what: str, found: object, used: object) -> None:
        self.entries.append((uid, what, _show(found), _show(used)))


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return str(value)


def load_pages(source: PageSource, repairs: Repairs) -> dict[str, list[dict]]:
    """Page stem -> its items, with control characters YAML refuses removed."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    pages = {}
    for name, raw in source.pages():
        text = raw.decode("utf-8")
        for char in sorted(set(_CONTROL.findall(text))):
            repairs.add(name, "page text", f"control character U+{ord(char):04X}", "removed")
        document = yaml.load(_CONTROL.sub("", text), Loader=loader)
        items = [item for item in (document or {}).get("items", []) if "uid" in item]
        if items:
            pages[name[: -len(".yml")]] = items
    return pages


# ------------------------------------------------------------------ types


@dataclass
class Vocabulary:
    """Every documented type name: short name -> namespace; enums apart."""

    namespace: dict[str, str]
    enums: set[str]
    # NetServer types the signatures use but no page documents (NSBinary).
    undocumented: set[str] = field(default_factory=set)

    def known(self, name: str) -> bool:
        return name in self.namespace and name not in self.enums

    def canonical(self, text: str | None) -> tuple[str | None, str | None]:
        """(short type, why it needed repair or None) for a type of a parameter table."""
        if not text:
            return None, None
        text = text.strip()
        match = _CANONICAL.match(text)
        if match and self.known(match["name"]) and self.namespace[match["name"]] == match["ns"]:
            return match["name"] + match["dims"], None
        if match and match["ns"] == "NetServer" and self.known("NS" + match["name"]):
            return "NS" + match["name"] + match["dims"], "type name"  # LocalizedField -> NSLocalizedField
        if match and match["ns"] == "NetServer" and _NETSERVER_NAME.match(match["name"]) \
                and match["name"] not in self.namespace:
            self.undocumented.add(match["name"])
            return match["name"] + match["dims"], None
        head = text.split("(")[0].rstrip("'\".")
        dims = "[]" * head.count("[]")
        parts = [p for p in head.replace("[]", "").split(".") if p]
        for part in reversed(parts):
            found = self.resolve(part)
            if found:
                return found + dims, "type name"
        return None, "type name"

    def resolve(self, name: str) -> str | None:
        """A short name as written (any case, without its NS prefix, an enum) -> the type used."""
        if self.known(name):
            return name
        if name in self.enums:
            return "Integer"  # enum values are Integers in CRMScript
        for candidate in self.namespace:
            if candidate.lower() == name.lower() and candidate not in self.enums:
                return candidate
        if self.known("NS" + name):
            return "NS" + name
        if name in self.undocumented:
            return name
        return None

    def declared(self, text: str | None) -> str | None:
        """A type as the declaration text writes it ('Integer []', 'bool', 'CRMScript.NetServer.X[]')."""
        if not text:
            return None
        match = _TYPE_TEXT.match(text.strip())
        if not match:
            return None
        name = self.resolve(match["name"].rsplit(".", 1)[-1])
        return name + "[]" * match["dims"].count("[") if name else None


# ------------------------------------------------------------------ members


@dataclass
class Declaration:
    """The declaration text of a member, taken apart (types as written)."""

    returns: str | None
    name: str | None
    params: list[tuple[str, str]] | None  # (type text, name text); None: no parameter list
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, found, used)


def parse_declaration(content: str | None, expected_name: str, vocabulary: Vocabulary) -> Declaration:
    if not content or "(" not in content:
        return Declaration(None, None, None)
    head, _, rest = content.partition("(")
    inner = rest.rsplit(")", 1)[0]
    head = head.strip()
    returns, name, notes = None, head, []
    if " " in head:
        returns, name = head.rsplit(None, 1)
    elif head != expected_name and head.endswith(expected_name):
        returns, name = head[: -len(expected_name)], expected_name  # 'Byte[]GetStream'
        notes.append(("declaration: return type and name run together", head, f"{returns} {name}"))
    if "." in name:  # 'addComparisonSearchEngine.addComparison'
        notes.append(("declaration: name", name, name.rsplit(".", 1)[-1]))
        name = name.rsplit(".", 1)[-1]
    params = []
    for part in inner.split(",") if inner.strip() else []:
        match = re.match(r"\s*([\w.]+(?:\s*\[\s*\])*)\s*(.*?)\s*\Z", part)
        type_text, name_text = (match[1], match[2]) if match else (part.strip(), "")
        if " " in name_text:  # 'Integer contact Id'
            notes.append(("declaration: parameter name", name_text, name_text.replace(" ", "")))
            name_text = name_text.replace(" ", "")
        params.append((type_text, name_text))
    return Declaration(returns, name, params, notes)


@dataclass
class Member:
    name: str
    uid: str  # the uid after the owner's uid: 'addField(String)', '#ctor'
    returns: str
    params: list[tuple[str, str]]  # (type, name)
    aliases: list[str] = field(default_factory=list)
    secondary: bool = False  # another reading of a page that contradicts itself

    def row(self) -> list:
        row = [self.name, self.uid, self.returns, [f"{t} {n}" for t, n in self.params]]
        if self.aliases:
            row.append(self.aliases)
        return row


class MemberReader:
    """Reads one method or constructor item into a Member, recording repairs."""

    def __init__(self, vocabulary: Vocabulary, repairs: Repairs) -> None:
        self.vocabulary = vocabulary
        self.repairs = repairs

    def read(self, item: dict, owner_short: str) -> list[Member]:
        """The member an item documents: one overload, or two where the page contradicts itself."""
        uid = item["uid"]
        match = _UID.match(uid)
        if not match:
            raise SystemExit(f"gen_reference: unreadable uid {uid!r}")
        is_constructor = match["name"] == "#ctor"
        syntax = item.get("syntax") or {}
        name = owner_short if is_constructor else self._name(item, match["name"], syntax.get("content"))
        declaration = parse_declaration(syntax.get("content"), name, self.vocabulary)
        for what, found, used in declaration.notes:
            self.repairs.add(uid, what, found, used)
        param_lists = self._params(uid, match["args"], syntax.get("parameters") or [], declaration)
        returns = owner_short if is_constructor else self._returns(uid, syntax, declaration)
        aliases = []
        if declaration.name and declaration.name != name and declaration.name.lower() == name.lower():
            aliases.append(declaration.name)  # the pages spell it both ways (SetVariable)
        suffix = uid[len(match["owner"]) + 1:]
        return [Member(name, suffix, returns, params, aliases, secondary=index > 0)
                for index, params in enumerate(param_lists)]

    def _name(self, item: dict, uid_name: str, content: str | None) -> str:
        """The uid's name unless the intellisense name differs and the declaration sides with it."""
        intellisense = (item.get("so.intellisense") or "").rsplit(".", 1)[-1] or None
        declared = parse_declaration(content, uid_name, self.vocabulary).name
        chosen = uid_name
        if intellisense and intellisense != uid_name and declared != uid_name:
            chosen = intellisense
        if chosen != uid_name:
            self.repairs.add(item["uid"], "member name", uid_name, chosen)
        if declared and declared.lower() != chosen.lower():
            self.repairs.add(item["uid"], "member name (declaration)", declared, chosen)
        return chosen

    def _params(self, uid: str, uid_args: str | None, table: list[dict], declaration: Declaration) -> list:
        vocab = self.vocabulary
        listed = [vocab.declared(a) for a in (uid_args.split(",") if uid_args and uid_args.strip() else [])]
        tabled = []
        for entry in table:
            type_, problem = vocab.canonical(entry.get("type"))
            if problem and type_:
                self.repairs.add(uid, f"type of parameter {entry.get('id')}", entry.get("type"), type_)
            tabled.append((type_, entry.get("id")))
        declared = None
        if declaration.params is not None:
            declared = [(vocab.declared(t), n) for t, n in declaration.params]
            for (text, _), (type_, name) in zip(declaration.params, declared, strict=True):
                if type_ and text.replace(" ", "") != type_:
                    self.repairs.add(uid, f"declaration: type of parameter {name}", text, type_)
        lists = [self._param_names(uid, chosen, tabled, declared)
                 for chosen in self._vote_params(uid, listed, tabled, declared)]
        if listed and None not in listed and not any(_is_subsequence(listed, _types(p)) for p in lists):
            # The uid is a third reading (not just one that leaves types out): accept it too.
            names = next((n for n in ([n for _, n in p] for p in lists) if len(n) == len(listed)),
                         [f"p{i}" for i in range(1, len(listed) + 1)])
            self.repairs.add(uid, "parameters: uid differs", _types(lists[0]),
                             "both accepted: " + _show(listed))
            lists.append(list(zip(listed, names, strict=True)))
        # The reading the uid names comes first: the others may be another item's overload.
        lists.sort(key=lambda params: _types(params) != listed)
        if uid in NETSERVER_PARAMETERS:
            decided = NETSERVER_PARAMETERS[uid][0]
            self.repairs.add(uid, "parameters: NetServer's carrier differs", _types(lists[0]), _types(decided))
            return [list(decided)]
        if uid in PARAMETER_DECISIONS:
            decided = PARAMETER_DECISIONS[uid][0]
            self.repairs.add(uid, "parameters: the page's example differs", _types(lists[0]),
                             "both accepted: " + _show(_types(decided)))
            lists.append(list(decided))
        return lists

    def _vote_params(self, uid: str, listed: list, tabled: list, declared: list | None) -> list[list]:
        """The parameter lists of a member: one, or both when table and declaration contradict each other."""
        types = _types
        complete = [(label, p) for label, p in (("parameter table", tabled), ("declaration", declared))
                    if p is not None and None not in types(p)]
        if not complete:
            raise SystemExit(f"gen_reference: no readable parameter list for {uid}: uid {listed}, "
                             f"table {types(tabled)}, declaration {declared and types(declared)}")
        if len(complete) == 2 and types(tabled) != types(declared) and not (tabled and declared):
            complete = [(label, p) for label, p in complete if p]  # the page forgot the parameters once
        if len(complete) == 2 and types(tabled) != types(declared):
            self.repairs.add(uid, "parameters: table and declaration differ", types(tabled),
                             "both accepted: " + _show(types(declared)))
            return [tabled, declared]
        label, chosen = complete[0]
        for other_label, other in (("parameter table", tabled), ("declaration", declared)):
            if other is not None and other_label != label and types(other) != types(chosen):
                self.repairs.add(uid, f"parameters ({other_label})", types(other), types(chosen))
        return [chosen]

    def _param_names(self, uid: str, chosen: list, tabled: list, declared: list | None) -> list:
        result = []
        for index, (type_, name) in enumerate(chosen):
            candidates = [name]
            for other in (tabled, declared):
                if other and len(other) == len(chosen) and other[index][0] == type_:
                    candidates.append(other[index][1])
            usable = [c for c in candidates if c and _IDENTIFIER.match(c) and not self.vocabulary.resolve(c)]
            # else the table's name without what cannot be in a name ('message)', 'contact Id', '24HourMode')
            used = usable[0] if usable else re.sub(r"\W", "", name or "") or f"p{index + 1}"
            if used != name:
                self.repairs.add(uid, f"name of parameter {index + 1}", name, used)
            result.append((type_, used))
        return result

    def _returns(self, uid: str, syntax: dict, declaration: Declaration) -> str:
        raw = (syntax.get("return") or {}).get("type")
        tabled, problem = self.vocabulary.canonical(raw)
        declared = self.vocabulary.declared(declaration.returns)
        if uid in NETSERVER_RETURNS:
            used = NETSERVER_RETURNS[uid][0]
            self.repairs.add(uid, "return type: NetServer's carrier differs", raw, used)
            return used
        if uid in RETURN_DECISIONS:
            used = RETURN_DECISIONS[uid][0]
        elif tabled and (declared is None or tabled in (declared, "NS" + declared)):
            used = tabled
        elif declared and not tabled:
            used = declared
        elif not raw and not declaration.returns:
            used = "Void"  # documented without a result
        else:
            raise SystemExit(f"gen_reference: no rule settles the return type of {uid}: "
                             f"table {raw!r}, declaration {declaration.returns!r}")
        if problem or tabled != used:
            self.repairs.add(uid, "return type (parameter table)", raw, used)
        if declaration.returns is not None and declared != used and "NS" + str(declared) != used:
            self.repairs.add(uid, "return type (declaration)", declaration.returns, used)
        return used


def _types(params: list[tuple[str | None, str]]) -> list[str | None]:
    return [type_ for type_, _ in params]


def _is_subsequence(short: list, long: list) -> bool:
    remaining = iter(long)
    return all(any(item == candidate for candidate in remaining) for item in short)


# ------------------------------------------------------------------ the table


def page_kind(stem: str, head: dict, items: list[dict], repairs: Repairs) -> str:
    """What a page documents: value type, class, agent, carrier, enum, functions, triggers."""
    namespace, _, name = stem[len("CRMScript."):].partition(".")
    if stem in FUNCTION_PAGES:
        return "functions"
    if namespace == "Event":
        return "triggers"
    if namespace == "Global":
        return "value type"
    if namespace == "Native":
        return "class"
    members = [i for i in items if i is not head]
    if head["type"] == "Enum":
        return "enum"
    if members and all(i["type"] == "Field" for i in members):
        repairs.add(head["uid"], "page kind", head["type"], "Enum")
        return "enum"
    return "agent" if name.endswith("Agent") else "carrier"


def vocabulary_of(pages: dict[str, list[dict]]) -> Vocabulary:
    namespace, enums = {}, set()
    for stem, items in pages.items():
        head = items[0]
        if head["type"] not in ("Class", "Enum") or stem == "CRMScript.Global.Void":
            continue
        short = head["uid"].rsplit(".", 1)[1]
        namespace[short] = stem.split(".")[1]
        members = items[1:]
        if head["type"] == "Enum" or (members and all(i["type"] == "Field" for i in members)):
            enums.add(short)
    namespace["Void"] = "Global"
    return Vocabulary(namespace, enums)


def read_members(items: list[dict], reader: MemberReader, repairs: Repairs) -> list[list]:
    """The rows of a page's methods and constructors, each overload once."""
    head = items[0]
    owner = head["uid"]
    owner_short = owner.rsplit(".", 1)[1]
    children = set(head.get("children") or [])
    rows: list[list] = []
    seen: dict[tuple, tuple[int, Member]] = {}  # (name, types) -> (row index, member)
    for item in items[1:]:
        if not item["uid"].startswith(owner + "."):
            raise SystemExit(f"gen_reference: {item['uid']} is not a member of {owner}")
        if item["uid"] not in children:
            repairs.add(item["uid"], "page's list of members", "missing", "included")
        for member in reader.read(item, owner_short):
            key = (member.name, tuple(_types(member.params)))
            if key not in seen:
                seen[key] = (len(rows), member)
                rows.append(member.row())
            elif seen[key][1].secondary and not member.secondary:
                rows[seen[key][0]] = member.row()  # the overload's own item, not another's other reading
                seen[key] = (seen[key][0], member)
            elif not member.secondary:
                repairs.add(item["uid"], "overload", f"same as {owner}.{seen[key][1].uid}", "left out")
    return rows


def read_constants(items: list[dict]) -> list[list]:
    constants = []
    for item in items[1:]:
        name, _, value = (item.get("syntax") or {}).get("content", "").partition(" = ")
        if item["type"] != "Field" or not value.lstrip("-").isdigit():
            raise SystemExit(f"gen_reference: unreadable enum constant {item['uid']}")
        constants.append([name, int(value)])
    return constants


def read_triggers(items: list[dict]) -> list[list]:
    triggers = []
    for item in items[1:]:
        number = _TRIGGER_ID.match(item.get("summary") or "")
        triggers.append([item["uid"].rsplit(".", 1)[1], int(number[1]) if number else None])
    return triggers


def build(source: PageSource) -> dict:
    repairs = Repairs()
    pages = load_pages(source, repairs)
    return build_table(pages, repairs, source.commit(), source.licence())


def build_table(pages: dict[str, list[dict]], repairs: Repairs, commit: str, licence: tuple[str, str]) -> dict:
    """The table of the pages (as load_pages reads them; its repairs so far in `repairs`)."""
    vocabulary = vocabulary_of(pages)
    reader = MemberReader(vocabulary, repairs)
    classes: dict[str, dict] = {}
    functions, triggers = [], {}
    for stem, items in pages.items():
        head = items[0]
        if head["type"] == "Namespace":
            continue
        kind = page_kind(stem, head, items, repairs)
        short = head["uid"].rsplit(".", 1)[1]  # the page's file name may differ in case (Addresstype)
        if kind == "functions":
            functions.append({"page": stem, "members": read_members(items, reader, repairs)})
            if short != "Void":
                classes[short] = {"ns": stem.split(".")[1], "kind": "class", "page": stem, "members": []}
        elif kind == "triggers":
            triggers = {"page": stem, "members": read_triggers(items)}
        elif kind == "enum":
            classes[short] = {"ns": "NetServer", "kind": kind, "page": stem, "constants": read_constants(items)}
        else:
            members = read_members(items, reader, repairs)
            classes[short] = {"ns": stem.split(".")[1], "kind": kind, "page": stem, "members": members}
    for name in sorted(vocabulary.undocumented):
        repairs.add(name, "type", "used by signatures, not documented", "a NetServer class without members")
        classes[name] = {"ns": "NetServer", "kind": "carrier", "page": "", "members": []}
    return {
        "format": FORMAT,
        "source": {
            "repository": SOURCE_REPOSITORY,
            "path": PAGES_PATH,
            "commit": commit,
            "licence": licence[0],
            "copyright": licence[1],
        },
        "site": SITE,
        "trigger_site": TRIGGER_SITE,
        "classes": dict(sorted(classes.items())),
        "functions": functions,
        "triggers": triggers,
        "repairs": [list(entry) for entry in repairs.entries],
    }


# ------------------------------------------------------------------ output


def data_bytes(table: dict) -> bytes:
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


TYPE_NAMES_HEADER = """\
# Documented CRMScript class names the parser reads as types: the value types
# and classes of the public reference (CRMScript.Global.*, CRMScript.Native.*;
# NetServer classes are read by their NS prefix). One a line. Generated from
# engine/data/reference.json.gz by tools/gen_reference.py; do not edit.
"""


def type_names_text(table: dict) -> str:
    names = {name for name, cls in table["classes"].items() if cls["ns"] in ("Global", "Native")}
    return TYPE_NAMES_HEADER + "\n".join(sorted(names | {"Void"})) + "\n"


FUNCTION_NAMES_HEADER = """\
# Documented CRMScript global functions, both spellings where the pages use two
# (setVariable, SetVariable). One a line. Read where loading the whole table
# would cost a cold start (a plugin's function checked against the reference).
# Generated from engine/data/reference.json.gz by tools/gen_reference.py; do not edit.
"""


def function_names_text(table: dict) -> str:
    rows = [row for page in table["functions"] for row in page["members"]]
    names = {row[0] for row in rows} | {alias for row in rows if len(row) > 4 for alias in row[4]}
    return FUNCTION_NAMES_HEADER + "\n".join(sorted(names)) + "\n"


REPAIRS_BEGIN = "<!-- repairs:begin (generated by tools/gen_reference.py) -->"
REPAIRS_END = "<!-- repairs:end -->"


def docs_text(current: str, table: dict) -> str:
    """docs/reference.md with its generated list of repairs brought up to date."""
    lines = [REPAIRS_BEGIN, "", "| uid | what | found | used |", "|---|---|---|---|"]
    for uid, what, found, used in table["repairs"]:
        cells = (uid, what, found, used)
        lines.append("| " + " | ".join("`" + c.replace("|", "\\|").replace("`", "'") + "`" if c else ""
                                      for c in cells) + " |")
    lines += ["", REPAIRS_END]
    before, found_begin, rest = current.partition(REPAIRS_BEGIN)
    _, found_end, after = rest.partition(REPAIRS_END)
    if not (found_begin and found_end):
        raise SystemExit(f"gen_reference: {DOCS_FILE.name} lacks the repairs markers")
    return before + "\n".join(lines) + after


def outputs(table: dict, docs: Path) -> dict[Path, bytes]:
    return {
        DATA_FILE: data_bytes(table),
        TYPE_NAMES_FILE: type_names_text(table).encode("utf-8"),
        FUNCTION_NAMES_FILE: function_names_text(table).encode("utf-8"),
        docs: docs_text(docs.read_text(encoding="utf-8"), table).encode("utf-8"),
    }


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("source", nargs="?", type=Path, help="checkout or git directory of " + SOURCE_REPOSITORY)
    options.add_argument("--docs", type=Path, default=DOCS_FILE)
    options.add_argument("--check", action="store_true", help="exit 1 when the committed files are out of date")
    options.add_argument("--repairs", action="store_true", help="print every repair")
    args = options.parse_args(argv)
    source = find_source(args.source)
    if source is None:
        print("gen_reference: no checkout of the reference found; give its path", file=sys.stderr)
        return 2
    table = build(source)
    if args.repairs:
        for entry in table["repairs"]:
            print(" | ".join(entry))
    stale = [path for path, data in outputs(table, args.docs).items()
             if not path.exists() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"gen_reference: {path.relative_to(REPO_ROOT)} is out of date", file=sys.stderr)
        return 1 if stale else 0
    for path, data in outputs(table, args.docs).items():
        path.write_bytes(data)
    counts = summary(table)
    print(", ".join(f"{value} {key}" for key, value in counts.items()))
    return 0


def summary(table: dict) -> dict[str, int]:
    classes = table["classes"].values()
    members = [row for cls in classes for row in cls.get("members", [])]
    functions = [row for page in table["functions"] for row in page["members"]]
    return {
        "classes": sum(1 for c in classes if c["kind"] != "enum"),
        "enums": sum(1 for c in classes if c["kind"] == "enum"),
        "methods and constructors": len(members),
        "global functions": len(functions),
        "enum constants": sum(len(c.get("constants", [])) for c in classes),
        "triggers": len(table["triggers"]["members"]),
        "repairs": len(table["repairs"]),
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
