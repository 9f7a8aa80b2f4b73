"""Date, DateTime, Time and TimeSpan, called through the signature table."""

import datetime as dt

import pytest
from runtime_helpers import call

from engine.errors import CRMScriptRuntimeError
from engine.runtime import datetimes as d
from engine.runtime.context import RunContext, Settings
from engine.runtime.table import LIBRARY


@pytest.fixture
def ctx():
    return RunContext()


def dt_of(text):
    return d.parse_datetime(text)


def test_member_counts_match_the_reference():
    def count(owner):
        info = LIBRARY.classes[owner]
        return len(info.constructors) + sum(len(s) for s in info.methods.values())
    assert count("Date") == 13
    assert count("DateTime") == 37
    assert count("Time") == 11
    assert count("TimeSpan") == 19


# -- parsing ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2021-03-04 05:06:07", "2021-03-04 05:06:07"),
    ("2021-03-04 05:06", "2021-03-04 05:06:00"),
    ("20210304050607", "2021-03-04 05:06:07"),
    ("2021-03-04", "2021-03-04 00:00:00"),
    ("2021-03-04 05:06:07:123", "2021-03-04 05:06:07"),
    ("2021-03-04T05:06:07", "2021-03-04 05:06:07"),
    ("2021.03.04", "2021-03-04 00:00:00"),  # SuperOffice's user-defined field dates
    ("2021.3.4 05:06:07", "2021-03-04 05:06:07"),
    ("2021/03/04 05:06", "2021-03-04 05:06:00"),
])
def test_datetime_string_formats(ctx, text, expected):
    value = call(ctx, "DateTime", "DateTime", ("String",), text)
    assert call(ctx, "DateTime", "toString", (), value) == expected
    assert not call(ctx, "DateTime", "isNull", (), value)


@pytest.mark.parametrize("text", ["", "0"])
def test_empty_text_is_a_null_epoch(ctx, text):
    value = call(ctx, "DateTime", "DateTime", ("String",), text)
    assert call(ctx, "DateTime", "isNull", (), value)
    assert call(ctx, "DateTime", "getYear", (), value) == 1970
    assert call(ctx, "DateTime", "toString", (), value) == ""
    assert call(ctx, "Date", "isNull", (), call(ctx, "Date", "Date", ("String",), text))


@pytest.mark.parametrize("text", ["2019-11-30", "2019.11.30", "2019/11/30", " 2019.11.30 ", "2019.11.30 23:59"])
def test_date_string_separators(ctx, text):
    value = call(ctx, "Date", "Date", ("String",), text)
    assert call(ctx, "Date", "toString", (), value) == "2019-11-30"


@pytest.mark.parametrize("owner, text, message", [
    ("DateTime", "2020-13-45 10:00", "invalid date and time '2020-13-45 10:00'"),
    ("DateTime", "yesterday", "invalid date and time 'yesterday'"),
    ("Date", "2020-13-45", "invalid date '2020-13-45'"),
    ("Date", "2021-02-29", "invalid date '2021-02-29'"),
    ("Date", "2021.02-03", "invalid date '2021.02-03'"),  # one separator throughout
    ("Date", "2021.02.30", "invalid date '2021.02.30'"),
    ("DateTime", "2021:02:03", "invalid date and time '2021:02:03'"),
    ("Time", "25:00:00", "invalid time '25:00:00'"),
    ("Time", "noon", "invalid time 'noon'"),
    ("Date", "\u0662\u0660\u0662\u0660-01-01", "invalid date"),  # only ASCII digits
    ("Time", "\uff11\uff12:00", "invalid time"),
])
def test_bad_text_is_a_catchable_error(ctx, owner, text, message):
    with pytest.raises(CRMScriptRuntimeError, match=message):
        call(ctx, owner, owner, ("String",), text)


