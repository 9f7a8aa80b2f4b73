"""Request headers that reach the script: language, culture, time zone.

    SO-Language      user language (iso2); overrides Accept-Language
    Accept-Language  the client's preference list; the best-rated tag is used
    SO-Culture       number/date formatting (e.g. nb-NO); ignored when no
                     language was given by either header, as the WebAPI documents
    SO-TimeZone      IANA time zone name (Europe/Oslo, UTC) for the script's clock

A value that cannot be understood is a 400 naming the header, never a
silent fallback: a test that sends SO-TimeZone must know it took effect.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Mapping, Optional

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


def _accept_language(header: str) -> Optional[str]:
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


def _timezone(name: str) -> str:
    name = name.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # not found, not a key (`../x`), unreadable tz file: all "unknown"
        raise bad_request(f"SO-TimeZone: {name!r} is not a known time zone (use an IANA name such as "
                          f"Europe/Oslo or UTC)", "SO-TimeZone") from None
    return name


def settings_from_headers(headers: Mapping[str, str]) -> Settings:
    """The script environment the request's headers ask for."""
    settings = Settings()
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
