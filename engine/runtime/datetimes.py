"""Date, DateTime, Time and TimeSpan.

Each is a small mutable class (the compiler copies it on assignment with
`.copy()`), with a null state (`isNull()`). A Date, DateTime or Time holds a
wall-clock value in the user's time zone (ctx.settings.timezone, "" = UTC);
"now" is the run's one clock, RunContext.timestamp() (a fixed start or the
real clock, plus the simulated sleep()).

A declaration `DateTime d;` (also Date, Time) holds now, as the public docs
say ("The default value is now") and docs/language.md fixes; so do the explicit
constructors `DateTime()`, `Date()`, `Time()`.

Decisions the reference leaves open are in docs/library-dates.md.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import math
import re
from time import time as _real_time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import CRMScriptLimitError, CRMScriptRuntimeError
from .numbers import check_int
from .table import LIBRARY, builtin

_EPOCH = _dt.datetime(1970, 1, 1)
_new = object.__new__
_SECONDS_PER_DAY = 86_400
_SECONDS_PER_YEAR = 365 * _SECONDS_PER_DAY  # "A one year time span will return 365" days

# ---------------------------------------------------------------------------
# The run's clock and time zone
# ---------------------------------------------------------------------------

_ZONES: dict[str, ZoneInfo | None] = {}


def zone_for(name: str) -> ZoneInfo | None:
    """The IANA zone for a settings name; None means UTC."""
    if not name or name.upper() == "UTC":
        return None
    zone = _ZONES.get(name)
    if zone is None:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CRMScriptRuntimeError(f"unknown time zone '{name}'") from None
        _ZONES[name] = zone
    return zone


def _settings_zone(ctx: Any) -> ZoneInfo | None:
    if ctx is None:
        return None
    return zone_for(getattr(ctx.settings, "timezone", "") or "")


# The last reading of the clock: (whole second, zone name, wall clock, its
# date, its time of day in seconds). A trigger that declares a DateTime reads
# the clock on its hot path, and the reading changes once a second:
# converting it to the user's zone (0.5-2 µs) is done once.
_last_reading: tuple[int, str, _dt.datetime, _dt.date, int] = (0, "\0", _EPOCH, _EPOCH.date(), 0)


def _clock_reading(ctx: Any) -> tuple[int, str, _dt.datetime, _dt.date, int]:
    """The run's clock (RunContext.timestamp) in the user's zone, to the second."""
    global _last_reading
    seconds = math.floor(ctx.timestamp() if ctx is not None else _real_time())
    zone_name = ctx.settings.timezone if ctx is not None else ""
    last = _last_reading
    if last[0] == seconds and last[1] == zone_name:
        return last
    try:
        wall = _dt.datetime.fromtimestamp(seconds, zone_for(zone_name) or _dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise CRMScriptRuntimeError("the date is out of the supported range") from None
    _last_reading = (seconds, zone_name, wall, wall.date(), wall.hour * 3600 + wall.minute * 60 + wall.second)
    return _last_reading


# The values of now are made without their __init__ (a declaration is on the
# hot path of triggers); tests compare them with what the constructors make.

def now_datetime(ctx: Any) -> DateTime:
    """getCurrentDateTime(), DateTime() and `DateTime d;`."""
    moment = _new(DateTime)
    moment.value = _clock_reading(ctx)[2]
    moment.null = False
    return moment


def now_date(ctx: Any) -> Date:
    """getCurrentDate(), Date() and `Date d;`."""
    day = _new(Date)
    day.value = _clock_reading(ctx)[3]
    day.null = False
    return day


def now_time(ctx: Any) -> Time:
    """getCurrentTime(), Time() and `Time t;`."""
    moment = _new(Time)
    moment.seconds = _clock_reading(ctx)[4]
    moment.null = False
    return moment


def _wall_to_unix(ctx: Any, wall: _dt.datetime) -> int:
    zone = _settings_zone(ctx)
    aware = wall.replace(tzinfo=zone or _dt.UTC)
    return int(aware.timestamp())


def _unix_to_wall(ctx: Any, seconds: int) -> _dt.datetime:
    zone = _settings_zone(ctx)
    try:
        instant = _dt.datetime.fromtimestamp(seconds, _dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise CRMScriptRuntimeError(f"{seconds} seconds since 1970 is not a valid date") from None
    if zone is not None:
        instant = instant.astimezone(zone)
    return instant.replace(tzinfo=None)


# ---------------------------------------------------------------------------
# Shared calendar arithmetic
# ---------------------------------------------------------------------------


def _shift_months(year: int, month: int, day: int, months: int) -> _dt.date:
    """Add months keeping the day; an overflow rolls over like C's mktime
    (so February 29th in a non-leap year becomes March 1st, as documented)."""
    index = year * 12 + (month - 1) + months
    new_year, new_month = divmod(index, 12)
    _check_year(new_year)
    first = _dt.date(new_year, new_month + 1, 1)
    return _add_delta(first, days=day - 1)


def _check_year(year: int) -> None:
    if not 1 <= year <= 9999:
        raise CRMScriptRuntimeError(f"year {year} is out of the supported range 1-9999")


def _add_delta(moment, **amounts: int):
    """moment + timedelta(**amounts); leaving years 1-9999 is a runtime error."""
    try:
        return moment + _dt.timedelta(**amounts)
    except OverflowError:
        raise CRMScriptRuntimeError("the date is out of the supported range") from None


def _ymd(moment, separator: str = "-") -> str:
    """YYYY-MM-DD with a four-digit year also before 1000 (strftime does not pad)."""
    return f"{moment.year:04d}{separator}{moment.month:02d}{separator}{moment.day:02d}"


def _hms(moment, separator: str = ":") -> str:
    return f"{moment.hour:02d}{separator}{moment.minute:02d}{separator}{moment.second:02d}"


# ---------------------------------------------------------------------------
# The value classes
# ---------------------------------------------------------------------------


class TemporalValue:
    """Base of the value types that need `.copy()` on assignment."""

    __slots__ = ("null",)

    def copy(self):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _key(self):
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() != other._key()

    def __lt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() >= other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))


class Date(TemporalValue):
    """A calendar day; null is 1970-01-01 with the null flag (a null sorts first)."""

    __slots__ = ("value",)

    def __init__(self, value: _dt.date | None = None) -> None:
        self.null = value is None
        self.value = value if value is not None else _EPOCH.date()

    def copy(self) -> Date:
        clone = _new(Date)  # (no __init__: a copy is made on every assignment)
        clone.value = self.value
        clone.null = self.null
        return clone

    def _key(self):
        return (not self.null, self.value)

    def __repr__(self) -> str:
        return "Date(null)" if self.null else f"Date({self.value.isoformat()})"

    def __str__(self) -> str:
        return "" if self.null else self.value.isoformat()


class DateTime(TemporalValue):
    """A wall-clock timestamp to the second; null is 1970-01-01 00:00:00 plus the flag."""

    __slots__ = ("value",)

    def __init__(self, value: _dt.datetime | None = None) -> None:
        self.null = value is None
        self.value = value.replace(microsecond=0) if value is not None else _EPOCH

    def copy(self) -> DateTime:
        clone = _new(DateTime)  # (no __init__ and its replace(): 1 µs of every assignment)
        clone.value = self.value
        clone.null = self.null
        return clone

    def set(self, value: _dt.datetime) -> DateTime:
        self.value = value
        self.null = False
        return self

    def _key(self):
        return (not self.null, self.value)

    def __repr__(self) -> str:
        return "DateTime(null)" if self.null else f"DateTime({self.value.isoformat(' ')})"

    def __str__(self) -> str:
        return "" if self.null else f"{_ymd(self.value)} {_hms(self.value)}"


class Time(TemporalValue):
    """A time of day in seconds since midnight; null is 00:00:00 plus the flag."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: int | None = None) -> None:
        self.null = seconds is None
        self.seconds = seconds if seconds is not None else 0

    def copy(self) -> Time:
        clone = _new(Time)
        clone.seconds = self.seconds
        clone.null = self.null
        return clone

    @property
    def hour(self) -> int:
        return self.seconds // 3600

    @property
    def minute(self) -> int:
        return self.seconds // 60 % 60

    @property
    def second(self) -> int:
        return self.seconds % 60

    def _key(self):
        return (not self.null, self.seconds)

    def __repr__(self) -> str:
        return "Time(null)" if self.null else f"Time({self})"

    def __str__(self) -> str:
        return "" if self.null else f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}"


