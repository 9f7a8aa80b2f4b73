"""SearchEngine over the run's database: building, running, writing, formats."""

from __future__ import annotations

import pytest
from crm_helpers import fixture, printed, run

import engine
from engine.errors import CRMScriptRuntimeError

CRM = fixture("""\
    rows:
      contact:
        - {contact_id: 1, name: Acme AS, associate_id: 1, business_idx: 1}
        - {contact_id: 2, name: Beta AB, associate_id: 2}
        - {contact_id: 3, name: "O'Brien & Sons", associate_id: 0}
      person:
        - {person_id: 1, contact_id: 1, firstname: Ada, lastname: Lovelace}
        - {person_id: 2, contact_id: 1, firstname: Alan, middleName: M, lastname: Turing}
        - {person_id: 3, contact_id: 2, firstname: Grace, lastname: Hopper}
        - {person_id: 4, contact_id: 0, firstname: Solo, lastname: Person}
      associate:
        - {associate_id: 1, name: AL, person_id: 1}
        - {associate_id: 2, name: GH, person_id: 3}
      Business:
        - {business_id: 1, name: IT}
      sale:
        - {sale_id: 1, heading: Small, amount: 500, contact_id: 1, associate_id: 1, status: Open, saledate: "2026-05-04 09:30:00"}
        - {sale_id: 2, heading: Big, amount: 220000.5, contact_id: 2, associate_id: 2, status: Sold, saledate: "2026-06-01 14:05:00"}
        - {sale_id: 3, heading: Medium, amount: 1000, contact_id: 1, associate_id: 1, status: Lost}
        - {sale_id: 4, heading: Orphan, amount: 10, contact_id: 0, status: Open}
      ticket:
        - {id: 1, title: Login fails, status: Active, cust_id: 1, tags: "1,3"}
        - {id: 2, title: Invoice wrong, status: Closed, cust_id: 3, tags: "2"}
        - {id: 3, title: Nobody's, status: Active, cust_id: 0}
      ticket_customers:
        - {id: 1, ticket_id: 1, customer_id: 1}
        - {id: 2, ticket_id: 1, customer_id: 2}
      registry:
        - {id: 1, reg_id: 235, value: "0"}
    """)
BYPASS = CRM.with_rows({"registry": [{"id": 1, "value": "1"}]}, "bypass.yaml")


def lines(source: str, crm=CRM) -> list[str]:
    return printed(source, crm).splitlines()


def error_of(source: str, crm=CRM) -> CRMScriptRuntimeError:
    with pytest.raises(CRMScriptRuntimeError) as caught:
        run(source, crm)
    return caught.value


# ------------------------------------------------------------ select


def test_fields_by_index_and_name_in_key_order():
    assert lines("""\
        SearchEngine se;
        se.addFields("sale", "sale_id, heading,amount");
        for (se.execute(); !se.eof(); se.next())
          printLine(se.getField(0) + "|" + se.getField("sale.heading") + "|" + se.getField("SALE.AMOUNT"));
        """) == ["1|Small|500", "2|Big|220000.5", "3|Medium|1000", "4|Orphan|10"]


def test_before_execute_there_is_no_row_and_first_next_report_the_cursor():
    assert lines("""\
        SearchEngine se;
        se.addField("sale.heading");
        printLine(se.eof().toString() + "[" + se.getField(0) + "]");
        se.addCriteria("sale.sale_id", "OperatorLte", "2");
        printLine(se.select().toString() + " " + se.eof().toString());
        printLine(se.next().toString() + se.getField(0) + se.next().toString() + se.eof().toString());
        printLine(se.first().toString() + se.getField(0));
        """) == ["true[]", "2 false", "trueBigfalsetrue", "trueSmall"]


def test_left_join_prints_an_empty_string_for_a_missing_reference():
    assert lines("""\
        SearchEngine se;
        se.addField("sale.heading");
        se.addField("sale.contact_id.name");
        se.addField("sale.associate_id.person_id.firstname");
        for (se.execute(); !se.eof(); se.next())
          printLine(se.getField(0) + "|" + se.getField(1) + "|" + se.getField(2));
        """) == ["Small|Acme AS|Ada", "Big|Beta AB|Grace", "Medium|Acme AS|Ada", "Orphan||"]


