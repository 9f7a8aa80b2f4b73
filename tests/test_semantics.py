"""Run-time semantics: value vs reference, runtime errors, try/catch, throw,
and where an error is reported (file, line, column), also inside functions
and included files."""

from __future__ import annotations

import pytest
from conftest import failure, run

import engine
from engine.runtime.context import RunContext

# ------------------------------------------------------- value / reference


def test_primitives_copy_on_assignment():
    assert run('Integer a = 1; Integer b = a; b++; String s = "x"; String t = s; t += "y";'
               ' print(a.toString() + s + t);') == "1xxy"


def test_primitives_are_passed_by_value():
    source = """
    Void change(Integer n, String s) { n = 99; s += "!"; }
    Integer n = 1; String s = "a";
    change(n, s);
    print(n.toString() + s);
    """
    assert run(source) == "1a"


def test_arrays_share_on_assignment_and_when_passed():
    source = """
    Void add(Integer[] values) { values.pushBack(3); }
    Integer[] a; a.pushBack(1);
    Integer[] b = a;
    b.pushBack(2);
    add(a);
    print(a.length().toString() + b.length().toString());
    """
    assert run(source) == "33"


def test_maps_and_structs_share():
    source = """
    struct Box { Integer n; };
    Void fill(Box b, Map m) { b.n = 7; m.insert("k", "v"); }
    Box box; Map m;
    Box alias = box;
    fill(alias, m);
    print(box.n.toString() + m.get("k"));
    """
    assert run(source) == "7v"


def test_dates_are_values_copied_on_assignment_and_when_passed():
    source = """
    Void later(DateTime d) { d.addDay(3); }
    DateTime a = String("2024-01-10 12:00:00").toDateTime();
    DateTime b = a;
    b.addDay(1);
    later(a);
    print(a.toString() + "|" + b.toString());
    """
    out = run(source)
    first, second = out.split("|")
    assert first != second
    assert "10" in first and "11" in second


def test_a_typed_function_that_falls_off_its_end_runs_and_returns_its_default():
    # The shapes of the public library's two such functions: an empty typed
    # method, and a function that ends in a call the checker cannot know never returns.
    source = ("struct Box { String label() { } Integer[] items() { } };\n"
              "Void stop(String why) { throw why; }\n"
              "Integer pick(Integer n) { if (n > 0) { return n; } stop(\"none\"); }\n"
              "Box b = Box();\n"
              "printLine(\"[\" + b.label() + \"]\" + b.items().length().toString() + pick(3).toString());\n"
              "try { pick(0); } catch { printLine(error); }\n")
    script = engine.compile_script(source, "ends.crm")
    assert script.run().output == "[]03\nGeneralException: none\n"
    assert [(w.line, w.message.split(":")[0]) for w in script.warnings] == [
        (1, "missing return at the end of 'String label()'"), (1, "missing return at the end of 'Integer[] items()'"),
        (3, "missing return at the end of 'Integer pick(Integer n)'")]


def test_foreach_gives_copies_of_primitives_and_the_structs_themselves():
    source = """
    struct Item { Integer n; };
    Integer[] numbers; numbers.pushBack(1); numbers.pushBack(2);
    foreach (Integer x in numbers) { x = x * 10; }
    Item[] items; Item one; items.pushBack(one);
    foreach (Item it in items) { it.n = 5; }
    print(numbers[0].toString() + numbers[1].toString() + items[0].n.toString());
    """
    assert run(source) == "125"


# -------------------------------------------------------- runtime errors


