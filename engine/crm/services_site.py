"""The web server around a script: program URLs, CGI variables, cookies,
HTTP headers, session and environment variables (docs/globals.md).

Everything is answered from the fixture's `site:` section, the request's
headers (Settings.headers: what `serve` received) and the run's own state
(a cookie or session variable the script set is read back in the same run,
and never leaves it). Nothing reads the host: getEnvVariable answers from
`site: env:`, getPID and getExecutable are fixed values.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote

from ..runtime.collections import Array, Map
from ..runtime.table import builtin

DEFAULT_BASE_URL = "https://crm.example.com/Cust0/CS"  # without `site: url:` (docs/globals.md)
# Program modules by their documented id (getProgram's progId table) -> their file.
PROGRAMS = {1: "ticket", 2: "admin", 4: "document", 8: "help", 16: "customer", 32: "document",
            512: "stat", 1024: "rms", 16384: "chat", 65536: "soap", 524288: "blogic"}
PROGRAM_NAMES = {"Ticket": 1, "Admin": 2, "Document": 4, "Help": 8, "Customer": 16, "Knowledge": 32,
                 "Stat": 512, "Rms": 1024, "Chat": 16384, "Soap": 65536, "Blogic": 524288}
SIMULATED_PID = 4242  # getPID(): a fixed number, the same in every run
SIMULATED_EXECUTABLE = "/usr/local/superoffice/cs/bin/ticket.fcgi"


class SiteState:
    """What a run changed of its web environment: cookies set, session
    variables, getCurrent's values, hidden variables. Per run context."""

    __slots__ = ("cookies", "session", "current", "hidden")

    def __init__(self, site: dict[str, Any]) -> None:
        self.cookies: dict[str, tuple[str, bool]] = {}
        self.session: dict[str, str] = dict(site.get("session", {}))
        self.current: dict[str, str] = dict(site.get("current", {}))
        self.hidden: dict[str, str] = {}


def fixture_of(ctx: Any) -> Any:
    """The run's Fixture: its database session's (a test case's own, the
    engine's, or the demo CRM when none was named)."""
    fixture = ctx.crm.fixture
    if fixture is None:
        from .fixture import demo_fixture

        fixture = demo_fixture()
    return fixture


def run_state(ctx: Any, name: str, make: Callable[[], Any]) -> Any:
    """A piece of the run's web environment (its screen, cookies, files, ...),
    made on first use. The handlers of one chain share it, as they share the
    database and the EventData."""
    holder = ctx.chain if ctx.chain is not None else ctx
    value = getattr(holder, name, None)
    if value is None:
        value = make()
        setattr(holder, name, value)
    return value


def site_of(ctx: Any) -> dict[str, Any]:
    return fixture_of(ctx).site


def state_of(ctx: Any) -> SiteState:
    return run_state(ctx, "_site_state", lambda: SiteState(site_of(ctx)))


def base_url(ctx: Any, external: bool = False) -> str:
    site = site_of(ctx)
    url = site.get("external_url") if external else None
    return (url or site.get("url") or DEFAULT_BASE_URL).rstrip("/")


def program_url(ctx: Any, prog_id: int, external: bool = False) -> str:
    """A module's URL: `{base}/scripts/{module}.fcgi?_sf=0`, so that a script
    appends `&action=...` as the docs' examples do; "" for an unknown id."""
    module = PROGRAMS.get(prog_id)
    return f"{base_url(ctx, external)}/scripts/{module}.fcgi?_sf=0" if module else ""


def _module_url(ctx: Any, name: str, external: bool) -> str:
    if name == "Ajax":
        return f"{base_url(ctx, external)}/scripts/ajax.fcgi?_sf=0"
    return program_url(ctx, PROGRAM_NAMES[name], external)


@builtin("String getProgram(Integer progId)", context=True)
def get_program(ctx, prog_id: int) -> str:
    return program_url(ctx, prog_id)


@builtin("String getExternalProgram(Integer progId)", context=True)
def get_external_program(ctx, prog_id: int) -> str:
    return program_url(ctx, prog_id, external=True)


def _register_module_getters() -> None:
    for name in (*PROGRAM_NAMES, "Ajax"):
        for external in (False, True):
            prefix = "getExternalProgram" if external else "getProgram"

            def getter(ctx, _name=name, _external=external) -> str:
                return _module_url(ctx, _name, _external)

            getter.__doc__ = f"The {name} module's {'external ' if external else ''}URL (site: url)."
            builtin(f"String {prefix}{name}()", context=True)(getter)


_register_module_getters()


@builtin("String getCgiUrl()", context=True)
def get_cgi_url(ctx) -> str:
    """config.cgi_url: the base URL's scripts folder."""
    return f"{base_url(ctx)}/scripts"


# --------------------------------------------------------------- the request


def _cgi(ctx) -> dict[str, Any]:
    return site_of(ctx).get("cgi", {})


