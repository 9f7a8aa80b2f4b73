"""The local WebAPI: `create_app(engine)` builds the FastAPI application.

Every request goes through the same steps, each with its own error:

    route            unknown path 404, wrong method 405
    authenticate     401 + WWW-Authenticate (only with --auth); nothing runs
    negotiate        Accept that cannot be met 406
    headers          SO-Language / Accept-Language / SO-Culture / SO-TimeZone -> Settings, bad value 400
    body             Content-Type not spoken 415, larger than max_body 413,
                     malformed or mistyped 400 naming the field
    run              on the handler thread (below)
    answer           JSON (the bytes of eventdata.response_json) or XML

Engine calls are serialized (HandlerRunner): quick ones run inline on the
event loop, slow or first-time ones on a worker thread so the loop stays
free to answer (and refuse) other requests meanwhile. Each request still
gets its own EventData copy and RunContext (the engine makes them), so
nothing leaks between requests.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, Callable, Optional, Union

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..eventdata import EventData, response_dict, response_json, validation_message
from ..runtime.context import Settings
from . import codecs
from .auth import Authenticator, make_authenticator
from .errors import ApiError, ErrorBody, bad_request
from .headers import settings_from_headers
from .models import (
    INT32_MAX,
    INT32_MIN,
    SAMPLE_REQUEST,
    EventDataResponse,
    EventHandlerExistsRequest,
    EventHandlersExistsRequest,
    ExecuteEventHandlersRequest,
    ExecuteScriptAsEventRequest,
    field_length_out_of_range,
)
from .negotiation import (
    JSON,
    REQUEST_TYPES,
    RESPONSE_TYPES,
    choose_response_type,
    choose_response_type_or_default,
    request_codec,
    response_format,
)

log = logging.getLogger("crmscript.api")

DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB

EXECUTE_EVENT_HANDLERS = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EVENT_HANDLER_EXISTS = "/api/v1/Agents/CustomerService/EventHandlerExists"
EVENT_HANDLERS_EXISTS = "/api/v1/Agents/CustomerService/EventHandlersExists"
EXECUTE_SCRIPT_AS_EVENT = "/api/v1/Agents/CRMScript/ExecuteScriptAsEvent"

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    EXECUTE_EVENT_HANDLERS: ExecuteEventHandlersRequest,
    EVENT_HANDLER_EXISTS: EventHandlerExistsRequest,
    EVENT_HANDLERS_EXISTS: EventHandlersExistsRequest,
    EXECUTE_SCRIPT_AS_EVENT: ExecuteScriptAsEventRequest,
}


class Call:
    """One API request after the common steps: what the endpoint works with."""

    def __init__(self, request: Request, body: BaseModel, media_type: str, settings: Settings):
        self.request = request
        self.body = body
        self.media_type = media_type
        self.settings = settings

    @property
    def select(self) -> Optional[str]:
        """The `$select` list, or None for "every member". Given twice, the
        lists are joined (ASP.NET reads a repeated parameter as the
        comma-joined values); one without any name is no selection (the
        seed: "Default = show all fields")."""
        lists = [value for name, value in self.request.query_params.multi_items() if name.lower() == "$select"]
        if not lists:
            return None
        joined = ",".join(lists)
        return joined if joined.replace(",", "").strip() else None

    def answer(self, data: Any, xml_root: str, json_text: Optional[str] = None) -> Response:
        return Response(codecs.encode(data, self.media_type, xml_root, json_text),
                        media_type=f"{self.media_type}; charset=utf-8")

    def answer_event(self, event: EventData) -> Response:
        select = self.select
        if response_format(self.media_type) == JSON:
            # The one producer of the response bytes, shared with `crmscript fire`.
            return self.answer(None, "EventData", response_json(event, select))
        return self.answer(response_dict(event, select), "EventData")

    def note(self, **facts: Any) -> None:
        """Facts for the request's log line (see AccessLog)."""
        self.request.state.log_facts = facts