@pytest.mark.parametrize("statement, message", [
    ("Integer z = 0; Integer r = 1 / z;", "Division by zero"),
    ("Integer z = 0; Integer r = 1 % z;", "Division by zero"),
    ("Float z = 0; Float r = 1.5 / z;", "Division by zero"),
    ("Integer[2] a; Integer r = a[2];", "out of range"),
    ("Integer[2] a; Integer i = -1; Integer r = a[i];", "out of range"),
    ("Integer[2] a; a[5] = 1;", "out of range"),
    ("Integer big = 2147483647; big = big + 1;", "overflow"),
    ("Integer big = 2147483647; big++;", "overflow"),
    ("Integer small = -2147483647; small = small - 2;", "overflow"),
    ("Integer m = 65536; m = m * m;", "overflow"),
    ('throw "custom";', "GeneralException: custom"),
])
def test_each_runtime_error_kind_is_caught_by_catch(statement, message):
    source = f'try {{ {statement} print("not reached"); }} catch {{ print("caught: " + error); }}'
    out = run(source)
    assert out.startswith("caught: ") and message in out


def test_uncaught_runtime_error_has_file_line_and_column():
    error = failure('Integer a = 1;\nInteger z = 0;\nprintLine("x");\nInteger r = a / z;\n')
    assert isinstance(error, engine.CRMScriptRuntimeError)
    assert (error.file, error.line) == ("t.crm", 4)
    assert error.column >= 1
    assert "Division by zero" in error.message


def test_output_before_an_uncaught_error_is_kept_in_the_context():
    script = engine.compile_script('print("before"); Integer z; Integer r = 3 / z; print("after");', "k.crm")
    context = RunContext()
    with pytest.raises(engine.CRMScriptRuntimeError):
        script.run(context=context)
    assert context.printed() == "before"


def test_error_inside_a_function_points_into_the_function():
    source = "Integer div(Integer a, Integer b) {\n  return a / b;\n}\nprint(div(4, 2).toString());\nprint(div(1, 0).toString());\n"
    error = failure(source)
    assert error.line == 2


def test_error_column_points_at_the_failing_expression_not_the_statement():
    prefix = "Integer z; Integer[1] a; Integer r = "  # 37 characters
    assert failure(prefix + "2 + a[3];").column == 42
    assert failure(prefix + "a[0] + a[0] + a[5];").column == 52


def test_throw_outside_try_ends_the_run_with_general_exception():
    error = failure('print("a");\nthrow "stop here";')
    assert isinstance(error, engine.CRMScriptThrow)
    assert error.message == "GeneralException: stop here"
    assert error.line == 2


def test_error_and_error_location_inside_catch():
    source = 'try {\n  Integer z;\n  Integer r = 5 / z;\n} catch {\n  print(error + " at " + errorLocation);\n}'
    assert run(source, "loc.crm") == "Division by zero at loc.crm:3"


def test_catch_in_caller_catches_error_from_callee_with_callee_location():
    source = "Void bad() {\n  throw \"inner\";\n}\ntry { bad(); } catch { print(errorLocation + \" \" + error); }"
    assert run(source, "c.crm") == "c.crm:2 GeneralException: inner"


def test_rethrow_from_catch_and_nested_try():
    source = """
    try {
      try { throw "one"; } catch { throw error + "+two"; }
    } catch { print(error); }
    """
    assert run(source) == "GeneralException: GeneralException: one+two"


def test_code_after_catch_runs_and_variables_keep_their_values():
    source = 'Integer n = 1; try { n = 2; throw "x"; n = 3; } catch { n += 10; } print(n.toString());'
    assert run(source) == "12"


def test_error_inside_an_included_file_keeps_its_own_name_and_line(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "helpers.crm").write_text("Integer half(Integer n) {\n  Integer z = 0;\n  return n / z;\n}\n")
    main = tmp_path / "main.crm"
    main.write_text('#include "helpers";\nprint("go");\nprint(half(4).toString());\n')
    from engine.includes import resolver_for

    with pytest.raises(engine.CRMScriptRuntimeError) as caught:
        engine.compile_script(main.read_text(), str(main), includes=resolver_for(main)).run()
    assert caught.value.file.endswith("helpers.crm")
    assert caught.value.line == 3