def _cgi_values(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


@builtin("String getCgiVariable(String varName)", context=True)
def get_cgi_variable(ctx, name: str) -> str:
    """The first value of the request's CGI variable (site: cgi:); "" when absent."""
    values = _cgi_values(_cgi(ctx).get(name, []))
    return values[0] if values else ""


@builtin("String[] getCgiVariableArray(String name)", context=True)
def get_cgi_variable_array(ctx, name: str) -> Array:
    return Array(str, _cgi_values(_cgi(ctx).get(name, [])))


@builtin("Map getCgiVariables()", context=True)
def get_cgi_variables(ctx) -> Map:
    """Every CGI variable with its first value."""
    return Map.from_pairs((name, (_cgi_values(v) or [""])[0]) for name, v in _cgi(ctx).items())


@builtin("String buildUrl()", context=True)
def build_url(ctx) -> str:
    """The CGI variables as a query string (name=value&..., URL-encoded)."""
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}"
                    for name, values in _cgi(ctx).items() for value in _cgi_values(values))


@builtin("Bool cgiWasPost()", context=True)
def cgi_was_post(ctx) -> bool:
    return site_of(ctx).get("method", "GET").upper() == "POST"


@builtin("String getCgiContent()", context=True)
def get_cgi_content(ctx) -> str:
    """The request's raw body (site: content:)."""
    return site_of(ctx).get("content", "")


def _headers(ctx) -> dict[str, str]:
    headers = {name.lower(): value for name, value in site_of(ctx).get("headers", {}).items()}
    headers.update((name.lower(), value) for name, value in ctx.settings.headers.items())
    headers.setdefault("request-method", site_of(ctx).get("method", "GET").upper())
    return headers


@builtin("String getHttpHeader(String headerName)", context=True)
def get_http_header(ctx, name: str) -> str:
    """The request's header (serve's request, else site: headers:), names ignoring case."""
    return _headers(ctx).get(name.lower(), "")


@builtin("String getNtUser()", context=True)
def get_nt_user(ctx) -> str:
    """REMOTE_USER as the web server gives it: site: headers: REMOTE-USER."""
    headers = _headers(ctx)
    return headers.get("unmapped-remote-user") or headers.get("remote-user", "")


@builtin("String getCookie(String name)", context=True)
def get_cookie(ctx, name: str) -> str:
    """A cookie the run set, else the request's Cookie header, else site: cookies:."""
    state = state_of(ctx)
    if name in state.cookies:
        return state.cookies[name][0]
    header = _headers(ctx).get("cookie", "")
    if header:
        try:
            morsel = SimpleCookie(header).get(name)
        except CookieError:
            morsel = None
        if morsel is not None:
            return morsel.value
    return site_of(ctx).get("cookies", {}).get(name, "")


@builtin("Void setCookie(String name, String value, Bool persistent)", context=True)
def set_cookie(ctx, name: str, value: str, persistent: bool) -> None:
    """Kept for the run (getCookie reads it back); shown in the response's
    OutputValues as `cookie.NAME` (docs/globals.md)."""
    state_of(ctx).cookies[name] = (value, persistent)
    ctx.event.OutputValues[f"cookie.{name}"] = value


# --------------------------------------------------------------- variables


@builtin("String getSessionVariable(String name)", context=True)
def get_session_variable(ctx, name: str) -> str:
    return state_of(ctx).session.get(name, "")


@builtin("String setSessionVariable(String name, String value)", context=True)
def set_session_variable(ctx, name: str, value: str) -> str:
    """Lives as long as the run (site: session: holds the session's earlier ones); returns the value."""
    state_of(ctx).session[name] = value
    return value


@builtin("Map getSessionVariables()", context=True)
def get_session_variables(ctx) -> Map:
    return Map.from_pairs(state_of(ctx).session.items())


@builtin("String getCurrent(String key)", context=True)
def get_current(ctx, key: str) -> str:
    return state_of(ctx).current.get(key, "")


@builtin("Void setCurrent(String key, String value)", context=True)
@builtin("Void SetCurrent(String key, String value)", context=True)
def set_current(ctx, key: str, value: str) -> None:
    state_of(ctx).current[key] = value


@builtin("Map getVariables()", context=True)
def get_variables(ctx) -> Map:
    """Every variable getVariable() reads."""
    return Map.from_pairs(ctx.variables.items())


@builtin("String getEnvVariable(String name)", context=True)
def get_env_variable(ctx, name: str) -> str:
    """From site: env: only; the host's environment is never read."""
    return site_of(ctx).get("env", {}).get(name, "")


@builtin("String getExecutable()")
def get_executable() -> str:
    return SIMULATED_EXECUTABLE


@builtin("Integer getPID()")
def get_pid() -> int:
    return SIMULATED_PID


@builtin("Map getWarnings()", context=True)
def get_warnings(ctx) -> Map:
    """The system warnings of site: warnings: (none by default)."""
    return Map.from_pairs(site_of(ctx).get("warnings", {}).items())
