"""Plotly figures of the study (Fig. 4 scatter panels, Fig. 5 ROC curves, the reclassification
matrix), shared by the app's pages and the report. Plotly only: no Streamlit here.

Every number drawn comes from the statistics of `vbq`; this module only draws. Each builder returns
a `plotly.graph_objects.Figure`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["scatter_with_band", "roc_curves", "reclassification_heatmap", "bland_altman_figure",
           "STATUS_COLORS", "MARKER_COLORS"]

STATUS_COLORS = {"normal": "#2a9d8f", "osteopenia": "#e9c46a", "osteoporosis": "#e76f51"}


def scatter_with_band(part: pd.DataFrame, y: str, band: pd.DataFrame, *, title: str,
                      y_label: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=pd.concat([band["x"], band["x"][::-1]]),
        y=pd.concat([band["ci_high"], band["ci_low"][::-1]]),
        fill="toself", fillcolor="rgba(31,111,139,0.15)", line={"width": 0},
        hoverinfo="skip", name="95% CI of the mean",
    ))
    fig.add_trace(go.Scatter(x=band["x"], y=band["fit"], mode="lines", name="Least squares",
                             line={"color": "#1f6f8b"}))
    for status, color in STATUS_COLORS.items():
        pts = part[part["dxa_status"] == status]
        fig.add_trace(go.Scatter(
            x=pts["vbq"], y=pts[y], mode="markers", name=f"DXA {status}",
            marker={"color": color, "size": 7, "line": {"width": 0.5, "color": "#333"}},
            customdata=pts[["patient_id"]].to_numpy(),
            hovertemplate="%{customdata[0]}<br>VBQ %{x:.2f}<br>" + y_label + " %{y}<extra></extra>",
        ))
    fig.update_layout(title=title, xaxis_title="VBQ", yaxis_title=y_label, height=420,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    return fig


MARKER_COLORS = ["#1f6f8b", "#e76f51", "#2a9d8f", "#8e44ad"]


def roc_curves(results: dict, markers: dict, *, points: dict | None = None) -> go.Figure:
    """ROC curves with AUC (95% CI) in the legend and each Youden point marked; `points`
    ({label: (fpr, tpr)}) adds further marked points (e.g. a chosen threshold)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Chance",
                             line={"dash": "dot", "color": "#999"}, hoverinfo="skip"))
    for color, (m, res) in zip(MARKER_COLORS, results.items(), strict=False):
        label = markers[m][0]
        lo, hi = res.auc_ci
        fig.add_trace(go.Scatter(
            x=res.fpr, y=res.tpr, mode="lines", line={"color": color, "shape": "hv"},
            name=f"{label}: AUC {res.auc:.3f} ({lo:.3f}-{hi:.3f})",
            customdata=res.thresholds,
            hovertemplate="cutoff %{customdata:.4g}<br>1-spec %{x:.3f}<br>sens %{y:.3f}"
                          "<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[1 - res.specificity], y=[res.sensitivity], mode="markers",
            marker={"color": color, "size": 11, "symbol": "circle-open", "line": {"width": 3}},
            name=f"{label} Youden cutoff {res.cutoff:.4g}",
            hovertemplate=f"Youden cutoff {res.cutoff:.4g}<br>sens {res.sensitivity:.3f}<br>"
                          f"spec {res.specificity:.3f}<extra></extra>"))
    for label, (x, y) in (points or {}).items():
        fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", name=label,
                                 marker={"color": "#111", "size": 12, "symbol": "x"}))
    fig.update_layout(xaxis_title="1 - specificity", yaxis_title="Sensitivity", height=520,
                      xaxis={"range": [0, 1], "constrain": "domain"},
                      yaxis={"range": [0, 1.02], "scaleanchor": "x", "scaleratio": 1},
                      legend={"x": 0.42, "y": 0.05, "bgcolor": "rgba(255,255,255,0.8)"},
                      margin={"l": 10, "r": 10, "t": 20, "b": 10})
    return fig


def reclassification_heatmap(crosstab: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Heatmap(
        z=crosstab.to_numpy(), x=[f"VBQ {c}" for c in crosstab.columns],
        y=[f"DXA {r}" for r in crosstab.index], colorscale="Blues", showscale=False,
        text=crosstab.to_numpy(), texttemplate="%{text}",
        hovertemplate="%{y}, %{x}: %{z} patients<extra></extra>"))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"autorange": "reversed"})
    return fig


def bland_altman_figure(result, *, first: str, second: str, quantity: str = "VBQ") -> go.Figure:
    """Bland-Altman plot of a `vbq.stats.BlandAltmanResult`: each patient's difference
    (`first` - `second`) against the mean of the two readings, the bias and the limits of
    agreement as lines, and the confidence interval of each line as a shaded band (Bland &
    Altman 1986, 1999)."""
    fig = go.Figure()
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
        fig.add_trace(go.Scatter(
            x=[xs[0], xs[1], xs[1], xs[0]], y=[ci_lo, ci_lo, ci_hi, ci_hi], fill="toself",
            mode="lines",
            fillcolor="rgba(120,120,120,0.15)", line={"width": 0}, hoverinfo="skip",
            showlegend=False, name=f"{name} {pct} CI"))
        fig.add_trace(go.Scatter(
            x=xs, y=[value, value], mode="lines", line={"color": colour, "dash": dash},
            name=f"{name} {value:.3f} ({pct} CI {ci_lo:.3f} to {ci_hi:.3f})",
            hovertemplate=f"{name} {value:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=x, y=np.asarray(result.differences, dtype=float), mode="markers", name="Patients",
        marker={"color": "#333", "size": 7, "opacity": 0.75},
        hovertemplate="mean %{x:.3f}<br>difference %{y:.3f}<extra></extra>"))
    fig.update_layout(
        xaxis_title=f"Mean of the two readings ({quantity})",
        yaxis_title=f"Difference, {first} minus {second} ({quantity})", height=460,
        margin={"l": 10, "r": 10, "t": 20, "b": 10}, legend={"orientation": "h", "y": -0.22})
    return fig
