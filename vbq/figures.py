"""Plotly figures of the study (Fig. 4 scatter panels, Fig. 5 ROC curves, the reclassification
matrix), shared by the app's pages and the report. Plotly only: no Streamlit here.

Every number drawn comes from the statistics of `vbq`; this module only draws. Each builder returns
a `plotly.graph_objects.Figure`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .present import format_ci, format_cutoff, format_number, marker_label, strategy_label
from .score import classify_dxa
from .settings import Settings

__all__ = ["correlation_panels", "scatter_with_band", "status_for", "roc_curves",
           "roc_curves_by_field_strength", "reclassification_heatmap", "bland_altman_figure",
           "decision_curves", "net_benefit_difference", "calibration_plot", "export_config",
           "STATUS_COLORS",
           "MARKER_COLORS", "FONT", "TICK_SIZE", "TITLE_SIZE", "EXPORT_WIDTH_INCHES",
           "EXPORT_DPI"]

# ---------------------------------------------------------------------------------------------
# The look of every figure, set on the figure itself
#
# Nothing here may depend on plotly's default template: importing Streamlit sets
# ``plotly.io.templates.default = "streamlit"`` for the whole process (its template has no
# ``automargin`` and no font), so a figure that left its margins to the template had tick labels
# cut ("1.4" drawn as ".4") and axis titles on the ticks in the report built inside the app,
# while the command line's report (plotly's own template) was fine. Every figure therefore names
# its template, font sizes and automatic margins itself.

FONT = {"family": "-apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, "
                  "\"DejaVu Sans\", \"Liberation Sans\", sans-serif",
        "size": 16, "color": "#1d2433"}
"""Font of every figure: the report's own system-font stack (no font server), 16 px."""
TICK_SIZE = 14
"""Tick labels and legend entries, px: read from the back of a meeting room, and the smallest
text of a figure."""
TITLE_SIZE = 18
"""Figure titles, px; axis titles take `FONT`'s 16 px."""
# The trace types and subplot kinds these figures draw; the template keeps plotly_white's
# defaults for these only (see `TEMPLATE`).
_TRACE_TYPES = ("scatter", "scattergl", "heatmap")
_UNUSED_SUBPLOTS = ("geo", "polar", "scene", "ternary")


def _template() -> go.layout.Template:
    """plotly's "plotly_white", cut to what these figures use (its page layout, axes and
    colours, and the defaults of scatter, scattergl and heatmap traces). plotly validates a
    copy of a figure's template every time a figure is made: the whole of plotly_white, with the
    defaults of some forty trace types and of maps, polar and 3-D plots, cost 10-18 ms a
    figure, this cut 2.5 ms (measured on this machine), and a page draws several figures per
    rerun. What is drawn is the same: nothing left out applies to these figures."""
    white = pio.templates["plotly_white"]
    layout = {k: v for k, v in white.layout.to_plotly_json().items()
              if k not in _UNUSED_SUBPLOTS}
    return go.layout.Template(layout=layout,
                              data={t: getattr(white.data, t) for t in _TRACE_TYPES})


TEMPLATE = _template()
"""The template given to every figure (plotly_white's look, see `_template`), so a figure looks
the same whatever template the process made default (importing Streamlit makes its own the
default)."""

EXPORT_WIDTH_INCHES = 7.0
"""Width of a downloaded PNG: a journal's double column (about 180 mm)."""
EXPORT_DPI = 300
"""Resolution of a downloaded PNG, dots per inch: what journals ask of line art with halftones."""
_EXPORT_CSS_WIDTH = 900
"""CSS px across the exported figure: 16 px text is then about 9 pt at 7 inches."""