def test_parts_constructor_rolls_over_like_mktime(ctx):
    value = call(ctx, "DateTime", "DateTime", ("Integer",) * 6, 2020, 6, 22, 11, 0, 0)
    assert str(value) == "2020-06-22 11:00:00"
    rolled = call(ctx, "DateTime", "DateTime", ("Integer",) * 6, 2020, 13, 32, 24, 60, 60)
    assert str(rolled) == "2021-02-02 01:01:00"
    with pytest.raises(CRMScriptRuntimeError, match="year"):
        call(ctx, "DateTime", "DateTime", ("Integer",) * 6, 10000, 1, 1, 0, 0, 0)


# -- now, time zone, the declaration default ---------------------------------------


def test_now_uses_time_zone_and_simulated_clock():
    utc = RunContext()
    tokyo = RunContext(settings=Settings(timezone="Asia/Tokyo"))
    later = RunContext(clock_offset=7200)
    base = d.now_datetime(utc)
    assert abs(d.now_datetime(tokyo).value - base.value - dt.timedelta(hours=9)) < dt.timedelta(seconds=5)
    assert abs(d.now_datetime(later).value - base.value - dt.timedelta(hours=2)) < dt.timedelta(seconds=5)
    assert d.now_date(utc).value == base.value.date() or d.now_date(utc).value > base.value.date()
    assert not d.now_time(utc).null


def test_unknown_time_zone_is_reported():
    with pytest.raises(CRMScriptRuntimeError, match="unknown time zone 'Mars/Base'"):
        d.now_datetime(RunContext(settings=Settings(timezone="Mars/Base")))


def test_declarations_and_constructors_are_now():
    # The public docs: "The default value is now"; now is the run's clock.
    ctx = RunContext(clock_start=dt.datetime(2026, 5, 4, 10, 0, 0, tzinfo=dt.UTC),
                     settings=Settings(timezone="Europe/Oslo"))
    expected = {"Date": "2026-05-04", "DateTime": "2026-05-04 12:00:00", "Time": "12:00:00"}
    for owner, text in expected.items():
        info = LIBRARY.classes[owner]
        assert info.default_context  # the compiler passes the run's context
        declared = info.default(ctx)
        assert call(ctx, owner, "isNull", (), declared) is False
        assert call(ctx, owner, "toString", (), declared) == text
        assert call(ctx, owner, "toString", (), call(ctx, owner, owner, ())) == text
    assert LIBRARY.classes["TimeSpan"].default().seconds == 0


def test_the_run_clock_is_its_fixed_start_plus_sleep():
    start = dt.datetime(2026, 5, 4, 10, 0, 0)  # naive: UTC
    ctx = RunContext(clock_start=start)
    assert ctx.now() == start.replace(tzinfo=dt.UTC)
    ctx.advance_clock(90.5)
    assert ctx.timestamp() == start.replace(tzinfo=dt.UTC).timestamp() + 90.5
    assert str(d.now_datetime(ctx)) == "2026-05-04 10:01:30"
    # made without __init__ (the hot path), they are what the constructors make
    assert d.now_datetime(ctx) == d.DateTime(dt.datetime(2026, 5, 4, 10, 1, 30))
    assert d.now_date(ctx) == d.Date(dt.date(2026, 5, 4))
    assert d.now_time(ctx) == d.Time(10 * 3600 + 90)
    assert not (d.now_datetime(ctx).null or d.now_date(ctx).null or d.now_time(ctx).null)
    assert abs(RunContext().timestamp() - dt.datetime.now(dt.UTC).timestamp()) < 5  # else the real clock


def test_explicit_constructor_reads_the_run_clock():
    ahead = RunContext(clock_offset=10 * 86400)
    later = call(ahead, "DateTime", "DateTime", ())
    now = call(RunContext(), "DateTime", "DateTime", ())
    assert (later.value - now.value).days in (9, 10)


# -- Date ----------------------------------------------------------------------------


def test_date_add_modifies_and_returns_a_copy(ctx):
    day = d.parse_date("2024-01-31")
    returned = call(ctx, "Date", "addDay", ("Integer",), day, 1)
    assert str(day) == "2024-02-01" and str(returned) == "2024-02-01"
    call(ctx, "Date", "addDay", ("Integer",), returned, 5)
    assert str(day) == "2024-02-01"  # the returned value is a copy
    call(ctx, "Date", "addDay", ("Integer",), day, -32)
    assert str(day) == "2023-12-31"


