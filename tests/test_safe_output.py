"""Markdown tables from data: every cell escaped, no cell can add a column."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analytics.safe_output import markdown_table


def test_a_table_has_its_header_alignment_and_rows_in_order():
    frame = pd.DataFrame(
        {
            "Ward": ["Ward 1", "Ward 2"],
            "Cameras": ["1,204", "87"],
            "Change": ["+5", "0"],
        }
    )
    text = markdown_table(frame, right=["Cameras", "Change"])
    assert text.splitlines() == [
        "| Ward | Cameras | Change |",
        "| :--- | ---: | ---: |",
        "| Ward 1 | 1,204 | \\+5 |",
        "| Ward 2 | 87 | 0 |",
    ]


def test_a_name_with_pipes_links_or_line_breaks_stays_one_plain_cell():
    names = ["A | B", "[x](http://evil.example)", "six\n# heading", "<img src=x>"]
    text = markdown_table(pd.DataFrame({"Ward": names, "n": ["1"] * 4}))
    rows = text.splitlines()[2:]
    assert len(rows) == 4  # a line break did not start a row
    for row in rows:
        # unescaped pipes: the two columns' three borders only
        assert len(re.findall(r"(?<!\\)\|", row)) == 3, row
    assert rows[0] == "| A \\| B | 1 |"
    assert rows[1] == "| \\[x\\](http\u2060\\://evil.example) | 1 |"
    assert rows[2] == "| six # heading | 1 |"
    assert rows[3] == "| \\<img src=x\\> | 1 |"


def test_an_empty_frame_is_its_header():
    text = markdown_table(pd.DataFrame({"Ward": [], "n": []}), right=["n"])
    assert text == "| Ward | n |\n| :--- | ---: |"


def test_right_aligning_a_column_the_frame_lacks_names_it():
    with pytest.raises(ValueError, match=r"\['Cameras'\].*\['Ward'\]"):
        markdown_table(pd.DataFrame({"Ward": ["A"]}), right=["Cameras"])