def export_config(filename: str, *, height: int = 600, image_format: str = "png") -> dict:
    """The plotly.js config of a figure: its camera button saves it in the browser, with no
    network and no server-side renderer (plotly's own client-side export, not kaleido).

    The PNG is `EXPORT_WIDTH_INCHES` wide at `EXPORT_DPI` (2100 px for 7 inches at 300 dpi),
    laid out at `_EXPORT_CSS_WIDTH` CSS px by `height` and scaled, so its text keeps the sizes
    of the screen relative to the figure. ``image_format="svg"`` gives a vector file instead (any
    resolution; editable in Illustrator or Inkscape).

    Parameters
    ----------
    filename : str
        File name without extension.
    height : int, keyword-only
        Height of the exported figure in CSS px (at `_EXPORT_CSS_WIDTH` wide).
    image_format : {"png", "svg"}, keyword-only

    Returns
    -------
    dict
        For ``st.plotly_chart(config=...)`` or ``Figure.to_html(config=...)``.
    """
    if image_format not in ("png", "svg"):
        raise ValueError(f"image_format: expected 'png' or 'svg', got {image_format!r}")
    scale = EXPORT_WIDTH_INCHES * EXPORT_DPI / _EXPORT_CSS_WIDTH
    return {"displaylogo": False, "responsive": True,
            "toImageButtonOptions": {"format": image_format, "filename": filename,
                                     "width": _EXPORT_CSS_WIDTH, "height": height,
                                     "scale": scale if image_format == "png" else 1}}


def _axis(title: str, **more) -> dict:
    """An axis with its title (16 px), tick labels (`TICK_SIZE`) and margins that grow to hold
    them (``automargin``)."""
    return {"title": {"text": title, "font": {"size": FONT["size"]}, "standoff": 10},
            "tickfont": {"size": TICK_SIZE}, "automargin": True, "zeroline": False,
            "showline": True, "linecolor": "#5b6475", "ticks": "outside", "ticklen": 5,
            "tickcolor": "#5b6475"} | more


def _layout(*, height: int, top: int = 20, **more) -> dict:
    """The layout every figure starts from: template, font, small fixed margins that automargin
    grows as the text needs."""
    return {"template": TEMPLATE, "font": FONT, "height": height,
            "margin": {"l": 10, "r": 20, "t": top, "b": 10},
            "hoverlabel": {"font": {"size": TICK_SIZE}},
            "legend": {"font": {"size": TICK_SIZE}}} | more

STATUS_COLORS = {"normal": "#2a9d8f", "osteopenia": "#e9c46a", "osteoporosis": "#e76f51"}

_STATUS_OF = {  # measure on a Fig. 4 y-axis -> the T-score whose WHO class colours its points
    "t_l1_l4": ("t_l1_l4", "L1-4 T-score"),
    "bmd_l1_l4": ("t_l1_l4", "L1-4 T-score"),
    "t_lowest": ("t_lowest", "lowest T-score"),
    "t_femoral_neck": ("t_femoral_neck", "femoral neck T-score"),
    "bmd_femoral_neck": ("t_femoral_neck", "femoral neck T-score"),
    "t_total_hip": ("t_total_hip", "total hip T-score"),
    "bmd_total_hip": ("t_total_hip", "total hip T-score"),
}
_SITE_T = {"lowest": "lowest T-score", "l1_l4": "L1-4 T-score",
           "femoral_neck": "femoral neck T-score", "total_hip": "total hip T-score"}


def status_for(measure: str, settings: Settings) -> tuple[str, str]:
    """The T-score column whose DXA status colours a Fig. 4 panel of `measure`, and its label.

    A T-score is coloured by its own WHO class, a BMD by the T-score of the same site; a measure
    of no DXA site (L1 HU) by the reference standard in force (`settings.dxa_site`).

    Returns
    -------
    column : str
        The T-score column, e.g. ``"t_l1_l4"`` for ``"bmd_l1_l4"``.
    label : str
        Its label, e.g. ``"L1-4 T-score"``.
    """
    if measure in _STATUS_OF:
        return _STATUS_OF[measure]
    return settings.t_column, f"{_SITE_T[settings.dxa_site]}, the reference in force"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _correlation_text(row: pd.Series) -> str:
    symbol = "r" if str(row.get("method", "Pearson")).lower().startswith("pearson") else "rho"
    # numbers as Table 3 prints them beside the figure (vbq.present: a true minus sign)
    return (f"{symbol} = {format_number(row['estimate'], 3)} "
            f"(95% CI {format_ci(row['ci_low'], row['ci_high'], 3)}), {_p_text(row['p_value'])}")


