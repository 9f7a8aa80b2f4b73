"""String: every documented member, called through the signature table."""

import pytest
from runtime_helpers import impl, with_context

from engine.errors import CRMScriptLimitError, CRMScriptRuntimeError
from engine.runtime.context import Limits, RunContext
from engine.runtime.table import LIBRARY


def s(name, *param_types):
    return with_context("String", name, *param_types)


# ---- constructors ------------------------------------------------------------

def test_constructors():
    assert impl("String", "String")() == ""
    assert impl("String", "String", "String")("x y") == "x y"
    assert impl("String", "String", "Byte[]")([72, 105, 0xE6]) == "Hi\u00e6"
    assert impl("String", "String", "Byte[]")([]) == ""


@pytest.mark.parametrize("code_page, expected", [
    ("utf-8", "bl\u00e5"), ("65001", "bl\u00e5"), ("1252", "bl\u00c3\u00a5"), ("iso-8859-1", "bl\u00c3\u00a5"),
])
def test_constructor_with_code_page(code_page, expected):
    assert impl("String", "String", "Byte[]", "String")(list("blå".encode()), code_page) == expected


@pytest.mark.parametrize("code_page", ["klingon", "zlib", "base64", "utf-8\x00", ""])
def test_unknown_code_page_is_an_error(code_page):
    with pytest.raises(CRMScriptRuntimeError, match="Unknown code page"):
        impl("String", "String", "Byte[]", "String")([65], code_page)


# ---- length, case, comparison --------------------------------------------------

def test_length_and_case():
    assert s("getLength")("") == 0
    assert s("getLength")("Tromsø") == 6
    assert s("toLower")("ÆbC") == "æbc"
    assert s("toUpper")("æbc1") == "ÆBC1"


@pytest.mark.parametrize("text, lower, upper", [
    ("abc", True, False), ("ABC", False, True), ("øl", True, False), ("ab c", False, False),
    ("ab1", False, False), ("", False, False), ("aB", False, False),
])
def test_is_lower_and_is_upper(text, lower, upper):
    assert s("isLower")(text) is lower
    assert s("isUpper")(text) is upper


def test_equality_and_affixes():
    assert s("equals", "String")("Apple", "Apple") is True
    assert s("equals", "String")("apple", "Apple") is False
    assert s("equalsIgnoreCase", "String")("apple", "APPLE") is True
    assert s("beginsWith", "String")("treehouse", "tree") is True
    assert s("beginsWith", "String")("treehouse", "Tree") is False
    assert s("caseBeginsWith", "String")("treehouse", "TREE") is True
    assert s("beginsWith", "String")("abc", "") is True
    assert s("endsWith", "String")("treehouse", "house") is True
    assert s("endsWith", "String")("treehouse", "HOUSE") is False
    assert s("caseEndsWith", "String")("treehouse", "HOUSE") is True
    assert s("caseEndsWith", "String")("se", "house") is False


@pytest.mark.parametrize("a, b, sign, case_sign", [
    ("a", "b", -1, -1), ("b", "a", 1, 1), ("same", "same", 0, 0), ("a", "B", 1, -1),
    ("ship", "shipping", -1, -1), ("B", "a", -1, 1), ("ABC", "abc", -1, 0),
])
def test_compare_and_case_compare(a, b, sign, case_sign):
    assert s("compare", "String")(a, b) == sign
    assert s("caseCompare", "String")(a, b) == case_sign


# ---- changing, searching, extracting --------------------------------------------

def test_append_mutates_the_receiver():
    sig_append = LIBRARY.classes["String"].methods["append"]
    assert all(sig.mutates for sig in sig_append)
    assert s("append", "String")("Super", "Office") == ("SuperOffice", None)
    assert s("append", "String")("", "") == ("", None)
    assert s("append", "Byte")("caf", 0xE9) == ("caf\u00e9", None)


def test_substitute():
    assert s("substitute", "String", "String")("a-b-c", "-", "+") == "a+b+c"
    assert s("substitute", "String", "String")("aaa", "aa", "b") == "ba"
    assert s("substitute", "String", "String")("abc", "x", "y") == "abc"
    assert s("substitute", "String", "String")("abc", "", "y") == "abc"