def test_included_top_level_code_runs_at_the_include(tmp_path):
    (tmp_path / "greet.crm").write_text('String greeting = "hi";\nprint("[inc]");\n')
    main = tmp_path / "main.crm"
    main.write_text('print("a");\n#include "greet";\nprint(greeting);\n')
    from engine.includes import resolver_for

    out = engine.compile_script(main.read_text(), str(main), includes=resolver_for(main)).run().output
    assert out == "a[inc]hi"


def test_changed_include_file_is_recompiled(tmp_path):
    from engine.includes import resolver_for

    inc = tmp_path / "part.crm"
    inc.write_text('print("one");\n')
    main = tmp_path / "main.crm"
    main.write_text('#include "part";\n')
    first = engine.compile_script(main.read_text(), str(main), includes=resolver_for(main)).run().output
    inc.write_text('print("two!");\n')
    second = engine.compile_script(main.read_text(), str(main), includes=resolver_for(main)).run().output
    assert (first, second) == ("one", "two!")


def test_foreach_visits_the_elements_the_array_had_when_the_loop_started():
    source = """
    Integer[] a; a.pushBack(1); a.pushBack(2);
    String seen;
    foreach (Integer x in a) { seen += x.toString(); a.pushBack(x * 10); }
    print(seen + " " + a.length().toString());
    """
    assert run(source) == "12 4"


def test_error_inside_a_struct_method_points_into_the_method():
    source = "struct Acc {\n  Integer total;\n  Integer per(Integer n) {\n    return this.total / n;\n  }\n};\nAcc a;\nprint(a.per(0).toString());\n"
    error = failure(source)
    assert error.line == 4


def test_throw_in_an_include_caught_in_the_main_script(tmp_path):
    from engine.includes import resolver_for

    (tmp_path / "checks.crm").write_text('Void mustBePositive(Integer n) {\n  if (n < 0) {\n    throw "negative";\n  }\n}\n')
    main = tmp_path / "main.crm"
    main.write_text('#include "checks";\ntry {\n  mustBePositive(-1);\n} catch {\n  print(error + " @ " + errorLocation);\n}\n')
    out = engine.compile_script(main.read_text(), str(main), includes=resolver_for(main)).run().output
    assert out.startswith("GeneralException: negative @ ") and out.endswith("checks.crm:3")


def test_loop_up_to_the_integer_maximum_overflows_like_the_script_says():
    source = "Integer n;\nfor (Integer i = 2147483645; i <= 2147483647; i++) {\n  n++;\n}\n"
    error = failure(source)
    assert isinstance(error, engine.CRMScriptRuntimeError) and "overflow" in error.message.lower()


def test_runs_in_parallel_threads_do_not_share_variables():
    import threading

    script = engine.compile_script(
        "Integer total; for (Integer i = 0; i < 2000; i++) { total += 1; } print(total.toString());", "par.crm")
    outputs: list[str] = []

    def worker():
        for _ in range(20):
            outputs.append(script.run().output)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outputs == ["2000"] * 80


# ------------------------------------------------------------------ null


def test_declared_primitives_are_null_until_assigned():
    source = """
    Integer n; Float f; String s;
    print(n.isNull().toString() + f.isNull().toString() + s.isNull().toString() + "|");
    n = 0; f = 0.0; s = "";
    print(n.isNull().toString() + f.isNull().toString() + s.isNull().toString());
    """
    assert run(source) == "truetruetrue|falsefalsefalse"


def test_null_values_compute_as_zero_and_empty():
    source = """
    Integer n; Float f; String s;
    Integer m = n + 2; Float g = f * 2.0; String t = s + "x";
    n += 5; s += "y";
    print(m.toString() + " " + g.toString(1) + " " + t + " " + n.toString() + s + " ");
    print(m.isNull().toString() + g.isNull().toString() + t.isNull().toString()
          + n.isNull().toString() + s.isNull().toString());
    """
    assert run(source) == "2 0.0 x 5y falsefalsefalsefalsefalse"


