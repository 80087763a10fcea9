"""vbq.figures: Fig. 4 panels as the paper draws them (r with CI and p, shared axes, points
coloured by the status of the plotted measure) and hover text that shows IDs as text."""

from __future__ import annotations

import numpy as np
import pytest

import vbq
import vbq.decide
import vbq.figures as vbq_figures
import vbq.stats as vbq_stats
from vbq import figures


@pytest.fixture(scope="module")
def prepared():
    return vbq.prepare_cohort(*vbq.demo.load())


def _panels(prepared, y, table=None):
    table = prepared.table if table is None else table
    t3 = vbq.study.table3(table)
    bands = {g: vbq.study.fit_line(table.loc[table["group"] == g, "vbq"],
                                   table.loc[table["group"] == g, y]).frame
             for g in vbq.study.GROUP_ORDER}
    return t3, figures.correlation_panels(table, y, bands=bands, correlations=t3,
                                          settings=prepared.settings, y_label=y)


def test_status_for_names_the_t_score_of_the_plotted_measure():
    s = vbq.Settings()
    assert figures.status_for("t_l1_l4", s) == ("t_l1_l4", "L1-4 T-score")
    assert figures.status_for("bmd_l1_l4", s) == ("t_l1_l4", "L1-4 T-score")
    assert figures.status_for("t_total_hip", s)[0] == "t_total_hip"
    col, label = figures.status_for("hu_l1", vbq.Settings(dxa_site="femoral_neck"))
    assert col == "t_femoral_neck" and "reference in force" in label


def test_points_are_coloured_by_the_status_of_the_measure_on_the_y_axis(prepared):
    _, panels = _panels(prepared, "t_l1_l4")
    for fig in panels.values():
        by_name = {t.name: t for t in fig.data if t.mode == "markers"}
        # WHO classes of the plotted L1-4 T-score itself (not of the lowest site)
        assert max(by_name["osteoporosis"].y) <= -2.5
        assert min(by_name["normal"].y) >= -1.0
        assert all(-2.5 < v < -1.0 for v in by_name["osteopenia"].y)
        assert "L1-4 T-score" in fig.layout.legend.title.text


def test_panels_share_axes_and_state_r_ci_and_p_of_table3(prepared):
    t3, panels = _panels(prepared, "bmd_l1_l4")
    ranges = {(tuple(f.layout.xaxis.range), tuple(f.layout.yaxis.range)) for f in panels.values()}
    assert len(ranges) == 1
    (x_lo, x_hi), (y_lo, y_hi) = ranges.pop()
    table = prepared.table
    assert x_lo < table["vbq"].min() and x_hi > table["vbq"].max()
    assert y_lo < table["bmd_l1_l4"].min() and y_hi > table["bmd_l1_l4"].max()
    for g, fig in panels.items():
        row = t3[(t3["y"] == "bmd_l1_l4") & (t3["group"] == g)].iloc[0]
        text = fig.layout.title.subtitle.text  # under the title, as the paper
        # negative r: written with a true minus sign (U+2212), as Table 3 prints it
        assert row["estimate"] < 0 and row["ci_high"] < 0
        expected = (f"r = {row['estimate']:.3f} (95% CI {row['ci_low']:.3f} to "
                    f"{row['ci_high']:.3f})").replace("-", "\u2212")
        assert expected in text, text
        p = row["p_value"]
        assert ("p < 0.001" if p < 0.001 else f"p = {p:.3f}") in text


def test_patient_ids_are_hover_data_escaped_never_html(prepared):
    table = prepared.table.copy()
    table.loc[table.index[0], "patient_id"] = "<img src=x onerror=alert(1)>"
    _, panels = _panels(prepared, "t_lowest", table)
    hover = [str(v) for f in panels.values() for t in f.data if t.customdata is not None
             for v in np.asarray(t.customdata).ravel()]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover
    assert not any("<img" in h for h in hover)
    for f in panels.values():
        for t in f.data:
            assert "<img" not in str(t.hovertemplate)


def _large(prepared, n):
    """The demo's prepared rows repeated to `n` rows under new IDs."""
    table = prepared.table
    big = table.iloc[np.arange(n) % len(table)].reset_index(drop=True)
    return big.assign(patient_id=[f"S{i:06d}" for i in range(n)])


