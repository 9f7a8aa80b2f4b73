"""The pure service classes (docs/globals.md): Timer (on the simulated
clock), TimeZone (IANA data), FHBitSet, WeekSchedule and YearSchedule
(working-time arithmetic), AppointmentSlicer, Cache (a read-only view over
the store) and File (the fixture's virtual file area).
"""

from __future__ import annotations

import codecs
import datetime as _dt
from collections.abc import Callable
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array, Map
from ..runtime.datetimes import Date, DateTime, Time, TimeSpan, zone_for
from ..runtime.strings import check_string_length, new_byte_array
from ..runtime.table import LIBRARY, builtin
from .formats import as_text
from .schema import suggest
from .services_site import fixture_of, run_state

_MAX_SPAN_DAYS = 36525  # schedules count day by day: 100 years at most
_MAX_APPOINTMENT_DAYS = 3660  # one appointment is cut into at most 10 years of days

# ------------------------------------------------------------------ Timer


class Timer:
    """Start and stop readings of the run's clock (RunContext.timestamp): the
    clock only moves with sleep(), so a timing is repeatable."""

    __slots__ = ("started", "stopped")

    def __init__(self) -> None:
        self.started: float | None = None
        self.stopped: float | None = None


@builtin("Timer Timer()")
def timer_new() -> Timer:
    return Timer()


@builtin("Void Timer.start()", context=True)
def timer_start(ctx, self: Timer) -> None:
    self.started, self.stopped = ctx.timestamp(), None


@builtin("Void Timer.stop()", context=True)
def timer_stop(ctx, self: Timer) -> None:
    self.stopped = ctx.timestamp()


@builtin("Float Timer.getSeconds()", context=True)
def timer_get_seconds(ctx, self: Timer) -> float:
    """Seconds from start to stop (to now while running; 0 before start)."""
    if self.started is None:
        return 0.0
    end = self.stopped if self.stopped is not None else ctx.timestamp()
    return float(end - self.started)


@builtin("Float Timer.getTimer()", context=True)
def timer_get_timer(ctx, self: Timer) -> float:
    """The run's clock in whole seconds since 1970-01-01 UTC."""
    return float(int(ctx.timestamp()))


@builtin("Float Timer.getHiResTimer()", context=True)
def timer_get_hi_res_timer(ctx, self: Timer) -> float:
    return float(ctx.timestamp())


LIBRARY.register_class("Timer", Timer, default=Timer)

# ------------------------------------------------------------------ TimeZone


class TimeZone:
    """The run's time zone (SO-TimeZone, a case's settings, the fixture's `timezone`; else UTC)."""

    __slots__ = ("offset",)

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset  # seconds east of UTC at the run's current instant


def _local_zone(ctx: Any) -> TimeZone:
    zone = zone_for(ctx.settings.timezone)
    now = ctx.now()
    offset = now.astimezone(zone).utcoffset() if zone is not None else None
    return TimeZone(int(offset.total_seconds()) if offset else 0)


@builtin("TimeZone TimeZone()", context=True)
def timezone_new(ctx) -> TimeZone:
    return _local_zone(ctx)


@builtin("TimeZone getLocalTimeZone()", context=True)
def get_local_time_zone(ctx) -> TimeZone:
    return _local_zone(ctx)


@builtin("Integer TimeZone.getTimeZoneSecs()")
def timezone_get_secs(self: TimeZone) -> int:
    return self.offset