class HandlerRunner:
    """Runs engine calls one at a time: inline on the event loop when the
    same kind of call was quick last time, else on a worker thread.

    Serialized because the engine's registry and compile cache are not
    thread-safe (and the GIL would not run CPU-bound scripts in parallel
    anyway); an asyncio.Lock does it, so waiting requests never block the
    loop. Handing a call to a thread and back costs more than a trivial
    handler takes, so quick calls run inline; a first call (which may
    compile) or one that was slow last time runs on the thread, and the
    server keeps answering other requests (401s, 400s, /docs) meanwhile.
    """

    QUICK_SECONDS = 0.005
    MAX_REMEMBERED = 1024  # kinds of call remembered (event types come from clients)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        # Belt and braces: if a request is cancelled while its call runs on
        # the thread, the asyncio lock is released but the thread cannot be
        # stopped; this lock keeps the next call from entering the engine
        # until it is done.
        self._engine_lock = threading.Lock()
        self._pool: Optional[ThreadPoolExecutor] = None
        self._quick: dict[Any, bool] = {}

    async def run(self, kind: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._quick.get(kind) and not self._lock.locked():
            # Fast path: nothing holds the engine, and nothing can interleave
            # with a call that never awaits.
            result, seconds = _timed(self._engine_lock, function, *args, **kwargs)
            self._remember(kind, seconds)
            return result
        async with self._lock:
            if self._quick.get(kind):
                result, seconds = _timed(self._engine_lock, function, *args, **kwargs)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmscript-handlers")
                call = functools.partial(_timed, self._engine_lock, function, *args, **kwargs)
                result, seconds = await asyncio.get_running_loop().run_in_executor(self._pool, call)
            self._remember(kind, seconds)
        return result

    def _remember(self, kind: Any, seconds: float) -> None:
        if len(self._quick) >= self.MAX_REMEMBERED:
            self._quick.clear()
        self._quick[kind] = seconds < self.QUICK_SECONDS

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _timed(lock: threading.Lock, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    with lock:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        return result, time.perf_counter() - started


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413) as soon as it is known to exceed `limit`.

    Reads the ASGI messages directly (cheaper than Request.stream())."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ApiError(413, f"The request body has {int(declared)} bytes; the limit is {limit}",
                       source="Content-Length")
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise bad_request("The client went away before the whole body arrived")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"The request body is larger than the limit of {limit} bytes",
                           source="Content-Length")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def validate(model: type[BaseModel], data: Any) -> BaseModel:
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else "null" if data is None else f"a {type(data).__name__}"
        example = ", ".join(f'"{name}": ...' for name in model.model_fields)
        raise bad_request(f"The body must be an object {{{example}}}, not {kind}")
    try:
        request = model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        source = ".".join(str(part) for part in first["loc"]) or None
        raise bad_request(validation_message(error, prefix=""), source) from None
    event = getattr(request, "EventData", None)
    if event is not None and event.FieldProperties:
        too_long = field_length_out_of_range(event)
        if too_long is not None:
            raise bad_request(f"{too_long}: must be between {INT32_MIN} and {INT32_MAX} (a .NET int)", too_long)
    return request


_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r"})


# ASP.NET routing, which the WebAPI runs on, matches paths ignoring case and
# a trailing slash; clients written for it spell paths either way.
_METHOD_PATHS_BY_LOWER = {path.lower(): path for path in REQUEST_MODELS}


