"""Language QA: behaviour a CRMScript author meets, checked against the public
docs' fundamentals and data type pages. One test per problem found; each
failed before its fix. Scripts are our own."""

from __future__ import annotations

import pytest

import engine


def run(source: str, name: str = "qa.crm") -> str:
    return engine.compile_script(source, name).run().output


def failure(source: str, name: str = "qa.crm") -> engine.CRMScriptError:
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, name).run()
    return caught.value


PYTHON_WORDS = ("TypeError", "'int'", "'str'", "NoneType", "'list'", "internal error", "object")


def assert_speaks_crmscript(message: str) -> None:
    for word in PYTHON_WORDS:
        assert word not in message, message


# ---------------------------------------------------------------- Generic
# The checker accepts a Generic wherever a known type is expected ("checked at
# run time"); these places used to run straight into Python's TypeError.

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
    assert (error.file, error.line) == ("qa.crm", 1) and error.column >= 1
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


# ------------------------------------------------------- checker messages

def check_errors(source: str) -> list[tuple[int, int, str]]:
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, "qa.crm")
    errors = getattr(caught.value, "errors", [caught.value])
    return [(e.line, e.column, e.message) for e in errors]


def test_bare_field_name_in_a_method_says_to_use_this():
    # A C++/Java author writes `total` for a field inside a method; CRMScript needs `this.total`.
    source = "struct Till {\n  Integer total;\n  Void add(Integer n) { total += n; }\n};"
    assert check_errors(source) == [(3, 25, "reach the field 'total' through 'this': this.total")]


def test_function_named_without_parentheses_says_to_call_it():
    source = "Integer seven() { return 7; }\nInteger n = seven;"
    assert check_errors(source) == [(2, 13, "'seven' is a function, not a variable: call it with seven(...)")]
    assert check_errors("String s = getCurrentDateTime;")[0][2] == \
        "'getCurrentDateTime' is a function, not a variable: call it with getCurrentDateTime(...)"


# ------------------------------------------- Generic's documented functions
# The Generic data type page tells authors to down-cast with GenericToX and
# to inspect with getTypeName & co; none of them existed.

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


# ---------------------------------------------------------- Float overflow
# A Float result past the largest Float used to be stored as 'inf' (printed
# "inf", and "'inf' cannot be converted to Integer" later), unlike Integer
# overflow and Float division by zero, which stop the script.

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


# ------------------------------------------------ Byte literals as arguments

@pytest.mark.parametrize("source, line_col", [
    ("Byte[] raw;\nraw.pushBack(300);", (2, 14)),
    ("Void put(Byte b) { }\nput(-1);", (2, 5)),
])
def test_byte_literal_out_of_range_as_argument_is_a_checker_error(source, line_col):
    # `Byte b = 300;` was refused but `raw.pushBack(300)` silently stored 44.
    number = "300" if "300" in source else "-1"
    assert check_errors(source) == [(*line_col, f"the number {number} does not fit in a Byte (0 to 255)")]
    assert run("Byte[] raw; raw.pushBack(255); raw.pushBack(0); print(raw[0].toString() + raw[1].toString());") \
        == "2550"


# ------------------------------------------ syntax errors a C/Java author makes