def _padded(lo: float, hi: float) -> list[float]:
    pad = 0.04 * (hi - lo) if hi > lo else 1.0
    return [lo - pad, hi + pad]


def correlation_panels(table: pd.DataFrame, y: str, *, bands: Mapping[str, pd.DataFrame],
                       correlations: pd.DataFrame, settings: Settings, y_label: str,
                       group_labels: Mapping[str, str] | None = None) -> dict[str, go.Figure]:
    """Fig. 4: one scatter panel per group of `y` against VBQ, as the paper draws it.

    Each panel carries the least-squares line with its 95% band, r (95% CI) and p of the
    group's row of Table 3 (`correlations`, so the figure and the table agree), and points
    coloured by the DXA status of the measure on the y-axis (`status_for`), named in the legend.
    All panels share the same x and y ranges so they can be compared.

    Parameters
    ----------
    table : DataFrame
        The prepared table (``group``, ``vbq``, `y`, ``patient_id`` and the T-score column).
    y : str
        The measure on the y-axis.
    bands : mapping of group -> DataFrame
        `vbq.study.fit_line(...).frame` of each group to draw (``x, fit, ci_low, ci_high``).
    correlations : DataFrame
        `vbq.study.table3` (rows with ``y`` and ``group``).
    settings : Settings
        For the WHO cut-offs and the reference site.
    y_label : str
        Axis title of `y`, with its unit.
    group_labels : mapping, optional
        Panel titles per group (default: the group name capitalised).

    Returns
    -------
    dict of group -> plotly Figure, in the order of `bands`.
    """
    t_col, status_label = status_for(y, settings)
    # only the columns drawn: filtering rows of the whole prepared table (over 100 columns)
    # was most of the time of building the panels
    columns = list(dict.fromkeys(c for c in ("patient_id", "vbq", y, t_col) if c in table))
    narrow = table[[*columns, "group"]]
    parts = {g: narrow[narrow["group"] == g] for g in bands}
    xs = pd.concat([parts[g]["vbq"] for g in bands] + [bands[g]["x"] for g in bands])
    ys = pd.concat([parts[g][y] for g in bands] + [bands[g]["ci_low"] for g in bands]
                   + [bands[g]["ci_high"] for g in bands])
    x_range = _padded(float(np.nanmin(xs)), float(np.nanmax(xs)))
    y_range = _padded(float(np.nanmin(ys)), float(np.nanmax(ys)))
    out = {}
    for g, band in bands.items():
        part = parts[g]
        status = pd.Series(classify_dxa(part[t_col].to_numpy(dtype=float),
                                        osteoporosis_t=settings.osteoporosis_t,
                                        osteopenia_t=settings.osteopenia_t), index=part.index)
        row = correlations[(correlations["y"] == y) & (correlations["group"] == g)]
        title = (group_labels or {}).get(g, g.capitalize())
        subtitle = (_correlation_text(row.iloc[0])  # under the title, as the paper
                    if len(row) and pd.notna(row["estimate"].iloc[0]) else "")
        fig = scatter_with_band(part.assign(_status=status), y, band, title=title,
                                y_label=y_label, status_column="_status",
                                status_label=status_label, subtitle=subtitle,
                                x_range=x_range, y_range=y_range)
        out[g] = fig
    return out


WEBGL_POINTS = 5_000
"""Above this many points a scatter is drawn with WebGL (`go.Scattergl`): a browser draws
100,000 SVG markers in seconds and WebGL ones at once; below it SVG, which looks the same and
prints sharper."""


def _escaped(values: np.ndarray) -> np.ndarray:
    """`values` as text for plotly's hover labels, which it renders as HTML (`html.escape`);
    IDs are rarely anything but letters and digits, so the escaping is skipped when no value
    has a character it would change (100,000 IDs: 0.25 s escaped one by one). Returns a numpy
    text array."""
    text = [str(v) for v in values]
    joined = "".join(text)
    if any(c in joined for c in "&<>\"'"):
        text = [html.escape(v) for v in text]
    # numpy text, not objects: plotly deep-copies an object array element by element (0.16 s
    # for 50,000 IDs against 0.02 s) and writes the same JSON
    return np.array(text, dtype=str)


