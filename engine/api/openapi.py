"""The OpenAPI document of the local WebAPI (/docs, /openapi.json).

FastAPI sees the routes but not what our own codecs read: the request
bodies in seven media types, the query and header parameters, every
answer in JSON and XML, and the security scheme of --auth. This module
adds them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .auth import Authenticator
from .errors import ErrorBody
from .models import REQUEST_MODELS, SAMPLE_REQUEST, ExecuteEventHandlersRequest
from .negotiation import REQUEST_TYPES, RESPONSE_TYPES

SELECT_PARAMETER = {
    "name": "$select", "in": "query", "required": False,
    "description": "Comma separated top-level properties to keep (case-insensitive; unknown names "
                   "ignored); every other property is null. Default: all.",
    "schema": {"type": "string"}, "example": "Type,Message,OutputValues",
}

HEADER_PARAMETERS = tuple(
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

ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Malformed or mistyped body, or a header value that cannot be understood"),
        (401, "A credential is needed (only when the server runs with --auth)"),
        (406, "The Accept header allows no type the API produces"),
        (413, "The body is larger than the server's limit"),
        (415, "The Content-Type is not one the API reads"),
    )
}


def method_doc(answer: Any, description: str, *, tag: str, summary: str, select: bool = False,
               extra_responses: dict | None = None) -> dict[str, Any]:
    """The route decorator's documentation arguments of one API method."""
    parameters = [SELECT_PARAMETER, *HEADER_PARAMETERS] if select else list(HEADER_PARAMETERS)
    return {
        "response_model": answer, "tags": [tag], "summary": summary,
        "responses": {200: {"model": answer, "description": description}, **ERROR_RESPONSES,
                      **(extra_responses or {})},
        "openapi_extra": {"parameters": parameters},
    }


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


def openapi_schema(app: FastAPI, authenticator: Authenticator | None) -> dict:
    """FastAPI's schema plus what it cannot see (made once, then kept)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _add_request_bodies(schema)
    _answer_in_every_type(schema)
    if authenticator is not None:
        _add_security(schema, authenticator.scheme)
    app.openapi_schema = schema
    return schema


def _add_request_bodies(schema: dict) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path, model in REQUEST_MODELS.items():
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
        reference = {"$ref": f"#/components/schemas/{model.__name__}"}
        content = {media_type: {"schema": _body_schema(codec, reference)}
                   for media_type, codec in REQUEST_TYPES.items()}
        if model is ExecuteEventHandlersRequest:
            content["application/json"]["example"] = SAMPLE_REQUEST
        schema["paths"][path]["post"]["requestBody"] = {"required": True, "content": content}


def _body_schema(codec: str, reference: dict) -> dict:
    if codec in ("json", "xml"):
        return {**reference}
    if codec == "form":
        return {"type": "object", "additionalProperties": {"type": "string"}, "description": _FORM_DESCRIPTION}
    if codec == "json-patch":
        return {"type": "array", "items": _PATCH_OPERATION}
    return {"type": "object"}


def _answer_in_every_type(schema: dict) -> None:
    """Every answer comes in every type Accept may ask for."""
    for path in REQUEST_MODELS:
        for response in schema["paths"][path]["post"]["responses"].values():
            json_content = response.get("content", {}).get("application/json")
            if json_content is not None:
                response["content"] = {media: dict(json_content) for media in RESPONSE_TYPES}


def _add_security(schema: dict, scheme_name: str) -> None:
    scheme = ({"type": "http", "scheme": "basic"} if scheme_name == "basic" else
              {"type": "http", "scheme": "bearer"} if scheme_name == "bearer" else
              {"type": "apiKey", "in": "header", "name": "Authorization",
               "description": "Authorization: SoTicket <ticket>"})
    schema["components"]["securitySchemes"] = {scheme_name: scheme}
    for path in REQUEST_MODELS:
        schema["paths"][path]["post"]["security"] = [{scheme_name: []}]