@pytest.mark.parametrize("source, line, column, message", [
    # was "expected ';' after the declaration of 'helper', found '('"
    ("Void run() {\n  Integer helper(Integer n) { return n; }\n}", 2, 17,
     "'helper' looks like a function declaration: functions can only be declared at the top level of the "
     "script (or as methods of a struct), not inside a block or function"),
    # was "expected ';' after the declaration of 'run', found 'struct'" at the '{' of run
    ("Void run() {\n  struct Pair { Integer a; };\n}", 2, 3,
     "a struct can only be declared at the top level of the script, not inside a block or function"),
    # was "'else' without a matching 'if'"
    ('Integer n = 2;\nif (n > 1) n = 0 else n = 1;', 2, 17, "expected ';' at the end of the statement before 'else'"),
    ('Integer n = 2;\nif (n > 1) n++ else n--;', 2, 15, "expected ';' at the end of the statement before 'else'"),
    # were "expected ';' at the end of the statement, found '{'"
    ("Integer n = 2;\nswitch (n) {\n}", 2, 1, "CRMScript has no 'switch': use if / else if / else"),
    ("Integer n = 2;\ndo { n--; } while (n > 0);", 2, 1, "CRMScript has no 'do ... while': use while (...) { ... }"),
    # were "expected '{', found ...", "expected an expression, found ';'" and "expected ';' ..., found '{'"
    ('try\n  printLine("x");\ncatch { }', 2, 3, "'try' needs a block in braces: try { ... } catch { ... }"),
    ('try { printLine("x"); }\ncatch (Exception e) { }', 2, 7,
     "CRMScript's catch takes no parameter: write catch { ... } and read the message from the String variable 'error'"),
    ('try { printLine("x"); } catch { throw; }', 1, 38,
     "'throw' needs a String: throw \"what went wrong\"; (inside catch, throw error; passes the caught error on)"),
    ('try { printLine("x"); } catch { }\nfinally { printLine("y"); }', 2, 1,
     "CRMScript has no 'finally': put that code after the try { } catch { }"),
])
def test_syntax_errors_name_the_real_mistake(source, line, column, message):
    assert check_errors(source) == [(line, column, message)]


# ------------------------------------------------ conversion hints that exist

@pytest.mark.parametrize("source, message", [
    # was "(use toInteger() to convert the Float)": Float has no toInteger()
    ("Integer whole = 2.75;", "a Float cannot be assigned to the Integer variable 'whole' "
                              "(use floor() or round() to convert the Float)"),
    ("Integer whole = 3; whole += 0.5;", "a Float cannot be used with '+=' on an Integer "
                                         "(use floor() or round() to convert the Float)"),
    # was "use toString()": Float.toString takes the number of decimals
    ("Float price = 9.5; String label = price;", "a Float cannot be assigned to the String variable 'label' "
                                                 "(use toString(decimals) to convert the Float)"),
    ('Float price = 9.5; String label = "cost " + price;',
     "cannot add a Float to a String: use toString(decimals) to convert the Float"),
])
def test_conversion_hints_name_members_that_exist(source, message):
    assert [m for _, _, m in check_errors(source)] == [message]
    hinted = message.split("use ")[1].split(" to convert")[0]
    for member in hinted.split(" or "):  # the hinted member really converts
        call = member.replace("decimals", "2")
        assert run("Float f = 2.75; Integer i = 4; print(" + ("f" if "Float" in message else "i") + "." + call
                   + (".toString()" if call in ("floor()", "round()") else "") + ");") != ""


def test_struct_named_like_a_reserved_type_is_reported_once():
    # was two errors at the same place: "reserved word" and "the type 'Float' is already declared"
    assert check_errors("struct Float { Integer whole; };") == [
        (1, 1, "'Float' is a reserved word and cannot be used as a struct name")]
    assert check_errors("struct Map { Integer n; };") == [(1, 1, "the type 'Map' is already declared")]


# ------------------------------------------------ writing through Generic[]
# A Generic[] parameter accepts any array (GenericToArray); writing a value of
# another type through it used to corrupt the caller's typed array, and the
# caller then failed with a Python TypeError far from the mistake.

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


# ---------------------------------------- other languages' words, translated