def test_find_variants():
    find, find_case, find_last = s("find", "String"), s("findCase", "String"), s("findLast", "String")
    assert find("banana", "an") == 1
    assert find("banana", "AN") == -1
    assert find("", "x") == -1
    assert find_case("banana", "AN") == 1
    assert find_case("İstanbul", "STAN") == 1  # İ lowers to two characters; indexes must not shift
    assert find_last("banana", "an") == 3
    assert find_last("banana", "x") == -1


@pytest.mark.parametrize("text, pos, length, part", [
    ("SuperOffice", 5, 6, "Office"), ("SuperOffice", 5, 100, "Office"), ("SuperOffice", 0, 0, ""),
    ("SuperOffice", 11, 3, ""), ("abc", 1, -2, ""), ("", 0, 5, ""),
])
def test_sub_string(text, pos, length, part):
    assert s("subString", "Integer", "Integer")(text, pos, length) == part


@pytest.mark.parametrize("pos", [-1, 12])
def test_sub_string_position_outside_is_an_error(pos):
    with pytest.raises(CRMScriptRuntimeError, match=f"position {pos} is outside the string \\(length 11\\)"):
        s("subString", "Integer", "Integer")("SuperOffice", pos, 1)


def test_until_before_after():
    text = "key := value := more"
    assert s("until", "String")(text, ":=") == "key "
    assert s("before", "String")(text, ":=") == "key "
    assert s("until", "String")(text, "#") == text
    assert s("beforeLast", "String")(text, ":=") == "key := value "
    assert s("beforeLast", "String")(text, "#") == text
    assert s("after", "String")(text, ":=") == " value := more"
    assert s("after", "String")(text, "#") == ""
    assert s("afterLast", "String")(text, ":=") == " more"
    assert s("afterLast", "String")(text, "#") == ""
    assert s("afterLast", "String")("a/b/c.txt", "/") == "c.txt"


@pytest.mark.parametrize("text, delimiter, parts", [
    ("a,b,c", ",", ["a", "b", "c"]), ("a,,b,", ",", ["a", "", "b", ""]), ("one", ",", ["one"]),
    ("", ",", []), ("x is y is z", " is ", ["x", "y", "z"]),
])
def test_split(text, delimiter, parts):
    result = s("split", "String")(text, delimiter)
    assert list(result) == parts
    result.append(result.new_element())  # a real String[]: its new element is ""
    assert result[-1] == ""


def test_split_on_empty_delimiter_is_an_error():
    with pytest.raises(CRMScriptRuntimeError, match="delimiter must not be empty"):
        s("split", "String")("abc", "")


def test_keep_and_strip():
    assert s("keepChars", "String")("+47 (22) 33-44", "0123456789") == "47223344"
    assert s("keepChars", "String")("abc", "") == ""
    assert s("stripLeading", "String")("xxaxx", "x") == "axx"
    assert s("stripTrailing", "String")("xxaxx", "x") == "xxa"
    assert s("stripLeadingAndTrailing", "String")(" \t-a b- ", " -\t") == "a b"
    assert s("stripLeading", "String")("  a", "") == "  a"
    assert s("stripLeadingAndTrailing", "String")("xxx", "x") == ""


def test_escape():
    assert s("escape", "String")('say "hi"; ok', '";') == 'say \\"hi\\"\\; ok'
    assert s("escape", "String")("a\\b", "\\") == "a\\\\b"
    assert s("escape", "String")("abc", "") == "abc"


def test_get_line_removes_the_first_line():
    get_line = LIBRARY.classes["String"].methods["getLine"][0]
    assert get_line.mutates
    assert get_line.impl("one\ntwo\n") == ("two\n", "one\n")
    assert get_line.impl("last") == ("", "last")
    assert get_line.impl("") == ("", "")


@pytest.mark.parametrize("pos, word", [(0, "this"), (1, "is"), (3, "test"), (4, ""), (-1, "")])
def test_get_word(pos, word):
    assert s("getWord", "Integer")("  this is a\ttest ", pos) == word