@builtin("String TimeZone.getTimeZone()")
def timezone_get_text(self: TimeZone) -> str:
    """"+02:00": the difference from GMT in hours and minutes."""
    sign = "-" if self.offset < 0 else "+"
    hours, minutes = divmod(abs(self.offset) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


LIBRARY.register_class("TimeZone", TimeZone, default=_local_zone, default_context=True)

# ------------------------------------------------------------------ FHBitSet

_BITS = 32
_MASK = (1 << _BITS) - 1


class FHBitSet:
    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = 0


def _bit(number: int) -> int:
    if not 0 <= number < _BITS:
        raise CRMScriptRuntimeError(f"FHBitSet: bit {number} is outside 0-31")
    return 1 << number


@builtin("FHBitSet FHBitSet()")
def bitset_new() -> FHBitSet:
    return FHBitSet()


@builtin("Void FHBitSet.set(Integer value)")
def bitset_set_integer(self: FHBitSet, value: int) -> None:
    self.bits = value & _MASK


@builtin("Void FHBitSet.set(String rep)")
def bitset_set_string(self: FHBitSet, rep: str) -> None:
    """The form toLsbString() writes: up to 32 characters 0/1, bit 0 last."""
    text = rep.strip()
    if not text or len(text) > _BITS or set(text) - {"0", "1"}:
        raise CRMScriptRuntimeError(f"FHBitSet.set: '{rep}' is not up to 32 characters 0 and 1")
    self.bits = int(text, 2)


@builtin("Bool FHBitSet.getBitNo(Integer number)")
def bitset_get_bit(self: FHBitSet, number: int) -> bool:
    return bool(self.bits & _bit(number))


@builtin("Void FHBitSet.setBitNo(Integer number, Bool val)")
def bitset_set_bit(self: FHBitSet, number: int, value: bool) -> None:
    self.bits = self.bits | _bit(number) if value else self.bits & ~_bit(number)


@builtin("Integer FHBitSet.toInteger()")
def bitset_to_integer(self: FHBitSet) -> int:
    """The 32 bits as a signed Integer (bit 31 set: negative)."""
    return self.bits - (1 << _BITS) if self.bits >> (_BITS - 1) else self.bits


@builtin("String FHBitSet.toLsbString()")
def bitset_to_lsb_string(self: FHBitSet) -> str:
    """32 characters, bit 31 first and bit 0 last (the reference's examples)."""
    return format(self.bits, f"0{_BITS}b")


LIBRARY.register_class("FHBitSet", FHBitSet, default=FHBitSet)

# ------------------------------------------------------------------ WeekSchedule

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class WeekSchedule:
    """Active hours per weekday (a day whose start is not before its stop is
    inactive; a new schedule has none) and the dates that are closed."""

    __slots__ = ("hours", "non_dates")

    def __init__(self) -> None:
        self.hours: list[list[Time]] = [[Time(), Time()] for _ in _WEEKDAYS]
        self.non_dates = ""

    def interval(self, day: _dt.date) -> tuple[int, int] | None:
        """The day's active seconds since midnight, or None."""
        if _closed(self.non_dates, day):
            return None
        start, stop = self.hours[day.weekday()]
        if start.null or stop.null or start.seconds >= stop.seconds:
            return None
        return start.seconds, stop.seconds


def _closed(non_dates: str, day: _dt.date) -> bool:
    """`1/10/2004,24/12`: day/month[/year]; without a year, every year."""
    for entry in non_dates.split(","):
        parts = entry.strip().split("/")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            continue
        if len(numbers) >= 2 and (numbers[0], numbers[1]) == (day.day, day.month) \
                and (len(numbers) == 2 or numbers[2] == day.year):
            return True
    return False


def _register_weekday_accessors() -> None:
    for index, day in enumerate(_WEEKDAYS):
        for slot, which in ((0, "Start"), (1, "Stop")):
            def getter(self: WeekSchedule, _i=index, _s=slot) -> Time:
                return self.hours[_i][_s].copy()

            def setter(self: WeekSchedule, value: Time, _i=index, _s=slot) -> None:
                self.hours[_i][_s] = value.copy()

            builtin(f"Time WeekSchedule.get{day}{which}()")(getter)
            builtin(f"Void WeekSchedule.set{day}{which}(Time t)")(setter)


_register_weekday_accessors()


@builtin("WeekSchedule WeekSchedule()")
def week_schedule_new() -> WeekSchedule:
    return WeekSchedule()


@builtin("String WeekSchedule.getNonDates()")
def week_get_non_dates(self: WeekSchedule) -> str:
    return self.non_dates


@builtin("Void WeekSchedule.setNonDates(String dates)")
def week_set_non_dates(self: WeekSchedule, dates: str) -> None:
    self.non_dates = dates


@builtin("Void WeekSchedule.loadFromPriority(Integer p_id)", context=True)
def week_load_from_priority(ctx, self: WeekSchedule, priority_id: int) -> None:
    """The ticket_priority row's mon_start ... sun_stop (their times of day) and non_dates."""
    from .services_lookups import query

    columns = [f"{day.lower()}_{which}" for day in _WEEKDAYS for which in ("start", "stop")]
    rows = query(ctx, f"SELECT {', '.join(columns)}, non_dates FROM ticket_priority WHERE id = ?",
                 (priority_id,), "ticket_priority")
    if not rows:
        raise CRMScriptRuntimeError(f"WeekSchedule.loadFromPriority: there is no priority with id {priority_id}")
    row = rows[0]
    self.__init__()
    for index in range(len(_WEEKDAYS)):
        for slot in (0, 1):
            text = row[index * 2 + slot]
            if text:
                clock = _dt.datetime.fromisoformat(text)
                self.hours[index][slot] = Time(clock.hour * 3600 + clock.minute * 60 + clock.second)
    self.non_dates = as_text(row[-1])


def _walk_add(interval: Callable[[_dt.date], tuple[int, int] | None], start: DateTime, span: TimeSpan,
              what: str) -> DateTime:
    """`start` moved on by `span` seconds of active time."""
    left = span.seconds
    moment = start.value
    if left <= 0:
        return start.copy()
    for _ in range(366 * 20):  # a schedule that is never active would loop for ever
        day = moment.date()
        found = interval(day)
        if found is not None:
            midnight = _dt.datetime.combine(day, _dt.time())
            begin = max(moment, midnight + _dt.timedelta(seconds=found[0]))
            end = midnight + _dt.timedelta(seconds=found[1])
            if begin < end:
                available = int((end - begin).total_seconds())
                if left <= available:
                    return DateTime(begin + _dt.timedelta(seconds=left))
                left -= available
        moment = _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time())
    raise CRMScriptRuntimeError(f"{what}.addTimeSpan: the schedule has no active time within 20 years")