def test_a_large_scatter_is_webgl_with_the_same_points(prepared):
    n = figures.WEBGL_POINTS * 4  # each group over the limit
    big = _large(prepared, n)
    big.loc[3, "patient_id"] = "<b>A&B</b>"
    _, panels = _panels(prepared, "t_l1_l4", big)
    _, small = _panels(prepared, "t_l1_l4")
    for g, fig in panels.items():
        points = [t for t in fig.data if t.mode == "markers"]
        assert {t.type for t in points} == {"scattergl"}
        assert sum(len(t.x) for t in points) == int((big["group"] == g).sum())
        assert {t.type for t in small[g].data if t.mode == "markers"} == {"scatter"}
    hover = [str(v) for f in panels.values() for t in f.data if t.customdata is not None
             for v in np.asarray(t.customdata).ravel()]
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in hover and "S000000" in hover
    assert not any("<b>" in h for h in hover)


def test_bland_altman_figure_draws_the_result():
    rng = np.random.default_rng(5)
    a = rng.normal(3.0, 0.5, 40)
    b = a + rng.normal(0.05, 0.1, 40)
    res = vbq_stats.bland_altman(a, b)
    fig = vbq_figures.bland_altman_figure(res, first="AB/1", second="AB/2")
    lines = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [t.name.split(" ")[0] for t in lines] == ["Bias", "Lower", "Upper"]
    by_value = sorted(float(t.y[0]) for t in lines)
    assert by_value == pytest.approx(sorted([res.loa_low, res.bias, res.loa_high]), rel=1e-12)
    bands = sorted((min(t.y), max(t.y)) for t in fig.data if t.fill == "toself")
    expected = sorted([res.loa_low_ci, res.bias_ci, res.loa_high_ci])
    assert [tuple(b) for b in bands] == [pytest.approx(e, rel=1e-12) for e in expected]
    points = next(t for t in fig.data if t.name == "Patients")
    assert np.allclose(points.x, (a + b) / 2) and np.allclose(points.y, a - b)
    assert "AB/1 minus AB/2" in fig.layout.yaxis.title.text
    # the legend writes a negative number as the table below the chart does (U+2212)
    lower = next(t.name for t in lines if t.name.startswith("Lower"))
    assert res.loa_low < 0
    assert f"\u2212{abs(res.loa_low):.3f}" in lower and "-" not in lower.replace("Lower", "")


# ---------------------------------------------------------------------------------------------
# readable from the back of a room, the same in every process, exported without a network


def _all_figures(prepared):
    table = prepared.table
    _, panels = _panels(prepared, "bmd_l1_l4")
    roc = vbq.study.roc_study(table, markers=("vbq", "hu_l1"))
    recl = vbq.study.reclassification(table)
    ba = vbq_stats.bland_altman([1.0, 2.0, 3.1, 4.2, 5.0], [1.1, 2.2, 2.9, 4.0, 5.3])
    decision = vbq.decide.decision_study(table, vbq_cutoff=2.9, n_boot=100)
    return [*panels.values(), figures.roc_curves(roc.results, vbq.study.MARKERS),
            figures.reclassification_heatmap(recl.crosstab()),
            figures.bland_altman_figure(ba, first="A", second="B"),
            figures.decision_curves(decision), figures.net_benefit_difference(decision)]


def _sizes(fig) -> dict[str, float]:
    """Every font size the figure's own layout sets for text a reader sees (plotly.js's
    defaults are 12 px, so an unset size would be too small: it counts as 12)."""
    lay = fig.layout
    out = {"font": lay.font.size or 12, "legend": lay.legend.font.size or lay.font.size or 12}
    if lay.legend.title.text:
        out["legend title"] = lay.legend.title.font.size or out["legend"]
    if lay.title.text:
        out["title"] = lay.title.font.size or 12
        if lay.title.subtitle.text:
            out["subtitle"] = lay.title.subtitle.font.size or 12
    for name in ("xaxis", "yaxis"):
        axis = lay[name]
        out[f"{name} ticks"] = axis.tickfont.size or 12
        if axis.title.text:
            out[f"{name} title"] = axis.title.font.size or 12
    return out


def test_every_text_of_every_figure_is_at_least_14_px(prepared):
    for fig in _all_figures(prepared):
        sizes = _sizes(fig)
        assert min(sizes.values()) >= 14, sizes
        assert fig.layout.xaxis.tickfont.size == figures.TICK_SIZE == 14


def test_figures_set_their_own_template_and_margins_whatever_the_default(prepared):
    # importing Streamlit makes its template (no automargin, no font) the process's default:
    # the report built inside the app had tick labels cut ("1.4" as ".4") until every figure
    # named its template and automatic margins itself
    import plotly.io as pio

    before = pio.templates.default
    pio.templates.default = "streamlit" if "streamlit" in pio.templates else "none"
    try:
        figs = _all_figures(prepared)
    finally:
        pio.templates.default = before
    plotly_white = pio.templates["plotly_white"].layout
    for fig in figs:
        assert fig.layout.template.layout.plot_bgcolor == plotly_white.plot_bgcolor
        assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin
        assert fig.layout.font.family == figures.FONT["family"]