@pytest.mark.parametrize("start, months, expected", [
    ("2024-02-29", 12, "2025-03-01"),   # documented: Feb 29th in a non-leap year -> March 1st
    ("2024-01-31", 1, "2024-03-02"),    # overflow rolls over like mktime
    ("2024-03-15", -3, "2023-12-15"),
    ("2024-05-10", 0, "2024-05-10"),
])
def test_date_add_month(ctx, start, months, expected):
    day = d.parse_date(start)
    call(ctx, "Date", "addMonth", ("Integer",), day, months)
    assert str(day) == expected


def test_date_add_year_and_getters(ctx):
    day = d.parse_date("2024-02-29")
    call(ctx, "Date", "addYear", ("Integer",), day, -4)
    assert str(day) == "2020-02-29"
    assert call(ctx, "Date", "getYear", (), day) == 2020
    assert call(ctx, "Date", "getMonth", (), day) == 2
    assert call(ctx, "Date", "getMDay", (), day) == 29
    assert call(ctx, "Date", "getWeekDay", (), day) == 5  # a Saturday; Monday is 0
    assert call(ctx, "Date", "getWeek", (), d.parse_date("2021-01-03")) == 53  # ISO week
    assert call(ctx, "Date", "getWeek", (), d.parse_date("2024-12-30")) == 1
    with pytest.raises(CRMScriptRuntimeError, match="year"):
        call(ctx, "Date", "addYear", ("Integer",), day, 9000)


def test_date_copy_constructor_and_now(ctx):
    day = d.parse_date("2022-07-01")
    clone = call(ctx, "Date", "Date", ("Date",), day)
    call(ctx, "Date", "addDay", ("Integer",), clone, 1)
    assert str(day) == "2022-07-01"
    assert str(call(ctx, "Date", "Date", ())) == str(d.now_date(ctx))
    assert call(ctx, "Date", "toString", (), day) == "2022-07-01"


# -- DateTime --------------------------------------------------------------------


def test_datetime_add_mutates_and_chains(ctx):
    stamp = dt_of("2023-12-31 23:30:00")
    same = call(ctx, "DateTime", "addMin", ("Integer",), stamp, 45)
    assert same is stamp and str(stamp) == "2024-01-01 00:15:00"
    call(ctx, "DateTime", "addSec", ("Integer",), stamp, -901)
    assert str(stamp) == "2023-12-31 23:59:59"
    call(ctx, "DateTime", "addHour", ("Integer",), stamp, 25)
    call(ctx, "DateTime", "addDay", ("Integer",), stamp, 58)
    assert str(stamp) == "2024-02-29 00:59:59"
    call(ctx, "DateTime", "addYear", ("Integer",), stamp, 1)
    assert str(stamp) == "2025-03-01 00:59:59"
    call(ctx, "DateTime", "addMonth", ("Integer",), stamp, -14)
    assert str(stamp) == "2024-01-01 00:59:59"


def test_adding_to_a_null_datetime_gives_a_value(ctx):
    stamp = dt_of("")
    call(ctx, "DateTime", "addDay", ("Integer",), stamp, 1)
    assert not stamp.null and str(stamp) == "1970-01-02 00:00:00"


def test_datetime_time_part(ctx):
    stamp = dt_of("2024-05-06 07:08:09")
    part = call(ctx, "DateTime", "getTime", (), stamp)
    assert str(part) == "07:08:09"
    noon = d.parse_time("13:00:00")
    assert call(ctx, "DateTime", "setTime", ("Time",), stamp, noon) is None
    assert str(stamp) == "2024-05-06 13:00:00"
    assert call(ctx, "DateTime", "getWeekDay", (), stamp) == 0
    assert call(ctx, "DateTime", "getWeek", (), stamp) == 19
    assert (call(ctx, "DateTime", "getYear", (), stamp), call(ctx, "DateTime", "getMonth", (), stamp),
            call(ctx, "DateTime", "getMDay", (), stamp)) == (2024, 5, 6)