def test_colon_is_an_inner_join_and_a_repeated_path_reuses_its_alias():
    source = """\
        SearchEngine se;
        se.addField("sale.heading");
        se.addField("sale:contact_id.name");
        se.addField("sale:contact_id.business_idx");
        printLine(se.buildSql());
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0));
        """
    sql, *rows = lines(source)
    assert sql == ("select a0.heading,a1.name,a1.business_idx from sale a0 "
                   "inner join contact a1 on a1.contact_id = a0.contact_id order by a0.sale_id")
    assert rows == ["Small", "Big", "Medium"]


def test_reverse_hop_reaches_the_rows_that_point_back():
    assert lines("""\
        SearchEngine se;
        se.addField("ticket.title");
        se.addField("ticket.(ticket_customers->ticket_id).customer_id.firstname");
        se.addCriteria("ticket.id", "OperatorEquals", "1");
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0) + " " + se.getField(1));
        """) == ["Login fails Ada", "Login fails Alan"]


def test_unknown_names_are_runtime_errors_with_a_suggestion_at_the_call():
    error = error_of('SearchEngine se;\nse.addField("sale.hedaing");\n')
    assert error.line == 2
    assert error.message == ("SearchEngine: table sale has no column 'hedaing' (did you mean 'heading'?) "
                             "(in 'sale.hedaing')")
    assert "unknown table 'sael' (did you mean 'sale'?)" in error_of('SearchEngine se; se.addField("sael.heading");').message
    assert "the primary key of contact is contact_id" in error_of('SearchEngine se; se.addField("contact.id");').message
    assert "sale.heading is not a reference to another table" in \
        error_of('SearchEngine se; se.addField("sale.heading.name");').message
    assert "names a table, not a field" in error_of('SearchEngine se; se.addField("sale");').message


# ---------------------------------------------------------- criteria


@pytest.mark.parametrize("operator, value, expected", [
    ("OperatorEquals", "2", "2"), ("equals", "2", "2"), ("Equals", "2", "2"), ("==", "2", "2"),
    ("OperatorNotEquals", "2", "1,3,4"), ("OperatorLt", "1000", "1,4"), ("OperatorLte", "1000", "1,3,4"),
    ("OperatorGt", "1000", "2"), ("OperatorGte", "1000", "2,3"), ("OperatorIn", "1, 4", "1,4"),
    ("OperatorNotIn", "1,4", "2,3"),
])
def test_comparison_operators_on_a_number(operator, value, expected):
    source = f"""\
        SearchEngine se;
        se.addField("sale.sale_id");
        se.addCriteria("{'sale.amount' if operator not in ('OperatorIn', 'OperatorNotIn', 'OperatorEquals', 'equals', 'Equals', '==', 'OperatorNotEquals') else 'sale.sale_id'}", "{operator}", "{value}");
        String ids;
        for (se.execute(); !se.eof(); se.next()) {{
          if (!ids.isEmpty()) ids.append(",");
          ids.append(se.getField(0));
        }}
        print(ids);
        """
    assert printed(source, CRM) == expected


@pytest.mark.parametrize("operator, value, expected", [
    ("OperatorBeginsWith", "M", "Medium"), ("OperatorEndsWith", "all", "Small"),
    ("OperatorContains", "i", "Big,Medium"), ("OperatorLike", "%g", "Big"),
    ("OperatorNotLike", "%m%", "Big,Orphan"), ("OperatorContains", "%", ""),
    ("OperatorEquals", "small", "Small"),  # text compares ignoring case, as SuperOffice's databases do
])
def test_text_operators(operator, value, expected):
    assert printed(f"""\
        SearchEngine se;
        se.addField("sale.heading");
        se.addCriteria("sale.heading", "{operator}", "{value}");
        String all;
        for (se.execute(); !se.eof(); se.next()) {{
          if (!all.isEmpty()) all.append(",");
          all.append(se.getField(0));
        }}
        print(all);
        """, CRM) == expected