def scatter_with_band(part: pd.DataFrame, y: str, band: pd.DataFrame, *, title: str,
                      y_label: str, status_column: str = "dxa_status",
                      status_label: str = "DXA status in force", subtitle: str = "",
                      x_range: Sequence[float] | None = None,
                      y_range: Sequence[float] | None = None) -> go.Figure:
    """One scatter of `y` against VBQ with its least-squares line and 95% band, points coloured
    by `status_column` (named `status_label` in the legend). Patient IDs show on hover, as
    text (escaped: plotly renders hover text as HTML). `subtitle` goes under the title.

    The figure is built in one construction (traces and layout validated once): adding traces
    and updating the layout one call at a time took three times as long, on every rerun of the
    Correlations page. Above `WEBGL_POINTS` points the markers are WebGL (`go.Scattergl`)."""
    traces = [
        go.Scatter(x=pd.concat([band["x"], band["x"][::-1]]),
                   y=pd.concat([band["ci_high"], band["ci_low"][::-1]]),
                   fill="toself", fillcolor="rgba(31,111,139,0.15)", line={"width": 0},
                   hoverinfo="skip", name="95% CI of the mean"),
        go.Scatter(x=band["x"], y=band["fit"], mode="lines", name="Least squares",
                   line={"color": "#1f6f8b"}),
    ]
    status = part[status_column].to_numpy(dtype=object)
    ids = (part["patient_id"].to_numpy(dtype=object) if "patient_id" in part
           else np.full(len(part), "", dtype=object))
    points = go.Scattergl if len(part) > WEBGL_POINTS else go.Scatter
    for name, color in STATUS_COLORS.items():
        keep = status == name
        shown_ids = _escaped(ids[keep])
        traces.append(points(
            x=part["vbq"].to_numpy()[keep], y=part[y].to_numpy()[keep], mode="markers",
            name=name, marker={"color": color, "size": 7, "line": {"width": 0.5, "color": "#333"}},
            customdata=shown_ids[:, None] if len(shown_ids) else None,
            hovertemplate="%{customdata[0]}<br>VBQ %{x:.2f}<br>" + html.escape(y_label)
                          + " %{y}<extra></extra>",
        ))
    # the title and its subtitle in a top margin of their own (fixed: plotly's title automargin
    # does not count a subtitle)
    head = {"text": html.escape(title), "font": {"size": TITLE_SIZE}, "x": 0, "xanchor": "left",
            "xref": "paper", "y": 1, "yanchor": "top", "yref": "container",
            "pad": {"t": 8}}
    if subtitle:  # under the title, as the paper
        head["subtitle"] = {"text": subtitle, "font": {"size": TICK_SIZE}}  # numbers of ours
    layout = _layout(
        height=560, title=head, top=76 if subtitle else 48,
        xaxis=_axis("VBQ"), yaxis=_axis(y_label),
        # below the plot, its title above the entries so they wrap within the width given
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.17, "yanchor": "top",
                "font": {"size": TICK_SIZE},
                "title": {"text": f"DXA status ({status_label}):", "side": "top",
                          "font": {"size": TICK_SIZE}}})
    if x_range is not None:
        layout["xaxis"]["range"] = list(x_range)
    if y_range is not None:
        layout["yaxis"]["range"] = list(y_range)
    return go.Figure(data=traces, layout=layout)


MARKER_COLORS = ["#1f6f8b", "#e76f51", "#2a9d8f", "#8e44ad"]


