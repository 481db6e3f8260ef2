"""Icons render without an emoji font: every ``icon=`` of the pages is Material.

A machine without an emoji font (Debian's Chromium out of the box, many city
desktops) draws an emoji as an empty box; Material Symbols ship with Streamlit.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "dashboard.py"]
)


def _icons(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in ("icon", "page_icon") and isinstance(
                    kw.value, ast.Constant
                ):
                    found.append((node.lineno, str(kw.value.value)))
    return found


def test_every_icon_is_a_material_symbol():
    icons = {
        f"{p.relative_to(ROOT)}:{line}": v for p in SOURCES for line, v in _icons(p)
    }
    assert len(icons) > 10  # the scan sees the pages' icons
    emoji = {where: v for where, v in icons.items() if not v.startswith(":material/")}
    assert emoji == {}