def test_values_are_coerced_to_the_column_and_enum_names_work():
    assert lines("""\
        SearchEngine se;
        se.addField("sale.heading");
        se.addCriteria("sale.status", "OperatorEquals", "Sold");
        se.execute(); printLine(se.getField(0));
        SearchEngine dates;
        dates.addField("sale.heading");
        dates.addCriteria("sale.saledate", "OperatorGt", "2026-05-04 10:00");
        dates.execute(); printLine(dates.getField(0));
        SearchEngine nodate;
        nodate.addField("sale.heading");
        nodate.addCriteria("sale.saledate", "OperatorEquals", "");
        nodate.execute(); printLine(nodate.getField(0) + nodate.countRows().toString());
        """) == ["Big", "Big", "Medium2"]
    error = error_of('SearchEngine se; se.addField("sale.heading"); se.addCriteria("sale.amount", "OperatorGt", "much");')
    assert error.message == "SearchEngine: sale.amount: 'much' is not a Float"


def test_a_value_is_never_spliced_into_the_sql():
    source = """\
        SearchEngine se;
        se.addField("contact.contact_id");
        se.addCriteria("contact.name", "OperatorEquals", "O'Brien & Sons");
        printLine(se.buildSql());
        se.execute(); printLine(se.getField(0));
        SearchEngine evil;
        evil.addField("contact.contact_id");
        evil.addCriteria("contact.name", "OperatorEquals", "x' or '1'='1");
        printLine(evil.countRows().toString());
        """
    assert lines(source) == [
        "select a0.contact_id from contact a0 where (a0.name = ?) order by a0.contact_id", "3", "0"]


def test_an_unknown_operator_is_an_error_with_a_suggestion():
    message = error_of('SearchEngine se; se.addField("sale.heading"); '
                       'se.addCriteria("sale.status", "OperatorEqual", "1");').message
    assert "unknown comparison operator 'OperatorEqual' (did you mean 'OperatorEquals'?)" in message
    message = error_of('SearchEngine se; se.addCriteria("sale.status", "equals", "1", "OperatorXor", 0);').message
    assert "unknown row operator 'OperatorXor'" in message


def test_row_operators_and_priorities_bracket_the_criteria():
    source = """\
        SearchEngine se;
        se.addField("sale.sale_id");
        se.addCriteria("sale.status", "OperatorEquals", "Open", "OperatorOr", 1);
        se.addCriteria("sale.status", "OperatorEquals", "Lost", "OperatorAnd", 1);
        se.addCriteria("sale.contact_id", "OperatorEquals", "1", "OperatorAnd", 0);
        printLine(se.buildSql());
        String ids;
        for (se.execute(); !se.eof(); se.next()) ids.append(se.getField(0));
        printLine(ids);
        """
    assert lines(source) == [
        "select a0.sale_id from sale a0 where ((a0.status = ? or a0.status = ?) and a0.contact_id = ?) "
        "order by a0.sale_id", "13"]
    # without the brackets AND binds tighter, as SQL reads it: Open or (Lost and contact 1)
    flat = source.replace('"OperatorOr", 1', '"OperatorOr", 0').replace('"OperatorAnd", 1', '"OperatorAnd", 0')
    assert lines(flat)[1] == "134"


def test_not_and_and_not_or_negate_a_pair():
    def ids(row_operator: str) -> str:
        return printed(f"""\
            SearchEngine se;
            se.addField("sale.sale_id");
            se.addCriteria("sale.contact_id", "OperatorEquals", "1", "{row_operator}", 0);
            se.addCriteria("sale.status", "OperatorEquals", "Open", "OperatorAnd", 0);
            String all;
            for (se.execute(); !se.eof(); se.next()) all.append(se.getField(0));
            print(all);
            """, CRM)
    assert ids("OperatorAnd") == "1"
    assert ids("OperatorNotAnd") == "234"  # not (contact 1 and open)
    assert ids("OperatorNotOr") == "2"  # neither contact 1 nor open