def test_null_elements_fields_and_copies():
    source = """
    struct Box { Integer n; String s; Integer given = 1; };
    Box b;
    Integer[2] numbers;
    Integer k; Integer copy = k;
    print(b.n.isNull().toString() + b.s.isNull().toString() + b.given.isNull().toString() + " ");
    print(numbers[1].isNull().toString() + " " + copy.isNull().toString());
    """
    # a copy of a null value is null (the value carries its null flag, like a Date)
    assert run(source) == "truetruefalse true true"


def test_declared_dates_and_times_hold_the_run_clock():
    # "The default value is now": declared without a value, Date, DateTime
    # and Time hold the run's clock (a fixed start, moved on by sleep()).
    import datetime as dt

    source = """
    DateTime now; Date today; Time t;
    print(now.toString() + "|" + today.toString() + "|" + t.toString() + "|" + now.isNull().toString() + "|");
    sleep(90);
    struct Stamp { DateTime at; };
    Stamp s = Stamp(); DateTime[1] list;
    print(s.at.toString() + "|" + list[0].toString() + "|" + (getCurrentDateTime() == s.at).toString());
    """
    context = RunContext(clock_start=dt.datetime(2026, 5, 4, 10, 0, 0, tzinfo=dt.UTC))
    result = engine.compile_script(source, "now.crm").run(context=context)
    assert result.output == ("2026-05-04 10:00:00|2026-05-04|10:00:00|false|"
                             "2026-05-04 10:01:30|2026-05-04 10:01:30|true")


# --------------------------------------------- regressions found by review (was: tests/test_language_qa.py)


PYTHON_WORDS = ("TypeError", "'int'", "'str'", "NoneType", "'list'", "internal error", "object")


def assert_speaks_crmscript(message: str) -> None:
    for word in PYTHON_WORDS:
        assert word not in message, message


@pytest.mark.parametrize("source, message", [
    ('Generic box = 12; String label = box;', "a Generic holding an Integer cannot be used as a String"),
    ('Generic box = "twelve"; Integer n = box;', "a Generic holding a String cannot be used as an Integer"),
    ('Generic box = 12; printLine(box);', "a Generic holding an Integer cannot be used as a String"),
    ('Generic box; String label = box;', "a Generic holding no value cannot be used as a String"),
    ('Generic box = "x"; Integer n = box + 4;', "operator + does not apply to a String and an Integer"),
    ('Generic box = "x"; box++;', "operator + does not apply to a String and an Integer"),
    ('Generic box = "x"; Integer n = -box;', "unary - does not apply to a String"),
    ('Generic a = 7; Generic b = "7"; Bool same = a == b;', "cannot compare an Integer with a String using =="),
    ('Generic a = 7; Generic b = "7"; Bool less = a < b;', "cannot compare an Integer with a String using <"),
    ('Generic flag = 1; if (flag) printLine("yes");', "a Generic holding an Integer cannot be used as a Bool"),
    ('Generic flag = 1; Bool b = !flag;', "a Generic holding an Integer cannot be used as a Bool"),
    ('Generic items = 9; foreach (Integer n in items) {}', "a Generic holding an Integer cannot be used as an array"),
    ('String[] words; words.pushBack("w"); Generic items = words; foreach (Integer n in items) {}',
     "a Generic holding a String cannot be used as an Integer"),
    ('Generic pos = "1"; Integer[3] slots; slots[pos] = 5;', "a Generic holding a String cannot be used as an Integer"),
    ('Generic box = 3; throw box;', "a Generic holding an Integer cannot be used as a String"),
    ('Generic box = "q"; Integer[] nums; nums.pushBack(box);', "a Generic holding a String cannot be used as an Integer"),
    ('DateTime when; Generic box = when; Integer n = box;', "a Generic holding a DateTime cannot be used as an Integer"),
    ('Generic big = 2147483647; Integer n = big + 1;', "Integer overflow"),
    ('String text = "n="; Generic box = 5; text += box;', "a Generic holding an Integer cannot be used as a String"),
])
def test_generic_holding_the_wrong_type_is_a_crmscript_runtime_error(source, message):
    error = failure(source)
    assert isinstance(error, engine.CRMScriptRuntimeError)
    assert error.message == message
    assert (error.file, error.line) == ("t.crm", 1) and error.column >= 1
    assert_speaks_crmscript(error.message)