def _walk_difference(interval: Callable[[_dt.date], tuple[int, int] | None], start: DateTime,
                     stop: DateTime) -> TimeSpan:
    """Active seconds between the two (negative when stop is before start)."""
    sign = 1
    first, last = start.value, stop.value
    if last < first:
        first, last, sign = last, first, -1
    if (last - first).days > _MAX_SPAN_DAYS:
        raise CRMScriptRuntimeError("getDifference: the two times are more than 100 years apart")
    total = 0
    day = first.date()
    while day <= last.date():
        found = interval(day)
        if found is not None:
            midnight = _dt.datetime.combine(day, _dt.time())
            begin = max(first, midnight + _dt.timedelta(seconds=found[0]))
            end = min(last, midnight + _dt.timedelta(seconds=found[1]))
            if begin < end:
                total += int((end - begin).total_seconds())
        day += _dt.timedelta(days=1)
    return TimeSpan(sign * total)


@builtin("DateTime WeekSchedule.addTimeSpan(DateTime start, TimeSpan add)")
def week_add_time_span(self: WeekSchedule, start: DateTime, span: TimeSpan) -> DateTime:
    return _walk_add(self.interval, start, span, "WeekSchedule")


@builtin("TimeSpan WeekSchedule.getDifference(DateTime start, DateTime stop)")
def week_get_difference(self: WeekSchedule, start: DateTime, stop: DateTime) -> TimeSpan:
    return _walk_difference(self.interval, start, stop)


LIBRARY.register_class("WeekSchedule", WeekSchedule, default=WeekSchedule)


class YearSchedule:
    """Week schedules, each until a month and day: a date uses the first whose end is not before it."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[tuple[int, int, WeekSchedule]] = []

    def interval(self, day: _dt.date) -> tuple[int, int] | None:
        for month, mday, schedule in self.parts:
            if (day.month, day.day) <= (month, mday):
                return schedule.interval(day)
        return None


@builtin("YearSchedule YearSchedule()")
def year_schedule_new() -> YearSchedule:
    return YearSchedule()


@builtin("Void YearSchedule.addWS(WeekSchedule ws, Integer mStop, Integer dStop)")
def year_add_ws(self: YearSchedule, schedule: WeekSchedule, month: int, day: int) -> None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise CRMScriptRuntimeError(f"YearSchedule.addWS: {month}/{day} is not a month and a day")
    self.parts.append((month, day, schedule))
    self.parts.sort(key=lambda part: (part[0], part[1]))


@builtin("DateTime YearSchedule.addTimeSpan(DateTime dt, TimeSpan sp)")
def year_add_time_span(self: YearSchedule, start: DateTime, span: TimeSpan) -> DateTime:
    return _walk_add(self.interval, start, span, "YearSchedule")


@builtin("TimeSpan YearSchedule.getDifference(DateTime from, DateTime to)")
def year_get_difference(self: YearSchedule, start: DateTime, stop: DateTime) -> TimeSpan:
    return _walk_difference(self.interval, start, stop)


LIBRARY.register_class("YearSchedule", YearSchedule, default=YearSchedule)

# ------------------------------------------------------------------ AppointmentSlicer


class AppointmentSlicer:
    """Appointments cut into one piece per day they touch; an iterator over one day's pieces."""

    __slots__ = ("pieces", "active", "position")

    def __init__(self) -> None:
        self.pieces: list[dict[str, Any]] = []
        self.active: list[dict[str, Any]] = []
        self.position = 0


