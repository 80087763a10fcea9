"""Statistics of the study: one module per area, re-exported here for notebook use.

``vbq.stats.roc_analysis``, ``vbq.stats.icc``, ``vbq.stats.ancova`` ... are the public names; the
modules (`roc`, `agreement`, `groups`, `correlation`, `prevalence`) hold the implementations.
"""