def test_diff_and_comparison(ctx):
    early, late = dt_of("2024-01-01 10:00:00"), dt_of("2024-01-01 11:00:00")
    assert call(ctx, "DateTime", "diff", ("DateTime",), early, late) == -3600
    assert call(ctx, "DateTime", "diff", ("DateTime",), late, early) == 3600
    assert early < late and late > early and early <= early.copy() and early == early.copy()
    assert early != late
    assert dt_of("") < dt_of("1970-01-01 00:00:00")  # null sorts first, and is not equal
    assert dt_of("") == dt_of("0")
    assert d.parse_date("2020-01-01") < d.parse_date("2020-01-02")
    assert d.parse_time("09:00") > d.parse_time("08:59:59")
    ts1, ts2 = d.TimeSpan(5), d.TimeSpan(-5)
    assert ts2 < ts1 and ts1 == d.TimeSpan(5)
    assert (d.parse_date("2020-01-01") == dt_of("2020-01-01")) is False


def test_unix_time_respects_the_time_zone(ctx):
    stamp = dt_of("1970-01-02 00:00:00")
    assert call(ctx, "DateTime", "getUnix", (), stamp) == 86400
    oslo = RunContext(settings=Settings(timezone="Europe/Oslo"))
    assert call(oslo, "DateTime", "getUnix", (), stamp) == 86400 - 3600
    back = call(oslo, "DateTime", "setUnix", ("Integer",), d.DateTime(), 1_700_000_000)
    assert str(back) == "2023-11-14 23:13:20"  # 22:13:20 UTC
    assert call(ctx, "DateTime", "getUnix", (), call(ctx, "DateTime", "setUnix", ("Integer",), stamp, -5)) == -5


@pytest.mark.parametrize("method, expected", [
    ("moveToDayStart", "2024-08-15 00:00:00"),
    ("moveToHourStart", "2024-08-15 13:00:00"),
    ("moveToMonthStart", "2024-08-01 00:00:00"),
    ("moveToQuarterStart", "2024-07-01 00:00:00"),
    ("moveToWeekStart", "2024-08-12 00:00:00"),
    ("moveToYearStart", "2024-01-01 00:00:00"),
    ("moveToDayEnd", "2024-08-15 23:59:59"),
    ("moveToHourEnd", "2024-08-15 13:59:59"),
    ("moveToMonthEnd", "2024-08-31 23:59:59"),
    ("moveToQuarterEnd", "2024-09-30 23:59:59"),
    ("moveToWeekEnd", "2024-08-18 23:59:59"),
    ("moveToYearEnd", "2024-12-31 23:59:59"),
])
def test_move_to(ctx, method, expected):
    stamp = dt_of("2024-08-15 13:37:42")  # a Thursday
    assert call(ctx, "DateTime", method, (), stamp) is stamp
    assert str(stamp) == expected


def test_quarter_end_in_february():
    stamp = dt_of("2023-02-10 01:00:00")
    d.datetime_move_to_quarter_end(stamp)
    assert str(stamp) == "2023-03-31 23:59:59"


def test_format_codes(ctx):
    stamp = dt_of("2021-01-03 00:05:09")  # a Sunday in ISO week 53 of 2020
    fmt = "YY4-MM2-DD2 YY2 MM1/DD1 H24:MI2:SS2 HH24 H12 HH12 AMPM ISOW1 ISOW2 ISOWY4 ISOWY2 WEEKDAY"
    assert call(ctx, "DateTime", "toString", ("String",), stamp, fmt) == \
        "2021-01-03 21 1/3 0:05:09 00 12 12 am 53 53 2020 20 7"
    assert call(ctx, "DateTime", "toString", ("String",), dt_of("2021-11-09 15:00:00"),
                "HH12:MI2 AMPM, MONTH WDAY") == "03:00 pm, November Tuesday"
    days = "søn,man,tir,ons,tor,fre,lør"
    months = "jan,feb,mar,apr,mai,jun,jul,aug,sep,okt,nov,des"
    assert call(ctx, "DateTime", "toString", ("String", "String", "String"),
                dt_of("2021-11-09 15:00:00"), "WDAY DD1. MONTH", months, days) == "tir 9. nov"
    assert call(ctx, "DateTime", "toString", ("String", "String", "String"),
                stamp, "WDAY|MONTH", "", "only") == "only|January"
    assert call(ctx, "DateTime", "toString", ("String",), dt_of(""), "YY4") == ""