@builtin("AppointmentSlicer AppointmentSlicer()")
def slicer_new() -> AppointmentSlicer:
    return AppointmentSlicer()


@builtin("Void AppointmentSlicer.addAppointment(Integer id, DateTime start, DateTime end, String title)")
def slicer_add(self: AppointmentSlicer, appointment_id: int, start: DateTime, end: DateTime, title: str) -> None:
    begin, finish = start.value, end.value
    if finish < begin:
        raise CRMScriptRuntimeError("AppointmentSlicer.addAppointment: the end is before the start")
    if (finish - begin).days > _MAX_APPOINTMENT_DAYS:
        raise CRMScriptRuntimeError("AppointmentSlicer.addAppointment: an appointment longer than 10 years")
    day = begin.date()
    while True:
        midnight = _dt.datetime.combine(day, _dt.time())
        piece_start = max(begin, midnight)
        piece_stop = min(finish, midnight + _dt.timedelta(days=1))
        if piece_start < piece_stop or begin == finish:
            self.pieces.append({"id": appointment_id, "date": day, "start": piece_start, "stop": piece_stop,
                                "title": title})
        day += _dt.timedelta(days=1)
        if _dt.datetime.combine(day, _dt.time()) >= finish:
            break


@builtin("Void AppointmentSlicer.clear()")
def slicer_clear(self: AppointmentSlicer) -> None:
    self.__init__()


def _day_pieces(self: AppointmentSlicer, day: _dt.date) -> list[dict[str, Any]]:
    return sorted((p for p in self.pieces if p["date"] == day), key=lambda p: (p["start"], p["id"]))


@builtin("Void AppointmentSlicer.setActiveDate(Date date)")
def slicer_set_active_date(self: AppointmentSlicer, date: Date) -> None:
    self.active = _day_pieces(self, date.value)
    self.position = 0


@builtin("Bool AppointmentSlicer.eof()")
def slicer_eof(self: AppointmentSlicer) -> bool:
    return self.position >= len(self.active)


@builtin("Bool AppointmentSlicer.next()")
def slicer_next(self: AppointmentSlicer) -> bool:
    if self.position < len(self.active):
        self.position += 1
    return self.position < len(self.active)


def _clock_text(moment: _dt.datetime, day: _dt.date) -> str:
    """A piece's time of day; the end of a piece that runs to midnight is 24:00:00."""
    if moment.date() > day:
        return "24:00:00"
    return moment.strftime("%H:%M:%S")


@builtin("String AppointmentSlicer.getValue(String field)")
def slicer_get_value(self: AppointmentSlicer, field: str) -> str:
    """id, date, start, stop, title of the current piece ("" past the end)."""
    if self.position >= len(self.active):
        return ""
    piece = self.active[self.position]
    values = {"id": str(piece["id"]), "date": piece["date"].isoformat(),
              "start": _clock_text(piece["start"], piece["date"]), "stop": _clock_text(piece["stop"], piece["date"]),
              "title": piece["title"]}
    if field not in values:
        raise CRMScriptRuntimeError(f"AppointmentSlicer.getValue: unknown field '{field}'"
                                    f"{suggest(field, list(values))} (id, date, start, stop, title)")
    return values[field]


@builtin("Integer AppointmentSlicer.getLoadForDay(Date day, Time start, Time stop, Integer max)")
def slicer_get_load_for_day(self: AppointmentSlicer, day: Date, start: Time, stop: Time, maximum: int) -> int:
    """Minutes of the day's appointments between start and stop (overlaps
    count twice, as separate appointments do); at most `max` unless it is -1."""
    midnight = _dt.datetime.combine(day.value, _dt.time())
    window_start = midnight + _dt.timedelta(seconds=start.seconds)
    window_stop = midnight + _dt.timedelta(seconds=stop.seconds)
    seconds = 0
    for piece in _day_pieces(self, day.value):
        begin, end = max(piece["start"], window_start), min(piece["stop"], window_stop)
        if begin < end:
            seconds += int((end - begin).total_seconds())
    minutes = seconds // 60
    return minutes if maximum == -1 else min(minutes, maximum)