def test_in_on_an_array_column_matches_any_element():
    assert lines("""\
        SearchEngine se;
        se.addField("ticket.id");
        se.addCriteria("ticket.tags", "in", "3,2");
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0));
        """) == ["1", "2"]


def test_add_comparison_compares_two_fields():
    assert lines("""\
        SearchEngine se;
        se.addField("person.firstname");
        se.addComparison("person.person_id", "OperatorEquals", "person.contact_id", "OperatorAnd", 0);
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0));
        SearchEngine up;
        up.addField("person.firstname");
        up.addComparison("person.firstname", "upper", "OperatorBeginsWith", "person.lastname", "upper", "OperatorAnd", 0);
        up.execute(); printLine(up.countRows().toString());
        """) == ["Ada", "0"]


# ------------------------------------------------- order, limit, counts


def test_order_limit_and_counts_that_ignore_the_limit():
    assert lines("""\
        SearchEngine se;
        se.addFields("sale", "heading,amount");
        se.addOrder("sale.amount", false);
        se.setLimit(2);
        printLine(se.countRows().toString() + " rows, " + se.countColumns().toString() + " columns");
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0));
        SearchEngine byName;
        byName.addField("person.firstname");
        byName.addOrder("person.lastname", "upper", true);
        byName.setLimit(1);
        byName.execute(); printLine(byName.getField(0));
        """) == ["4 rows, 2 columns", "Big", "Medium", "Grace"]


def test_set_distinct_keeps_one_row_per_value():
    assert lines("""\
        SearchEngine se;
        se.addField("ticket.id");
        se.addField("ticket.(ticket_customers->ticket_id).customer_id");
        se.setDistinct("ticket.id");
        printLine(se.countRows().toString());
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0) + ":" + se.getField(1));
        """) == ["3", "1:1", "2:", "3:"]


# ------------------------------------------------------- functions


def test_functions_on_fields():
    assert lines("""\
        SearchEngine se;
        se.addField("sale.heading", "upper");
        se.addField("sale.heading", "FuncLower");
        se.addField("sale.saledate", "hour");
        se.addField("sale.saledate", "min");
        se.addField("sale.saledate", "wday");
        se.addField("sale.saledate");
        se.addCriteria("sale.sale_id", "OperatorEquals", "1");
        se.execute();
        printLine(se.getField(0) + " " + se.getField(1) + " " + se.getField(2) + " " + se.getField(3) + " " + se.getField(4));
        printLine(se.getField("sale.saledate") + " " + se.getField("sale.saledate", "wday") + " " + se.getField("sale.heading", "lower"));
        """) == ["SMALL small 9 30 2", "2026-05-04 09:30:00 2 small"]  # 2026-05-04 is a Monday: wday 2 (Sunday is 1)


def test_aggregates_need_bypass_netserver_and_the_registry():
    source = """\
        SearchEngine se;
        se.addField("sale.associate_id.name");
        se.addField("sale.amount", "sum");
        se.addField("sale.sale_id", "count");
        se.bypassNetServer(true);
        se.setGroup(true);
        se.addOrder("sale.associate_id.name", true);
        for (se.execute(); !se.eof(); se.next())
          printLine(se.getField(0) + " " + se.getField(1) + " " + se.getField(2));
        """
    error = error_of(source)
    assert error.message.startswith("NetServerException: Can't use field functions when querying NetServer "
                                    "(sum(sale.amount), count(sale.sale_id), setGroup(true)): "
                                    "bypassNetServer(true) has no effect: the registry value reg_id 235 is not 1")
    assert lines(source, BYPASS) == [" 10 1", "AL 1500 2", "GH 220000.5 1"]
    without = error_of(source.replace("se.bypassNetServer(true);", ""), BYPASS)
    assert "call bypassNetServer(true)" in without.message


