"""Lines as LSP counts them, edits applied by them, and UTF-16 columns."""

from __future__ import annotations

import random

import pytest

from onnxtext.core.positions import Edit, apply_edits, code_point_column, lines_of, utf16_column


def test_only_lsp_line_breaks_split_lines() -> None:
    text = "a\r\nb\rc\nd\u2028e\u2029f\x85g\x0ch\n"
    assert lines_of(text) == ["a", "b", "c", "d\u2028e\u2029f\x85g\x0ch", ""]
    assert len(lines_of(text)) == len(text.splitlines()) - 3  # str.splitlines breaks at four more


def test_an_edit_lands_where_the_editor_made_it() -> None:
    texts = ("one\ntwo\nthree\n", "one\r\ntwo\r\nthree\r\n", "one\rtwo\rthree\r", "o\u2028ne\ntwo\nthree")
    for text in texts:
        lines = lines_of(text)
        edited = apply_edits(text, [Edit(2, 2, 3, 3, "X")], lines)
        start = text.index("two") + 1
        assert edited == text[:start] + "X" + text[text.index("three") + 2 :], repr(text)
    # past the end of a line: its end; past the last line: the text's end
    assert apply_edits("ab\ncd", [Edit(1, 99, 1, 99, "!")]) == "ab!\ncd"
    assert apply_edits("ab\ncd", [Edit(9, 1, 9, 1, "!")]) == "ab\ncd!"


def test_edits_land_where_they_were_made_in_the_text_before() -> None:
    assert apply_edits("abc\ndef\n", [Edit(2, 1, 2, 1, "Y"), Edit(1, 2, 1, 3, "X")]) == "aXc\nYdef\n"
    assert apply_edits("a\r\nb\r\n", [Edit(1, 1, 2, 1, ""), Edit(2, 2, 2, 2, "!")]) == "b!\r\n"
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abc\n", [Edit(1, 1, 1, 3, ""), Edit(1, 2, 1, 4, "")])


def test_utf16_columns() -> None:
    line = "a😀b\ud800c"  # an emoji (two UTF-16 units) and a lone surrogate (one)
    assert [utf16_column(line, col) for col in range(1, 7)] == [0, 1, 3, 4, 5, 6]
    assert [code_point_column(line, units) for units in range(0, 7)] == [1, 2, 3, 3, 4, 5, 6]
    assert code_point_column(line, 99) == len(line) + 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_edits_far_down_a_long_text_land_at_their_line(newline: str) -> None:
    """Offsets of the lines an edit touches are summed up from the lines before it: they must agree
    with finding every break in the text."""
    rng = random.Random(newline)
    lines = ["x" * rng.randrange(0, 9) for _ in range(3_000)]
    text = newline.join(lines)
    for _ in range(50):
        first, second = sorted(rng.sample(range(1, len(lines) + 1), 2))
        edits = [Edit(first, 2, first, 3, "A"), Edit(second, 1, second, 1, "B")]
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + len(newline))
        at = [starts[first - 1] + min(1, len(lines[first - 1])), starts[second - 1]]
        end = starts[first - 1] + min(2, len(lines[first - 1]))
        expected = text[: at[0]] + "A" + text[end : at[1]] + "B" + text[at[1] :]
        assert apply_edits(text, edits, lines_of(text)) == expected