@pytest.mark.parametrize("mode, language, hour24, expected", [
    (0, 1, True, "2020-05-29"),
    (1, 1, True, "2020-05-29 13:37"),
    (2, 1, True, "2020-05-29 13:37:42"),
    (2, 1, False, "2020-05-29 01:37:42 pm"),
    (3, 1, True, "May 29. 2020"),
    (3, 0, True, "29. Mai 2020"),
    (3, 2, True, "29. Mai 2020"),
    (4, 1, True, "May 29. 2020 13:37"),
    (5, 1, True, "May 29. 2020 13:37:42"),
    (6, 5, True, "29. Mei 2020 13:37"),
    (7, 1, True, "05/29/2020 13:37"),
    (7, 0, True, "29/05/2020 13:37"),
    (8, 1, True, "20200529133742"),
    (9, 1, False, "01:37 pm"),
    (10, 1, True, "13:37:42"),
    (11, 1, True, "20200529133742"),
    (12, 1, True, "Fri, 29 May 20 13:37:42 GMT"),
    (13, 1, True, "2020-05-29T13:37:42"),
    (14, 1, True, "Fri, 29 May 2020 13:37:42 +0000"),
    (15, 1, True, "29.05.2020 13:37"),
    (16, 1, True, "29/05/2020 13:37"),
])
def test_modes(ctx, mode, language, hour24, expected):
    stamp = dt_of("2020-05-29 13:37:42")
    assert call(ctx, "DateTime", "toString", ("Integer", "Integer", "Bool"),
                stamp, mode, language, hour24) == expected


def test_rfc822_offset_and_bad_mode():
    oslo = RunContext(settings=Settings(timezone="Europe/Oslo"))
    stamp = dt_of("2020-05-29 13:37:42")
    assert call(oslo, "DateTime", "toString", ("Integer", "Integer", "Bool"), stamp, 14, 1, True) \
        .endswith("+0200")
    with pytest.raises(CRMScriptRuntimeError, match="mode 17"):
        call(oslo, "DateTime", "toString", ("Integer", "Integer", "Bool"), stamp, 17, 1, True)


# -- Time ----------------------------------------------------------------------------


def test_time_members(ctx):
    t = call(ctx, "Time", "Time", ("String",), "08:00")
    assert call(ctx, "Time", "toString", (), t) == "08:00:00"
    call(ctx, "Time", "setHour", ("Integer",), t, 10)
    call(ctx, "Time", "setMin", ("Integer",), t, 15)
    call(ctx, "Time", "setSec", ("Integer",), t, 30)
    assert str(t) == "10:15:30"
    assert (call(ctx, "Time", "getHour", (), t), call(ctx, "Time", "getMin", (), t),
            call(ctx, "Time", "getSec", (), t)) == (10, 15, 30)
    clone = call(ctx, "Time", "Time", ("Time",), t)
    call(ctx, "Time", "setHour", ("Integer",), clone, 0)
    assert t.hour == 10 and not call(ctx, "Time", "isNull", (), t)
    with pytest.raises(CRMScriptRuntimeError, match="hour 24 is out of range 0-23"):
        call(ctx, "Time", "setHour", ("Integer",), t, 24)
    with pytest.raises(CRMScriptRuntimeError, match="minute -1"):
        call(ctx, "Time", "setMin", ("Integer",), t, -1)
    null = d.parse_time("")
    assert call(ctx, "Time", "isNull", (), null) and str(null) == ""
    call(ctx, "Time", "setSec", ("Integer",), null, 5)
    assert str(null) == "00:00:05"
    assert not call(ctx, "Time", "Time", ()).null


