"""The language server's token scan (engine/lsp/tokens.py): after an edit,
scanning only the changed part gives exactly the tokens of a full scan."""

from __future__ import annotations

import random

import pytest

from engine.lsp.tokens import NAME, PUNCT, STRING, TokenList

# Characters that change how the text around them is read: quotes, escapes,
# comment marks, digits with exponents, line ends, characters outside ASCII.
ALPHABET = ["a", "b", " ", "\n", "\r\n", '"', "'", "/", "*", "é", "\\", "1", ".", "e", "+", "=", "#", "😀"]


@pytest.mark.parametrize("seed", range(4))
def test_an_edit_scans_as_a_full_scan_would(seed):
    rng = random.Random(seed)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(12)))
        tokens = TokenList(text)
        for _ in range(3):
            at = rng.randrange(len(text) + 1)
            end = min(len(text), at + rng.randrange(3))
            text = text[:at] + "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(3))) + text[end:]
            tokens = TokenList(text, tokens)
            fresh = TokenList(text)
            assert (tokens.tokens, tokens.unclosed_comment) == (fresh.tokens, fresh.unclosed_comment), repr(text)


def test_a_keystroke_keeps_the_tokens_of_the_other_lines():
    text = "Integer a = 1;\n" * 500
    before = TokenList(text)
    after = TokenList(text.replace("a = 1", "ab = 1", 1), before)
    assert after.tokens[5] is before.tokens[5]  # line 2: the same token object
    assert [t.text for t in after.tokens[:5]] == ["Integer", "ab", "=", "1", ";"]


def test_tokens_and_positions():
    tokens = TokenList('x = "two\nlines"; // note\n/* block */ y.z(1.5e3);')
    assert [(t.kind, t.text, t.line, t.column) for t in tokens] == [
        (NAME, "x", 1, 1), (PUNCT, "=", 1, 3), (STRING, '"two\nlines"', 1, 5), (PUNCT, ";", 2, 7),
        (NAME, "y", 3, 13), (PUNCT, ".", 3, 14), (NAME, "z", 3, 15), (PUNCT, "(", 3, 16),
        ("number", "1.5e3", 3, 17), (PUNCT, ")", 3, 22), (PUNCT, ";", 3, 23)]
    assert tokens.end_position(2) == (2, 7)
    assert tokens.token_at(tokens.offset(3, 14)) == 4  # between `y` and `.`: the name
    assert tokens.index_at(3, 15) == 6 and tokens.index_at(3, 16) == 7 and tokens.index_at(2, 1) is None
    assert not tokens.unclosed_comment and TokenList("a /* b").unclosed_comment