LIBRARY.register_class("AppointmentSlicer", AppointmentSlicer, default=AppointmentSlicer)

# ------------------------------------------------------------------ Cache


class Cache:
    """A read-only view over a table of the run's database: getData loads it, then iterate its rows."""

    __slots__ = ("rows", "position")

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.position = 0


def _cache_load(ctx: Any, self: Cache, table_name: str, where: str = "", params: tuple = ()) -> str:
    schema = ctx.crm.schema
    if not schema.has_table(table_name):
        raise CRMScriptRuntimeError(f"Cache: unknown table '{table_name}'{suggest(table_name, schema.table_names())}")
    table = schema.table(table_name)
    database = ctx.crm.database
    database.ensure_table(table)
    key = table.key.name if table.key is not None else "rowid"
    cursor = database.execute(f'SELECT * FROM "{table.name}"{where} ORDER BY "{key}"', params)
    names = [description[0] for description in cursor.description]
    self.rows = [{name: as_text(value) for name, value in zip(names, row, strict=True)} for row in cursor]
    self.position = 0
    return str(len(self.rows))


@builtin("Cache Cache()")
def cache_new() -> Cache:
    return Cache()


@builtin("String Cache.getData(String tableId)", context=True)
def cache_get_data(ctx, self: Cache, table: str) -> str:
    """Loads the table's rows (by key); returns how many there are."""
    return _cache_load(ctx, self, table)


@builtin("String Cache.getDataSubset(String tableId, String filterField, String filterValue)", context=True)
def cache_get_data_subset(ctx, self: Cache, table: str, field: str, value: str) -> str:
    """Only the rows whose `filterField` is `filterValue` (compared as the column stores it)."""
    schema = ctx.crm.schema
    if schema.has_table(table):
        columns = schema.table(table).columns
        column = columns.get(field.lower())
        if column is None:
            raise CRMScriptRuntimeError(f"Cache.getDataSubset: table {table} has no column '{field}'"
                                        f"{suggest(field, [c.name for c in columns.values()])}")
        return _cache_load(ctx, self, table, f' WHERE "{column.name}" = ?', (column.to_sql(value),))
    return _cache_load(ctx, self, table)


@builtin("Bool Cache.eof()")
def cache_eof(self: Cache) -> bool:
    return self.position >= len(self.rows)


@builtin("Bool Cache.first()")
def cache_first(self: Cache) -> bool:
    self.position = 0
    return bool(self.rows)


@builtin("Bool Cache.next()")
def cache_next(self: Cache) -> bool:
    if self.position < len(self.rows):
        self.position += 1
    return self.position < len(self.rows)


@builtin("Map Cache.getRow()")
def cache_get_row(self: Cache) -> Map:
    """The current row: column -> text (an empty Map past the end)."""
    if self.position >= len(self.rows):
        return Map()
    return Map.from_pairs(self.rows[self.position].items())


@builtin("Void Cache.sort(String field, Bool order)")
def cache_sort(self: Cache, field: str, ascending: bool) -> None:
    """By the field (numbers as numbers); order true: ascending."""
    def key(row: dict[str, str]) -> tuple:
        value = next((v for k, v in row.items() if k.lower() == field.lower()), "")
        try:
            return (0, float(value), "")
        except ValueError:
            return (1, 0.0, value.lower())

    self.rows.sort(key=key, reverse=not ascending)
    self.position = 0


LIBRARY.register_class("Cache", Cache, default=Cache)

# ------------------------------------------------------------------ File


class File:
    """A file of the run's virtual file area (the fixture's `files:`; what a
    run writes stays in the run). Never a file of the host."""

    __slots__ = ("path", "data", "position", "mode", "encoding", "at_eof", "ctx")

    def __init__(self) -> None:
        self.path = ""
        self.data = bytearray()
        self.position = 0
        self.mode = ""
        self.encoding = "utf-8"
        self.at_eof = False
        self.ctx: Any = None


def file_area(ctx: Any) -> dict[str, bytes]:
    """The run's files: a copy of the fixture's, made on first use."""
    return run_state(ctx, "_files", lambda: dict(fixture_of(ctx).files))


