"""SuperOffice's numbered languages, shared by langToId / idToLang and
String.parseSOMultiLanguageString.

The ids are the documented ones (String.parseSOMultiLanguageString:
Norwegian = 0, English = 1, German = 2, Swedish = 3, Danish = 4, Dutch = 5,
French = 6, Spanish = 7, Italian = 8, Czech = 9, Finnish = 10, Polish = 11).
A language is written with its ISO 639-1 code ("en"); SuperOffice's older
two-letter prefixes in multi-language strings ("US", "GE", ...) and common
variants are accepted as aliases.
"""

from __future__ import annotations

# id -> (ISO 639-1 code, other spellings accepted on input)
LANGUAGES: dict[int, tuple[str, tuple[str, ...]]] = {
    0: ("no", ("nb", "nn")),
    1: ("en", ("us", "gb", "uk")),
    2: ("de", ("ge",)),
    3: ("sv", ("se", "sw")),
    4: ("da", ("dk",)),
    5: ("nl", ("du",)),
    6: ("fr", ()),
    7: ("es", ("sp",)),
    8: ("it", ()),
    9: ("cs", ("cz",)),
    10: ("fi", ("su",)),
    11: ("pl", ()),
}

_ID_BY_CODE = {
    spelling: lang_id
    for lang_id, (code, aliases) in LANGUAGES.items()
    for spelling in (code, *aliases)
}


def language_id(code: str) -> int | None:
    """"en", "EN", "en-US", "US" -> 1; None when unknown."""
    key = code.strip().lower().replace("_", "-").split("-")[0]
    return _ID_BY_CODE.get(key)


def language_code(lang_id: int) -> str | None:
    entry = LANGUAGES.get(lang_id)
    return entry[0] if entry else None
