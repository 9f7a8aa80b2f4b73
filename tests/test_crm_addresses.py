"""Company.getFormattedAddress / setFormattedAddress: the address as localized fields (docs/crm-records.md)."""

from __future__ import annotations

from crm_helpers import printed

SHOW = """\
    Company c;
    c.load({id});
    NSLocalizedField[][] address = c.getFormattedAddress();
    for (Integer i = 0; i < address.length(); i++) {{
      String line;
      for (Integer j = 0; j < address[i].length(); j++) {{
        if (j > 0) line += " ";
        line += address[i][j].GetName() + "=" + address[i][j].GetValue();
      }}
      printLine(line);
    }}
    """

WORLD = """\
    now: "2026-05-04T10:00:00"
    rows:
      country:
        - {country_id: 826, name: United Kingdom, abbrev2: GB}
        - {country_id: 840, name: United States, abbrev2: US}
        - {country_id: 999, name: Testland, abbrev2: TL, addressLayout: 7}
      contact:
        - {contact_id: 1, name: London Ltd, country_id: 826}
        - {contact_id: 2, name: Boston Inc, country_id: 840}
        - {contact_id: 3, name: Test AS, country_id: 999}
      address:
        - {address_id: 1, owner_id: 1, atype_idx: ContactPostalAddress, address1: 1 High St, city: London, county: Greater London, zipcode: EC1A 1BB}
        - {address_id: 2, owner_id: 2, atype_idx: ContactPostalAddress, address1: 5 Main St, city: Boston, state: MA, zipcode: "02108"}
        - {address_id: 3, owner_id: 2, atype_idx: ContactStreetAddress, address1: 7 Dock Rd, city: Boston, state: MA, zipcode: "02109"}
        - {address_id: 4, owner_id: 3, atype_idx: ContactPostalAddress, address1: Vei 1, city: Testby, zipcode: "1234"}
      AddressFormat:
        - {addressformat_id: 1, name: Test, layout_id: 7, atype_idx: 1, city_line: 1, city_subpos: 2, zip_line: 1, zip_subpos: 1, address1_line: 2}
    """


def test_a_norwegian_company_has_three_address_lines_and_zip_before_city():
    assert printed(SHOW.format(id=2)) == (
        "PostalAddress1=Kraftveien 12\nPostalAddress2=\nPostalAddress3=\nPostalZipcode=0580 PostalCity=Oslo\n")


def test_a_field_carries_its_label_length_and_address_type():
    assert printed("""\
        Company c;
        c.load(2);
        NSLocalizedField f = c.getFormattedAddress()[3][0];
        printLine(f.GetLabel() + "|" + f.GetValueLength().toString() + "|" + f.GetAddressType());
        """) == "Postcode|11|ContactPostalAddress\n"


def test_british_and_american_layouts_and_the_street_address_after_the_postal_one():
    assert printed(SHOW.format(id=1), WORLD) == (
        "PostalAddress1=1 High St\nPostalAddress2=\nPostalAddress3=\nPostalCity=London\n"
        "PostalCounty=Greater London\nPostalZipcode=EC1A 1BB\n")
    assert printed(SHOW.format(id=2), WORLD) == (
        "PostalAddress1=5 Main St\nPostalAddress2=\nPostalAddress3=\nPostalCity=Boston PostalState=MA PostalZipcode=02108\n"
        "StreetAddress1=7 Dock Rd\nStreetAddress2=\nStreetAddress3=\nStreetCity=Boston StreetState=MA StreetZipcode=02109\n")


def test_the_countrys_address_format_rows_place_the_fields():
    assert printed(SHOW.format(id=3), WORLD) == "PostalZipcode=1234 PostalCity=Testby\nPostalAddress1=Vei 1\n"


def test_set_formatted_address_is_kept_until_save_and_then_written_to_the_address_rows():
    assert printed("""\
        String rows() {
          SearchEngine se;
          se.addFields("address", "address1,city,atype_idx");
          se.addCriteria("address.owner_id", "equals", "1");
          se.addOrder("address.atype_idx", true);
          String found;
          for (se.execute(); !se.eof(); se.next()) {
            if (found != "") found += ";";
            found += se.getField(0) + "/" + se.getField(1) + "/" + se.getField(2);
          }
          return found;
        }
        Company c;
        c.load(1);
        NSLocalizedField[][] address = c.getFormattedAddress();
        address[0][0].SetValue("2 High St");
        NSLocalizedField street;
        street.SetName("StreetCity");
        street.SetValue("Leeds");
        address[1].pushBack(street);
        c.setFormattedAddress(address);
        printLine(c.getFormattedAddress()[0][0].GetValue());
        printLine(rows());
        c.save();
        printLine(rows());
        """, WORLD) == "2 High St\n1 High St/London/1\n2 High St/London/1;/Leeds/2\n"