def roc_curves(results: dict, markers: dict, *, points: dict | None = None) -> go.Figure:
    """ROC curves with AUC (95% CI) in the legend and each Youden point marked; `points`
    ({label: (fpr, tpr)}) adds further marked points (e.g. a chosen threshold)."""
    traces = [go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Chance",
                         line={"dash": "dot", "color": "#999"}, hoverinfo="skip")]
    for color, (m, res) in zip(MARKER_COLORS, results.items(), strict=False):
        label = markers[m][0]
        lo, hi = res.auc_ci
        traces.append(go.Scatter(
            x=res.fpr, y=res.tpr, mode="lines", line={"color": color, "shape": "hv"},
            # as Table 4 shows them (vbq.present): a reader compares the legend with the table
            name=f"{label}: AUC {format_number(res.auc, 3)} ({format_ci(lo, hi, 3)})",
            customdata=res.thresholds,
            hovertemplate="cutoff %{customdata:.4g}<br>1-spec %{x:.3f}<br>sens %{y:.3f}"
                          "<extra></extra>"))
        traces.append(go.Scatter(
            x=[1 - res.specificity], y=[res.sensitivity], mode="markers",
            marker={"color": color, "size": 11, "symbol": "circle-open", "line": {"width": 3}},
            name=f"{label} Youden cutoff {format_cutoff(res.cutoff, m)}",
            hovertemplate=f"Youden cutoff {format_cutoff(res.cutoff, m)}<br>sens {res.sensitivity:.3f}<br>"
                          f"spec {res.specificity:.3f}<extra></extra>"))
    for label, (x, y) in (points or {}).items():
        traces.append(go.Scatter(x=[x], y=[y], mode="markers", name=label,
                                 marker={"color": "#111", "size": 12, "symbol": "x"}))
    # one construction, as `scatter_with_band`
    # no fixed 1:1 aspect: a square plot is as wide as the figure is high (430 px of a 1200 px
    # column); the diagonal is drawn, so the eye needs no equal scales to judge a curve
    return go.Figure(data=traces, layout=_layout(
        height=600,
        xaxis=_axis("1 − specificity", range=[-0.01, 1.01], dtick=0.2),
        yaxis=_axis("Sensitivity", range=[-0.01, 1.02], dtick=0.2),
        legend={"x": 0.98, "xanchor": "right", "y": 0.02, "yanchor": "bottom",
                "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#d7dbe3", "borderwidth": 1,
                "font": {"size": TICK_SIZE}}))


def roc_curves_by_field_strength(strat) -> go.Figure:
    """One ROC curve per MRI field strength (`vbq.scanners.StratifiedROC`), each with its AUC
    (95% CI) in the legend and its Youden point marked, as `roc_curves` draws markers."""
    label = marker_label(strat.marker)
    keys = {f"{t:g} T": res for t, res in strat.results.items()}
    # roc_curves reads a marker's label only; each result carries its own direction
    return roc_curves(keys, {k: (f"{label} at {k}", res.higher_is_positive)
                             for k, res in keys.items()})


