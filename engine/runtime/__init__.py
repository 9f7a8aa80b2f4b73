"""The built-in library: importing this package registers every family
module in the one signature table (`runtime.table.LIBRARY`)."""

# The simulated CRM's classes (SearchEngine, StringMatrix, User, HTTP, Email, the record classes,
# Parser, the service classes, the NetServer agents and carriers) and the global functions live in engine/crm.
from ..crm import (  # noqa: E402,F401
    extras,
    http,
    mail,
    netserver,
    parser,
    people,
    searchengine,
    services_classes,
    services_globals,
    services_lookups,
    services_screen,
    services_site,
    stringmatrix,
    templates,
    tickets,
    user,
)
from . import collections, datetimes, eventdata, generic, globals, jsonxml, numbers, strings  # noqa: F401
