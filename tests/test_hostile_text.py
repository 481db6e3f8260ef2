"""Text from data files reaches Markdown, Plotly and HTML inert.

Ward, district and offence names are data: a boundary file whose ward is called
``[click](http://evil.example/x)`` must not put a link in the Gaps page's info
box, and ``<a href=...>`` must not become a link in a Plotly chart.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.config import DATA_ENV, load_city
from analytics.safe_output import escape_html, escape_markdown
from analytics.synthetic import generate_demo, write_demo
from tests.pagetest import ROOT, TIMEOUT, clear_data_env
from ui.charts import ward_bar_chart

LINK = "[click](http://evil.example/x)"
IMAGE = "![pixel](http://evil.example/i.png)"
ANCHOR = '<a href="http://evil.example">W</a>'
HOSTILE_WARDS = [
    f"{LINK} one",
    f"{IMAGE} two",
    f"{ANCHOR} three",
    ":red[four] :material/bug_report:",  # an icon the pages never use
    "**five** <img src=x onerror=alert(1)>",
    "six\n# heading",
    "$x^2$ a_www.evil.example/w seven",  # "_" sits inside a word
]
HOSTILE_DISTRICT = "[62](http://evil.example/d)"
HOSTILE_OFFENCE = '<a href="http://evil.example/o">THEFT</a>'


# --- the helpers, by hand -------------------------------------------------------------
def test_markdown_escape_by_hand():
    assert escape_markdown(LINK) == "\\[click\\](http\u2060\\://evil.example/x)"
    assert escape_markdown(IMAGE).startswith("!\\[pixel\\](http\u2060\\:")
    # Streamlit reads ":material/icon:" after the escapes: a joiner after the
    # escaped colon (tests/test_browser_hostile.py saw the icon drawn)
    assert escape_markdown(":red[a] :material/warning:") == (
        "\\:\u2060red\\[a\\] \\:\u2060material/warning\\:"
    )
    assert escape_markdown("**b** _i_ ~s~ `c` $x$") == (
        r"\*\*b\*\* \_i\_ \~s\~ \`c\` \$x\$"
    )
    # a name cannot start a heading or list, even after a line break
    assert escape_markdown("# one") == r"\# one"
    assert escape_markdown("- one") == r"\- one"
    assert escape_markdown("12. one") == r"12\. one"
    assert escape_markdown("six\n# heading") == "six # heading"
    # bare addresses: an invisible word joiner (U+2060) where the pattern of a
    # link needs two characters side by side (escapes alone do not stop it)
    assert escape_markdown("www.evil.example") == "www\u2060\\.evil.example"
    assert escape_markdown("see https://x.example/a") == (
        "see https\u2060\\://x.example/a"
    )
    assert escape_markdown("MAILTO:a") == "MAILTO\u2060\\:\u2060a"
    # an e-mail address stays as typed, to be copied (a link, if any, is to it)
    assert escape_markdown("ann@city.example") == "ann@city.example"
    # whatever comes before an address: "_" is part of a word, yet linked
    assert escape_markdown("a_http://x.example") == "a_http\u2060\\://x.example"
    assert escape_markdown("a_www.x.example") == "a_www\u2060\\.x.example"
    assert escape_markdown("@handle and Ward 3: north") == "@handle and Ward 3\\: north"
    # what cannot make Markdown where it stands is left as typed
    assert escape_markdown("Ward 2 (synthetic)") == "Ward 2 (synthetic)"
    assert escape_markdown("lrpd_current.csv + x-y") == "lrpd_current.csv + x-y"
    assert escape_markdown(None) == ""


def test_html_escape_by_hand():
    assert escape_html(ANCHOR) == (
        "&lt;a href=&quot;http://evil.example&quot;&gt;W&lt;/a&gt;"
    )


# "[text](" with neither bracket escaped: a Markdown link or image
LINK_SYNTAX = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def _unescaped(text: str, char: str) -> int:
    """Occurrences of ``char`` not preceded by a backslash."""
    return len(re.findall(r"(?<!\\)" + re.escape(char), text))


def test_ward_bar_chart_carries_hostile_names_as_typed_data():
    """Vega draws a label as text (an SVG text node), never as markup: the
    names go into the chart as data, exactly as typed, so a reader sees the
    true name (tests/test_browser_hostile.py attacks the drawn chart)."""
    table = pd.DataFrame(
        {"ward_name": HOSTILE_WARDS, "share": [0.1 * i for i in range(7)]}
    )
    spec = ward_bar_chart(table, "share", title="t", percent=True).to_dict()
    (rows,) = spec["datasets"].values()
    assert [r["ward"] for r in rows] == HOSTILE_WARDS
    assert [r["label"] for r in rows] == [f"{10.0 * i:,.1f}%" for i in range(7)]
    # no field of the spec lets text be read as HTML or an address
    dumped = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    assert "href" not in dumped
    assert "html" not in dumped.lower()


# --- a whole page on a hostile dataset -----------------------------------------------
@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    city = load_city()
    demo = generate_demo(city, cameras=400, incidents=4000, seed=11)
    wards = demo.wards.copy()
    wards["ward_name"] = HOSTILE_WARDS[: len(wards)]
    incidents = demo.incidents.copy()
    incidents["district"] = HOSTILE_DISTRICT
    incidents["offense"] = HOSTILE_OFFENCE
    out = tmp_path_factory.mktemp("hostile")
    return write_demo(out, dataclasses.replace(demo, wards=wards, incidents=incidents))


def _forget_loaded_data():
    """The dataset and results are cached for the process: other tests must not
    see the hostile data, nor these the demo."""
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def hostile_env(monkeypatch, hostile_files):

    clear_data_env(monkeypatch)
    for key in ("cameras", "incidents", "wards", "city_limit"):
        monkeypatch.setenv(DATA_ENV[key], str(hostile_files[key]))
    _forget_loaded_data()
    yield
    _forget_loaded_data()


def _markdown_texts(at: AppTest) -> list[str]:
    texts = []
    for kind in ("markdown", "info", "caption", "warning", "error", "success"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        texts += [str(metric.label), str(metric.value), str(metric.help or "")]
    return texts


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", ["pages/2_Gaps_and_targeting.py", "pages/4_Wards.py", "pages/0_Overview.py"]
)
def test_pages_show_hostile_names_as_text(hostile_env, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    texts = _markdown_texts(at)
    shown = "\n".join(texts)
    # the names do reach the page, escaped...
    assert any(escape_markdown(n) in shown for n in HOSTILE_WARDS), page
    # ...and no Markdown link, image, HTML tag or Streamlit directive survives
    for name in HOSTILE_WARDS:
        typed = " ".join(name.splitlines())
        if escape_markdown(name) != typed:  # "six # heading" is safe as typed
            assert typed not in shown, name
    # a line break in a name never starts a heading (nor a table row)
    assert not [line for line in shown.splitlines() if line.startswith("# heading")]
    for text in texts:
        if text.startswith((":green-badge[", ":red-badge[")):
            continue  # the Overview's own on-track badge (st.badge), not data
        assert LINK_SYNTAX.search(text) is None, text
        assert _unescaped(text, "<") == 0, text
        assert ":material/bug_report:" not in text, text
    assert not at.get("plotly_chart")  # the charts are Vega-Lite (ui.charts)
    charts = [json.loads(c.proto.spec) for c in at.get("arrow_vega_lite_chart")]
    for spec in charts:
        dumped = json.dumps(spec)
        assert "<a href" not in dumped, page
        assert "<img" not in dumped, page


def test_load_error_shows_a_hostile_file_name_as_text(monkeypatch, tmp_path):
    clear_data_env(monkeypatch)
    _forget_loaded_data()
    name = tmp_path / "[x](http://evil.example).csv"  # does not exist
    monkeypatch.setenv(DATA_ENV["cameras"], str(name))
    at = AppTest.from_file(str(ROOT / "pages/1_Coverage_map.py"), default_timeout=60)
    at.run()
    assert not at.exception
    (error,) = at.error
    # (a path keeps one slash of "//")
    assert "\\[x\\](http\u2060\\:/evil.example).csv" in error.value
    assert LINK_SYNTAX.search(error.value) is None
    _forget_loaded_data()