@pytest.mark.parametrize("source, line, column, message", [
    # syntax: were "expected ';' after the declaration of 'n', found the type name 'Integer'",
    # "expected an expression, found '{'" / "'['", "expected ';' at the end of the statement, found '{'"
    ("Integer n = new Integer(3);", 1, 13,
     "CRMScript has no 'new': a declaration makes the value (Integer x; or Integer x = Integer(...);)"),
    ("Integer[] primes = {2, 3, 5};", 1, 20,
     "CRMScript has no array literals: declare the array (Integer[] a;) and add the elements with pushBack"),
    ("Integer[] primes;\nprimes = [2, 3];", 2, 10,
     "CRMScript has no array literals: declare the array (Integer[] a;) and add the elements with pushBack"),
    ("Integer n = 1;\nif (n > 0) { } elseif (n < 0) { }", 2, 16, "write 'else if' (two words)"),
    # checker: were "unknown variable 'null'", "unknown type 'int'" / "'var'" without a hint,
    # "has no method 'length'" without a hint
    ("String name = null;", 1, 15,
     "CRMScript has no 'null': a variable declared without a value is empty, and isNull() tells whether it has a value"),
    ("int n = 3;", 1, 1, "unknown type 'int' (in CRMScript: Integer)"),
    ("Boolean done = true;", 1, 1, "unknown type 'Boolean' (in CRMScript: Bool)"),
    ("var n = 3;", 1, 1, "unknown type 'var': CRMScript declares a variable with its type, e.g. Integer count = 5;"),
    ('String word = "abc";\nInteger n = word.length();', 2, 13, "String has no method 'length' (in CRMScript: getLength())"),
    ('String[] words;\nwords.push("a");', 2, 1, "an array has no method 'push' (in CRMScript: pushBack())"),
    ('Map prices;\nprices.put("a", "1");', 2, 1, "Map has no method 'put' (in CRMScript: insert())"),
])
def test_other_languages_words_get_the_crmscript_spelling(source, line, column, message):
    assert check_errors(source) == [(line, column, message)]


def test_a_redeclaration_inside_an_include_names_the_file_of_the_first():
    # was "(line 1)", read in the include's file where line 1 is the redeclaration itself
    source = "Integer twice(Integer n) { return n + n; }\n#include \"doubling\";"
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, "main.crm", includes={"doubling": "Integer twice(Integer n) { return 2 * n; }"})
    errors = getattr(caught.value, "errors", [caught.value])
    assert [(e.line, e.message) for e in errors] == [
        (1, "the function 'Integer twice(Integer n)' is already declared (main.crm, line 1)")]
    assert errors[0].file != "main.crm"


def test_a_long_else_if_chain_compiles():
    # a generated mapping of 600 branches stopped with "the script nests too
    # deeply" (Python's default recursion limit in the checker and compiler)
    branches = "\n".join(f'else if (code == {n}) {{ label = "n{n}"; }}' for n in range(1, 600))
    source = f'Integer code = 599;\nString label;\nif (code == 0) {{ label = "zero"; }}\n{branches}\nprint(label);'
    assert run(source) == "n599"


def test_field_initial_value_using_another_field_says_so():
    # was "unknown variable 'width'"
    source = "struct Frame {\n  Integer width = 4;\n  Integer area = width * 2;\n};"
    assert check_errors(source) == [(3, 18, "a field's initial value cannot use the field 'width': "
                                            "give it a constant or a global, or set it in a method")]


def test_an_unset_generic_compares_equal_only_to_another_unset_one():
    # Java's null == x (this session's first Generic check made it an error)
    assert run('Generic box; Generic other; print((box == "x").toString() + " " + (box != 3).toString() + " "'
               ' + (box == other).toString());') == "false true true"
    assert failure("Generic box; Bool less = box < 3;").message == "cannot compare an unset Generic with an Integer using <"


def test_a_generic_holding_a_class_the_table_does_not_describe_passes_to_that_class():
    # A plugin's class (not in the built-in table) cannot be checked: the first
    # Generic checks refused every such value ("cannot be used as a Ticket").
    from engine.runtime.generic import from_generic

    class PluginTicket:
        pass

    ticket = PluginTicket()
    assert from_generic(ticket, "Ticket") is ticket
    with pytest.raises(engine.CRMScriptRuntimeError, match="a Generic holding an Integer cannot be used as a Ticket"):
        from_generic(7, "Ticket")
    with pytest.raises(engine.CRMScriptRuntimeError, match="a Generic holding an object cannot be used as an Integer"):
        from_generic(ticket, "Integer")


def test_a_failed_generic_check_points_at_the_generic_expression():
    # was the column of the statement (the 'String' of the declaration)
    error = failure("Generic box = 5;\nString label = box;")
    assert (error.line, error.column) == (2, 16)
    error = failure('Generic box = 5;\nprintLine("a: " + "b"); printLine(box);')
    assert (error.line, error.column) == (2, 35)
