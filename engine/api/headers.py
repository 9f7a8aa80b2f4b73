"""Request headers that reach the script: language, culture, time zone.

    SO-Language      user language (iso2); overrides Accept-Language
    Accept-Language  the client's preference list; the best-rated tag is used
    SO-Culture       number/date formatting (e.g. nb-NO); ignored when no
                     language was given by either header, as the WebAPI documents
    SO-TimeZone      IANA time zone name (Europe/Oslo, UTC; any case) for the script's clock

A value that cannot be understood is a 400 naming the header, never a
silent fallback: a test that sends SO-TimeZone must know it took effect.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Mapping

from ..runtime.context import Settings
from .errors import bad_request

# BCP 47 in the shape clients send: a 2-3 letter language, then subtags.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _language(tag: str, header: str) -> str:
    """`en-US` -> `en`: the iso2 user language."""
    tag = tag.strip().replace("_", "-")
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise bad_request(f"{header}: {tag!r} is not a language code such as en or nb-NO", header)
    return tag.split("-", 1)[0].lower()


def _culture(tag: str) -> str:
    """`nb-no` -> `nb-NO` (language lower case, region upper case)."""
    tag = tag.strip().replace("_", "-")
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise bad_request(f"SO-Culture: {tag!r} is not a culture code such as en-US or nb-NO", "SO-Culture")
    language, *rest = tag.split("-")
    return "-".join([language.lower()] + [part.upper() if len(part) == 2 else part for part in rest])


def _accept_language(header: str) -> str | None:
    """The best-rated language of an Accept-Language list (None for `*` only)."""
    best, best_quality = None, 0.0
    for item in header.split(","):
        tag, *params = [part.strip() for part in item.split(";")]
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    raise bad_request(f"Accept-Language: {param!r} is not a quality such as q=0.8",
                                      "Accept-Language") from None
        language = _language(tag, "Accept-Language")
        if quality > best_quality:
            best, best_quality = language, quality
    return best


# Files in the zone database that are not zones of their own: `localtime` is
# whatever the server machine is set to, so a test sending it would pass on
# one machine and fail on another.
_NOT_ZONES = frozenset({"localtime", "posixrules"})


@functools.cache
def _zone_names() -> dict[str, str]:
    """Lower-cased IANA name -> its spelling (read once; about 70 ms)."""
    return {name.lower(): name for name in zoneinfo.available_timezones() if name not in _NOT_ZONES}


def _timezone(name: str) -> str:
    """The IANA name, found ignoring case as .NET finds time zone ids
    (`utc`, `europe/oslo`); only names of the zone database, never a path."""
    name = name.strip()
    canonical = _zone_names().get(name.lower())
    if canonical is None:
        raise bad_request(f"SO-TimeZone: {name!r} is not a known time zone (use an IANA name such as "
                          f"Europe/Oslo or UTC)", "SO-TimeZone")
    return canonical


# Never shown to a script (getHttpHeader): the caller's credentials.
CREDENTIAL_HEADERS = frozenset({"authorization", "x-xsrf-token", "so-apptoken"})


def settings_from_headers(headers: Mapping[str, str]) -> Settings:
    """The script environment the request's headers ask for."""
    settings = Settings()
    settings.headers = {name.lower(): value for name, value in headers.items()
                        if name.lower() not in CREDENTIAL_HEADERS}
    language = None
    so_language = headers.get("so-language", "").strip()
    if so_language:
        language = _language(so_language, "SO-Language")
    else:
        accept_language = headers.get("accept-language", "").strip()
        if accept_language:
            language = _accept_language(accept_language)
    if language:
        settings.language = language
        culture = headers.get("so-culture", "").strip()
        if culture:
            settings.culture = _culture(culture)
    timezone = headers.get("so-timezone", "").strip()
    if timezone:
        settings.timezone = _timezone(timezone)
    return settings