def reclassification_heatmap(crosstab: pd.DataFrame) -> go.Figure:
    """Heatmap of patients by DXA status (rows) and VBQ status (columns), each cell its count.

    Parameters
    ----------
    crosstab : DataFrame
        Counts with the DXA status as index and the VBQ status as columns, as
        `vbq.stats.Reclassification.crosstab` returns them.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return go.Figure(go.Heatmap(
        z=crosstab.to_numpy(), x=[f"VBQ {c}" for c in crosstab.columns],
        y=[f"DXA {r}" for r in crosstab.index], colorscale="Blues", showscale=False,
        text=crosstab.to_numpy(), texttemplate="%{text}", textfont={"size": FONT["size"]},
        hovertemplate="%{y}, %{x}: %{z} patients<extra></extra>"),
        layout=_layout(
            height=380, xaxis=_axis("VBQ status"),
            yaxis=_axis("DXA status", autorange="reversed")))


def bland_altman_figure(result, *, first: str, second: str, quantity: str = "VBQ") -> go.Figure:
    """Bland-Altman plot of a `vbq.stats.BlandAltmanResult`: each patient's difference
    (`first` - `second`) against the mean of the two readings, the bias and the limits of
    agreement as lines, and the confidence interval of each line as a shaded band (Bland &
    Altman 1986, 1999)."""
    traces = []
    x = np.asarray(result.means, dtype=float)
    lo_x, hi_x = (float(np.nanmin(x)), float(np.nanmax(x))) if x.size else (0.0, 1.0)
    pad = 0.05 * (hi_x - lo_x or 1.0)
    xs = [lo_x - pad, hi_x + pad]
    pct = f"{100 * result.confidence:g}%"
    lines = (
        ("Bias", result.bias, result.bias_ci, "#1f6f8b", "solid"),
        ("Lower limit of agreement", result.loa_low, result.loa_low_ci, "#e76f51", "dash"),
        ("Upper limit of agreement", result.loa_high, result.loa_high_ci, "#e76f51", "dash"),
    )
    for name, value, (ci_lo, ci_hi), colour, dash in lines:
        traces.append(go.Scatter(
            x=[xs[0], xs[1], xs[1], xs[0]], y=[ci_lo, ci_lo, ci_hi, ci_hi], fill="toself",
            mode="lines",
            fillcolor="rgba(120,120,120,0.15)", line={"width": 0}, hoverinfo="skip",
            showlegend=False, name=f"{name} {pct} CI"))
        traces.append(go.Scatter(
            x=xs, y=[value, value], mode="lines", line={"color": colour, "dash": dash},
            name=f"{name} {format_number(value, 3)} ({pct} CI {format_ci(ci_lo, ci_hi, 3)})",
            hovertemplate=f"{name} {value:.4g}<extra></extra>"))
    traces.append(go.Scatter(
        x=x, y=np.asarray(result.differences, dtype=float), mode="markers", name="Patients",
        marker={"color": "#333", "size": 7, "opacity": 0.75},
        hovertemplate="mean %{x:.3f}<br>difference %{y:.3f}<extra></extra>"))
    return go.Figure(data=traces, layout=_layout(
        height=560,
        xaxis=_axis(f"Mean of the two readings ({quantity})"),
        yaxis=_axis(f"Difference, {first} minus {second} ({quantity})"),
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top",
                "font": {"size": TICK_SIZE}}))


_STRATEGY_STYLE = {"vbq": ("#1f6f8b", "solid"), "model": ("#e76f51", "solid"),
                   "all": ("#5b6475", "dash"), "none": ("#111111", "dot")}


def _nb_range(values: np.ndarray) -> list[float]:
    """The y-axis of a decision curve: from a little below 0 to a little above the highest net
    benefit ("treat all" falls far below 0 at high thresholds and would squash the rest)."""
    top = float(np.nanmax(values)) if values.size else 0.1
    top = max(top, 0.01)
    return [-0.25 * top, 1.1 * top]


def decision_curves(study, *, x_range: tuple[float, float] | None = None) -> go.Figure:
    """Net benefit against threshold probability for each strategy of a
    `vbq.decide.DecisionStudy` (Vickers & Elkin 2006): DXA if VBQ >= the cut-off, by the
    model's risk, for all and for none.

    Parameters
    ----------
    study : vbq.decide.DecisionStudy
    x_range : tuple of float, optional
        Threshold probabilities shown (fractions); default all computed.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    res = study.result
    t = res.thresholds
    lo, hi = x_range if x_range is not None else (float(t.min()), float(t.max()))
    shown = (t >= lo - 1e-9) & (t <= hi + 1e-9)
    traces, values = [], []
    for s in res.strategies:
        curve = res.curve(s)
        colour, dash = _STRATEGY_STYLE.get(s, ("#8e44ad", "solid"))
        nb = curve["net_benefit"].to_numpy()
        values.append(nb[shown])
        traces.append(go.Scatter(
            x=100 * curve["threshold"], y=nb, mode="lines", name=strategy_label(s, study.vbq_cutoff),
            line={"color": colour, "dash": dash, "width": 3 if s in ("vbq", "model") else 2},
            hovertemplate="threshold %{x:.0f}%<br>net benefit %{y:.3f}<extra></extra>"))
    return go.Figure(data=traces, layout=_layout(
        height=520,
        xaxis=_axis("Threshold probability for DXA (%)", range=[100 * lo, 100 * hi]),
        yaxis=_axis("Net benefit", range=_nb_range(np.concatenate(values))),
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top",
                "font": {"size": TICK_SIZE}}))


