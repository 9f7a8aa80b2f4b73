"""The pure service classes (docs/globals.md): Timer, TimeZone, FHBitSet,
WeekSchedule, YearSchedule, AppointmentSlicer, Cache and File."""

from __future__ import annotations

import textwrap

import pytest
from crm_helpers import fixture, printed, run

import engine
from engine.errors import CRMScriptRuntimeError
from engine.runtime.context import RunContext, Settings


def test_bitset_as_the_reference_prints_it():
    assert printed("""\
        FHBitSet fh;
        fh.set(43);
        fh.setBitNo(15, true);
        printLine(fh.toLsbString());
        fh.set(44); printLine(fh.toLsbString());
        fh.set("101"); printLine(fh.toInteger().toString() + fh.getBitNo(2).toString() + fh.getBitNo(1).toString());
        fh.setBitNo(31, true); printLine(fh.toInteger().toString());
        """) == ("00000000000000001000000000101011\n00000000000000000000000000101100\n5truefalse\n"
                 "-2147483643\n")
    with pytest.raises(CRMScriptRuntimeError, match="bit 32 is outside 0-31"):
        run("FHBitSet f; f.setBitNo(32, true);")


def test_timer_runs_on_the_simulated_clock():
    assert printed("""\
        Timer t;
        printLine(t.getSeconds().toString(1));
        t.start(); sleep(90); t.stop(); sleep(5);
        printLine(t.getSeconds().toString(1) + " " + t.getTimer().toString(0));
        """, fixture('now: "2026-05-04T10:00:00Z"\n')) == "0.0\n90.0 1777888895\n"


def test_time_zone_is_the_runs_zone_now():
    script = engine.compile_script(
        'TimeZone tz = getLocalTimeZone(); TimeZone other; print(tz.getTimeZone() + " " '
        '+ tz.getTimeZoneSecs().toString() + " " + other.getTimeZone());', "tz.crm")
    context = RunContext(settings=Settings(timezone="Asia/Kolkata"))
    assert script.run(context=context).output == "+05:30 19800 +05:30"
    summer = fixture('now: "2026-07-01T12:00:00"\ntimezone: America/New_York\n')
    assert script.run(fixture=summer).output == "-04:00 -14400 -04:00"


WEEK = """\
    WeekSchedule ws;
    ws.setMonStart(Time("08:00:00")); ws.setMonStop(Time("16:00:00"));
    ws.setTueStart(Time("08:00:00")); ws.setTueStop(Time("16:00:00"));
    """


def test_week_schedule_counts_active_hours_only():
    assert printed(WEEK + """\
        TimeSpan ten; ten.addHour(10);
        printLine(ws.addTimeSpan(DateTime("2026-05-04 15:00:00"), ten).toString());
        printLine(ws.getDifference(DateTime("2026-05-04 15:00:00"), DateTime("2026-05-05 09:00:00")).getHour().toString());
        ws.setNonDates("5/5");
        printLine(ws.addTimeSpan(DateTime("2026-05-04 15:00:00"), ten).toString() + " " + ws.getNonDates());
        printLine(ws.getMonStart().toString() + " " + ws.getWedStart().toString());
        """) == "2026-05-11 09:00:00\n2\n2026-05-12 09:00:00 5/5\n08:00:00 \n"


def test_a_schedule_without_active_time_is_an_error():
    with pytest.raises(CRMScriptRuntimeError, match="no active time within 20 years"):
        run('WeekSchedule ws; TimeSpan t; t.addHour(1); ws.addTimeSpan(DateTime("2026-01-01 00:00:00"), t);')


def test_week_schedule_from_a_priority():
    crm = fixture("""\
        rows:
          ticket_priority:
            - {id: 9, name: Gold, mon_start: "2026-01-01 07:30:00", mon_stop: "2026-01-01 09:00:00", non_dates: "24/12"}
        """)
    assert printed("""\
        WeekSchedule ws; ws.loadFromPriority(9);
        TimeSpan t; t.addMin(100);
        print(ws.addTimeSpan(DateTime("2026-05-04 08:00:00"), t).toString() + " " + ws.getNonDates());
        """, crm) == "2026-05-11 08:10:00 24/12"


def test_year_schedule_uses_the_week_schedule_of_the_season():
    assert printed(WEEK + """\
        WeekSchedule summer;
        summer.setMonStart(Time("09:00:00")); summer.setMonStop(Time("12:00:00"));
        YearSchedule ys;
        ys.addWS(ws, 5, 31);
        ys.addWS(summer, 8, 31);
        TimeSpan t; t.addHour(9);
        printLine(ys.addTimeSpan(DateTime("2026-05-25 08:00:00"), t).toString());
        printLine(ys.getDifference(DateTime("2026-06-01 00:00:00"), DateTime("2026-06-09 00:00:00")).getHour().toString());
        """) == "2026-05-26 09:00:00\n6\n"


