"""The sidebar every page shares: data source and the filters, as a frozen dataclass.

>>> filters = render_sidebar(ds)          # inside a page
>>> filters.since, filters.categories
(datetime.date(2025, 11, 1), ('violent', 'property', 'other'))

Widget keys (``since``, ``until``, ``categories``, ``tiers``, ``owner_types``,
``range_scale``, ``verified_only``) are stable so AppTests can set them. Filters
that differ from the defaults are mirrored into the URL
(``?categories=violent&range=1.5``): read on the first run of a session, written
whenever they change, so a link reproduces the view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.config import CityConfig
from analytics.datasets import Dataset
from analytics.safe_output import escape_markdown
from analytics.schema import CATEGORIES, OWNER_TYPES, TIERS
from analytics.windows import (
    DEFAULT_WINDOW_MONTHS,
    Window,
    default_window,
    window_ending,
)
from ui.data import per_dataset
from ui.navigation import ensure_app_menu

RANGE_SCALE_MIN = 0.5
RANGE_SCALE_MAX = 2.0
RANGE_SCALE_STEP = 0.1
# session_state key -> URL parameter name
URL_PARAMS = {
    "since": "since",
    "until": "until",
    "categories": "categories",
    "tiers": "tiers",
    "owner_types": "owners",
    "range_scale": "range",
    "verified_only": "verified",
}
FILTER_KEYS = tuple(URL_PARAMS)
_KEEP = "_keep_"  # prefix of the non-widget copies that survive page switches
_URL_READ = "_filters_url_read"
PRESET_KEY = "date_preset"
# The filters besides the period: in the sidebar's popover, MORE_LABEL
MORE_FILTERS = ("categories", "tiers", "owner_types", "range_scale", "verified_only")
MORE_LABEL = "More filters"
CUSTOM = "Custom dates"  # the period pill that shows the two date pickers
_CUSTOM_KEY = "_custom_dates"  # the visitor chose CUSTOM (kept across pages)
CHOICES = {"categories": CATEGORIES, "tiers": TIERS, "owner_types": OWNER_TYPES}


@dataclass(frozen=True)
class Filters:
    """What the user chose in the sidebar; frozen, so hashable for caching.

    ``since`` and ``until`` are inclusive dates. The tuples are never empty: a
    cleared choice (no pill lit) means "all" (the sidebar says so).
    """

    since: date
    until: date
    categories: tuple[str, ...]
    tiers: tuple[str, ...]
    owner_types: tuple[str, ...]
    range_scale: float
    # The registry's date for the cameras (None: ``until``). The public view
    # pins it to the data's date: see ``analytics.privacy.public_filters``.
    cameras_as_of: date | None = None
    # coverage with cameras verified in the city's stale months only (issue 15)
    verified_only: bool = False
    # Coverage from residential cameras' true places: investigators only
    # (``ui.page.start_page``). False (the default, fail closed) computes every
    # coverage figure with homes at their stand-in points
    # (``analytics.privacy.cameras_for_coverage``).
    exact_homes: bool = False

    @property
    def window(self) -> Window:
        """The incident window, measured against today's active registry
        (:mod:`analytics.windows`)."""
        return Window(self.since, self.until)

    @property
    def narrowed(self) -> bool:
        """True when the tier, owner or verified filters leave some cameras out."""
        return (
            set(self.tiers) != set(TIERS)
            or set(self.owner_types) != set(OWNER_TYPES)
            or self.verified_only
        )

    @property
    def all_categories(self) -> bool:
        return set(self.categories) == set(CATEGORIES)

    def describe(self) -> str:
        """One line naming the active filters, for captions under charts."""
        dates = f"{self.since:%d %b %Y} – {self.until:%d %b %Y}"
        return " · ".join([dates, *self.narrowings()])

    def narrowings(self) -> list[str]:
        """The filters besides the dates that differ from their defaults, in
        words (``["offences: violent", "ranges × 1.5"]``)."""
        parts = []
        for name, values in (
            ("offences", self.categories),
            ("tiers", self.tiers),
            ("owners", self.owner_types),
        ):
            if set(values) != set(CHOICES[_field_for(name)]):
                parts.append(f"{name}: {', '.join(values)}")
        if self.range_scale != 1.0:
            parts.append(f"ranges × {self.range_scale:g}")
        if self.verified_only:
            parts.append("verified cameras only")
        return parts


def _field_for(label: str) -> str:
    return {"offences": "categories", "tiers": "tiers", "owners": "owner_types"}[label]


def default_filters(
    as_of: date, earliest: date | None = None, newest: date | None = None
) -> Filters:
    """The filters a new visitor sees: the default window of
    :func:`analytics.windows.default_window` (the 12 months ending on the newest
    incident, ``newest``; ``as_of`` when unknown), everything else unfiltered."""
    window = window_ending(min(newest, as_of) if newest else as_of, earliest)
    return Filters(
        since=window.since,
        until=window.until,
        categories=CATEGORIES,
        tiers=TIERS,
        owner_types=OWNER_TYPES,
        range_scale=1.0,
    )


def default_filters_for(ds: Dataset) -> Filters:
    """:func:`default_filters` of a dataset: the default window of
    :func:`analytics.windows.default_window`, shared with the CLI and briefing."""
    window = per_dataset(
        ds, "default_window", lambda: default_window(ds.incidents, ds.as_of)
    )
    return default_filters(window.until, window.since)


def filters_to_params(filters: Filters, defaults: Filters) -> dict[str, str]:
    """URL parameters for the filters that differ from ``defaults``."""
    out: dict[str, str] = {}
    current, base = asdict(filters), asdict(defaults)
    for key, param in URL_PARAMS.items():
        value = current[key]
        if value == base[key]:
            continue
        if isinstance(value, bool):
            out[param] = "1" if value else "0"
        elif isinstance(value, tuple):
            out[param] = ",".join(value)
        elif isinstance(value, date):
            out[param] = value.isoformat()
        else:
            out[param] = f"{value:g}"
    return out


def filters_from_params(
    params: Mapping[str, str],
    defaults: Filters,
    *,
    earliest: date | None = None,
    latest: date | None = None,
) -> Filters:
    """Filters from URL parameters; anything missing or unreadable keeps its default.

    A hand-edited URL must never break the page, so bad values are ignored
    rather than raised.
    """
    values = asdict(defaults)
    for key, param in URL_PARAMS.items():
        raw = params.get(param)
        if raw is None or raw == "":
            continue
        if key in CHOICES:
            picked = tuple(v for v in CHOICES[key] if v in str(raw).split(","))
            if picked:
                values[key] = picked
        elif key == "verified_only":
            values[key] = str(raw) in ("1", "true", "yes")
        elif key in ("since", "until"):
            try:
                day = date.fromisoformat(str(raw))
            except ValueError:
                continue
            lo = earliest or date.min
            values[key] = min(max(day, lo), latest or defaults.until)
        else:
            try:
                scale = float(raw)
            except ValueError:
                continue
            if RANGE_SCALE_MIN <= scale <= RANGE_SCALE_MAX:
                values[key] = round(scale, 1)
    if values["since"] > values["until"]:
        values["since"], values["until"] = values["until"], values["since"]
    return Filters(**values)


def date_presets(as_of: date, earliest: date | None = None) -> dict[str, tuple]:
    """The sidebar's date shortcuts: name -> (since, until), all ending ``as_of``.

    >>> date_presets(date(2026, 11, 1))["Year to date"]
    (datetime.date(2026, 1, 1), datetime.date(2026, 11, 1))
    """
    spans = {
        "30 days": as_of - timedelta(days=29),
        "90 days": as_of - timedelta(days=89),
        "Year to date": date(as_of.year, 1, 1),
        # the default window's rule (analytics.windows): the pill is lit on arrival
        "12 months": window_ending(as_of, months=DEFAULT_WINDOW_MONTHS).since,
    }
    lo = earliest or date.min
    return {name: (max(since, lo), as_of) for name, since in spans.items()}


def render_sidebar(ds: Dataset, *, show: Collection[str] | None = None) -> Filters:
    """Draw the shared sidebar and return the chosen filters.

    Call it once per page, after ``st.set_page_config``. ``show`` names the
    filters that apply to the page (keys of ``URL_PARAMS``; None: all). Filters
    not shown keep their values, so a page switch does not lose them.
    """
    ensure_app_menu()
    earliest = earliest_incident(ds)
    defaults = default_filters_for(ds)
    _initialise_state(defaults, earliest, ds.as_of)
    show = set(FILTER_KEYS if show is None else show)
    unknown = show - set(FILTER_KEYS)
    if unknown:
        raise ValueError(
            f"`show` had {sorted(unknown)} but is expected to be in {list(FILTER_KEYS)}"
        )

    sb = st.sidebar
    sb.header("Data")
    _data_source(ds)
    if not show:
        return _collect(defaults)

    sb.header("Filters")
    if {"since", "until"} <= show:
        _date_filters(ds, earliest, defaults.until)
    more = show & set(MORE_FILTERS)
    if more:
        # behind a button: a browser draws a popover's widgets only once it is
        # opened, and every figure of a new visitor's page waited for them
        # (0.47 s of the Overview's first figure on the demo)
        _more_filters(ds, more, sb.popover(MORE_LABEL, width="stretch"))

    filters = _collect(defaults)
    _persist_and_share(filters, defaults)
    narrowed = filters.narrowings() if more else []
    if narrowed:
        sb.caption("More filters on: " + "; ".join(narrowed) + ".")
    if {"since", "until"} <= show:
        sb.caption(filters.window.describe(ds.as_of) + ".")
    return filters


def _more_filters(ds: Dataset, show: Collection[str], box: DeltaGenerator) -> None:
    """The filters besides the period, drawn into ``box`` (the sidebar's
    popover): offences, tiers and owners as pills (two to four choices each,
    one click to change), the range assumption and the verified switch."""
    if "categories" in show:
        box.pills(
            "Offence categories",
            CATEGORIES,
            selection_mode="multi",
            key="categories",
            help="Severity weights for crime-weighted coverage: "
            + ", ".join(f"{c} {ds.city.weight_for(c):g}" for c in CATEGORIES),
        )
    if "tiers" in show:
        box.pills(
            "Camera tiers",
            TIERS,
            selection_mode="multi",
            key="tiers",
            help="registered: location only, police ask the owner for footage; "
            "integrated: live access through an integration device.",
        )
    if "owner_types" in show:
        box.pills(
            "Camera owners", OWNER_TYPES, selection_mode="multi", key="owner_types"
        )
    if "range_scale" in show:
        box.slider(
            "Camera range assumption",
            min_value=RANGE_SCALE_MIN,
            max_value=RANGE_SCALE_MAX,
            step=RANGE_SCALE_STEP,
            key="range_scale",
            format="%.1f×",
            help="Multiplies the city's default useful range of every camera.",
        )
        box.caption(_range_caption(ds.city, float(st.session_state["range_scale"])))
    if "verified_only" in show:
        box.toggle(
            "Verified cameras only",
            key="verified_only",
            help="Measure coverage with the cameras verified in the last "
            f"{ds.city.stale_months} months only (registration, a visit, an "
            "owner's answer or provided footage). Goal tiles still count every "
            "camera.",
        )


def _date_filters(ds: Dataset, earliest: date | None, latest: date) -> None:
    """The period: shortcuts, and the two date pickers for a custom one only.

    The pickers are the heaviest widgets a new visitor's browser loads (about
    0.3 s on a 2-core machine, and every figure waits for them: the browser
    shows what arrives together at once), so they are drawn only when the
    window is not a shortcut's or the visitor picks ``CUSTOM``.
    """
    sb = st.sidebar
    # shortcuts end where the default window ends: the newest incident
    presets = date_presets(latest, earliest)
    state = st.session_state
    state[PRESET_KEY] = preset_for(
        (state.get("since"), state.get("until")),
        presets,
        custom=bool(state.get(_CUSTOM_KEY)),
    )
    sb.pills(
        "Period",
        [*presets, CUSTOM],
        key=PRESET_KEY,
        on_change=_apply_preset,
        args=(presets,),
        help=f"Shortcuts ending on the newest incident's day ({latest:%d %b %Y}); "
        f"{CUSTOM.lower()} to choose the first and last day.",
    )
    if state[PRESET_KEY] != CUSTOM:
        return
    sb.date_input(
        "From",
        key="since",
        min_value=earliest,
        max_value=ds.as_of,
        format="YYYY-MM-DD",
        help="Incidents on or after this day. Default: the 12 months ending on "
        "the newest incident. Coverage is always measured with today's active "
        "registry; the window chooses the crime that is measured.",
    )
    sb.date_input(
        "Until",
        key="until",
        min_value=earliest,
        max_value=ds.as_of,
        format="YYYY-MM-DD",
        help=f"Incidents up to and including this day (data as of {ds.as_of}).",
    )


def preset_for(
    window: tuple, presets: Mapping[str, tuple], *, custom: bool = False
) -> str:
    """The period pill lit for ``window`` (since, until): the shortcut it is,
    else (or when the visitor chose it, ``custom``) ``CUSTOM``.

    >>> spans = {"30 days": (date(2026, 10, 3), date(2026, 11, 1))}
    >>> preset_for((date(2026, 10, 3), date(2026, 11, 1)), spans)
    '30 days'
    >>> preset_for((date(2026, 10, 2), date(2026, 11, 1)), spans)
    'Custom dates'
    >>> preset_for((date(2026, 10, 3), date(2026, 11, 1)), spans, custom=True)
    'Custom dates'
    """
    if custom:
        return CUSTOM
    return next((name for name, span in presets.items() if span == window), CUSTOM)


def _apply_preset(presets: dict[str, tuple]) -> None:
    state = st.session_state
    chosen = state.get(PRESET_KEY)
    if chosen in presets:
        state["since"], state["until"] = presets[chosen]
        state[_CUSTOM_KEY] = False
    elif chosen == CUSTOM:  # the pickers, starting from the window shown
        state[_CUSTOM_KEY] = True
    # None: the lit pill clicked again; the next run lights it again


def earliest_incident(ds: Dataset) -> date | None:
    """The day of the oldest incident (the date pickers' lower bound), or None."""
    if len(ds.incidents) == 0:
        return None
    return per_dataset(
        ds,
        "earliest_incident",
        lambda: pd.Timestamp(ds.incidents["occurred_at"].min()).date(),
    )


def _initialise_state(
    defaults: Filters, earliest: date | None, latest: date | None = None
) -> None:
    state = st.session_state
    start = asdict(defaults)
    if not state.get(_URL_READ):
        state[_URL_READ] = True
        from_url = filters_from_params(
            dict(st.query_params), defaults, earliest=earliest, latest=latest
        )
        start = asdict(from_url)
        for key in FILTER_KEYS:
            state[_KEEP + key] = _widget_value(start[key])
    for key in FILTER_KEYS:
        if key in state:
            # re-assigning promotes widget state to session state so it survives
            # a switch to another page, where the widget is drawn anew
            state[key] = state[key]
        else:
            state[key] = state.get(_KEEP + key, _widget_value(start[key]))


def _widget_value(value):
    return list(value) if isinstance(value, tuple) else value


def _collect(defaults: Filters) -> Filters:
    state = st.session_state
    values = {}
    for key in FILTER_KEYS:
        value = state[key]
        if key in CHOICES:
            picked = tuple(v for v in CHOICES[key] if v in (value or []))
            if not picked:
                st.sidebar.caption(f"No {key.replace('_', ' ')} selected: using all.")
                picked = CHOICES[key]
            value = picked
        elif key in ("since", "until"):
            value = value if isinstance(value, date) else getattr(defaults, key)
        elif key == "verified_only":
            value = bool(value)
        else:
            value = round(float(value), 1)
        values[key] = value
    if values["since"] > values["until"]:
        st.sidebar.warning("'From' was after 'Until': the two dates were swapped.")
        values["since"], values["until"] = values["until"], values["since"]
    return Filters(**values)


def _persist_and_share(filters: Filters, defaults: Filters) -> None:
    state = st.session_state
    for key in FILTER_KEYS:
        state[_KEEP + key] = state[key]
    wanted = filters_to_params(filters, defaults)
    current = {k: st.query_params.get(k) for k in URL_PARAMS.values()}
    if {k: v for k, v in current.items() if v is not None} != wanted:
        for param in URL_PARAMS.values():
            if param in wanted:
                st.query_params[param] = wanted[param]
            elif param in st.query_params:
                del st.query_params[param]


def _data_source(ds: Dataset) -> None:
    sb = st.sidebar
    # the label is made of the data's file names, the city's name is
    # configuration: both stay text
    sb.markdown(f"**{escape_markdown(ds.label)}**")
    if ds.synthetic:
        sb.caption(
            "A made-up city. The data steward connects the real registry on the "
            "Registry page."
        )
    sb.caption(f"{escape_markdown(ds.city.name)} · data as of {ds.as_of:%d %b %Y}")


def _range_caption(city: CityConfig, scale: float) -> str:
    ranges = ", ".join(
        f"{owner} {value * scale:.0f} m"
        for owner, value in city.range_m_by_owner.items()
    )
    return f"Useful range by owner: {ranges}."
