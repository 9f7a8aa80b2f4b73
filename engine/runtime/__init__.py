"""The built-in library: importing this package registers every family
module in the one signature table (`runtime.table.LIBRARY`)."""

from . import numbers, strings, globals, eventdata, datetimes, collections, jsonxml, generic  # noqa: F401

# The simulated CRM's classes (SearchEngine, StringMatrix, User) live in engine/crm.
from ..crm import searchengine, stringmatrix, user  # noqa: E402,F401