class AspNetPaths:
    """ASGI middleware: `/api/v1/agents/customerservice/executeeventhandlers/`
    reaches the route `/api/v1/Agents/CustomerService/ExecuteEventHandlers`
    (rather than a 404, or Starlette's 307 redirect for the slash, which
    most clients do not follow for a POST). Only the API methods' paths are
    matched this way; the exact spelling costs one dict lookup."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path not in REQUEST_MODELS:
                canonical = _METHOD_PATHS_BY_LOWER.get(path.rstrip("/").lower())
                if canonical is not None:
                    scope = {**scope, "path": canonical, "raw_path": canonical.encode("ascii")}
        await self.app(scope, receive, send)


class AccessLog:
    """ASGI middleware: one log line per request (method, path, event type,
    handlers run, milliseconds, status and outcome), given to `write`."""

    def __init__(self, app: Any, write: Callable[[str], None]) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            facts = scope.get("state", {}).get("log_facts", {})
            line = f"{scope['method']} {scope['path']}"
            if "type" in facts:
                line += f" {facts['type'] or '(no type)'}"
            if "handlers" in facts:
                line += f" handlers={facts['handlers']}"
            line += f" {milliseconds:.1f}ms {status}"
            if facts.get("outcome"):
                line += f" {facts['outcome']}"
            # One line, whatever the client put in field names or the handler in Exception.
            self.write(line.translate(_ONE_LINE))


class LineWriter:
    """Writes access lines to a stream as `2026-11-25 13:06:57,231 INFO line`
    (the format of `crmscript serve`'s other log lines).

    A request line through the logging module costs about as much as a
    trivial handler run; this costs a tenth of it. Called on the event loop
    thread only."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self._second = -1
        self._stamp = ""

    def __call__(self, line: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        self.stream.write(f"{self._stamp},{int((now - second) * 1000):03d} INFO {line}\n")
        self.stream.flush()


def _to_logger(logger: logging.Logger) -> Callable[[str], None]:
    def write(line: str) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", line)

    return write


def create_app(engine: Any, *, auth: Union[None, str, Authenticator] = None,
               max_body: int = DEFAULT_MAX_BODY, logger: Optional[logging.Logger] = None,
               access_log: Optional[Callable[[str], None]] = None) -> FastAPI:
    """The API application serving `engine` (an `engine.chain.Engine` or an
    object with its `run_chain`, `handler` and `has_handlers` methods).

    `auth`: None (open), a spec such as "bearer:TOKEN" or an Authenticator.
    `max_body`: the largest request body accepted, in bytes (413 above).
    `access_log`: where the one line per request goes (e.g. a LineWriter);
    by default to `logger` (or "crmscript.api") at INFO.
    """
    authenticator = make_authenticator(auth)
    handler_runner = HandlerRunner()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        handler_runner.close()

    # FastAPIOffline: /docs and /redoc with Swagger UI and ReDoc served from
    # the package, not a CDN, so the pages work on a machine without internet.
    app = FastAPIOffline(
        title="crmscript-sim local WebAPI",
        version="1.0",
        description=(
            "A local stand-in for the SuperOffice WebAPI's event handler methods. Bodies in JSON, XML, "
            "form-urlencoded, JSON Patch or Merge Patch; answers in JSON or XML (Accept). See docs/api.md."
        ),
        lifespan=lifespan,
    )

    async def begin(request: Request, model: type[BaseModel]) -> Call:
        """The steps every API request shares, in order; each raises its ApiError."""
        if authenticator is not None:
            authenticator.check(request.headers)
        media_type = choose_response_type(request.headers.get("accept"))
        settings = settings_from_headers(request.headers)
        content_type = request.headers.get("content-type")
        request_codec(content_type)  # 415 before reading a body we cannot read
        body = await read_body(request, max_body)
        data = codecs.decode_body(body, content_type, model, model.empty_request)
        return Call(request, validate(model, data), media_type, settings)

    # ----------------------------------------------------------- endpoints

    error_responses = {
        status: {"model": ErrorBody, "description": description}
        for status, description in (
            (400, "Malformed or mistyped body, or a header value that cannot be understood"),
            (401, "A credential is needed (only when the server runs with --auth)"),
            (406, "The Accept header allows no type the API produces"),
            (413, "The body is larger than the server's limit"),
            (415, "The Content-Type is not one the API reads"),
        )
    }

    def ok_response(model: Any, description: str) -> dict:
        return {200: {"model": model, "description": description}}

    @app.post(EXECUTE_EVENT_HANDLERS, response_model=EventDataResponse, tags=["CustomerService"],
              summary="Execute the event handlers of an event",
              responses={**ok_response(EventDataResponse, "The EventData after the handler chain"),
                         **error_responses},
              openapi_extra={"parameters": [_SELECT_PARAMETER, *_HEADER_PARAMETERS]})
    async def execute_event_handlers(request: Request) -> Response:
        call = await begin(request, ExecuteEventHandlersRequest)
        event = call.body.EventData
        result = await handler_runner.run(event.Type, engine.run_chain, event, settings=call.settings)
        _note_chain(call, event.Type, result)
        return call.answer_event(result.event)

    @app.post(EXECUTE_SCRIPT_AS_EVENT, response_model=EventDataResponse, tags=["CRMScript"],
              summary="Run one registered script as a handler of the event",
              responses={**ok_response(EventDataResponse, "The EventData after the script ran"),
                         **error_responses,
                         404: {"model": ErrorBody, "description": "No script has this CRMScriptId"}},
              openapi_extra={"parameters": [_SELECT_PARAMETER, *_HEADER_PARAMETERS]})
    async def execute_script_as_event(request: Request) -> Response:
        call = await begin(request, ExecuteScriptAsEventRequest)
        script_id, event = call.body.CRMScriptId, call.body.EventData

        def run_one() -> Any:
            handler = engine.handler(script_id)
            if handler is None:
                return None
            return engine.run_chain(event, settings=call.settings, handlers=[handler])

        result = await handler_runner.run(("script", script_id), run_one)
        if result is None:
            raise ApiError(404, f"No CRMScript has the id {script_id} (list them with "
                                "`crmscript events --scripts`)", source="CRMScriptId")
        _note_chain(call, event.Type, result)
        return call.answer_event(result.event)

    @app.post(EVENT_HANDLER_EXISTS, response_model=bool, tags=["CustomerService"],
              summary="Is at least one handler registered for the event type?",
              responses={**ok_response(bool, "true or false"), **error_responses},
              openapi_extra={"parameters": list(_HEADER_PARAMETERS)})
    async def event_handler_exists(request: Request) -> Response:
        call = await begin(request, EventHandlerExistsRequest)
        event_type = call.body.EventHandlerType
        exists = await handler_runner.run("exists", engine.has_handlers, event_type)
        call.note(type=event_type, outcome=f"exists={str(exists).lower()}")
        return call.answer(exists, "boolean")

    @app.post(EVENT_HANDLERS_EXISTS, response_model=list[bool], tags=["CustomerService"],
              summary="For each event type: is at least one handler registered?",
              responses={**ok_response(list[bool], "One bool per type, same order"), **error_responses},
              openapi_extra={"parameters": list(_HEADER_PARAMETERS)})
    async def event_handlers_exists(request: Request) -> Response:
        call = await begin(request, EventHandlersExistsRequest)
        types = call.body.EventHandlerTypes
        answers = await handler_runner.run("exists", lambda: [bool(engine.has_handlers(t)) for t in types])
        call.note(outcome=f"{sum(answers)} of {len(answers)} exist")
        return call.answer(answers, "ArrayOfBoolean")

    # -------------------------------------------------------------- errors

    def render_error(request: Request, error: ApiError) -> Response:
        media_type = choose_response_type_or_default(request.headers.get("accept"))
        body = error.body()
        request.state.log_facts = {**getattr(request.state, "log_facts", {}), "outcome": error.message}
        return Response(codecs.encode(body.model_dump(), media_type, "ErrorBody"), status_code=error.status,
                        media_type=f"{media_type}; charset=utf-8", headers=error.headers)

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, error: ApiError) -> Response:
        return render_error(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            message = f"There is no {request.url.path} here; see /docs for the API's methods"
        elif error.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(error.detail)
        return render_error(request, ApiError(error.status_code, message, headers=dict(error.headers or {})))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return render_error(request, bad_request(problems or "Invalid request"))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, error: Exception) -> Response:
        # A bug in the server, not the client's fault: log it with its
        # traceback, answer without one.
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
        return render_error(request, ApiError(500, "Internal server error; the server log has the details"))

    # The API methods first: Starlette tries routes in order, and these are
    # the ones called per event (the docs pages are registered before them).
    routes = app.router.routes
    routes.sort(key=lambda route: getattr(route, "path", None) not in REQUEST_MODELS)
    app.openapi = functools.partial(_openapi, app, authenticator)  # type: ignore[method-assign]
    app.add_middleware(AspNetPaths)
    app.add_middleware(AccessLog, write=access_log or _to_logger(logger or log))
    return app


def _note_chain(call: Call, event_type: str, result: Any) -> None:
    failed = getattr(result, "failed", None)
    if failed is not None or getattr(result, "error", None) is not None:
        outcome = f"failed: {result.event.Exception}"
    else:
        outcome = "ok"
    call.note(type=event_type, handlers=len(getattr(result, "runs", ())), outcome=outcome)


# ------------------------------------------------------------------ OpenAPI

_SELECT_PARAMETER = {
    "name": "$select", "in": "query", "required": False,
    "description": "Comma separated top-level properties to keep (case-insensitive; unknown names "
                   "ignored); every other property is null. Default: all.",
    "schema": {"type": "string"}, "example": "Type,Message,OutputValues",
}

_HEADER_PARAMETERS = tuple(
    {"name": name, "in": "header", "required": False, "description": description,
     "schema": {"type": "string"}, "example": example}
    for name, description, example in (
        ("SO-Language", "User language (iso2) for the script; overrides Accept-Language", "en"),
        ("SO-Culture", "Number and date formatting (e.g. nb-NO); ignored without a language", "en-US"),
        ("SO-TimeZone", "IANA time zone of the script's clock; unknown names are a 400", "Europe/Oslo"),
        ("SO-AppToken", "The partner application's token; accepted and not checked", "token"),
        ("X-XSRF-TOKEN", "Instead of Authorization (with --auth): the configured secret", "secret"),
    )
)

_PATCH_OPERATION = {
    "type": "object",
    "required": ["op", "path"],
    "properties": {
        "op": {"type": "string", "enum": ["add", "remove", "replace", "move", "copy", "test"]},
        "path": {"type": "string", "description": "JSON Pointer into the request, e.g. /EventData/Type"},
        "from": {"type": "string"},
        "value": {},
    },
}

_FORM_DESCRIPTION = (
    "Property paths as field names: EventData.Type=..., EventData.InputValues.key=..., "
    "EventData.InputValues[key.with.dots]=..., EventHandlerTypes=A&EventHandlerTypes=B (see docs/api.md)"
)


def _openapi(app: FastAPI, authenticator: Optional[Authenticator]) -> dict:
    """FastAPI's schema plus what it cannot see: the request bodies (read by
    our own codecs, in seven media types) and the security scheme."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path, model in REQUEST_MODELS.items():
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
        reference = {"$ref": f"#/components/schemas/{model.__name__}"}
        content: dict[str, Any] = {}
        for media_type, codec in REQUEST_TYPES.items():
            if codec == "json":
                content[media_type] = {"schema": reference}
            elif codec == "xml":
                content[media_type] = {"schema": {**reference}}
            elif codec == "form":
                content[media_type] = {"schema": {"type": "object", "additionalProperties": {"type": "string"},
                                                  "description": _FORM_DESCRIPTION}}
            elif codec == "json-patch":
                content[media_type] = {"schema": {"type": "array", "items": _PATCH_OPERATION}}
            else:
                content[media_type] = {"schema": {"type": "object"}}
        if model is ExecuteEventHandlersRequest:
            content["application/json"]["example"] = SAMPLE_REQUEST
        schema["paths"][path]["post"]["requestBody"] = {"required": True, "content": content}
    for path in REQUEST_MODELS:
        for response in schema["paths"][path]["post"]["responses"].values():
            # Every answer comes in every type Accept may ask for.
            json_content = response.get("content", {}).get("application/json")
            if json_content is not None:
                response["content"] = {media: dict(json_content) for media in RESPONSE_TYPES}
    if authenticator is not None:
        scheme_name = authenticator.scheme
        scheme = ({"type": "http", "scheme": "basic"} if scheme_name == "basic" else
                  {"type": "http", "scheme": "bearer"} if scheme_name == "bearer" else
                  {"type": "apiKey", "in": "header", "name": "Authorization",
                   "description": "Authorization: SoTicket <ticket>"})
        schema["components"]["securitySchemes"] = {scheme_name: scheme}
        for path in REQUEST_MODELS:
            schema["paths"][path]["post"]["security"] = [{scheme_name: []}]
    app.openapi_schema = schema
    return schema
