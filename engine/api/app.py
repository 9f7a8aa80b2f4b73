"""The local WebAPI: `create_app(engine)` builds the FastAPI application.

Every request goes through the same steps, each with its own error:

    route            unknown path 404, wrong method 405
    authenticate     401 + WWW-Authenticate (only with --auth); nothing runs
    negotiate        Accept that cannot be met 406
    headers          SO-Language / Accept-Language / SO-Culture / SO-TimeZone -> Settings, bad value 400
    body             Content-Type not spoken 415, larger than max_body 413,
                     malformed or mistyped 400 naming the field (a body over
                     DECODE_INLINE_BYTES, and every JSON Patch, decoded on a thread)
    run              through the engine gate (gate.py): on a worker thread
    answer           JSON (the bytes of eventdata.response_json) or XML, made
                     on the same worker thread

The parts live beside this module: `gate.py` (engine calls on worker
threads, never on the event loop), `middleware.py` (ASP.NET-style paths, the
access log), `openapi.py` (what /docs shows beyond FastAPI's own schema).
Each request gets its own EventData copy and RunContext (the engine makes
them), so nothing leaks between requests.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..eventdata import EventData, response_dict, response_json, validation_message
from ..runtime.context import Settings
from . import codecs
from .auth import Authenticator, make_authenticator
from .errors import ApiError, ErrorBody, bad_request
from .gate import DEFAULT_ENGINE_THREADS, EngineGate
from .headers import settings_from_headers
from .middleware import AccessLog, AspNetPaths, LineWriter, logger_writer
from .models import (
    EVENT_HANDLER_EXISTS,
    EVENT_HANDLERS_EXISTS,
    EXECUTE_EVENT_HANDLERS,
    EXECUTE_SCRIPT_AS_EVENT,
    INT32_MAX,
    INT32_MIN,
    REQUEST_MODELS,
    EventDataResponse,
    EventHandlerExistsRequest,
    EventHandlersExistsRequest,
    ExecuteEventHandlersRequest,
    ExecuteScriptAsEventRequest,
    field_length_out_of_range,
)
from .negotiation import JSON, choose_response_type, choose_response_type_or_default, request_codec, response_format
from .openapi import method_doc, openapi_schema

__all__ = ["DEFAULT_MAX_BODY", "LineWriter", "create_app", "validate"]

log = logging.getLogger("crmscript.api")

DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB
# Bodies up to this size are decoded on the event loop (tens of microseconds;
# a thread hop costs more); larger ones and JSON Patches, whose work is
# bounded but not small (api/patch.py), on a thread.
DECODE_INLINE_BYTES = 16 * 1024

Begin = Callable[[Request, type[BaseModel]], Awaitable["Call"]]


class Call:
    """One API request after the common steps: what the endpoint works with."""

    def __init__(self, request: Request, body: BaseModel, media_type: str, settings: Settings):
        self.request = request
        self.body = body
        self.media_type = media_type
        self.settings = settings

    @property
    def select(self) -> str | None:
        """The `$select` list, or None for "every member". Given twice, the
        lists are joined (ASP.NET reads a repeated parameter as the
        comma-joined values); one without any name is no selection (the
        seed: "Default = show all fields")."""
        lists = [value for name, value in self.request.query_params.multi_items() if name.lower() == "$select"]
        if not lists:
            return None
        joined = ",".join(lists)
        return joined if joined.replace(",", "").strip() else None

    def answer(self, data: Any, xml_root: str, json_text: str | None = None) -> Response:
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


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413) as soon as it is known to exceed `limit`.

    Reads the ASGI messages directly (cheaper than Request.stream())."""
    declared = request.headers.get("content-length")
    declared = (declared or "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise ApiError(413, f"The request body has {declared[:40]} bytes; the limit is {limit}",
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


def create_app(engine: Any, *, auth: None | str | Authenticator = None,
               max_body: int = DEFAULT_MAX_BODY, logger: logging.Logger | None = None,
               access_log: Callable[[str], None] | None = None,
               engine_threads: int = DEFAULT_ENGINE_THREADS) -> FastAPI:
    """The API application serving `engine` (an `engine.chain.Engine` or an
    object with its `run_chain`, `handler` and `has_handlers` methods).

    `auth`: None (open), a spec such as "bearer:TOKEN" or an Authenticator.
    `max_body`: the largest request body accepted, in bytes (413 above).
    `access_log`: where the one line per request goes (e.g. a LineWriter);
    by default to `logger` (or "crmscript.api") at INFO.
    `engine_threads`: engine calls that may run at once (gate.py).
    """
    authenticator = make_authenticator(auth)
    gate = EngineGate(engine_threads)
    app = _new_app(gate)
    _add_methods(app, engine, gate, _request_steps(authenticator, max_body))
    _add_error_answers(app)
    # The API methods first: Starlette tries routes in order, and these are
    # the ones called per event (the docs pages are registered before them).
    app.router.routes.sort(key=lambda route: getattr(route, "path", None) not in REQUEST_MODELS)
    app.openapi = functools.partial(openapi_schema, app, authenticator)  # type: ignore[method-assign]
    app.add_middleware(AspNetPaths)
    app.add_middleware(AccessLog, write=access_log or logger_writer(logger or log))
    return app


def _new_app(gate: EngineGate) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        gate.close()

    # FastAPIOffline: /docs and /redoc with Swagger UI and ReDoc served from
    # the package, not a CDN, so the pages work on a machine without internet.
    return FastAPIOffline(
        title="crmscript-sim local WebAPI",
        version="1.0",
        description=(
            "A local stand-in for the SuperOffice WebAPI's event handler methods. Bodies in JSON, XML, "
            "form-urlencoded, JSON Patch or Merge Patch; answers in JSON or XML (Accept). See docs/api.md."
        ),
        lifespan=lifespan,
    )


def _request_steps(authenticator: Authenticator | None, max_body: int) -> Begin:
    async def begin(request: Request, model: type[BaseModel]) -> Call:
        """The steps every API request shares, in order; each raises its ApiError."""
        if authenticator is not None:
            authenticator.check(request.headers)
        media_type = choose_response_type(request.headers.get("accept"))
        settings = settings_from_headers(request.headers)
        content_type = request.headers.get("content-type")
        codec, _ = request_codec(content_type)  # 415 before reading a body we cannot read
        body = await read_body(request, max_body)
        decode = functools.partial(_decode_and_validate, body, content_type, model, max_body)
        if len(body) > DECODE_INLINE_BYTES or codec == "json-patch":
            request_body = await asyncio.to_thread(decode)
        else:
            request_body = decode()
        return Call(request, request_body, media_type, settings)

    return begin


def _decode_and_validate(body: bytes, content_type: str | None, model: type[BaseModel], max_body: int) -> BaseModel:
    return validate(model, codecs.decode_body(body, content_type, model, model.empty_request, max_body))


def _add_methods(app: FastAPI, engine: Any, gate: EngineGate, begin: Begin) -> None:
    """The four API methods."""

    @app.post(EXECUTE_EVENT_HANDLERS, **method_doc(
        EventDataResponse, "The EventData after the handler chain", tag="CustomerService",
        summary="Execute the event handlers of an event", select=True))
    async def execute_event_handlers(request: Request) -> Response:
        call = await begin(request, ExecuteEventHandlersRequest)
        event = call.body.EventData

        def run_and_answer() -> tuple[Any, Response]:
            result = engine.run_chain(event, settings=call.settings)
            return result, call.answer_event(result.event)

        result, answer = await gate.run(run_and_answer)
        _note_chain(call, event.Type, result)
        return answer

    @app.post(EXECUTE_SCRIPT_AS_EVENT, **method_doc(
        EventDataResponse, "The EventData after the script ran", tag="CRMScript",
        summary="Run one registered script as a handler of the event", select=True,
        extra_responses={404: {"model": ErrorBody, "description": "No script has this CRMScriptId"}}))
    async def execute_script_as_event(request: Request) -> Response:
        call = await begin(request, ExecuteScriptAsEventRequest)
        script_id, event = call.body.CRMScriptId, call.body.EventData

        def run_one() -> tuple[Any, Response | None]:
            handler = engine.handler(script_id)
            if handler is None:
                return None, None
            result = engine.run_chain(event, settings=call.settings, handlers=[handler])
            return result, call.answer_event(result.event)

        result, answer = await gate.run(run_one)
        if result is None:
            raise ApiError(404, f"No CRMScript has the id {script_id} (list them with "
                                "`crmscript events --scripts`)", source="CRMScriptId")
        _note_chain(call, event.Type, result)
        return answer

    @app.post(EVENT_HANDLER_EXISTS, **method_doc(
        bool, "true or false", tag="CustomerService",
        summary="Is at least one handler registered for the event type?"))
    async def event_handler_exists(request: Request) -> Response:
        call = await begin(request, EventHandlerExistsRequest)
        event_type = call.body.EventHandlerType
        exists = await gate.run(engine.has_handlers, event_type)
        call.note(type=event_type, outcome=f"exists={str(exists).lower()}")
        return call.answer(exists, "boolean")

    @app.post(EVENT_HANDLERS_EXISTS, **method_doc(
        list[bool], "One bool per type, same order", tag="CustomerService",
        summary="For each event type: is at least one handler registered?"))
    async def event_handlers_exists(request: Request) -> Response:
        call = await begin(request, EventHandlersExistsRequest)
        types = call.body.EventHandlerTypes
        answers = await gate.run(lambda: [bool(engine.has_handlers(t)) for t in types])
        call.note(outcome=f"{sum(answers)} of {len(answers)} exist")
        return call.answer(answers, "ArrayOfBoolean")


def _add_error_answers(app: FastAPI) -> None:
    """Every error becomes an ErrorBody in the negotiated format; never a traceback."""

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


def render_error(request: Request, error: ApiError) -> Response:
    media_type = choose_response_type_or_default(request.headers.get("accept"))
    body = error.body()
    request.state.log_facts = {**getattr(request.state, "log_facts", {}), "outcome": error.message}
    return Response(codecs.encode(body.model_dump(), media_type, "ErrorBody"), status_code=error.status,
                    media_type=f"{media_type}; charset=utf-8", headers=error.headers)


def _note_chain(call: Call, event_type: str, result: Any) -> None:
    failed = getattr(result, "failed", None)
    if failed is not None or getattr(result, "error", None) is not None:
        outcome = f"failed: {result.event.Exception}"
    else:
        outcome = "ok"
    runs = getattr(result, "runs", ())
    logged = [line for run in runs for line in getattr(run, "log_lines", list)()]
    call.note(type=event_type, handlers=len(runs), outcome=outcome, log=logged)