def test_having_and_join_criteria_need_the_bypass_too():
    source = """\
        SearchEngine se;
        se.addField("sale.contact_id");
        se.addField("sale.amount", "max");
        se.bypassNetServer(true);
        se.setGroup(true);
        se.addHaving("sale.amount", "max", "OperatorGt", "600", "OperatorAnd", 0);
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0) + " " + se.getField(1));
        """
    assert lines(source, BYPASS) == ["1 1000", "2 220000.5"]
    assert "addHaving" in error_of(source.replace("se.bypassNetServer(true);", ""), BYPASS).message
    join = """\
        SearchEngine se;
        se.addField("sale.heading");
        se.addField("sale.contact_id.name");
        se.bypassNetServer(true);
        se.addJoinCriteria("sale.contact_id.name", "OperatorBeginsWith", "B", "OperatorAnd", 0);
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0) + ":" + se.getField(1));
        """
    assert lines(join, BYPASS) == ["Small:", "Big:Beta AB", "Medium:", "Orphan:"]
    assert "addJoinCriteria(sale.contact_id.name)" in error_of(join.replace("se.bypassNetServer(true);", ""),
                                                                BYPASS).message


def test_virtual_fields_come_from_netserver_only():
    source = """\
        SearchEngine se;
        se.addField("ticket.cust_id.fullName");
        se.addCriteria("ticket.id", "OperatorLte", "2");
        for (se.execute(); !se.eof(); se.next()) printLine(se.getField(0));
        """
    assert lines(source) == ["Ada Lovelace", "Grace Hopper"]
    message = error_of(source.replace("for (", "se.bypassNetServer(true);\nfor ("), BYPASS).message
    assert "the virtual field ticket.cust_id.fullName is constructed by NetServer" in message


# ------------------------------------------------------------ writing


def test_insert_update_delete_and_the_next_run_starts_afresh():
    crm = CRM
    source = """\
        SearchEngine add;
        add.addData("contact.name", "Gamma GmbH");
        add.addData("contact.business_idx", "1");
        Integer id = add.insert();
        printLine(id.toString());
        SearchEngine change;
        change.addData("contact.name", "Gamma AG");
        change.addCriteria("contact.contact_id", "OperatorEquals", id.toString());
        change.update();
        SearchEngine remove;
        remove.addField("contact.contact_id");
        remove.addCriteria("contact.contact_id", "OperatorLt", "3");
        remove.delete();
        SearchEngine all;
        all.addFields("contact", "contact_id,name,orgNr,business_idx.name");
        for (all.execute(); !all.eof(); all.next())
          printLine(all.getField(0) + " " + all.getField(1) + " [" + all.getField(2) + "] " + all.getField(3));
        """
    expected = ["4", "3 O'Brien & Sons [] ", "4 Gamma AG [] IT"]
    assert lines(source, crm) == expected
    assert lines(source, crm) == expected  # the first run's writes are gone


def test_update_through_a_path_and_add_data_field():
    assert lines("""\
        SearchEngine se;
        se.addData("sale.status", "Lost");
        se.addCriteria("sale.contact_id.name", "OperatorBeginsWith", "Acme");
        se.update();
        SearchEngine copy;
        copy.addDataField("sale.heading", "sale.contact_id.name", "upper");
        copy.addCriteria("sale.sale_id", "OperatorEquals", "2");
        copy.update();
        SearchEngine check;
        check.addFields("sale", "sale_id,heading,status");
        for (check.execute(); !check.eof(); check.next())
          printLine(check.getField(0) + " " + check.getField(1) + " " + check.getField(2));
        """) == ["1 Small 3", "2 BETA AB 2", "3 Medium 3", "4 Orphan 1"]


def test_build_sql_of_writes():
    assert lines("""\
        SearchEngine se;
        se.addData("ticket.status", "Closed");
        se.addCriteria("ticket.cust_id.lastname", "OperatorEquals", "Hopper");
        printLine(se.buildSql("update"));
        printLine(se.buildSql("delete"));
        printLine(se.buildSql("insert"));
        """) == [
        "update ticket set status = ? where id in (select a0.id from ticket a0 left outer join person a1 "
        "on a1.person_id = a0.cust_id where (a1.lastname = ?))",
        "delete from ticket where id in (select a0.id from ticket a0 left outer join person a1 "
        "on a1.person_id = a0.cust_id where (a1.lastname = ?))",
        "insert into ticket (status) values (?)"]