def test_pretty_chop():
    assert s("prettyChop", "Integer")("Hello world", 5) == "Hello..."
    assert s("prettyChop", "Integer")("Hello", 5) == "Hello"
    assert s("prettyChop", "Integer")("Hello", -3) == "..."


def test_quote_prefixes_every_line():
    assert s("quote", "String")("a\nb\n", "> ") == "> a\n> b\n"
    assert s("quote", "String")("one", ">") == ">one"
    assert s("quote", "String")("", ">") == ""


def test_wrap():
    wrap = s("wrap", "Integer", "Bool")
    assert wrap("the quick brown fox", 10, False) == "the quick\nbrown fox"
    assert wrap("> the quick brown fox\nshort", 10, True) == "> the quick brown fox\nshort"
    assert wrap("> the quick brown fox", 10, False) == "> the\nquick\nbrown fox"
    assert wrap("averyveryverylongword x", 5, False) == "averyveryverylongword\nx"
    assert wrap("abc", 0, False) == "abc"


# ---- character classes -----------------------------------------------------------

@pytest.mark.parametrize("text, alpha, digit, alnum", [
    ("SuperOffice", True, False, True), ("Super Office", False, False, False), ("12345", False, True, True),
    ("abc123", False, False, True), ("Blåbær", True, False, True), ("", False, False, False),
    ("12.5", False, False, False), ("-1", False, False, False),
])
def test_character_classes(text, alpha, digit, alnum):
    assert s("isAlpha")(text) is alpha
    assert s("isDigit")(text) is digit
    assert s("isAlphanumeric")(text) is alnum


def test_null_and_empty():
    null = LIBRARY.classes["String"].default()
    assert null == "" and s("isNull")(null) is True and s("isEmpty")(null) is True
    assert s("isNull")(null + "") is False  # concatenation gives a plain, non-null String
    assert s("append", "String")(null, "x") == ("x", None) and s("isNull")(s("append", "String")(null, "")[0]) is False
    assert s("isNull")("") is False
    assert s("isEmpty")("") is True
    assert s("isEmpty")(" ") is False


@pytest.mark.parametrize("text, is_number, integer", [
    ("123", True, 123), ("123nok", True, 123), ("nok123", False, 0), ("12nok3", True, 12),
    ("-7", True, -7), (" 42", True, 42), ("", False, 0), ("-", False, 0),
])
def test_is_number_and_to_integer(text, is_number, integer):
    assert s("isNumber")(text) is is_number
    assert s("toInteger")(text) == integer


@pytest.mark.parametrize("text, value", [
    ("1", True), ("true", True), ("True", True), ("TRUE", True), ("5", True), ("0", False),
    ("false", False), ("", False), ("yes", False),
])
def test_to_bool(text, value):
    assert s("toBool")(text) is value


def test_to_float():
    assert s("toFloat")("150,3") == pytest.approx(150.3)
    assert s("toFloat")("2.5e2") == 250.0
    assert s("toFloat")("x") == 0.0


def test_to_byte_array_is_latin_1():
    data = s("toByteArray")("Aæ€")
    assert list(data) == [65, 0xE6, 63]
    assert data.new_element() == 0
    assert s("toByteArray")("") == []


def test_to_date_time_and_friends_use_the_date_constructors():
    for member, type_name in (("toDate", "Date"), ("toDateTime", "DateTime"), ("toTime", "Time")):
        value = s(member)("2024-02-29 13:45:00" if type_name != "Time" else "13:45")
        assert type(value) is LIBRARY.classes[type_name].python_class


# ---- encodings -----------------------------------------------------------------------

def test_html_encoding():
    assert s("htmlEncode")('<a href="x">Fish & chips</a>') == "&lt;a href=&quot;x&quot;&gt;Fish &amp; chips&lt;/a&gt;"
    assert s("htmlDecode")("&lt;b&gt; &amp;amp; &quot;&eacute;&#65;&#x42;") == '<b> &amp; "éAB'
    assert s("htmlDecode")(s("htmlEncode")("a<b>&\"'")) == "a<b>&\"'"


