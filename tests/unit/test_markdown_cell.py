"""The one Markdown escaper: what event text becomes in a table cell (no renderer
needed; tests/browser/test_markdown_rendered.py renders it with markdown-it)."""

import pytest

from cli.render import md_cell


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("mailto:evil@evil.example", "mailto\\:evil\\@evil.example"),
        ("MailTo:x", "MailTo\\:x"),
        ("write to evil@evil.example", "write to evil\\@evil.example"),
        ("xmpp:evil@evil.example", "xmpp\\:evil\\@evil.example"),
        ("~~struck~~", "\\~\\~struck\\~\\~"),
        ("see //evil.example/x", "see \\//evil.example/x"),
        ("http://evil.example", "http\\://evil.example"),
        ("www.evil.example", "www\\.evil.example"),
        ("[a](b) <b> | # *x* _y_ `z` !", "\\[a\\](b) \\<b\\> \\| \\# \\*x\\* \\_y\\_ \\`z\\` \\!"),
        ("a & b", "a \\& b"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_cell_escapes_what_markdown_would_turn_into_markup(text, cell):
    assert md_cell(text) == cell


def test_md_cell_leaves_plain_words_dates_and_amounts_alone():
    assert md_cell("USD 500 million, 2025-09-08, 5.3%") == "USD 500 million, 2025-09-08, 5.3%"