def test_add_data_checks_the_value_and_the_table():
    assert "'soon' is not a date" in error_of('SearchEngine se; se.addData("sale.saledate", "soon");').message
    message = error_of('SearchEngine se; se.addData("sale.heading", "x"); '
                       'se.addData("sale.contact_id.name", "y"); se.insert();').message
    assert "every field of addData must be a field of one table" in message


# ------------------------------------------------------------ formats


def test_text_html_and_json_tables():
    source = """\
        SearchEngine se;
        se.addFields("contact", "contact_id,name");
        se.addCriteria("contact.contact_id", "OperatorIn", "1,3");
        print(se.executeTextTable());
        printLine(se.executeHTMLTable());
        printLine(se.executeJSON());
        """
    assert printed(source, CRM) == (
        "- - - - - - - - - - - - - - - - - -\n"
        " contact.contact_id|contact.name  \n"
        "- - - - - - - - - - - - - - - - - -\n"
        " 1                  Acme AS       \n"
        " 3                  O'Brien & Sons\n"
        "<table border='1' style='border-collapse: collapse'><tr><th>contact.contact_id</th><th>contact.name</th>"
        "</tr><tr><td>1</td><td>Acme AS</td></tr><tr><td>3</td><td>O&#x27;Brien &amp; Sons</td></tr></table>\n"
        '[{"contact.contact_id":"1","contact.name":"Acme AS"},'
        '{"contact.contact_id":"3","contact.name":"O\'Brien & Sons"}]\n')


def test_execute_to_json_builder_and_into_a_string_matrix():
    assert printed("""\
        SearchEngine se;
        se.addFields("sale", "sale_id,heading,amount,sale_id");
        se.addCriteria("sale.sale_id", "OperatorLte", "2");
        JSONBuilder jb;
        jb.pushObject("");
        se.executeToJSONBuilder(jb, "id:Integer,title,amount:Float,flag:Bool", "sales");
        jb.popLevel();
        printLine(jb.getString());
        StringMatrix m;
        se.executeInto(m);
        printLine(m.getNumRows().toString() + "x" + m.getNumColumns(0).toString() + " " + m.getCell(1, 1));
        """, CRM) == ('{"sales": [{"id": 1, "title": "Small", "amount": 500.000000, "flag": true}, '
                      '{"id": 2, "title": "Big", "amount": 220000.500000, "flag": true}]}\n2x4 Big\n')


def test_callback_converts_every_value():
    assert lines("""\
        String shout(String value) { return value.toUpper() + "!"; }
        String tag(String value, String field) { return field + "=" + value; }
        SearchEngine se;
        se.addField("sale.heading");
        se.addCriteria("sale.sale_id", "OperatorEquals", "1");
        se.setCallBack("shout");
        se.execute(); printLine(se.getField(0));
        se.setCallBack("tag");
        printLine(se.executeJSON());
        """) == ["SMALL!", '[{"sale.heading":"sale.heading=Small"}]']
    assert "has no function 'nope'" in error_of('SearchEngine se; se.setCallBack("nope");').message


def test_fields_json_alternative_fields_and_relations():
    assert lines("""\
        SearchEngine se;
        se.addFields("sale", "sale_id,heading");
        se.execute();
        printLine(se.getFieldsJSON());
        String[] fields = se.findAlternativeFields("sale.contact_id.na");
        printLine(fields[0]);
        String[] relations = se.findRelations("ticket_customers", false);
        printLine(relations.length().toString() + " " + relations[0]);
        """) == ['{"sale.sale_id":"1","sale.heading":"Small"}', "sale.contact_id.name", "2 ticket_customers.ticket_id"]


def test_get_field_errors_name_the_fields():
    message = error_of('SearchEngine se; se.addField("sale.heading"); se.execute(); se.getField("sale.headng");').message
    assert message == ("SearchEngine.getField: 'sale.headng' is not a field of the query "
                       "(did you mean 'sale.heading'?) (its fields: sale.heading)")
    assert "the query has 1 field (numbered from 0)" in \
        error_of('SearchEngine se; se.addField("sale.heading"); se.execute(); se.getField(1);').message
    assert "no fields to select" in error_of("SearchEngine se; se.execute();").message