def test_xml_encoding():
    assert s("xmlEncode")("<a b='1'>&\"</a>") == "&lt;a b=&apos;1&apos;&gt;&amp;&quot;&lt;/a&gt;"
    assert s("xmlDecode")("&lt;x&gt; &apos;&quot; &#65;&#x42; &amp;lt; &eacute;") == "<x> '\" AB &lt; &eacute;"
    assert s("xmlDecode")("&#0; &#99999999;") == "&#0; &#99999999;"


def test_url_encoding():
    assert s("urlEncode")("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~"
    assert s("urlDecode")("a%20b+c%26%C3%A9") == "a b c&é"
    assert s("urlDecode")("%E9t%E9") == "été"  # not UTF-8: read as Latin-1
    assert s("urlDecode")("100%") == "100%"


def test_utf8_encoding_round_trips():
    encoded = s("utf8Encode")("blå €")
    assert encoded == "bl\u00c3\u00a5 \u00e2\u0082\u00ac"
    assert s("utf8Decode")(encoded) == "blå €"
    assert s("utf8Encode")("plain") == "plain"
    assert s("utf8Decode")("\u00e5 alone") == "\u00e5 alone"  # not valid UTF-8: unchanged
    assert s("utf8Decode")("€") == "€"


# ---- HTML documents and e-mail --------------------------------------------------------

PAGE = ('<!DOCTYPE html><html><head><title>T</title><meta charset="utf-8"></head>'
        '<body class="main"><p>Hi</p></body></html>')


def test_html_document_parts():
    assert s("isHtmlDocument")(PAGE) is True
    assert s("isHtmlDocument")("  <HTML><body></body></HTML>") is True
    assert s("isHtmlDocument")("<p>fragment</p>") is False
    assert s("extractHtmlBody", "Bool")(PAGE, False) == "<p>Hi</p>"
    assert s("extractHtmlBody", "Bool")(PAGE, True) == '<div class="main"><p>Hi</p></div>'
    assert s("extractHtmlBody", "Bool")("no body here", False) == "no body here"
    assert s("extractHtmlHead", "Bool")(PAGE, False) == '<title>T</title><meta charset="utf-8">'
    assert s("extractHtmlHead", "Bool")(PAGE, True) == '<meta charset="utf-8">'
    assert s("extractHtmlHead", "Bool")("<p>x</p>", True) == ""


@pytest.mark.parametrize("address, valid", [
    ("kari@example.com", True), ("kari.nordmann+crm@mail.example.no", True), ("kari@example", False),
    ("kari example.com", False), ("@example.com", False), ("kari@@example.com", False), ("", False),
    ("kari @example.com", False),
])
def test_is_valid_email(address, valid):
    assert s("isValidEmail")(address) is valid


def test_get_emails():
    vector = s("getEmails")('"Kari Nordmann" <kari@example.com>, ola@example.no, Per <per@example.se>')
    assert list(vector) == ["Kari Nordmann", "kari@example.com", "", "ola@example.no", "Per", "per@example.se"]
    assert list(s("getEmails")('"Kari" <kari@example.com>, broken@')) == []
    assert list(s("getEmails")("")) == []
    assert list(s("getEmails")('"Nordmann, Kari" <kari@example.com>')) == ["Nordmann, Kari", "kari@example.com"]
    assert list(s("getEmails")("a@example.com\rb")) == []


# ---- parsing -----------------------------------------------------------------------------

@pytest.mark.parametrize("line, delimiter, fields", [
    ("a;b;c", ";", ["a", "b", "c"]), ('"x;y";z', ";", ["x;y", "z"]), ('"say ""hi""",2', ",", ['say "hi"', "2"]),
    ("a,,b\r\n", ",", ["a", "", "b"]), ("", ",", []), ('"two\nlines",x', ",", ["two\nlines", "x"]),
    ("a\nb", ",", ["a"]),
])
def test_parse_csv(line, delimiter, fields):
    assert list(s("parseCSV", "String")(line, delimiter)) == fields


def test_parse_csv_needs_a_single_character_delimiter():
    with pytest.raises(CRMScriptRuntimeError, match="one character"):
        s("parseCSV", "String")("a,b", ",,")


@pytest.mark.parametrize("language, text", [(1, "Size"), (2, "Größe"), (0, "Størrelse"), (3, ""), (99, "")])
def test_parse_so_multi_language_string(language, text):
    value = 'US:"Size";GE:"Größe";NO:"Størrelse"'
    assert s("parseSOMultiLanguageString", "Integer")(value, language) == text


def test_parse_so_multi_language_string_of_plain_text():
    assert s("parseSOMultiLanguageString", "Integer")("Just text", 1) == "Just text"


def test_regexp():
    regexp = s("regexp", "String")
    found = regexp("card 1234-5678 ok", r"(\d{4})-(\d{4})")
    assert list(found) == ["1234-5678", "1234", "5678"]
    assert list(regexp("Hello World", "world")) == ["World"]  # case-insensitive
    assert list(regexp("abc", r"\d+")) == []
    assert list(regexp("ac", "a(b)?c")) == ["ac", ""]


def test_regexp_invalid_pattern_is_an_error():
    with pytest.raises(CRMScriptRuntimeError, match="invalid pattern"):
        s("regexp", "String")("abc", "(unclosed")


# ---- the table -------------------------------------------------------------------------

def test_string_members_registered():
    info = LIBRARY.classes["String"]
    members = len(info.constructors) + sum(len(v) for v in info.methods.values())
    # all 71 documented, the two NSStream constructors included (engine/crm/services_globals.py)
    assert members == 71
    assert all(sig.impl is not None for v in info.methods.values() for sig in v)
    assert info.default() == "" and isinstance(info.default(), str)


# ---- sandbox limits ------------------------------------------------------------------------

SMALL = RunContext(limits=Limits(string_length=20, collection_size=5))


@pytest.mark.parametrize("member, types, receiver, args, fits", [
    ("substitute", ("String", "String"), "aaaaa", ("a", "bbbbb"), ("aaaa", ("a", "bbbbb"))),
    ("xmlEncode", (), "<" * 6, (), ("<" * 5, ())),
    ("htmlEncode", (), "&&&&&", (), ("&&&&", ())),
    ("urlEncode", (), "€€€", (), ("€€", ())),
    ("utf8Encode", (), "€" * 7, (), ("€" * 6, ())),
    ("escape", ("String",), "x" * 11, ("x",), ("x" * 10, ("x",))),
    ("quote", ("String",), "a\n" * 6, ("> ",), ("a\n" * 5, ("> ",))),
    ("toUpper", (), "ß" * 11, (), ("ß" * 10, ())),
])
def test_growing_members_stop_at_the_string_limit(member, types, receiver, args, fits):
    call = with_context("String", member, *types, ctx=SMALL)
    assert len(call(fits[0], *fits[1])) <= 20
    with pytest.raises(CRMScriptLimitError, match="string length limit exceeded"):
        call(receiver, *args)


def test_array_results_stop_at_the_collection_limit():
    assert len(with_context("String", "split", "String", ctx=SMALL)("a,b,c,d,e", ",")) == 5
    with pytest.raises(CRMScriptLimitError):
        with_context("String", "split", "String", ctx=SMALL)("a,b,c,d,e,f", ",")
    assert len(with_context("String", "toByteArray", ctx=SMALL)("abcde")) == 5
    with pytest.raises(CRMScriptLimitError):
        with_context("String", "toByteArray", ctx=SMALL)("abcdef")


def test_regexp_that_backtracks_forever_hits_the_time_limit():
    with pytest.raises(CRMScriptLimitError, match="took longer than"):
        s("regexp", "String")("a" * 5000 + "!", "(a|aa)+$")


# ---- through the compiler: the calling conventions (mutates, context) -----------------------

def run_script(source):
    import engine
    return engine.compile_script(source, "strings.crm").run().output


def test_mutating_members_change_the_variable_in_a_script():
    output = run_script('String text = "one\\ntwo\\n"; String first = text.getLine(); '
                        'text.append("three"); print(first + "|" + text);')
    assert output == "one\n|two\nthree"


def test_context_members_and_array_results_in_a_script():
    output = run_script('String[] parts = "b,a".toUpper().split(","); '
                        'print(parts[1] + parts.length().toString() + "<&>".xmlEncode());')
    assert output == "A2&lt;&amp;&gt;"