def test_generic_mismatch_is_catchable():
    assert run('Generic box = "x"; try { Integer n = box; } catch { print(error); }') == \
        "a Generic holding a String cannot be used as an Integer"


def test_generic_holding_the_right_type_works_everywhere():
    source = """
    Generic count = 4;
    Integer n = count + 1;
    count++;
    Float half = count;
    Generic ratio = 1.5;
    Float twice = ratio * 2;
    Generic word = "ab";
    String joined = word + "c";
    Generic flag = true;
    Integer neg = -count;
    Integer[3] slots;
    Generic pos = 2;
    slots[pos] = 7;
    slots[pos] += 1;
    Integer[] nums; nums.pushBack(10); nums.pushBack(20);
    Generic all = nums;
    Integer sum = 0;
    foreach (Integer x in all) { sum += x; }
    Map m; Generic gm = m; Map same = gm; same.insert("k", "v");
    if (flag && !(count == 4)) printLine(n.toString() + " " + half.toString(1) + " " + twice.toString(1)
        + " " + joined + " " + slots[2].toString() + " " + sum.toString() + " " + m.get("k") + " " + neg.toString());
    """
    assert run(source) == "5 5.0 3.0 abc 8 30 v -5\n"


def test_generic_functions_of_the_generic_page():
    source = """
    struct Parcel { String label; Integer grams; };
    Parcel box;
    Float[][] table;
    Generic held = 17;
    printLine(getTypeName(box) + "," + getTypeName(table) + "," + getTypeName(held) + ","
              + getTypeName(getCurrentDate()) + "," + getTypeName(0.5));
    printLine(getTypeDimensions(table).toString() + getTypeDimensions(held).toString());
    printLine(typeIsStruct(box).toString() + "," + typeIsStruct(held).toString());
    printLine((GenericToInteger(held) * 2).toString() + "," + GenericToFloat(held).toString(1));
    printLine(convertGenericToString(held) + "," + convertGenericToString(false) + ","
              + convertGenericToString(box));
    String[] names; names.pushBack("n");
    Generic many = names;
    printLine(GenericToArray(many).length().toString());
    try { Bool b = GenericToBool(held); } catch { printLine(error); }
    """
    assert run(source) == ("Parcel,Float[][],Integer,Date,Float\n20\ntrue,false\n34,17.0\n17,false,[complex]\n1\n"
                           "a Generic holding an Integer cannot be used as a Bool\n")


@pytest.mark.parametrize("source", [
    "Float big = 1e308; Float more = big * 10;",
    "Float big = 1e308; big += big;",
    "Float big = -1e308; Float more = big - 1e308;",
    "Float big = 1e308; Float more = big / 0.5;",
    "Generic big = 1e308; Float more = big * 3.0;",
])
def test_float_overflow_is_a_runtime_error(source):
    error = failure(source)
    assert isinstance(error, engine.CRMScriptRuntimeError)
    assert error.message == "Float overflow" and error.line == 1


def test_float_overflow_is_catchable_and_ordinary_floats_are_untouched():
    source = ('Float f = 2.5; f = f * 4 - 1 + 0.5; Float tiny = 1e-300 * 1e-300;'
              ' try { f = 1e300 * 1e300; } catch { print(error + " "); }'
              ' print(f.toString(1) + " " + tiny.toString(1));')
    assert run(source) == "Float overflow 9.5 0.0"


