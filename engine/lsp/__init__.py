"""The CRMScript Language Server (`crmscript lsp`, docs/editors.md).

Layers, each reading only the ones before it:

    tokens.py      a light lexical scan (works on text that does not parse)
    analysis.py    the one door into the engine: parse, check, lint, library, catalog, includes
    chunks.py      incremental parsing, one top-level statement at a time
    index.py       where each name is and what it stands for
    document.py    one analysis of one document version; the Analyser that keeps caches
    scope.py       the cursor's surroundings: place, visible variables, expression types
    describe.py, positions.py    wording and position conversions
    hover.py, completion.py, navigation.py    the features
    server.py, features.py       pygls: documents, debouncing, the protocol methods
"""
