"""The built-in library: importing this package registers every family
module in the one signature table (`runtime.table.LIBRARY`)."""

# The simulated CRM's classes (SearchEngine, StringMatrix, User, HTTP, Email, the record classes,
# Parser) live in engine/crm.
from ..crm import extras, http, mail, parser, people, searchengine, stringmatrix, templates, tickets, user  # noqa: E402,F401
from . import collections, datetimes, eventdata, generic, globals, jsonxml, numbers, strings  # noqa: F401