@pytest.mark.parametrize("body, message", [
    ('items.pushBack("oops");', "a String cannot be stored in an Integer[]"),
    ('items.pushFront(2.5);', "a Float cannot be stored in an Integer[]"),
    ('items.insert(0, true);', "a Bool cannot be stored in an Integer[]"),
    ('items[0] = "x";', "a String cannot be stored in an Integer[]"),
    ('items[0] += 0.5;', "a Float cannot be stored in an Integer[]"),
])
def test_writing_the_wrong_type_through_a_generic_array_is_refused(body, message):
    source = f"Void change(Generic[] items) {{\n  {body}\n}}\nInteger[] counts; counts.pushBack(1);\nchange(counts);"
    error = failure(source)
    assert isinstance(error, engine.CRMScriptRuntimeError)
    assert (error.message, error.line) == (message, 2)


def test_writing_the_right_type_through_a_generic_array_works():
    source = """
    Void fill(Generic[] items, Generic value) { items.pushBack(value); items[0] = value; items[0] += 1; }
    Float[] amounts; amounts.pushBack(0.5);
    fill(amounts, 2);
    Generic[] anything; anything.pushBack("s");
    fill(anything, 4);
    print(amounts[0].toString(1) + " " + amounts[1].toString(1) + " " + getTypeName(anything[1]));
    """
    assert run(source) == "3.0 2.0 Integer"


def test_a_generic_array_is_an_integer_array_only_when_it_really_is_one():
    # was: `Integer[] nums = anything;` accepted a Generic[] of Strings, and
    # `nums[0] + 1` then failed with a Python TypeError
    error = failure('Generic[] anything; anything.pushBack("a");\nInteger[] nums = anything;')
    assert (error.message, error.line) == ("a Generic[] cannot be used as an Integer[]", 2)
    error = failure('Integer[] counts; Generic held = counts;\nString[] words = held;')
    assert (error.message, error.line) == ("an Integer[] cannot be used as a String[]", 2)
    source = ("Integer[] same(Generic[] items) { return items; }\nInteger[] counts; counts.pushBack(4);"
              " Generic held = counts; Integer[] back = held; print((same(counts)[0] + back[0]).toString());")
    assert run(source) == "8"


def test_foreach_over_a_generic_array_checks_each_element():
    # was: `foreach (Integer n in anything)` gave n the String "a"
    error = failure('Generic[] anything; anything.pushBack("a");\nforeach (Integer n in anything) { }')
    assert (error.message, error.line) == ("a Generic holding a String cannot be used as an Integer", 2)
    assert run("Generic[] anything; anything.pushBack(3); foreach (Float f in anything) { print(f.toString(1)); }") \
        == "3.0"


def test_an_unset_generic_compares_equal_only_to_another_unset_one():
    # Java's null == x (this session's first Generic check made it an error)
    assert run('Generic box; Generic other; print((box == "x").toString() + " " + (box != 3).toString() + " "'
               ' + (box == other).toString());') == "false true true"
    assert failure("Generic box; Bool less = box < 3;").message == "cannot compare an unset Generic with an Integer using <"


def test_a_generic_holding_a_class_the_table_does_not_describe_passes_to_that_class():
    # A plugin's class (not in the built-in table) cannot be checked: the first
    # Generic checks refused every such value ("cannot be used as a DbiControl"; DbiControl
    # is a class no one simulates).
    from engine.runtime.generic import from_generic

    class PluginDbiControl:
        pass

    control = PluginDbiControl()
    assert from_generic(control, "DbiControl") is control
    with pytest.raises(engine.CRMScriptRuntimeError, match="a Generic holding an Integer cannot be used as a DbiControl"):
        from_generic(7, "DbiControl")
    with pytest.raises(engine.CRMScriptRuntimeError, match="a Generic holding an object cannot be used as an Integer"):
        from_generic(control, "Integer")


def test_a_failed_generic_check_points_at_the_generic_expression():
    # was the column of the statement (the 'String' of the declaration)
    error = failure("Generic box = 5;\nString label = box;")
    assert (error.line, error.column) == (2, 16)
    error = failure('Generic box = 5;\nprintLine("a: " + "b"); printLine(box);')
    assert (error.line, error.column) == (2, 35)
