"""HTTP errors of the local WebAPI and their body.

Every failure the API reports is an `ApiError`: a status, a message a client
author understands, and (when one thing is to blame) the field, header or
parameter that was wrong. `app.py` renders it in the negotiated format (JSON
or XML); nothing else ever reaches the client, never a Python traceback.
"""

from __future__ import annotations

from http import HTTPStatus

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer (JSON, or XML with root `ErrorBody`)."""

    Error: str = Field(description="What was wrong, written for the client author.")
    ErrorType: str = Field(description="The HTTP status as a word, e.g. BadRequest, Unauthorized.")
    ErrorSource: str | None = Field(
        default=None,
        description="The field (EventData.InputValues.x), header (SO-TimeZone) or parameter to blame, if one is.",
    )
    Status: int = Field(description="The HTTP status code, repeated for clients that lose it.")


def error_type(status: int) -> str:
    """`400` -> `BadRequest`, `415` -> `UnsupportedMediaType` (the .NET status names)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return "".join(word.capitalize() if word.islower() else word for word in phrase.replace("-", " ").split())


class ApiError(Exception):
    """An HTTP error answer: status, message, what to blame, extra headers."""

    def __init__(self, status: int, message: str, *, source: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.source = source
        self.headers = headers or {}

    def body(self) -> ErrorBody:
        return ErrorBody(Error=self.message, ErrorType=error_type(self.status),
                         ErrorSource=self.source, Status=self.status)


def bad_request(message: str, source: str | None = None) -> ApiError:
    return ApiError(400, message, source=source)