def test_appointment_slicer_cuts_appointments_into_days():
    assert printed("""\
        AppointmentSlicer a;
        a.addAppointment(1, DateTime(2017, 4, 23, 22, 0, 0), DateTime(2017, 4, 24, 10, 30, 0), "Night shift");
        a.addAppointment(2, DateTime(2017, 4, 24, 9, 0, 0), DateTime(2017, 4, 24, 9, 45, 0), "Meeting");
        a.setActiveDate(Date("2017-04-23"));
        printLine(a.getValue("start") + "-" + a.getValue("stop") + " " + a.getValue("date"));
        a.setActiveDate(Date("2017-04-24"));
        for (; !a.eof(); a.next()) printLine(a.getValue("id") + " " + a.getValue("title") + " " + a.getValue("start"));
        printLine(a.getLoadForDay(Date("2017-04-24"), Time("08:00:00"), Time("16:00:00"), -1).toString() + " "
                  + a.getLoadForDay(Date("2017-04-24"), Time("08:00:00"), Time("16:00:00"), 60).toString());
        a.clear(); a.setActiveDate(Date("2017-04-24")); printLine(a.eof().toString());
        """) == "22:00:00-24:00:00 2017-04-23\n1 Night shift 00:00:00\n2 Meeting 09:00:00\n195 60\ntrue\n"


def test_cache_is_a_read_only_view_over_the_store():
    crm = fixture("""\
        rows:
          ticket_priority:
            - {id: 1, name: Low, deadline: 4320}
            - {id: 2, name: High, deadline: 480}
            - {id: 3, name: Urgent, deadline: 60}
        """)
    assert printed("""\
        Cache c;
        printLine(c.getData("ticket_priority"));
        c.sort("deadline", true);
        for (c.first(); !c.eof(); c.next()) printLine(c.getRow().get("name") + " " + c.getRow().get("deadline"));
        printLine(c.getDataSubset("ticket_priority", "name", "high") + " " + c.getRow().get("id"));
        """, crm) == "3\nUrgent 60\nHigh 480\nLow 4320\n1 2\n"
    with pytest.raises(CRMScriptRuntimeError, match="unknown table 'ticket_prority' \\(did you mean 'ticket_priority'"):
        run('Cache c; c.getData("ticket_prority");', crm)


FILES = fixture("""\
    files:
      in/orders.csv: "id;amount\\n1;500\\n2;220\\n"
      in/logo.bin: {base64: AAEC/w==}
    """)


def test_file_reads_the_fixtures_files_and_writes_stay_in_the_run():
    source = """\
        File f;
        if (f.open("in/orders.csv", "r")) {
          while (true) { String line = f.readLine(); if (f.eof()) break; printLine("[" + line + "]"); }
        }
        f.close();
        File b; b.open("in/logo.bin", "rb"); Byte[] bytes = b.readBinary(); printLine(bytes.length().toString() + " " + bytes[3].toString());
        File w; w.open("out/report.txt", "a+"); w.write("one"); w.write("+two"); w.close();
        File r; r.open("out/report.txt", "r"); printLine(r.readAll()); r.rewind(); printLine(r.readAll());
        printLine(r.unlink().toString());
        File gone; printLine(gone.open("out/report.txt", "r").toString() + gone.open("/etc/passwd", "r").toString());
        """
    result = run(source, FILES)
    assert result.output == "[id;amount]\n[1;500]\n[2;220]\n4 255\none+two\none+two\ntrue\nfalsefalse\n"
    again = run('File f; print(f.open("out/report.txt", "r").toString());', FILES)
    assert again.output == "false"


def test_file_errors_name_the_problem():
    with pytest.raises(CRMScriptRuntimeError, match="'../x' leaves the file area"):
        run('File f; f.open("../x", "r");', FILES)
    with pytest.raises(CRMScriptRuntimeError, match="no file is open"):
        run('File f; f.readAll();', FILES)
    with pytest.raises(CRMScriptRuntimeError, match="open for reading only"):
        run('File f; f.open("in/orders.csv", "r"); f.write("x");', FILES)
    with pytest.raises(CRMScriptRuntimeError, match="'x' is not a mode"):
        run('File f; f.open("in/orders.csv", "x");', FILES)


def test_file_codepages():
    crm = fixture("files:\n  latin.txt: {base64: 'Ymzl'}\n")
    assert printed('File f; f.open("latin.txt", "r", "ISO-8859-1"); print(f.readAll());', crm) == "blå"


def test_classes_keep_no_state_between_runs():
    script = engine.compile_script(textwrap.dedent("""\
        File w; w.open("n.txt", "a"); w.write("x"); w.close();
        File r; r.open("n.txt", "r"); print(r.readAll());
        """), "f.crm")
    assert script.run(fixture=FILES).output == "x"
    assert script.run(fixture=FILES).output == "x"


def test_sizes_are_bounded():
    with pytest.raises(CRMScriptRuntimeError, match="more than 100 years apart"):
        run('WeekSchedule ws; ws.getDifference(DateTime("1900-01-01 00:00:00"), DateTime("2100-01-01 00:00:00"));')
    with pytest.raises(CRMScriptRuntimeError, match="longer than 10 years"):
        run('AppointmentSlicer a; a.addAppointment(1, DateTime("1900-01-01 00:00:00"), '
            'DateTime("2100-01-01 00:00:00"), "x");')
    from engine.errors import CRMScriptLimitError
    from engine.runtime.context import Limits

    script = engine.compile_script('File f; f.open("big.txt", "w"); for (Integer i = 0; i < 100; i++) '
                                   'f.write("0123456789");', "big.crm")
    with pytest.raises(CRMScriptLimitError):
        script.run(context=RunContext(limits=Limits(string_length=500)))