def test_the_checker_knows_search_engine():
    with pytest.raises(engine.CRMScriptError, match="did you mean 'addField'"):
        engine.compile_script('SearchEngine se; se.addFeld("sale.heading");')


def test_build_sql_has_the_documented_a0_form():
    # the form of the docs' buildSql example (se-select.md): fields, one criterion, an order
    assert lines("""\
        SearchEngine se;
        se.addFields("ticket", "status,id,title,created_at");
        se.addCriteria("ticket.status", "OperatorEquals", "1", "OperatorAnd", 0);
        se.addOrder("ticket.id", false);
        printLine(se.buildSql());
        """) == ["select a0.status,a0.id,a0.title,a0.created_at from ticket a0 where (a0.status = ?) "
                 "order by a0.id desc"]


def test_a_table_of_another_prefix_suggests_both_readings():
    message = error_of('SearchEngine se; se.addField("ej_priority.name");').message
    assert message == "SearchEngine: unknown table 'ej_priority' (did you mean 'Priority' or 'ticket_priority'?)"


def test_is_isnot_functions_in_criteria_and_db_distinct():
    assert lines("""\
        SearchEngine se;
        se.addField("sale.heading");
        se.addCriteria("sale.saledate", "OperatorIs", "null");
        se.execute(); printLine(se.getField(0) + " " + se.countRows().toString());
        SearchEngine up;
        up.addField("contact.contact_id");
        up.addCriteria("contact.name", "upper", "OperatorEquals", "ACME AS", "OperatorAnd", 0);
        up.execute(); printLine(up.getField(0));
        SearchEngine hours;
        hours.addField("sale.sale_id");
        hours.addCriteria("sale.saledate", "FuncHour", "OperatorGte", "10", "OperatorAnd", 0);
        hours.execute(); printLine(hours.getField(0));
        """) == ["Medium 2", "1", "2"]
    distinct = """\
        SearchEngine se;
        se.addField("sale.contact_id");
        se.setDBDistinct(true);
        se.bypassNetServer(true);
        printLine(se.countRows().toString());
        """
    assert lines(distinct, BYPASS) == ["3"]
    assert lines(distinct) == ["4"]  # without the registry's permission setDBDistinct has no effect


def test_relations_of_a_table_both_ways():
    found = lines("""\
        SearchEngine se;
        String[] incoming = se.findRelations("ticket", true);
        foreach (String relation in incoming) printLine(relation);
        String[] tables = se.findAlternativeFields("ticket_cu");
        printLine("tables: " + tables[0]);
        """)
    assert {"(ticket_customers->ticket_id)", "(ej_message->ticket_id)", "(ticket->connect_id)"} <= set(found)
    assert found == sorted(found[:-1], key=str.lower) + ["tables: ticket_customers"]


def test_string_matrix():
    assert printed("""\
        StringMatrix m;
        m.addCell("a");
        m.addRow();
        m.addCell("b"); m.addCell("c");
        m.setCell(3, 1, "z");
        printLine(m.getNumRows().toString() + " " + m.getNumColumns(1).toString() + " " + m.getCell(1, 1) + m.getCell(3, 1) + "[" + m.getCell(9, 9) + "]");
        m.deleteRow(0);
        printLine(m.getCell(0, 0) + " " + m.getNumRows().toString());
        m.clear();
        printLine(m.getNumRows().toString());
        """, CRM) == "4 2 cz[]\nb 3\n0\n"


def test_build_sql_type_and_fields_json_at_eof():
    assert "unknown query type 'merge'" in error_of(
        'SearchEngine se; se.addField("sale.heading"); se.buildSql("merge");').message
    assert printed('SearchEngine se; se.addField("sale.heading"); se.addCriteria("sale.sale_id", "equals", "99"); '
                   'se.execute(); print(se.getFieldsJSON());', CRM) == "{}"