class TimeSpan(TemporalValue):
    """A signed duration in seconds (a year is 365 days, as documented)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: int = 0) -> None:
        self.null = False
        self.seconds = seconds

    def copy(self) -> TimeSpan:
        return TimeSpan(self.seconds)

    def _key(self):
        return self.seconds

    def fields(self) -> tuple[int, int, int, int, int]:
        """(years, days, hours, minutes, seconds) of the magnitude."""
        rest = abs(self.seconds)
        years, rest = divmod(rest, _SECONDS_PER_YEAR)
        days, rest = divmod(rest, _SECONDS_PER_DAY)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        return years, days, hours, minutes, seconds

    def __repr__(self) -> str:
        return f"TimeSpan({self.seconds}s)"


# ---------------------------------------------------------------------------
# Parsing (also used by String.toDate()/toDateTime()/toTime() and friends)
# ---------------------------------------------------------------------------

# re.ASCII: \d is 0-9 only (not every script's digits).
# The year-first date part: the documented "YYYY-MM-DD", and the same with '.'
# or '/' between the parts ("YYYY.MM.DD" is how SuperOffice writes dates in
# user-defined field values, "[D:2020.08.27]", and the docs convert those with
# toDate()/toDateTime()). The two separators must be the same character.
_YEAR_FIRST = r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})"
_DATE_RE = re.compile(r"^\s*" + _YEAR_FIRST + r"\s*$", re.ASCII)
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*$", re.ASCII)
_DATETIME_RE = re.compile(
    r"^\s*" + _YEAR_FIRST +
    r"(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[:.](\d{1,6}))?)?)?\s*$", re.ASCII)
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\s*$", re.ASCII)


def _is_null_text(text: str) -> bool:
    return text.strip() in ("", "0")


def _make_date(text: str, year: int, month: int, day: int) -> _dt.date:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise CRMScriptRuntimeError(f"invalid date '{text}'") from None


def parse_date(text: str) -> Date:
    """'YYYY-MM-DD' or 'YYYY.MM.DD' / 'YYYY/MM/DD' (a DateTime text is accepted
    too; its time is dropped); '' or '0' is a null Date."""
    if _is_null_text(text):
        return Date()
    m = _DATE_RE.match(text)
    if m:
        return Date(_make_date(text, int(m[1]), int(m[3]), int(m[4])))
    try:
        moment = parse_datetime(text)
    except CRMScriptRuntimeError:
        raise CRMScriptRuntimeError(f"invalid date '{text}', expected YYYY-MM-DD") from None
    return Date(moment.value.date())


def parse_time(text: str) -> Time:
    """'HH:MM:SS' or 'HH:MM'; '' or '0' is a null Time."""
    if _is_null_text(text):
        return Time()
    m = _TIME_RE.match(text)
    if not m:
        raise CRMScriptRuntimeError(f"invalid time '{text}', expected HH:MM:SS")
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CRMScriptRuntimeError(f"invalid time '{text}'")
    return Time(hour * 3600 + minute * 60 + second)


def parse_datetime(text: str) -> DateTime:
    """The documented DateTime(String) formats: 'YYYY-MM-DD HH:MM:SS',
    'YYYY-MM-DD HH:MM', 'YYYYMMDDHHMMSS', 'YYYY-MM-DD' (00:00:00),
    'YYYY-MM-DD HH:MM:SS:XXX' (milliseconds dropped); '' or '0' is null.
    An ISO 'T' between date and time is accepted too, and '.' or '/' instead
    of '-' in the date part ('YYYY.MM.DD HH:MM:SS')."""
    if _is_null_text(text):
        return DateTime()
    m = _DATETIME_RE.match(text)
    if m:
        groups = (m[1], m[3], m[4], m[5], m[6], m[7])  # group 2 is the date separator
    else:
        m = _COMPACT_RE.match(text)
        if not m:
            raise CRMScriptRuntimeError(
                f"invalid date and time '{text}', expected YYYY-MM-DD HH:MM:SS")
        groups = m.groups()
    parts = [int(g) if g is not None else 0 for g in groups]
    try:
        return DateTime(_dt.datetime(*parts))
    except ValueError:
        raise CRMScriptRuntimeError(f"invalid date and time '{text}'") from None


# ---------------------------------------------------------------------------
# Names used by the formatting functions
# ---------------------------------------------------------------------------

# Language codes of toString(mode, language, ...): 0 Norwegian, 1 English,
# 2 German, 3 Swedish, 4 Danish, 5 Dutch.
_MONTH_ABBREVIATIONS = {
    0: "Jan Feb Mar Apr Mai Jun Jul Aug Sep Okt Nov Des",
    1: "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    2: "Jan Feb Mär Apr Mai Jun Jul Aug Sep Okt Nov Dez",
    3: "Jan Feb Mar Apr Maj Jun Jul Aug Sep Okt Nov Dec",
    4: "Jan Feb Mar Apr Maj Jun Jul Aug Sep Okt Nov Dec",
    5: "Jan Feb Mrt Apr Mei Jun Jul Aug Sep Okt Nov Dec",
}
_ENGLISH_MONTHS = ("January February March April May June July August September "
                   "October November December").split()
_ENGLISH_WEEKDAYS_FROM_SUNDAY = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split()
_RFC_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
_RFC_MONTHS = _MONTH_ABBREVIATIONS[1].split()


def _month_abbreviation(language: int, month: int) -> str:
    names = _MONTH_ABBREVIATIONS.get(language, _MONTH_ABBREVIATIONS[1]).split()
    return names[month - 1]


def _pick_name(names_csv: str, index: int, fallback: list[str]) -> str:
    names = [n.strip() for n in names_csv.split(",")] if names_csv else fallback
    return names[index] if 0 <= index < len(names) else ""


_FORMAT_CODES = re.compile(
    r"WEEKDAY|ISOWY2|ISOWY4|ISOW1|ISOW2|MONTH|HH24|HH12|AMPM|WDAY|H24|H12"
    r"|YY2|YY4|MM1|MM2|DD1|DD2|MI2|SS2")


def format_with_codes(moment: _dt.datetime, fmt: str, months: str = "",
                      weekdays: str = "", limit: int | None = None) -> str:
    """toString(String format[, months, weekDays]): replace the documented codes,
    keep everything else. WDAY counts from Sunday = 0, MONTH from January = 0.
    `limit`: the String length limit, checked as the text grows (a name
    list may make each MONTH a long name)."""
    iso_year, iso_week, _ = moment.isocalendar()
    hour12 = moment.hour % 12 or 12
    month_name = functools.cache(lambda: _pick_name(months, moment.month - 1, _ENGLISH_MONTHS))
    weekday_name = functools.cache(
        lambda: _pick_name(weekdays, moment.isoweekday() % 7, _ENGLISH_WEEKDAYS_FROM_SUNDAY))
    length = len(fmt)

    def code(m: re.Match) -> str:
        nonlocal length
        text = replacement(m[0])
        length += len(text) - len(m[0])
        if limit is not None and length > limit:
            raise CRMScriptLimitError(
                f"string length limit exceeded: a String longer than {limit:,} characters")
        return text

    def replacement(c: str) -> str:
        if c == "ISOW1":
            return str(iso_week)
        if c == "ISOW2":
            return f"{iso_week:02d}"
        if c == "ISOWY2":
            return f"{iso_year % 100:02d}"
        if c == "ISOWY4":
            return f"{iso_year:04d}"
        if c == "YY2":
            return f"{moment.year % 100:02d}"
        if c == "YY4":
            return f"{moment.year:04d}"
        if c == "MM1":
            return str(moment.month)
        if c == "MM2":
            return f"{moment.month:02d}"
        if c == "DD1":
            return str(moment.day)
        if c == "DD2":
            return f"{moment.day:02d}"
        if c == "WEEKDAY":
            return str(moment.isoweekday())  # Monday = 1
        if c == "MONTH":
            return month_name()
        if c == "WDAY":
            return weekday_name()
        if c == "H24":
            return str(moment.hour)
        if c == "HH24":
            return f"{moment.hour:02d}"
        if c == "H12":
            return str(hour12)
        if c == "HH12":
            return f"{hour12:02d}"
        if c == "MI2":
            return f"{moment.minute:02d}"
        if c == "SS2":
            return f"{moment.second:02d}"
        return "am" if moment.hour < 12 else "pm"  # AMPM

    return _FORMAT_CODES.sub(code, fmt)


def _clock(moment: _dt.datetime, seconds: bool, hour24: bool, separator: str = ":") -> str:
    if hour24:
        text = f"{moment.hour:02d}{separator}{moment.minute:02d}"
    else:
        text = f"{moment.hour % 12 or 12:02d}{separator}{moment.minute:02d}"
    if seconds:
        text += f"{separator}{moment.second:02d}"
    if not hour24:
        text += " am" if moment.hour < 12 else " pm"
    return text


def _text_date(moment: _dt.datetime, language: int) -> str:
    month = _month_abbreviation(language, moment.month)
    if language == 1:
        return f"{month} {moment.day:02d}. {moment.year:04d}"
    return f"{moment.day:02d}. {month} {moment.year:04d}"


def format_mode(moment: _dt.datetime, mode: int, language: int, hour24: bool,
                utc_offset: _dt.timedelta = _dt.timedelta(0)) -> str:
    """toString(Integer mode, Integer language, Bool 24HourMode), modes 0-16."""
    ymd = _ymd(moment)
    compact = _ymd(moment, "") + _hms(moment, "")
    if mode == 0:
        return ymd
    if mode == 1:
        return f"{ymd} {_clock(moment, False, hour24)}"
    if mode == 2:
        return f"{ymd} {_clock(moment, True, hour24)}"
    if mode == 3:
        return _text_date(moment, language)
    if mode in (4, 6):
        return f"{_text_date(moment, language)} {_clock(moment, False, hour24)}"
    if mode == 5:
        return f"{_text_date(moment, language)} {_clock(moment, True, hour24)}"
    if mode == 7:
        if language == 1:
            day_part = f"{moment.month:02d}/{moment.day:02d}/{moment.year:04d}"
        else:
            day_part = f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"
        return f"{day_part} {_clock(moment, False, hour24)}"
    if mode in (8, 11):
        return compact
    if mode == 9:
        return _clock(moment, False, hour24)
    if mode == 10:
        return _clock(moment, True, hour24)
    if mode == 12:  # HTTP-date as documented (two-digit year), always English
        return (f"{_RFC_WEEKDAYS[moment.weekday()]}, {moment.day:02d} "
                f"{_RFC_MONTHS[moment.month - 1]} {moment.year % 100:02d} "
                f"{_hms(moment)} GMT")
    if mode == 13:
        return f"{_ymd(moment)}T{_hms(moment)}"
    if mode == 14:
        total = int(utc_offset.total_seconds()) // 60
        sign = "+" if total >= 0 else "-"
        hours, minutes = divmod(abs(total), 60)
        return (f"{_RFC_WEEKDAYS[moment.weekday()]}, {moment.day:02d} "
                f"{_RFC_MONTHS[moment.month - 1]} {moment.year:04d} "
                f"{_hms(moment)} {sign}{hours:02d}{minutes:02d}")
    if mode == 15:
        return (f"{moment.day:02d}.{moment.month:02d}.{moment.year:04d} "
                f"{_clock(moment, False, hour24)}")
    if mode == 16:
        return (f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d} "
                f"{_clock(moment, False, hour24)}")
    raise CRMScriptRuntimeError(f"DateTime.toString: mode {mode} is not one of 0-16")


# ---------------------------------------------------------------------------
# Date members
# ---------------------------------------------------------------------------


@builtin("Date Date()", context=True)
def date_new(ctx) -> Date:
    return now_date(ctx)


@builtin("Date Date(Date value)")
def date_copy(value: Date) -> Date:
    return value.copy()


@builtin("Date Date(String value)")
def date_from_string(value: str) -> Date:
    return parse_date(value)


@builtin("String Date.toString()")
def date_to_string(self: Date) -> str:
    return str(self)


def _date_set(self: Date, value: _dt.date) -> Date:
    self.value = value
    self.null = False
    return self.copy()  # documented: "The original object will be modified, and a copy is returned."


@builtin("Date Date.addDay(Integer num)")
def date_add_day(self: Date, num: int) -> Date:
    return _date_set(self, _add_delta(self.value, days=num))


@builtin("Date Date.addMonth(Integer num)")
def date_add_month(self: Date, num: int) -> Date:
    v = self.value
    return _date_set(self, _shift_months(v.year, v.month, v.day, num))


@builtin("Date Date.addYear(Integer num)")
def date_add_year(self: Date, num: int) -> Date:
    v = self.value
    return _date_set(self, _shift_months(v.year, v.month, v.day, 12 * num))


@builtin("Integer Date.getMDay()")
def date_get_mday(self: Date) -> int:
    return self.value.day


@builtin("Integer Date.getMonth()")
def date_get_month(self: Date) -> int:
    return self.value.month


@builtin("Integer Date.getWeek()")
def date_get_week(self: Date) -> int:
    return self.value.isocalendar()[1]


@builtin("Integer Date.getWeekDay()")
def date_get_weekday(self: Date) -> int:
    return self.value.weekday()  # Monday = 0, as documented


@builtin("Integer Date.getYear()")
def date_get_year(self: Date) -> int:
    return self.value.year


@builtin("Bool Date.isNull()")
def date_is_null(self: Date) -> bool:
    return self.null


LIBRARY.register_class("Date", Date, default=now_date, default_context=True)  # `Date d;` is today


# ---------------------------------------------------------------------------
# DateTime members
# ---------------------------------------------------------------------------


@builtin("DateTime DateTime()", context=True)
def datetime_new(ctx) -> DateTime:
    return now_datetime(ctx)


@builtin("DateTime DateTime(DateTime value)")
def datetime_copy(value: DateTime) -> DateTime:
    return value.copy()


@builtin("DateTime DateTime(Integer year, Integer month, Integer day, Integer hour, Integer min, Integer sec)")
def datetime_from_parts(year: int, month: int, day: int, hour: int, minute: int,
                        second: int) -> DateTime:
    # Out-of-range parts roll over like C's mktime (month 13 is January next year).
    start = _shift_months(year, month, 1, 0)
    moment = _add_delta(_dt.datetime(start.year, start.month, start.day),
                        days=day - 1, hours=hour, minutes=minute, seconds=second)
    _check_year(moment.year)
    return DateTime(moment)


@builtin("DateTime DateTime(String value)")
def datetime_from_string(value: str) -> DateTime:
    return parse_datetime(value)


@builtin("String DateTime.toString()")
def datetime_to_string(self: DateTime) -> str:
    return str(self)


@builtin("String DateTime.toString(String format)", context=True)
def datetime_to_string_format(ctx, self: DateTime, format: str) -> str:
    return "" if self.null else format_with_codes(self.value, format, limit=ctx.limits.string_length)


@builtin("String DateTime.toString(String format, String months, String weekDays)", context=True)
def datetime_to_string_names(ctx, self: DateTime, format: str, months: str, weekDays: str) -> str:
    if self.null:
        return ""
    return format_with_codes(self.value, format, months, weekDays, limit=ctx.limits.string_length)


@builtin("String DateTime.toString(Integer mode, Integer language, Bool hour24)", context=True)
def datetime_to_string_mode(ctx, self: DateTime, mode: int, language: int, hour24: bool) -> str:
    if self.null:
        return ""
    offset = _dt.timedelta(0)
    zone = _settings_zone(ctx)
    if zone is not None:
        offset = self.value.replace(tzinfo=zone).utcoffset() or offset
    return format_mode(self.value, mode, language, hour24, offset)


# The add/move members change the receiver and return it (the docs' "returns
# a reference to itself"), so calls chain: dt.moveToDayStart().addHour(8).


@builtin("DateTime DateTime.addDay(Integer num)")
def datetime_add_day(self: DateTime, num: int) -> DateTime:
    return self.set(_add_delta(self.value, days=num))


@builtin("DateTime DateTime.addMonth(Integer num)")
def datetime_add_month(self: DateTime, num: int) -> DateTime:
    v = self.value
    day = _shift_months(v.year, v.month, v.day, num)
    return self.set(_dt.datetime.combine(day, v.time()))


@builtin("DateTime DateTime.addYear(Integer num)")
def datetime_add_year(self: DateTime, num: int) -> DateTime:
    v = self.value
    day = _shift_months(v.year, v.month, v.day, 12 * num)
    return self.set(_dt.datetime.combine(day, v.time()))


@builtin("DateTime DateTime.addHour(Integer num)")
def datetime_add_hour(self: DateTime, num: int) -> DateTime:
    return self.set(_add_delta(self.value, hours=num))


@builtin("DateTime DateTime.addMin(Integer num)")
def datetime_add_min(self: DateTime, num: int) -> DateTime:
    return self.set(_add_delta(self.value, minutes=num))


@builtin("DateTime DateTime.addSec(Integer num)")
def datetime_add_sec(self: DateTime, num: int) -> DateTime:
    return self.set(_add_delta(self.value, seconds=num))


@builtin("Void DateTime.setTime(Time theTime)")
def datetime_set_time(self: DateTime, theTime: Time) -> None:
    self.set(self.value.replace(hour=theTime.hour, minute=theTime.minute,
                                second=theTime.second))


@builtin("Integer DateTime.getMDay()")
def datetime_get_mday(self: DateTime) -> int:
    return self.value.day


@builtin("Integer DateTime.getMonth()")
def datetime_get_month(self: DateTime) -> int:
    return self.value.month


@builtin("Integer DateTime.getWeek()")
def datetime_get_week(self: DateTime) -> int:
    return self.value.isocalendar()[1]


@builtin("Integer DateTime.getWeekDay()")
def datetime_get_weekday(self: DateTime) -> int:
    return self.value.weekday()


@builtin("Integer DateTime.getYear()")
def datetime_get_year(self: DateTime) -> int:
    return self.value.year


@builtin("Time DateTime.getTime()")
def datetime_get_time(self: DateTime) -> Time:
    if self.null:
        return Time()
    v = self.value
    return Time(v.hour * 3600 + v.minute * 60 + v.second)


@builtin("Integer DateTime.diff(DateTime value)")
def datetime_diff(self: DateTime, value: DateTime) -> int:
    return check_int(int((self.value - value.value).total_seconds()))


@builtin("DateTime DateTime.setUnix(Integer number)", context=True)
def datetime_set_unix(ctx, self: DateTime, number: int) -> DateTime:
    return self.set(_unix_to_wall(ctx, number))


@builtin("Integer DateTime.getUnix()", context=True)
def datetime_get_unix(ctx, self: DateTime) -> int:
    return check_int(_wall_to_unix(ctx, self.value))  # 32-bit: overflows after 2038


@builtin("Bool DateTime.isNull()")
def datetime_is_null(self: DateTime) -> bool:
    return self.null


def _day_start(day: _dt.date) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day)


def _day_end(day: _dt.date) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, 23, 59, 59)


def _month_last_day(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


@builtin("DateTime DateTime.moveToDayStart()")
def datetime_move_to_day_start(self: DateTime) -> DateTime:
    return self.set(_day_start(self.value.date()))


@builtin("DateTime DateTime.moveToHourStart()")
def datetime_move_to_hour_start(self: DateTime) -> DateTime:
    return self.set(self.value.replace(minute=0, second=0))


@builtin("DateTime DateTime.moveToMonthStart()")
def datetime_move_to_month_start(self: DateTime) -> DateTime:
    return self.set(_day_start(self.value.date().replace(day=1)))


@builtin("DateTime DateTime.moveToQuarterStart()")
def datetime_move_to_quarter_start(self: DateTime) -> DateTime:
    v = self.value
    first_month = (v.month - 1) // 3 * 3 + 1
    return self.set(_dt.datetime(v.year, first_month, 1))


@builtin("DateTime DateTime.moveToWeekStart()")
def datetime_move_to_week_start(self: DateTime) -> DateTime:
    monday = _add_delta(self.value.date(), days=-self.value.weekday())
    return self.set(_day_start(monday))


@builtin("DateTime DateTime.moveToYearStart()")
def datetime_move_to_year_start(self: DateTime) -> DateTime:
    return self.set(_dt.datetime(self.value.year, 1, 1))


@builtin("DateTime DateTime.moveToDayEnd()")
def datetime_move_to_day_end(self: DateTime) -> DateTime:
    return self.set(_day_end(self.value.date()))


@builtin("DateTime DateTime.moveToHourEnd()")
def datetime_move_to_hour_end(self: DateTime) -> DateTime:
    return self.set(self.value.replace(minute=59, second=59))


@builtin("DateTime DateTime.moveToMonthEnd()")
def datetime_move_to_month_end(self: DateTime) -> DateTime:
    v = self.value
    return self.set(_day_end(_month_last_day(v.year, v.month)))


@builtin("DateTime DateTime.moveToQuarterEnd()")
def datetime_move_to_quarter_end(self: DateTime) -> DateTime:
    v = self.value
    last_month = (v.month - 1) // 3 * 3 + 3
    return self.set(_day_end(_month_last_day(v.year, last_month)))


@builtin("DateTime DateTime.moveToWeekEnd()")
def datetime_move_to_week_end(self: DateTime) -> DateTime:
    sunday = _add_delta(self.value.date(), days=6 - self.value.weekday())
    return self.set(_day_end(sunday))


@builtin("DateTime DateTime.moveToYearEnd()")
def datetime_move_to_year_end(self: DateTime) -> DateTime:
    return self.set(_dt.datetime(self.value.year, 12, 31, 23, 59, 59))


LIBRARY.register_class("DateTime", DateTime, default=now_datetime, default_context=True)  # now


# ---------------------------------------------------------------------------
# Time members
# ---------------------------------------------------------------------------


@builtin("Time Time()", context=True)
def time_new(ctx) -> Time:
    return now_time(ctx)


@builtin("Time Time(Time value)")
def time_copy(value: Time) -> Time:
    return value.copy()


@builtin("Time Time(String value)")
def time_from_string(value: str) -> Time:
    return parse_time(value)


@builtin("String Time.toString()")
def time_to_string(self: Time) -> str:
    return str(self)


def _time_set_part(self: Time, value: int, limit: int, unit: str, hour: int, minute: int,
                   second: int) -> None:
    if not 0 <= value <= limit:
        raise CRMScriptRuntimeError(f"{unit} {value} is out of range 0-{limit}")
    self.seconds = hour * 3600 + minute * 60 + second
    self.null = False


@builtin("Void Time.setHour(Integer hour)")
def time_set_hour(self: Time, hour: int) -> None:
    _time_set_part(self, hour, 23, "hour", hour, self.minute, self.second)


@builtin("Void Time.setMin(Integer min)")
def time_set_min(self: Time, min: int) -> None:
    _time_set_part(self, min, 59, "minute", self.hour, min, self.second)


@builtin("Void Time.setSec(Integer sec)")
def time_set_sec(self: Time, sec: int) -> None:
    _time_set_part(self, sec, 59, "second", self.hour, self.minute, sec)


@builtin("Integer Time.getHour()")
def time_get_hour(self: Time) -> int:
    return self.hour


@builtin("Integer Time.getMin()")
def time_get_min(self: Time) -> int:
    return self.minute


@builtin("Integer Time.getSec()")
def time_get_sec(self: Time) -> int:
    return self.second


@builtin("Bool Time.isNull()")
def time_is_null(self: Time) -> bool:
    return self.null


LIBRARY.register_class("Time", Time, default=now_time, default_context=True)  # now


# ---------------------------------------------------------------------------
# TimeSpan members
# ---------------------------------------------------------------------------


@builtin("TimeSpan TimeSpan()")
def timespan_new() -> TimeSpan:
    return TimeSpan()


def _timespan_add(self: TimeSpan, seconds: int) -> None:
    self.seconds += seconds


@builtin("Void TimeSpan.addDay(Integer num)")
def timespan_add_day(self: TimeSpan, num: int) -> None:
    _timespan_add(self, num * _SECONDS_PER_DAY)


@builtin("Void TimeSpan.addHour(Integer num)")
def timespan_add_hour(self: TimeSpan, num: int) -> None:
    _timespan_add(self, num * 3600)


@builtin("Void TimeSpan.addMin(Integer num)")
def timespan_add_min(self: TimeSpan, num: int) -> None:
    _timespan_add(self, num * 60)


@builtin("Void TimeSpan.addSec(Integer num)")
def timespan_add_sec(self: TimeSpan, num: int) -> None:
    _timespan_add(self, num)


@builtin("Void TimeSpan.addYear(Integer num)")
def timespan_add_year(self: TimeSpan, num: int) -> None:
    _timespan_add(self, num * _SECONDS_PER_YEAR)


@builtin("Integer TimeSpan.getYear()")
def timespan_get_year(self: TimeSpan) -> int:
    return check_int(self.fields()[0])


@builtin("Integer TimeSpan.getDay()")
def timespan_get_day(self: TimeSpan) -> int:
    return self.fields()[1]  # < 365


@builtin("Integer TimeSpan.getHour()")
def timespan_get_hour(self: TimeSpan) -> int:
    return self.fields()[2]


@builtin("Integer TimeSpan.getMin()")
def timespan_get_min(self: TimeSpan) -> int:
    return self.fields()[3]


@builtin("Integer TimeSpan.getSec()")
def timespan_get_sec(self: TimeSpan) -> int:
    return self.fields()[4]


@builtin("Bool TimeSpan.isNegative()")
def timespan_is_negative(self: TimeSpan) -> bool:
    return self.seconds < 0


@builtin("Void TimeSpan.set(Integer years, Integer days, Integer hours, Integer minutes, Integer seconds)")
def timespan_set(self: TimeSpan, years: int, days: int, hours: int, minutes: int,
                 seconds: int) -> None:
    self.seconds = (years * _SECONDS_PER_YEAR + days * _SECONDS_PER_DAY + hours * 3600
                    + minutes * 60 + seconds)


@builtin("Void TimeSpan.setNegative(Bool negative)")
def timespan_set_negative(self: TimeSpan, negative: bool) -> None:
    self.seconds = -abs(self.seconds) if negative else abs(self.seconds)


def _truncate(seconds: int, unit: int) -> int:
    """Whole units toward zero, keeping the sign (like C integer division)."""
    whole = abs(seconds) // unit
    return -whole if seconds < 0 else whole


@builtin("Integer TimeSpan.toDays()")
def timespan_to_days(self: TimeSpan) -> int:
    return check_int(_truncate(self.seconds, _SECONDS_PER_DAY))


@builtin("Integer TimeSpan.toHours()")
def timespan_to_hours(self: TimeSpan) -> int:
    return check_int(_truncate(self.seconds, 3600))


@builtin("Integer TimeSpan.toMinutes()")
def timespan_to_minutes(self: TimeSpan) -> int:
    return check_int(_truncate(self.seconds, 60))


@builtin("Integer TimeSpan.toSeconds()")
def timespan_to_seconds(self: TimeSpan) -> int:
    return check_int(self.seconds)


# Unit names per language code (0 Norwegian, 1 English, 2 German, 3 Swedish,
# 4 Danish, 5 Dutch): (singular, plural, short) for year, day, hour, minute, second.
_SPAN_UNITS = {
    0: (("år", "år", "år"), ("dag", "dager", "d"), ("time", "timer", "t"),
        ("minutt", "minutter", "m"), ("sekund", "sekunder", "s")),
    1: (("year", "years", "y"), ("day", "days", "d"), ("hour", "hours", "h"),
        ("minute", "minutes", "m"), ("second", "seconds", "s")),
    2: (("Jahr", "Jahre", "J"), ("Tag", "Tage", "T"), ("Stunde", "Stunden", "Std"),
        ("Minute", "Minuten", "Min"), ("Sekunde", "Sekunden", "Sek")),
    3: (("år", "år", "år"), ("dag", "dagar", "d"), ("timme", "timmar", "t"),
        ("minut", "minuter", "m"), ("sekund", "sekunder", "s")),
    4: (("år", "år", "år"), ("dag", "dage", "d"), ("time", "timer", "t"),
        ("minut", "minutter", "m"), ("sekund", "sekunder", "s")),
    5: (("jaar", "jaar", "j"), ("dag", "dagen", "d"), ("uur", "uur", "u"),
        ("minuut", "minuten", "m"), ("seconde", "seconden", "s")),
}
_SPAN_UNIT_SECONDS = (_SECONDS_PER_YEAR, _SECONDS_PER_DAY, 3600, 60, 1)


def format_timespan(span: TimeSpan, mode: int, language: int, max_mode: int,
                    short: bool) -> str:
    """toString(mode, lang, maxMode, short): the units from `max_mode` (largest)
    down to `mode` (smallest), 0 = years ... 4 = seconds; zero units are left
    out, the smallest unit is shown when everything is zero."""
    if not (0 <= mode <= 4 and 0 <= max_mode <= 4):
        raise CRMScriptRuntimeError("TimeSpan.toString: mode and maxMode must be 0-4")
    largest, smallest = min(mode, max_mode), max(mode, max_mode)
    names = _SPAN_UNITS.get(language, _SPAN_UNITS[1])
    rest = abs(span.seconds)
    parts = []
    for unit in range(largest, smallest + 1):
        amount, rest = divmod(rest, _SPAN_UNIT_SECONDS[unit])
        if amount or (unit == smallest and not parts):
            singular, plural, abbreviation = names[unit]
            if short:
                parts.append(f"{amount}{abbreviation}")
            else:
                parts.append(f"{amount} {singular if amount == 1 else plural}")
    text = " ".join(parts)
    return "-" + text if span.seconds < 0 else text


@builtin("String TimeSpan.toString(Integer mode, Integer lang, Integer maxMode, Bool short)")
def timespan_to_string(self: TimeSpan, mode: int, lang: int, maxMode: int, short: bool) -> str:
    return format_timespan(self, mode, lang, maxMode, short)


LIBRARY.register_class("TimeSpan", TimeSpan, default=TimeSpan)