# -- TimeSpan ------------------------------------------------------------------------


def test_timespan_fields_and_totals(ctx):
    span = call(ctx, "TimeSpan", "TimeSpan", ())
    call(ctx, "TimeSpan", "set", ("Integer",) * 5, span, 1, 2, 3, 4, 5)
    assert [call(ctx, "TimeSpan", g, (), span) for g in
            ("getYear", "getDay", "getHour", "getMin", "getSec")] == [1, 2, 3, 4, 5]
    assert call(ctx, "TimeSpan", "toDays", (), span) == 367
    assert call(ctx, "TimeSpan", "toHours", (), span) == 367 * 24 + 3
    assert call(ctx, "TimeSpan", "toMinutes", (), span) == (367 * 24 + 3) * 60 + 4
    assert call(ctx, "TimeSpan", "toSeconds", (), span) == ((367 * 24 + 3) * 60 + 4) * 60 + 5
    other = d.TimeSpan()
    for name, amount in (("addYear", 1), ("addDay", 400), ("addHour", 25), ("addMin", 61), ("addSec", 61)):
        call(ctx, "TimeSpan", name, ("Integer",), other, amount)
    assert other.fields() == (2, 36, 2, 2, 1)


def test_timespan_negative(ctx):
    span = d.TimeSpan()
    call(ctx, "TimeSpan", "addMin", ("Integer",), span, -90)
    assert call(ctx, "TimeSpan", "isNegative", (), span)
    assert call(ctx, "TimeSpan", "toHours", (), span) == -1  # toward zero
    assert call(ctx, "TimeSpan", "getHour", (), span) == 1 and span.fields()[3] == 30
    call(ctx, "TimeSpan", "setNegative", ("Bool",), span, False)
    assert call(ctx, "TimeSpan", "toMinutes", (), span) == 90
    call(ctx, "TimeSpan", "setNegative", ("Bool",), span, True)
    assert call(ctx, "TimeSpan", "toSeconds", (), span) == -5400


def test_timespan_to_string(ctx):
    span = d.TimeSpan()
    call(ctx, "TimeSpan", "set", ("Integer",) * 5, span, 0, 2, 1, 5, 30)
    to_string = ("Integer", "Integer", "Integer", "Bool")
    assert call(ctx, "TimeSpan", "toString", to_string, span, 3, 1, 1, False) == "2 days 1 hour 5 minutes"
    assert call(ctx, "TimeSpan", "toString", to_string, span, 4, 1, 2, True) == "49h 5m 30s"
    assert call(ctx, "TimeSpan", "toString", to_string, span, 1, 0, 1, False) == "2 dager"
    assert call(ctx, "TimeSpan", "toString", to_string, d.TimeSpan(), 3, 1, 0, False) == "0 minutes"
    assert call(ctx, "TimeSpan", "toString", to_string, d.TimeSpan(-60), 3, 1, 3, True) == "-1m"
    with pytest.raises(CRMScriptRuntimeError, match="0-4"):
        call(ctx, "TimeSpan", "toString", to_string, span, 5, 1, 1, False)


def test_copies_are_independent():
    for value in (dt_of("2020-01-01 00:00:00"), d.parse_date("2020-01-01"), d.parse_time("01:02:03"),
                  d.TimeSpan(3)):
        clone = value.copy()
        assert clone == value and clone is not value
    null = dt_of("").copy()
    assert null.null


def test_integer_results_stay_32_bit(ctx):
    late = dt_of("2040-01-01 00:00:00")
    with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
        call(ctx, "DateTime", "getUnix", (), late)  # the 32-bit Unix time ends in 2038
    with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
        call(ctx, "DateTime", "diff", ("DateTime",), late, dt_of("1900-01-01 00:00:00"))
    span = d.TimeSpan()
    call(ctx, "TimeSpan", "addYear", ("Integer",), span, 100)
    assert call(ctx, "TimeSpan", "toDays", (), span) == 36500
    with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
        call(ctx, "TimeSpan", "toSeconds", (), span)