def net_benefit_difference(study, *, x_range: tuple[float, float] | None = None) -> go.Figure:
    """The net benefit of the compared pair's first strategy minus the second's against the
    threshold probability, with its pointwise bootstrap band (`vbq.stats.decision_curve`);
    only the thresholds within `x_range` (fractions) are drawn."""
    res = study.result
    d = res.difference
    if d is None:
        raise ValueError("study: no pair of strategies was compared")
    if x_range is not None:
        d = d[(d["threshold"] >= x_range[0] - 1e-9) & (d["threshold"] <= x_range[1] + 1e-9)]
    a, b = (strategy_label(s, study.vbq_cutoff) for s in res.compare)
    x = 100 * d["threshold"].to_numpy()
    pct = f"{100 * res.confidence:g}%"
    band = go.Scatter(
        x=np.concatenate([x, x[::-1]]),
        y=np.concatenate([d["ci_high"].to_numpy(), d["ci_low"].to_numpy()[::-1]]),
        fill="toself", mode="lines", line={"width": 0}, fillcolor="rgba(31,111,139,0.18)",
        hoverinfo="skip", name=f"{pct} bootstrap interval")
    line = go.Scatter(x=x, y=d["difference"], mode="lines", line={"color": "#1f6f8b", "width": 3},
                      name=f"{a} minus {b}",
                      hovertemplate="threshold %{x:.0f}%<br>difference %{y:.3f}<extra></extra>")
    zero = go.Scatter(x=[x.min(), x.max()] if x.size else [], y=[0, 0] if x.size else [],
                      mode="lines", hoverinfo="skip", line={"color": "#5b6475", "dash": "dot"},
                      name="No difference")
    return go.Figure(data=[band, line, zero], layout=_layout(
        height=440,
        xaxis=_axis("Threshold probability for DXA (%)"),
        yaxis=_axis("Difference in net benefit"),
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top",
                "font": {"size": TICK_SIZE}}))


def calibration_plot(model, *, outcome: str = "osteoporosis") -> go.Figure:
    """Smoothed calibration curve of a risk model (`vbq.stats.RiskModelResult`): observed
    proportion against predicted probability, apparent and corrected for optimism (lowess, as
    ``rms::calibrate``), the ideal diagonal, and each patient's predicted probability as a tick
    along the bottom (above the axis for patients with the outcome, below for those without)."""
    curve = model.calibration_curve
    kept = ~np.isnan(model.linear_predictor)
    prob = 1.0 / (1.0 + np.exp(-model.linear_predictor[kept]))
    y = model.outcome[kept] == 1
    traces = [
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Ideal",
                   line={"dash": "dot", "color": "#999"}, hoverinfo="skip"),
        go.Scatter(x=curve["predicted"], y=curve["observed"], mode="lines",
                   name="Apparent", line={"color": MARKER_COLORS[1], "dash": "dash"},
                   hovertemplate="predicted %{x:.2f}<br>observed %{y:.2f}<extra>apparent</extra>"),
        go.Scatter(x=curve["predicted"], y=curve["observed_corrected"], mode="lines",
                   name=f"Corrected for optimism ({model.n_boot - model.n_boot_failed} "
                        "bootstrap resamples)",
                   line={"color": MARKER_COLORS[0], "width": 3},
                   hovertemplate="predicted %{x:.2f}<br>observed %{y:.2f}"
                                 "<extra>corrected</extra>"),
        go.Scatter(x=prob[y], y=np.full(int(y.sum()), -0.015), mode="markers",
                   name=f"Patients with {outcome}", hoverinfo="skip",
                   marker={"symbol": "line-ns-open", "size": 9, "color": STATUS_COLORS[
                       "osteoporosis"]}),
        go.Scatter(x=prob[~y], y=np.full(int((~y).sum()), -0.045), mode="markers",
                   name=f"Patients without {outcome}", hoverinfo="skip",
                   marker={"symbol": "line-ns-open", "size": 9, "color": "#5b6475"}),
    ]
    return go.Figure(data=traces, layout=_layout(
        height=600,
        xaxis=_axis("Predicted probability", range=[-0.01, 1.01], dtick=0.2),
        yaxis=_axis("Observed proportion", range=[-0.07, 1.02], dtick=0.2),
        # below the plot: inside it, the legend covered the curves' upper end
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.18, "yanchor": "top",
                "font": {"size": TICK_SIZE}}))
