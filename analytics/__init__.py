"""Analytics for city security-camera registry programs.

Pure functions: GeoDataFrames and arrays in, frames out. Never imports streamlit.
Command line: ``python -m analytics --help``.
"""

from __future__ import annotations

__version__ = "0.1.0"
