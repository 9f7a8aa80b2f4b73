"""Who the script runs as: the fixture's user (getActiveUser, getUsername, User)."""

from __future__ import annotations

import pytest
from crm_helpers import fixture, printed, run

from engine.errors import CRMScriptRuntimeError

CRM = fixture("""\
    user: 2
    rows:
      contact:
        - {contact_id: 10, name: Our company}
      person:
        - {person_id: 5, contact_id: 10, firstname: Kim, lastname: Berg}
      associate:
        - {associate_id: 7, name: KB, person_id: 5, ejuserId: 2}
      ejuser:
        - {id: 1, username: System, loginname: system}
        - {id: 2, username: KB, loginname: kim, firstname: Kim, lastname: Berg, last_category: 4, usergroup: 3}
    """)


def test_the_active_user_is_the_fixtures_user():
    assert printed("""\
        User me = getActiveUser();
        printLine(me.getValue("id") + " " + me.getValue("username") + " " + me.getValue("lastCategory"));
        printLine(me.getValue("associateId") + " " + me.getValue("ownerCompany") + " " + me.getValue("group"));
        printLine(me.isLoggedIn(2).toString() + " " + getUsername(1));
        """, CRM) == "2 KB 4\n7 10 3\ntrue System\n"


def test_nobody_is_logged_in_without_a_user():
    assert printed('User me = getActiveUser(); print("[" + me.getValue("username") + "]" + me.getValue("associateId"));',
                   fixture("rows: {}\n")) == "[]"


def test_load_set_and_save_stay_in_the_run():
    source = """\
        User u;
        printLine(u.load(1).toString() + " " + u.load(99).toString());
        u.load(1);
        u.setValue("firstname", "Sys");
        printLine(u.getValue("firstname") + " " + u.save().toString());
        User n;
        n.setValue("username", "new");
        printLine(n.save().toString() + " " + getUsername(3));
        """
    assert printed(source, CRM) == "true false\nSys 1\n3 new\n"
    assert printed('print(getUsername(3) + "|");', CRM) == "|"  # the saves were this run's only


def test_unknown_user_fields_are_errors_with_a_suggestion():
    with pytest.raises(CRMScriptRuntimeError, match=r"unknown field 'usrname' \(did you mean 'username'\?\)"):
        run('getActiveUser().getValue("usrname");', CRM)


def test_the_demo_crm_user():
    assert printed('User me = getActiveUser(); print(me.getValue("firstname") + " " + me.getValue("associateId"));') \
        == "Ola 2"