def _normal_path(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise CRMScriptRuntimeError(f"File: '{name}' leaves the file area ('..' is not allowed)")
    return "/".join(parts)


def _opened(self: File, member: str) -> None:
    if not self.mode:
        raise CRMScriptRuntimeError(f"File.{member}: no file is open (call open() first)")


def _save(self: File) -> None:
    if self.mode[0] != "r" or "+" in self.mode:
        file_area(self.ctx)[self.path] = bytes(self.data)


@builtin("File File()")
def file_new() -> File:
    return File()


@builtin("Bool File.open(String filename, String mode)", context=True)
def file_open(ctx, self: File, name: str, mode: str) -> bool:
    return file_open_codepage(ctx, self, name, mode, "")


@builtin("Bool File.open(String filename, String mode, String codepage)", context=True)
def file_open_codepage(ctx, self: File, name: str, mode: str, codepage: str) -> bool:
    """Modes r, w, a, r+, w+, a+ (with or without b). False when a file to read does not exist."""
    kind = mode.replace("b", "").strip()
    if kind not in ("r", "w", "a", "r+", "w+", "a+"):
        raise CRMScriptRuntimeError(f"File.open: '{mode}' is not a mode (r, w, a, r+, w+, a+, with or without b)")
    try:
        self.encoding = codecs.lookup(codepage).name if codepage else "utf-8"
    except LookupError:
        raise CRMScriptRuntimeError(f"File.open: unknown codepage '{codepage}'") from None
    path = _normal_path(name)
    area = file_area(ctx)
    if kind.startswith("r") and path not in area:
        return False
    self.ctx, self.path, self.mode, self.at_eof = ctx, path, kind, False
    self.data = bytearray() if kind.startswith("w") else bytearray(area.get(path, b""))
    self.position = len(self.data) if kind.startswith("a") else 0
    _save(self)
    return True


@builtin("Void File.close()")
def file_close(self: File) -> None:
    if self.mode:
        _save(self)
    self.__init__()


@builtin("Void File.flush()")
def file_flush(self: File) -> None:
    if self.mode:
        _save(self)


@builtin("Bool File.eof()")
def file_eof(self: File) -> bool:
    return self.at_eof


@builtin("String File.readAll()")
def file_read_all(self: File) -> str:
    _opened(self, "readAll")
    rest = bytes(self.data[self.position:])
    self.position = len(self.data)
    self.at_eof = True
    return rest.decode(self.encoding, errors="replace")


@builtin("String File.readLine()")
def file_read_line(self: File) -> str:
    """The next line without its line break; "" and eof() true past the end."""
    _opened(self, "readLine")
    if self.position >= len(self.data):
        self.at_eof = True
        return ""
    end = self.data.find(b"\n", self.position)
    end = len(self.data) if end < 0 else end
    line = bytes(self.data[self.position:end]).rstrip(b"\r")
    self.position = end + 1
    return line.decode(self.encoding, errors="replace")


@builtin("Byte[] File.readBinary()")
def file_read_binary(self: File) -> Array:
    _opened(self, "readBinary")
    rest = bytes(self.data[self.position:])
    self.position = len(self.data)
    self.at_eof = True
    return new_byte_array(rest)


@builtin("Void File.rewind()")
def file_rewind(self: File) -> None:
    self.position, self.at_eof = 0, False


def _write(self: File, data: bytes, member: str) -> None:
    _opened(self, member)
    if self.mode == "r":
        raise CRMScriptRuntimeError(f"File.{member}: '{self.path}' is open for reading only")
    if self.mode.startswith("a"):
        self.position = len(self.data)
    check_string_length(self.ctx, self.position + len(data))  # a file is no bigger than a String may be
    self.data[self.position:self.position + len(data)] = data
    self.position += len(data)
    _save(self)


@builtin("Void File.write(String data)")
def file_write(self: File, data: str) -> None:
    _write(self, data.encode(self.encoding, errors="replace"), "write")


@builtin("Void File.writeBinary(Byte[] data)")
def file_write_binary(self: File, data: list) -> None:
    _write(self, bytes(b & 0xFF for b in data), "writeBinary")


@builtin("Bool File.unlink()")
def file_unlink(self: File) -> bool:
    """Deletes the open file from the run's file area."""
    _opened(self, "unlink")
    existed = file_area(self.ctx).pop(self.path, None) is not None
    self.__init__()
    return existed


LIBRARY.register_class("File", File, default=File)