def test_roc_uses_the_width_it_is_given(prepared):
    roc = vbq.study.roc_study(prepared.table, markers=("vbq",))
    fig = figures.roc_curves(roc.results, vbq.study.MARKERS)
    # a 1:1 aspect made the plot as wide as it is high (about 430 px of a 1200 px column)
    assert fig.layout.yaxis.scaleanchor is None and fig.layout.width is None


def test_export_config_saves_a_journal_resolution_png_or_an_svg_in_the_browser():
    png = figures.export_config("vbq_fig5", height=600)
    opts = png["toImageButtonOptions"]
    assert opts["format"] == "png" and opts["filename"] == "vbq_fig5"
    # 7 inches at 300 dpi: 2100 px across
    assert opts["width"] * opts["scale"] == pytest.approx(
        figures.EXPORT_WIDTH_INCHES * figures.EXPORT_DPI) == pytest.approx(2100)
    assert opts["height"] == 600 and png["displaylogo"] is False
    svg = figures.export_config("x", image_format="svg")["toImageButtonOptions"]
    assert svg["format"] == "svg" and svg["scale"] == 1
    with pytest.raises(ValueError, match="image_format"):
        figures.export_config("x", image_format="jpeg")


def test_the_template_is_plotly_white_for_every_trace_type_drawn(prepared):
    # the template is cut to what the figures use (for speed): every trace a figure draws must
    # be of a type whose plotly_white defaults it keeps, and its page layout is plotly_white's
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    kept = {t for t in figures._TRACE_TYPES}
    for fig in _all_figures(prepared):
        assert {trace.type for trace in fig.data} <= kept
        for t in kept:
            assert getattr(fig.layout.template.data, t) == getattr(white.data, t)
        for key in ("plot_bgcolor", "paper_bgcolor", "colorway", "hovermode"):
            assert fig.layout.template.layout[key] == white.layout[key]
        assert fig.layout.template.layout.xaxis == white.layout.xaxis


def test_roc_legend_states_the_auc_and_youden_cutoff_as_table4_does(prepared):
    # the legend said "L1 HU Youden cutoff 103.6" (4 significant digits) beside Table 4's
    # "≤ 103.55", and "AUC 0.880 (0.807-0.954)" beside the table's "0.880 (0.807 to 0.954)"
    roc = vbq.study.roc_study(prepared.table, group="control", markers=("vbq", "hu_l1"))
    names = {t.name for t in figures.roc_curves(roc.results, vbq.study.MARKERS).data}
    shown = vbq.present.table4(roc).display()
    labels = shown["Marker and cutoff"].str.strip()
    for label in ("VBQ", "L1 HU"):
        at = labels.tolist().index(label)
        auc = shown["AUC (95% CI)"].iloc[at]
        cutoff = shown["Cutoff"].iloc[at + 1].split("\u00a0")[-1]  # the Youden row below it
        assert labels.iloc[at + 1] == "Youden"
        assert f"{label}: AUC {auc}" in names
        assert f"{label} Youden cutoff {cutoff}" in names
    assert "L1 HU Youden cutoff 103.55" in names  # the demo's (Table 4 on the ROC page)


def test_decision_figures_draw_the_curves_and_the_band_of_the_result(prepared):
    study = vbq.decide.decision_study(prepared.table, vbq_cutoff=2.9, n_boot=100)
    fig = figures.decision_curves(study, x_range=(0.05, 0.5))
    names = [t.name for t in fig.data]
    assert names == ["DXA if VBQ ≥ 2.90", "DXA if the risk model (VBQ, age, sex) ≥ threshold",
                     "DXA for all", "DXA for none"]
    np.testing.assert_allclose(fig.data[0].y, study.result.curve("vbq")["net_benefit"])
    np.testing.assert_allclose(fig.data[0].x, 100 * study.result.thresholds)
    assert list(fig.layout.xaxis.range) == [5, 50]
    diff = figures.net_benefit_difference(study, x_range=(0.1, 0.3))
    band, line = diff.data[0], diff.data[1]
    d = study.result.difference
    d = d[(d["threshold"] >= 0.1 - 1e-9) & (d["threshold"] <= 0.3 + 1e-9)]
    np.testing.assert_allclose(line.y, d["difference"])
    np.testing.assert_allclose(band.y[: len(d)], d["ci_high"])
