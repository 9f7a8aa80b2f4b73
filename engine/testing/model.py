"""The handler test-case file: its YAML loader and its pydantic model.

A case file (`<name>.cases.yaml`) holds one or more cases. Each case fires
one event through a handler tree and states what the EventData must look
like afterwards. See docs/testing.md for the format, with examples.

Two decisions that make the files pleasant to write:

* Every YAML scalar is read as the text it is (`Amount: 007` stays "007",
  `Flag: yes` stays "yes"); only `~` / `null` / an empty value are null.
  InputValues, StateValues and OutputValues are string maps on the wire, so
  numbers must not be rewritten by YAML (1.50 -> 1.5, 010 -> 8). Fields that
  are booleans in the model (`block`, `exact`) accept true/false/yes/no.
* A schema error names the file, the case (by name and line) and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import CRMScriptError, CRMScriptWarning
from ..suggestions import closest
from ..textfile import read_script_text

CASE_FILE_SUFFIXES = (".cases.yaml", ".cases.yml")


class CaseFileError(CRMScriptError):
    """A case file that cannot be read or does not follow the schema."""

    kind = "case file error"


# ------------------------------------------------------------------ YAML


class _TextLoader(yaml.SafeLoader):
    """SafeLoader whose only implicit scalar types are null (and `<<` merge)."""


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key written twice in one mapping: YAML keeps the last silently, which
    hides a copy-paste slip (`{who: a, who: b}`), so it is an error here."""


def _construct_mapping_once(loader: _TextLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                raise _DuplicateKey(
                    problem=f"the key {key_node.value!r} is written twice in one mapping (first on line {first})",
                    problem_mark=key_node.start_mark)
            seen[key_node.value] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_TextLoader.construct_mapping = _construct_mapping_once

_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str, file: str) -> tuple[Any, dict[int, yaml.Node]]:
    """Parse `text`; return the data and {case index: YAML node} for the `cases` list."""
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(e, "problem", None) or str(e)
        raise CaseFileError(f"not valid YAML: {problem}", file, line, column) from None
    finally:
        loader.dispose()
    case_nodes: dict[int, yaml.Node] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "cases" and isinstance(value, yaml.SequenceNode):
                case_nodes = dict(enumerate(value.value))
    return data, case_nodes


