# SYNTHETIC DATA: this package invents patients; nothing here comes from a real person.
"""SYNTHETIC demo cohort calibrated to the published numbers of Chen et al. 2023.

Every patient in this module's output is SYNTHETIC: made by a seeded random generator from a
small causal model, never taken from a real person. The cohort reproduces the summary statistics
of the study (235 patients, 101 degenerative / 134 control; Table 2 means, SDs and proportions,
Table 3 correlations, the control group's ROC of Table 4, the prevalence shift, the primary
diagnoses, Table 5's Modic changes and the reliability study) so that the app and the examples
show the paper's findings on data anyone may share.

The model, in the order the generator runs
------------------------------------------
1. Demographics: 89 men and 146 women (the paper's totals); ages 50 + a gamma draw (the study's
   inclusion age is >= 50), integer years.
2. A latent degeneration severity rises with age and male sex. The age effect is picked from a
   grid so that the degenerative group is about as much older as in Table 2; the male effect is
   the offset that puts 52 of the 89 men among the 101 most severe patients (Table 2: 48.5 %
   women). Per-level grades are generated from it: the 101 most severe patients get three or four
   degenerative vertebrae among L1-L4, the other 134 at most two, so the group follows from the
   grades by the paper's criteria (`vbq.assign_groups`) and no group label is stored.
3. A latent trabecular bone quality falls with age and with degeneration severity (shared risk
   factors); it drives, each with its own noise, the L1 HU value, the marrow fat signal (hence
   the VBQ score, inversely), the hip BMD and the *true* (artefact-free) L1-4 BMD. The marrow fat
   signal saturates at poor bone quality (marrow already mostly fat), so VBQ spreads the patients
   with good bone more than those with poor bone, the direction of Table 4's high sensitivity
   and low specificity; where the Youden cutoff falls in 134 patients is left to the draw (see
   "Two random streams" below). Women have a higher marrow fat signal
   at equal bone quality. Marrow next to degenerated discs converts to fat (Modic type 2-like),
   raising the T1 signal of a degenerative level a little.
4. The DXA L1-4 BMD is the true BMD plus a projection artefact computed from the per-level grades
   (facet hypertrophy, endplate sclerosis with disc-space narrowing, osteophyte length, vertebral
   collapse add mineral to the AP scan), so a control patient with one or two degenerative levels
   gets a small artefact too. This, not the group label, is why the degenerative group's L1-4 BMD
   and T-score are higher (``generate(return_latent=True)`` exposes ``bmd_l1_l4_true``). Severe
   spinal degeneration often comes with hip osteoarthritis (generalised OA), which adds a smaller,
   patchy artefact to the hip scans; it widens the degenerative group's hip BMD spread (Table 2)
   without a mean excess, because that group's bone quality is lower.
5. T-scores come from BMD with the sex-specific young-adult references in `DXA_REFERENCE`.
6. Signal intensities: a CSF SI near 150 a.u. scaled by a per-examination scanner gain; vertebral
   SIs = VBQ x CSF SI with level-to-level variation; every ROI read with observer noise and
   rounded to 0.1 like a PACS viewer. 100 random patients are read again by observer 1 and once
   by observer 2 (``vbq_repeat``, ``vbq_obs2`` and the ``*_repeat`` / ``*_obs2`` grades).
7. MRI field strength (``field_strength_t``): 1.5 T for about 40 % of the patients, 3.0 T for
   the others, drawn at random from a stream of its own after everything else and independent
   of every other value, so the analyses stratified by field strength have strata to show
   while nothing else in the cohort changes. The paper's patients were all scanned at 3.0 T;
   the split is invented, and the demo's VBQ does not depend on it (real VBQ does).

The independent noise terms of step 3 are drawn with exact sample moments within each group
(mean 0, SD 1, uncorrelated; variance reduction by centring and Gram-Schmidt), so the summary
statistics sit close to the model's expectations while the group differences still come only
from the structural terms. Counts the paper reports exactly (diagnoses, comorbidities, Table 5)
are drawn as random assignments of those counts, weighted by the latent variables where the
literature suggests a link. The DXA reference values and the model constants are parameters of
the simulation, not data of the study.

Two random streams: everything is drawn from ``default_rng(seed)`` except the L1 HU and VBQ noise
terms of step 3, which come from a second stream ``default_rng([seed, marrow_stream])``
(`_Model.marrow_stream`) and are made exactly orthogonal to the other terms. The DXA, grades and
demographics of a seed therefore do not depend on the second stream; Table 4's operating points,
which hang on the few control patients near the cutoffs, do. The shipped cohort is `DEFAULT_SEED`
(chosen for the targets that do not involve VBQ or HU) with the stream number chosen for those
that do (`_model.DEFAULT_SEED`'s docstring says how).

``python -m vbq.demo`` writes ``demo_cohort.csv`` and ``demo_dxa.csv`` into the package's data
folder (``vbq/demo/data/``, read back with `importlib.resources` by `load`) and prints the
calibration table (target vs achieved); ``data/README.md`` there describes the files.

Calibration
-----------
`CALIBRATION_TARGETS` holds every number of the paper the demo reproduces (`vbq.paper`, with the
table it is printed in) and a tolerance; `calibration_report` sets the demo's value beside each.
Beside Tables 2, 3 and 5, the reliability study and the prevalences, the targets include Table
4's operating points (the control group's Youden cutoffs, their rounding to the thresholds 2.6
and 2.9 that the default settings then derive, sensitivity and specificity; L1 HU's sensitivity
and specificity of Fig. 5) and the Abstract's shares (osteoporosis by T-score and by VBQ,
VBQ-positive among the T-score-negative). Where two published numbers cannot both hold, the
targets' docstring says which and why.

Package layout: ``_model`` (constants), ``_generate`` (the steps above), ``_files`` (the shipped
files, `load`, `write`), ``_targets`` and ``_calibrate`` (the calibration), ``_cli``
(``python -m vbq.demo``).

References
----------
Chen Z, Lei F, Ye F, Yuan H, Li S, Feng D. MRI-based vertebral bone quality score for the
assessment of osteoporosis in patients undergoing surgery for lumbar degenerative diseases.
J Orthop Surg Res 2023;18:257. doi:10.1186/s13018-023-03746-0.
Muraki S et al. Impact of degenerative spinal diseases on bone mineral density of the lumbar
spine in elderly women. Osteoporos Int 2004;15:724-728.
"""

from __future__ import annotations

from ._calibrate import calibration_report
from ._cli import main
from ._files import COHORT_FILE, DXA_FILE, TEMPLATES, load, write
from ._generate import generate
from ._model import (
    DEFAULT_SEED,
    DXA_REFERENCE,
    N_CONTROL,
    N_DEGENERATIVE,
    N_PATIENTS,
    N_RELIABILITY,
)
from ._targets import CALIBRATION_TARGETS, Target

__all__ = [
    "DEFAULT_SEED",
    "N_PATIENTS",
    "N_DEGENERATIVE",
    "N_CONTROL",
    "N_RELIABILITY",
    "DXA_REFERENCE",
    "COHORT_FILE",
    "DXA_FILE",
    "TEMPLATES",
    "Target",
    "CALIBRATION_TARGETS",
    "generate",
    "load",
    "write",
    "calibration_report",
    "main",
]