def _line_of(node: yaml.Node | None, loc: tuple = ()) -> int:
    """The line of the value at `loc` (a pydantic error location) below `node`:
    as deep as the path can be followed, so an error points at its field."""
    if node is None:
        return 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
            if child is None:  # an unknown key: point at the key itself
                child = next((key for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


# ----------------------------------------------------------------- model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _text_map(value: Any, *, allow_null: bool = False) -> Any:
    """Maps of the EventData are string -> string; YAML already gives text."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        return value  # pydantic reports the wrong type
    for key, item in value.items():
        if item is None and not allow_null:
            raise ValueError(f"value of {key!r} is empty: write \"\" for an empty string")
        if isinstance(item, (dict, list)):
            raise ValueError(f"value of {key!r} must be text, not a {'mapping' if isinstance(item, dict) else 'list'}")
    return {str(k): v for k, v in value.items()}


@dataclass(frozen=True)
class TextMatch:
    """An expected text: exact, or a regular expression written `/pattern/`."""

    text: str

    @property
    def is_pattern(self) -> bool:
        return len(self.text) >= 2 and self.text.startswith("/") and self.text.endswith("/")

    def matches(self, actual: str) -> bool:
        if self.is_pattern:
            return re.search(self.text[1:-1], actual) is not None
        return actual == self.text

    def __str__(self) -> str:
        return self.text


def _text_match(value: Any) -> Any:
    if value is None or isinstance(value, TextMatch):
        return value
    if not isinstance(value, str):
        raise ValueError("must be text (a `/regex/` for a pattern)")
    match = TextMatch(value)
    if match.is_pattern:
        try:
            re.compile(value[1:-1])
        except re.error as e:
            raise ValueError(f"bad regular expression {value}: {e}") from None
    return match


class Expect(_Strict):
    """What the EventData must hold after the chain; a field left out is not checked."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    output: dict[str, str | None] | None = Field(None, alias="OutputValues")
    state: dict[str, str | None] | None = Field(None, alias="StateValues")
    message: TextMatch | None = Field(None, alias="Message")
    navigate_to: TextMatch | None = Field(None, alias="NavigateTo")
    block: bool | None = Field(None, alias="BlockExecution")
    exception: TextMatch | None = Field(None, alias="Exception")
    printed: TextMatch | None = None
    # exact: OutputValues / StateValues must hold exactly the listed keys
    # (by default the listed keys are a subset of what the handlers left).
    exact: bool = False
    db: dict[str, Any] | None = None  # rows the database must (not) hold afterwards: engine/crm/cases.py
    http: list[Any] | None = None  # the HTTP calls made, in order, as a subset: engine/crm/http_cases.py
    outbox: list[Any] | None = None  # the mail and SMS sent, in order, as a subset: engine/crm/http_cases.py

    @field_validator("output", "state", mode="before")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        value = _text_map(value, allow_null=True)  # `key: ~` = the key must be absent
        # A value may be a `/regex/` as Message can: the text is kept (the
        # diff compares through TextMatch); a bad pattern is refused here.
        if isinstance(value, dict):
            for item in value.values():
                if isinstance(item, str):
                    _text_match(item)
        return value

    @field_validator("message", "navigate_to", "exception", "printed", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return _text_match(value)


class Request(_Strict):
    """The rarer members of the request's EventData: what the caller already set."""

    output: dict[str, str] = Field(default_factory=dict, alias="OutputValues")
    message: str = Field("", alias="Message")
    navigate_to: str = Field("", alias="NavigateTo")
    block: bool = Field(False, alias="BlockExecution")

    @field_validator("output", mode="before")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return _text_map(value)


class CaseSettings(_Strict):
    """The caller's environment (the HTTP headers SO-Language, SO-Culture, SO-TimeZone, and others)."""

    language: str | None = None
    culture: str | None = None
    timezone: str | None = None
    headers: dict[str, str] | None = None  # the request's other headers (getHttpHeader, getCookie: docs/globals.md)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        """A misspelt zone is refused here, as the HTTP API refuses SO-TimeZone,
        instead of failing only when a handler first reads the date."""
        if not value or value.upper() == "UTC":
            return value
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone (an IANA name such as Europe/Oslo, or UTC)") from None
        return value


class Case(_Strict):
    """One test case, as written (parameters not yet substituted)."""

    name: str
    event: str | None = Field(None, alias="type")
    input: dict[str, str] = Field(default_factory=dict, alias="InputValues")
    state: dict[str, str] = Field(default_factory=dict, alias="StateValues")
    request: Request = Field(default_factory=Request)
    settings: CaseSettings | None = None
    handlers: str | None = None
    plugins: list[str] | None = None  # plugin files (.py), relative to the case file
    # run only these handlers of the event type (file names, in chain order),
    # as ExecuteScriptAsEvent does: a handler tested on its own
    only: list[str] | None = None
    expect: Expect = Field(default_factory=Expect)
    # parameter rows: a list of mappings, or {columns: [a, b], rows: [[1, 2], ...]}
    params: list[dict[str, Any]] | None = None
    skip: str | None = None  # a reason: the case is reported as skipped
    fixture: str | None = None  # the case's CRM, relative to the case file (docs/crm.md)
    rows: dict[str, Any] | None = None  # rows on top of the fixture
    http: list[Any] | None = None  # recordings of this case, before the fixture's (docs/http.md)
    netserver: list[Any] | None = None  # canned NetServer answers before the fixture's (docs/netserver.md)

    @field_validator("input", "state", mode="before")
    @classmethod
    def _maps(cls, value: Any) -> Any:
        return _text_map(value)

    @field_validator("only", "plugins", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("params", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        """The table form becomes a list of mappings, one per row."""
        if not isinstance(value, dict):
            return value
        columns, rows = value.get("columns"), value.get("rows")
        if set(value) != {"columns", "rows"} or not isinstance(columns, list) or not isinstance(rows, list):
            raise ValueError("a parameter table is {columns: [a, b], rows: [[1, 2], ...]} (or write a list of mappings)")
        for number, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != len(columns):
                width = len(row) if isinstance(row, list) else 1
                raise ValueError(f"row {number} has {width} values for {len(columns)} columns")
        return [dict(zip((str(c) for c in columns), row, strict=True)) for row in rows]




_EXPECT_NAMES = frozenset(Expect.model_fields) | frozenset(
    f.alias for f in Expect.model_fields.values() if f.alias)


class CaseFileModel(_Strict):
    """The whole file: defaults for every case, then the cases."""

    event: str | None = Field(None, alias="type")
    handlers: str | None = None
    plugins: list[str] | None = None  # plugin files for every case, relative to this file
    fixture: str | None = None  # the CRM of every case, relative to this file
    cases: list[Any]  # validated one by one so errors can name the case

    @field_validator("plugins", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


# ------------------------------------------------------- the loaded form


@dataclass
class TestCase:
    """A runnable case: parameters substituted, defaults resolved."""

    __test__ = False  # not a pytest class

    file: Path
    line: int
    name: str  # unique within the file ("name[row]" for parametrised cases)
    event: str
    handlers: Path
    input: dict[str, str]
    state: dict[str, str]
    request: Request
    expect: Expect
    settings: CaseSettings | None = None
    skip: str | None = None
    only: list[str] | None = None
    # input keys the event type never sends (a typo the handler may share)
    warnings: list[CRMScriptWarning] = field(default_factory=list)
    plugins: tuple[Path, ...] = ()  # plugin files the case's engine loads
    fixture: Any = None  # the case's engine.crm Fixture, when it names one or adds rows
    db: Any = None  # expect: db: (engine.crm.cases.TableExpect list)
    http: Any = None  # expect: http: (engine.crm.http_recordings.Recording list)
    outbox: Any = None  # expect: outbox: (engine.crm.http_cases.SentMatch list)


def is_case_file(path: Path) -> bool:
    return path.name.endswith(CASE_FILE_SUFFIXES)


def default_handler_tree(case_file: Path) -> Path:
    """`T/<EventType>/x.cases.yaml` and `T/tests/x.cases.yaml` test the tree T."""
    return case_file.resolve().parent.parent


def default_event(case_file: Path) -> str | None:
    """The directory name is the event type for `T/<EventType>/x.cases.yaml`."""
    folder = case_file.resolve().parent.name
    return None if folder in ("tests", "") else folder


_PARAM = re.compile(r"\$\{(\w+)\}")


def _substitute(value: Any, row: dict[str, Any], where: str) -> Any:
    """Replace `${name}` in every string of `value` by the row's parameter.

    A string that is only `${name}` takes the parameter as it is (so a
    parameter can be a boolean or a map); inside other text it is inserted as text.
    """
    if isinstance(value, str):
        whole = _PARAM.fullmatch(value)
        if whole:
            return _param(row, whole.group(1), where)
        return _PARAM.sub(lambda m: _as_text(_param(row, m.group(1), where)), value)
    if isinstance(value, dict):
        return {_substitute(k, row, where): _substitute(v, row, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, row, where) for v in value]
    return value


class _UnknownParam(Exception):
    pass


def _param(row: dict[str, Any], name: str, where: str) -> Any:
    if name not in row:
        raise _UnknownParam(f"{where}: no parameter named {name!r} (known: {', '.join(row) or 'none'})")
    return row[name]


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _field_path(error: dict) -> str:
    parts = [str(p) for p in error.get("loc", ()) if p not in ("function-after", "function-before")]
    return ".".join(parts) or "case"


def _field_names(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}


def _did_you_mean(model: type[BaseModel], loc: tuple) -> str:
    """` (did you mean input?)` for a misspelt field name, else ''."""
    for part in loc[:-1]:  # follow the path: expect.mesage is looked up in Expect
        field = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == str(part)), None)
        inner = getattr(field, "annotation", None) if field else None
        inner = next((a for a in getattr(inner, "__args__", ()) if isinstance(a, type)), inner)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return ""
        model = inner
    close = closest(str(loc[-1]), _field_names(model))
    return f" (did you mean {close}?)" if close else ""


def _schema_error(file: str, node: yaml.Node | None, case_label: str, error: ValidationError,
                  model: type[BaseModel] = None) -> CaseFileError:
    problems = error.errors()
    # A misspelt field is the cause of the other problems it brings
    # (`case:` for `cases:` also leaves `cases` missing): report it first.
    first = next((p for p in problems if p.get("type") == "extra_forbidden"), problems[0])
    line = _line_of(node, tuple(first.get("loc", ())))
    message = first.get("msg", "invalid").removeprefix("Value error, ")
    loc = first.get("loc", ())
    if first.get("type") == "extra_forbidden" and len(loc) == 1 and str(loc[0]) in _EXPECT_NAMES:
        message += f" (what the handlers must leave goes under `expect:`, e.g. expect: {{{loc[0]}: ...}})"
    elif first.get("type") == "extra_forbidden" and loc:
        message += _did_you_mean(model or Case, tuple(loc))
    where = f"{case_label}: " if case_label else ""
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return CaseFileError(f"{where}field {_field_path(first)}: {message}{suffix}", file, line, 1)


def _check_event_type(event: str, tree: Path, file: str, line: int, label: str) -> None:
    """A misspelt event type would run no handler and pass every expectation
    that the request already meets: refuse a type that is neither in the
    trigger catalog nor a folder of the handler tree."""
    from ..catalog import default_catalog
    from ..handlers import LIB_DIR

    catalog = default_catalog()
    if event in catalog or (event != LIB_DIR and (tree / event).is_dir()):
        return
    if event == LIB_DIR:
        raise CaseFileError(
            f"{label}: field event: {LIB_DIR}/ holds include scripts, not handlers of an event type: "
            "write `event: <EventType>` or put the case file beside a handler", file, line, 1)
    hint = catalog.suggest(event)
    extra = f" (did you mean {hint}?)" if hint else ""
    raise CaseFileError(
        f"{label}: field event: unknown event type {event!r}{extra}: not in the trigger catalog "
        f"(crmscript events) and no folder of that name in {tree}", file, line, 1)


def _input_key_warnings(case: Case, event: str, node: yaml.Node | None, file: str,
                        line: int) -> list[CRMScriptWarning]:
    """A warning for each input key the event type never sends, at the key."""
    from ..catalog import default_catalog

    catalog = default_catalog()
    inputs = _child(node, "input") or _child(node, "InputValues")
    warnings = []
    for key in case.input:
        message = catalog.unsent_key(event, key)
        if message is not None:
            key_node = _key_node(inputs, key)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1) if key_node else (line, 1)
            warnings.append(CRMScriptWarning(message, file, *where))
    return warnings


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((value for k, value in node.value if k.value == key), None)
    return None


def _key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((k for k, _ in node.value if k.value == key), None)
    return None


def _plugin_files(names: list[str], base: Path, file: str, line: int, label: str) -> tuple[Path, ...]:
    """`plugins:` entries as files, relative to the case file; a missing one is an error here."""
    found = []
    for name in names:
        plugin = (base / name).resolve()
        if not plugin.is_file():
            raise CaseFileError(f"{label}field plugins: no such plugin file: {name}", file, line, 1)
        found.append(plugin)
    return tuple(found)


def _case_crm(case: Case, file_fixture: str | None, default: Path | None, path: Path, tree: Path,
              node: yaml.Node | None, line: int) -> dict[str, Any]:
    """A case's CRM (engine/crm/cases.py): its fixture when it names one or adds
    rows, and its `expect: db:`, checked against the fixture's schema."""
    if case.fixture is None and file_fixture is None and case.rows is None and case.expect.db is None \
            and default is None and case.http is None and case.expect.http is None and case.expect.outbox is None \
            and case.netserver is None:
        return {}
    from ..crm import FixtureError, cases as crm_cases

    try:
        return _crm_of(crm_cases, case, file_fixture, default, path, tree, node, line)
    except FixtureError as error:  # a broken case file, reported at its place as a fixture's error is
        raise _FixtureProblem(error.message, error.file, error.line, error.column) from None


class _FixtureProblem(CaseFileError):
    """A case's fixture, rows or `expect: db:` that does not fit the schema."""

    kind = "error"


def _crm_of(crm_cases: Any, case: Case, file_fixture: str | None, default: Path | None, path: Path,
            tree: Path, node: yaml.Node | None, line: int) -> dict[str, Any]:
    base = path.resolve().parent
    chosen = crm_cases.case_fixture(case.fixture or file_fixture, base, tree, default)
    reader = crm_cases.CaseReader(str(path), line if node is None else None)
    result: dict[str, Any] = {}
    if case.rows is not None:
        rows_node = crm_cases.node_at(node, "rows") if node is not None else crm_cases.data_node(case.rows)
        chosen = chosen.with_rows(reader.rows(rows_node, chosen.schema), chosen.name)
    if case.netserver is not None:
        answers_node = crm_cases.node_at(node, "netserver") if node is not None else crm_cases.data_node(case.netserver)
        chosen = reader.with_netserver(answers_node, chosen)
    if case.fixture or file_fixture or case.rows is not None or default is not None or case.netserver is not None:
        result["fixture"] = chosen
    if case.expect.db is not None:
        db_node = crm_cases.node_at(node, "expect", "db") if node is not None else crm_cases.data_node(case.expect.db)
        result["db"] = reader.db_expect(db_node, chosen.schema)
    return {**result, **_case_http(crm_cases, case, chosen, reader, node, base)}


def _case_http(crm_cases: Any, case: Case, chosen: Any, reader: Any, node: yaml.Node | None,
               base: Path) -> dict[str, Any]:
    """A case's own recordings (`http:`), `expect: http:` and `expect: outbox:` (engine/crm/http_cases.py)."""
    from ..crm import http_cases

    def at(value: Any, *keys: str) -> yaml.Node:
        return crm_cases.node_at(node, *keys) if node is not None else crm_cases.data_node(value)

    result: dict[str, Any] = {}
    if case.http is not None:
        result["fixture"] = http_cases.with_case_recordings(chosen, reader, at(case.http, "http"), base)
    if case.expect.http is not None:
        result["http"] = http_cases.expected_calls(reader, at(case.expect.http, "expect", "http"))
    if case.expect.outbox is not None:
        result["outbox"] = http_cases.expected_sent(reader, at(case.expect.outbox, "expect", "outbox"))
    return result


def load_case_file(path: Path | str, handlers: Path | None = None,
                   fixture: Path | None = None) -> list[TestCase]:
    """Read and validate one case file; raise CaseFileError naming file, case and field.

    `handlers` (the --handlers flag) replaces every case's handler tree."""
    path = Path(path)
    file = str(path)
    try:
        text = read_script_text(path, file, what="the case file")
    except CRMScriptError as e:
        raise CaseFileError(e.message, file, e.line, e.column) from None
    data, case_nodes = _load_yaml(text, file)
    if not isinstance(data, dict):
        raise CaseFileError("a case file is a mapping with a `cases:` list", file, 1, 1)
    try:
        header = CaseFileModel.model_validate(data)
    except ValidationError as e:
        raise _schema_error(file, None, "", e, CaseFileModel) from None

    base = path.resolve().parent
    file_tree = (base / header.handlers) if header.handlers else default_handler_tree(path)
    file_event = header.event or default_event(path)
    file_plugins = _plugin_files(header.plugins or [], base, file, 1, "")

    cases: list[TestCase] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header.cases):
        node = case_nodes.get(index)
        line = _line_of(node)
        label = f"case {raw.get('name')!r}" if isinstance(raw, dict) and raw.get("name") else f"case #{index + 1}"
        if not isinstance(raw, dict):
            raise CaseFileError(f"{label}: a case is a mapping (name, input, expect, ...)", file, line, 1)
        try:
            # A parametrised case is only checked once its rows are substituted
            # (`block: ${blocked}` is not a boolean before): here its name and rows.
            shape = {"name": raw.get("name"), "params": raw["params"]} if "params" in raw else raw
            case = Case.model_validate(shape)
        except ValidationError as e:
            raise _schema_error(file, node, label, e) from None
        rows = case.params
        if rows is None:
            variants = [(case.name, case)]
        else:
            if not rows:
                raise CaseFileError(f"{label}: field params: the parameter table has no rows", file, line, 1)
            variants = []
            template = {k: v for k, v in raw.items() if k != "params"}
            for number, row in enumerate(rows, 1):
                row_label = str(row.get("id", "-".join(_as_text(v) for v in row.values()))) or str(number)
                where = f"{label}, params row {number}"
                try:
                    substituted = _substitute(template, row, where)
                    concrete = Case.model_validate(substituted)
                except _UnknownParam as e:
                    raise CaseFileError(str(e), file, line, 1) from None
                except ValidationError as e:
                    raise _schema_error(file, node, where, e) from None
                name = concrete.name if concrete.name != case.name else f"{case.name}[{row_label}]"
                variants.append((name, concrete))
        for name, concrete in variants:
            event = concrete.event or file_event
            if not event:
                raise CaseFileError(
                    f"{label}: field event: no event type (write `event: <EventType>` in the case or at the top of the file)",
                    file, line, 1,
                )
            tree = (base / concrete.handlers) if concrete.handlers else file_tree
            if handlers is not None:
                tree = Path(handlers)
            _check_event_type(event, tree, file, line, label)
            if name in seen:
                raise CaseFileError(f"{label}: field name: {name!r} is already used in this file (line {seen[name]})", file, line, 1)
            seen[name] = line
            cases.append(
                TestCase(
                    file=path, line=line, name=name, event=event, handlers=tree.resolve(),
                    input=concrete.input, state=concrete.state, request=concrete.request,
                    settings=concrete.settings,
                    expect=concrete.expect, skip=concrete.skip, only=concrete.only,
                    warnings=_input_key_warnings(concrete, event, node, file, line),
                    plugins=file_plugins + _plugin_files(concrete.plugins or [], base, file, line, f"{label}: "),
                    **_case_crm(concrete, header.fixture, fixture, path, tree, node if rows is None else None, line),
                )
            )
    return cases
