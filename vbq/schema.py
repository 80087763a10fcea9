"""The canonical data model: the cohort table, the DXA table and the measurement table.

Every column the product reads is declared here once, with its type, unit, allowed values and the
paper variable it stands for. `vbq.io` validates spreadsheets against these declarations (the
measurement CSV of `vbq.measurements` included), `vbq.demo` writes them, and
``docs/data_dictionary.md`` is generated from them (``python -m vbq.schema`` prints it), so they
never drift apart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = [
    "LEVELS",
    "CSF_LEVELS",
    "DIAGNOSES",
    "MODIC_TYPES",
    "MODIC_GRADES",
    "OSTEOPHYTE_DIRECTIONS",
    "ROI_LEVELS",
    "Column",
    "Pattern",
    "Slip",
    "Advisory",
    "SignCheck",
    "SEQUENCE_FAMILIES",
    "sequence_family",
    "COHORT_COLUMNS",
    "DXA_COLUMNS",
    "MEASUREMENT_COLUMNS",
    "cohort_column",
    "dxa_column",
    "measurement_column",
    "column",
    "DERIVED",
    "DERIVED_COLUMNS",
    "CATEGORY_LABELS",
    "data_dictionary_markdown",
]

LEVELS: tuple[str, ...] = ("L1", "L2", "L3", "L4")
"""Vertebral levels the VBQ score and the degenerative grouping use."""

CSF_LEVELS: tuple[str, ...] = ("T12", "L1", "L2", "L3", "L4", "L5")
"""Levels at which the CSF signal may be sampled (L3 by default; an adjacent one if obstructed)."""

DIAGNOSES: tuple[str, ...] = ("stenosis", "disc_herniation", "spondylolisthesis", "scoliosis")
"""Primary diagnoses of the study: degenerative lumbar spinal stenosis, lumbar disc herniation,
degenerative slippage (spondylolisthesis) and degenerative scoliosis."""

MODIC_TYPES: tuple[str, ...] = ("none", "1", "2", "3", "mixed")
MODIC_GRADES: tuple[str, ...] = ("A", "B", "C")
OSTEOPHYTE_DIRECTIONS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")

ROI_LEVELS: tuple[str, ...] = (*LEVELS, "CSF")
"""The ROIs of one MRI reading: the L1-L4 vertebral bodies and the CSF."""

KINDS = ("id", "float", "int", "bool", "category", "text", "timestamp")
"""Storage kinds a `Column` may declare; `vbq.io` parses each kind its own way. "id" is the key
of a table (one row per value); "text" is any other text (a code, a name); "timestamp" a date and
time in ISO 8601, stored in UTC."""


@dataclass(frozen=True)
class Pattern:
    """A rule on the text of a cell: `regex` must match the whole cell (`Column.pattern`), or
    must not (`Column.refuse`); otherwise the cell is an error with `message`."""

    regex: str
    message: str

    def __post_init__(self) -> None:
        re.compile(self.regex)  # a declaration that does not compile fails at import


@dataclass(frozen=True)
class Slip:
    """A known data-entry slip: an out-of-range value between `low` and `high` (inclusive) is
    reported with `message` instead of the plain "outside the plausible range" message.

    BMD of 985 is g/cm2 written as mg/cm2; an SI of -4 cannot be a signal intensity. The value
    stays an error (or a warning) as the column's range decides; only the message is specific.
    """

    low: float
    high: float
    message: str


@dataclass(frozen=True)
class Advisory:
    """A soft lower bound: a value within the column's range but below `low` gets a warning with
    `message` (the first `limit` cells of the column; the data are kept)."""

    low: float
    message: str
    limit: int = 10


@dataclass(frozen=True)
class SignCheck:
    """A column expected to hold negative values: when every value is zero or positive in a file
    of `min_n` or more values, one warning, `message` with ``{n}`` filled in (the minus signs
    were probably lost in an export)."""

    message: str
    min_n: int = 10


@dataclass(frozen=True)
class Column:
    """Declaration of one column of the canonical tables.

    Attributes
    ----------
    name : str
        Canonical snake_case name.
    kind : {"id", "float", "int", "bool", "category"}
        Storage kind after parsing.
    description : str
        What the column holds, in the words of the paper where possible.
    unit : str
        Unit of measurement ("" for none).
    required : bool
        Whether a file without this column is rejected.
    low, high : float or None
        Plausible range (inclusive); values outside are reported.
    hard : bool
        If True a value outside ``[low, high]`` is an error, else a warning.
    categories : tuple of str
        Allowed values of a category column (after normalisation).
    synonyms : tuple of str
        Other headers that map to this column (compared case- and punctuation-insensitively).
    paper : str
        The variable of Chen et al. 2023 the column stands for.
    label : str
        What a reader sees instead of `name` (tables, axes, exports), without the unit:
        "BMI", "L1 CT attenuation". `heading` adds the unit.
    decimals : int or None
        Decimals a value is shown with (a mean and SD alike), as the paper prints the variable;
        None for columns that are not numbers.

    The reading rules below are declared here, never keyed on a column's name in `vbq.io`:

    roman : bool
        An "int" column whose cells may be roman numerals, alone or after "grade" ("III",
        "grade II" -> 3, 2), as UCLA grades are written.
    aliases : tuple of (str, str)
        Other spellings of a category column's values, as (key, category) pairs; the key is the
        cell lower-cased with everything but letters and digits removed ("Female" -> "female").
        The categories themselves are always read, in any case.
    slips : tuple of Slip
        Known data-entry slips among out-of-range values, each reported with its own message
        (checked in order; a value takes the first that matches).
    advisory : Advisory or None
        A soft lower bound with its reason (a warning, the value kept).
    sign_check : SignCheck or None
        Warn when a file's values of the column are all zero or positive (lost minus signs).
    low_open : bool
        `low` itself is outside the range (a radius, a field strength must be above 0).
    every_row : bool
        A blank cell is an error (every row needs a value); `required` only asks for the column.
    blank_means : object
        What a blank cell, or an absent optional column, stands for (None: nothing recorded).
    max_len : int or None
        Longest text a "text" cell may hold (for a category: the width it is stored with).
    pattern : Pattern or None
        What the text of a "text" cell must look like.
    refuse : tuple of Pattern
        What the text of a "text" cell must not look like (a DICOM UID, a date), checked in
        order and before `pattern` (its message says what the text looks like).
    lower : bool
        A "text" cell is lower-cased (a hash written in capitals is the same hash).
    separator : str
        A "text" cell holds several values separated by this ("a; b;a" -> "a;b": each value
        stripped and checked against `pattern`, repeats dropped, joined again).
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = False
    low: float | None = None
    high: float | None = None
    hard: bool = True
    categories: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = field(default=())
    paper: str = ""
    label: str = ""
    decimals: int | None = None
    roman: bool = False
    aliases: tuple[tuple[str, str], ...] = ()
    slips: tuple[Slip, ...] = ()
    advisory: Advisory | None = None
    sign_check: SignCheck | None = None
    low_open: bool = False
    every_row: bool = False
    blank_means: object = None
    max_len: int | None = None
    pattern: Pattern | None = None
    refuse: tuple[Pattern, ...] = ()
    lower: bool = False
    separator: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind != "text" and (self.pattern or self.refuse or self.lower or self.separator):
            raise ValueError(f"column {self.name!r}: pattern, refuse, lower and separator are "
                             "rules of text columns")
        if self.max_len is not None and self.kind not in ("text", "category"):
            raise ValueError(f"column {self.name!r}: max_len is for text and category columns")
        if self.kind == "category" and not self.categories:
            raise ValueError(f"column {self.name!r}: a category column needs its categories")
        if self.roman and self.kind != "int":
            raise ValueError(f"column {self.name!r}: roman numerals are read in int columns only")
        if any(cat not in self.categories for _, cat in self.aliases):
            raise ValueError(f"column {self.name!r}: every alias must name one of its categories")

    @property
    def display_unit(self) -> str:
        """The unit as printed: ``kg/m2`` -> ``kg/m²``, ``g/cm2`` -> ``g/cm²``."""
        return _pretty_unit(self.unit)

    @property
    def heading(self) -> str:
        """The label with its unit in parentheses: "BMI (kg/m²)", "L1-4 T-score"."""
        label = self.label or self.name
        return f"{label} ({self.display_unit})" if self.unit else label


def _pretty_unit(unit: str) -> str:
    return unit.replace("m2", "m²").replace("m3", "m³")


def _per_level(
    stem: str, kind: str, description: str, *, synonyms_fmt: tuple[str, ...] = (), **kw
) -> list[Column]:
    out = []
    for lev in LEVELS:
        syn = tuple(s.format(level=lev, l=lev.lower(), n=lev[1]) for s in synonyms_fmt)
        out.append(
            Column(
                name=f"{stem}_{lev.lower()}",
                kind=kind,
                description=description.format(level=lev),
                synonyms=syn,
                **{k: (v.format(level=lev) if k == "label" else v) for k, v in kw.items()},
            )
        )
    return out


_YES_NO = dict(kind="bool")

_SEX_ALIASES = {"f": "F", "female": "F", "w": "F", "woman": "F", "women": "F", "femme": "F",
                "m": "M", "male": "M", "man": "M", "men": "M", "homme": "M"}
_DIAGNOSIS_ALIASES = {
    "stenosis": "stenosis", "lumbarspinalstenosis": "stenosis", "lss": "stenosis",
    "degenerativelumbarspinalstenosis": "stenosis", "spinalstenosis": "stenosis",
    "discherniation": "disc_herniation", "lumbardischerniation": "disc_herniation",
    "ldh": "disc_herniation", "herniation": "disc_herniation", "herniateddisc": "disc_herniation",
    "spondylolisthesis": "spondylolisthesis", "degenerativespondylolisthesis": "spondylolisthesis",
    "slip": "spondylolisthesis", "slippage": "spondylolisthesis",
    "degenerativeslippage": "spondylolisthesis", "degenerativeslip": "spondylolisthesis",
    "scoliosis": "scoliosis", "degenerativescoliosis": "scoliosis",
}
_MODIC_TYPE_ALIASES = {
    "0": "none", "none": "none", "no": "none", "nomodic": "none",
    "1": "1", "i": "1", "type1": "1", "mc1": "1", "2": "2", "ii": "2", "type2": "2",
    "mc2": "2", "3": "3", "iii": "3", "type3": "3", "mc3": "3", "mixed": "mixed",
    "mixedtype": "mixed", "12": "mixed", "23": "mixed", "13": "mixed",
}
_CSF_LEVEL_ALIASES = {lev[1:]: lev for lev in CSF_LEVELS if lev.startswith("L")}  # "3" -> L3

_SI_NEGATIVE = Slip(-math.inf, 0, "signal intensity cannot be negative")
_BMD_IN_MG = Slip(200, 2500, "BMD looks like mg/cm2; enter g/cm2 (divide by 1000)")
_T_SIGNS = SignCheck("all {n} T-scores are zero or positive; were the minus signs lost? "
                     "(osteoporosis is a T-score of -2.5 or lower)")

COHORT_COLUMNS: tuple[Column, ...] = tuple(
    [
        Column(
            "patient_id",
            "id",
            "Pseudonymous study ID; never a name, hospital number or date of birth.",
            required=True,
            synonyms=("id", "patient", "study_id", "subject", "subject_id", "case", "case_id", "pid"),
            paper="patient",
            label="Patient ID",
        ),
        Column(
            "age",
            "float",
            "Age at surgery.",
            unit="years",
            required=True,
            low=18,
            high=110,
            advisory=Advisory(50, "younger than 50: the study's inclusion criterion was age >= 50"),
            synonyms=("age_years", "age_yrs", "age_at_surgery"),
            paper="Age (Table 2)",
            label="Age",
            decimals=1,
        ),
        Column(
            "sex",
            "category",
            "Sex; F or M (female/male, w/m, 2/1 are read too).",
            required=True,
            categories=("F", "M"),
            aliases=tuple(_SEX_ALIASES.items()),
            synonyms=("gender", "sex_mf"),
            paper="Female (Table 2)",
            label="Sex",
        ),
        Column(
            "bmi",
            "float",
            "Body mass index.",
            unit="kg/m2",
            low=12,
            high=70,
            synonyms=("body_mass_index", "bmi_kg_m2"),
            paper="BMI (Table 2)",
            label="BMI",
            decimals=1,
        ),
        Column("smoking", **_YES_NO, description="Past or current smoking.", synonyms=("smoker", "smoking_habits", "tobacco"), paper="Smoking habits",
               label="Smoking"),
        Column("alcohol", **_YES_NO, description="Alcohol consumption.", synonyms=("drinking", "alcohol_consumption", "alcohol_use"), paper="Alcohol consumption",
               label="Alcohol consumption"),
        Column("diabetes", **_YES_NO, description="Diabetes mellitus.", synonyms=("dm", "diabetes_mellitus"), paper="Diabetes",
               label="Diabetes"),
        Column("hypertension", **_YES_NO, description="Hypertension.", synonyms=("htn", "high_blood_pressure"), paper="Hypertension",
               label="Hypertension"),
        Column("rheumatic_disease", **_YES_NO, description="Rheumatic disease.", synonyms=("rheumatic", "rheumatic_diseases"), paper="Rheumatic diseases",
               label="Rheumatic disease"),
        Column("antiresorptive", **_YES_NO, description="Antiresorptive medication (bisphosphonate, denosumab).", synonyms=("antiresorptive_medications", "bisphosphonate"), paper="Antiresorptive medications",
               label="Antiresorptive medication"),
        Column("anabolic", **_YES_NO, description="Anabolic medication (teriparatide, romosozumab).", synonyms=("anabolic_medications", "teriparatide"), paper="Anabolic medications",
               label="Anabolic medication"),
        Column("prior_osteo_dx", **_YES_NO, description="Osteopenia/osteoporosis diagnosed before this visit.", synonyms=("prior_diagnosed", "prior_diagnosis", "prior_osteoporosis"), paper="Prior diagnosed",
               label="Osteopenia/osteoporosis diagnosed before"),
        Column("current_osteo_dx", **_YES_NO, description="Osteopenia/osteoporosis diagnosed at this visit.", synonyms=("current_diagnosed", "current_diagnosis"), paper="Current diagnosed",
               label="Osteopenia/osteoporosis diagnosed at this visit"),
        Column(
            "diagnosis",
            "category",
            "Primary diagnosis.",
            categories=DIAGNOSES,
            aliases=tuple(_DIAGNOSIS_ALIASES.items()),
            synonyms=("primary_diagnosis", "dx", "diagnosis_primary"),
            paper="Primary diagnoses (Results)",
            label="Primary diagnosis",
        ),
    ]
    + _per_level(
        "si",
        "float",
        "Mean T1 signal intensity of the circular ROI in the {level} vertebral body.",
        synonyms_fmt=("{level}_si", "si{n}", "{l}si", "{l}_signal"),
        unit="a.u.",
        required=True,
        low=0,
        high=1e6,
        slips=(_SI_NEGATIVE,),
        paper="SI L1-L4 (Methods)",
        label="{level} signal intensity",
        decimals=0,
    )
    + [
        Column(
            "si_csf",
            "float",
            "Mean T1 signal intensity of the CSF ROI (L3 unless obstructed).",
            unit="a.u.",
            required=True,
            low=0,
            high=1e6,
            slips=(_SI_NEGATIVE,),
            synonyms=("csf_si", "csf", "si_csf_l3", "csf_signal"),
            paper="SI CSF (Methods)",
            label="CSF signal intensity",
            decimals=0,
        ),
        Column(
            "csf_level",
            "category",
            "Level at which the CSF ROI was placed; blank means L3.",
            categories=CSF_LEVELS,
            aliases=tuple(_CSF_LEVEL_ALIASES.items()),
            synonyms=("csf_lvl", "level_csf"),
            paper="L3 CSF, or adjacent if obstructed",
            label="CSF level",
        ),
    ]
    + _per_level(
        "collapsed",
        "bool",
        "{level} is collapsed (fractured) and left out of the VBQ median.",
        synonyms_fmt=("{level}_collapsed", "{l}_fracture", "fracture_{l}", "{l}_fractured"),
        paper="collapsed vertebral body (Methods)",
        label="{level} collapsed",
    )
    + [
        Column(
            "field_strength_t",
            "float",
            "Magnetic field strength of the MRI scanner the signal intensities were measured "
            "on (VBQ differs between 1.5 T and 3 T: thresholds from one need not fit the "
            "other); blank: not recorded.",
            unit="T",
            low=0,
            high=12,
            low_open=True,
            synonyms=("field_strength", "tesla", "field_t", "b0", "mri_field_strength"),
            paper="3.0 T MRI (Methods)",
            label="MRI field strength",
            decimals=1,
        ),
        Column(
            "hu_l1",
            "float",
            "CT attenuation of L1 trabecular bone (mid-body axial ROI).",
            unit="HU",
            low=-100,
            high=800,
            hard=False,
            synonyms=("l1_hu", "hu", "hu_value", "ct_hu", "hounsfield"),
            paper="HU value (Table 2)",
            label="L1 CT attenuation",
            decimals=1,
        ),
    ]
    + _per_level(
        "facet",
        "int",
        "Facet joint osteoarthritis grade at {level}, 0-3 (Pathria; Table 1).",
        synonyms_fmt=("{l}_facet", "facet_oa_{l}"),
        low=0,
        high=3,
        paper="Facet OA grade (Table 1)",
        label="{level} facet OA grade",
        decimals=0,
    )
    + _per_level(
        "genant",
        "int",
        "Genant semiquantitative fracture grade at {level}, 0-3 (2: height loss 25-40%).",
        synonyms_fmt=("{l}_genant", "genant_grade_{l}"),
        low=0,
        high=3,
        paper="Genant grade",
        label="{level} Genant grade",
        decimals=0,
    )
    + _per_level(
        "ucla",
        "int",
        "UCLA disc-space degeneration grade of the disc below {level}, 1-4 (I-IV; roman numerals read).",
        synonyms_fmt=("{l}_ucla", "ucla_grade_{l}"),
        low=1,
        high=4,
        roman=True,
        paper="UCLA grade",
        label="{level} UCLA grade",
        decimals=0,
    )
    + _per_level(
        "osteophyte_dir",
        "category",
        "Direction group of the largest anterior osteophyte at {level}, A-F (Table 1).",
        synonyms_fmt=("{l}_osteophyte_dir", "osteophyte_direction_{l}"),
        categories=OSTEOPHYTE_DIRECTIONS,
        paper="Osteophyte direction (Table 1)",
        label="{level} osteophyte direction",
    )
    + _per_level(
        "osteophyte_mm",
        "float",
        "Length of the largest anterior osteophyte at {level}.",
        synonyms_fmt=("{l}_osteophyte_mm", "osteophyte_length_{l}"),
        unit="mm",
        low=0,
        high=40,
        paper="Osteophyte > 2 mm",
        label="{level} osteophyte length",
        decimals=1,
    )
    + [
        Column(
            "modic_type",
            "category",
            "Modic change type in L1-L4 (none, 1, 2, 3 or mixed).",
            categories=MODIC_TYPES,
            aliases=tuple(_MODIC_TYPE_ALIASES.items()),
            synonyms=("modic", "modic_change"),
            paper="Modic type (Table 5)",
            label="Modic type",
        ),
        Column(
            "modic_levels",
            "int",
            "Number of vertebral levels with Modic change (0-4).",
            low=0,
            high=4,
            synonyms=("modic_segments", "modic_n_levels"),
            paper="Number of affected segments (Table 5)",
            label="Levels with Modic change",
            decimals=0,
        ),
        Column(
            "modic_grade",
            "category",
            "Modic grade by height of the affected body: A < 25%, B 25-50%, C > 50%.",
            categories=MODIC_GRADES,
            synonyms=("modic_grading",),
            paper="Modic grading (Table 5)",
            label="Modic grade",
        ),
        Column(
            "vbq_repeat",
            "float",
            "Observer 1's repeat VBQ measurement (intra-observer reliability).",
            low=0,
            high=20,
            synonyms=("vbq_obs1_repeat", "vbq_intra"),
            paper="ICC intra 0.846",
            label="VBQ score, observer 1 repeated",
            decimals=2,
        ),
        Column(
            "vbq_obs2",
            "float",
            "Observer 2's VBQ measurement (inter-observer reliability).",
            low=0,
            high=20,
            synonyms=("vbq_observer2", "vbq_inter"),
            paper="ICC inter 0.835",
            label="VBQ score, observer 2",
            decimals=2,
        ),
    ]
    + [
        Column(
            f"{stem}_{lev.lower()}_{rater}",
            kind,
            f"{what} at {lev} by {who}.",
            low=lo,
            high=hi,
            categories=cats,
            paper="kappa of grouping (Results)",
            label=f"{lev} {shown}, {who}",
            unit=unit,
            decimals=dec,
            roman=roman,
        )
        for rater, who in (("repeat", "observer 1, repeated"), ("obs2", "observer 2"))
        for stem, kind, what, lo, hi, cats, shown, unit, dec, roman in (
            ("facet", "int", "Facet OA grade", 0, 3, (), "facet OA grade", "", 0, False),
            ("genant", "int", "Genant grade", 0, 3, (), "Genant grade", "", 0, False),
            ("ucla", "int", "UCLA grade", 1, 4, (), "UCLA grade", "", 0, True),
            ("osteophyte_dir", "category", "Osteophyte direction", None, None,
             OSTEOPHYTE_DIRECTIONS, "osteophyte direction", "", None, False),
            ("osteophyte_mm", "float", "Osteophyte length (mm)", 0, 40, (), "osteophyte length",
             "mm", 1, False),
        )
        for lev in LEVELS
    ]
)

DXA_COLUMNS: tuple[Column, ...] = (
    Column(
        "patient_id",
        "id",
        "Pseudonymous study ID, as in the cohort file.",
        required=True,
        label="Patient ID",
        synonyms=("id", "patient", "study_id", "subject", "subject_id", "case", "case_id", "pid"),
    ),
    Column(
        "bmd_l1_l4",
        "float",
        "Areal BMD of L1-L4 by DXA.",
        unit="g/cm2",
        required=True,
        low=0.2,
        high=2.5,
        slips=(_BMD_IN_MG,),
        synonyms=("l1_l4_bmd", "l1l4_bmd", "lumbar_bmd", "bmd_l1l4", "bmd_lumbar", "spine_bmd"),
        paper="L1-4 BMD (Table 2)",
        label="L1-4 BMD",
        decimals=3,
    ),
    Column(
        "t_l1_l4",
        "float",
        "T-score of L1-L4.",
        required=True,
        low=-7,
        high=7,
        sign_check=_T_SIGNS,
        synonyms=("l1_l4_t", "l1l4_t", "t_score_l1_l4", "lumbar_t", "t_lumbar", "spine_t"),
        paper="L1-4 T-score (Table 2)",
        label="L1-4 T-score",
        decimals=2,
    ),
    Column(
        "bmd_femoral_neck",
        "float",
        "Areal BMD of the femoral neck.",
        unit="g/cm2",
        low=0.2,
        high=2.5,
        slips=(_BMD_IN_MG,),
        synonyms=("fn_bmd", "bmd_fn", "femoral_neck_bmd", "neck_bmd"),
        paper="Femoral neck BMD",
        label="Femoral neck BMD",
        decimals=3,
    ),
    Column(
        "t_femoral_neck",
        "float",
        "T-score of the femoral neck.",
        low=-7,
        high=7,
        sign_check=_T_SIGNS,
        synonyms=("fn_t", "t_fn", "femoral_neck_t", "t_score_femoral_neck", "neck_t"),
        paper="Femoral neck T-score",
        label="Femoral neck T-score",
        decimals=2,
    ),
    Column(
        "bmd_total_hip",
        "float",
        "Areal BMD of the total hip.",
        unit="g/cm2",
        low=0.2,
        high=2.5,
        slips=(_BMD_IN_MG,),
        synonyms=("th_bmd", "bmd_th", "total_hip_bmd", "hip_bmd"),
        paper="Total hip BMD",
        label="Total hip BMD",
        decimals=3,
    ),
    Column(
        "t_total_hip",
        "float",
        "T-score of the total hip.",
        low=-7,
        high=7,
        sign_check=_T_SIGNS,
        synonyms=("th_t", "t_th", "total_hip_t", "t_score_total_hip", "hip_t"),
        paper="Total hip T-score",
        label="Total hip T-score",
        decimals=2,
    ),
)
"""DXA columns as read. ``bmd_lowest`` and ``t_lowest`` (the minimum over the available sites)
are derived by `vbq.prepare_cohort`, never read."""

_CODE = Pattern(r"[A-Za-z0-9][A-Za-z0-9._-]*",
                "must be a pseudonymous code of letters, digits and . _ - starting with a letter "
                "or digit (no spaces, commas or names)")
# Dates in the shapes they are written in (a date of birth is an identifier, PS3.15 Annex E):
# with separators (1980-01-15, 15.01.1980, 15/01/1980, 1980_01_15); as eight digits that are a
# valid date of 1900-2099, year first (19800115, DICOM's DA format for Patient's Birth Date) or
# last (15011980, 01151980); with a month's name (15Jan1980, 15-JAN-1980, Jan15-1980,
# 1980-Jan-15). Six digits (150180) are not refused: over a third of all six-digit codes read as
# a day, month and two-digit year, so the rule would refuse ordinary study numbers.
_DAY, _MONTH, _YEAR = r"(0[1-9]|[12]\d|3[01])", r"(0[1-9]|1[0-2])", r"(19|20)\d\d"
_MONTH_NAME = r"(?i:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)"
_DATE = "looks like a date; use the pseudonymous study code"
_NOT_A_UID_OR_DATE = (
    Pattern(r"\d+(\.\d+){3,}", "looks like a DICOM UID; use the pseudonymous study code"),
    Pattern(r"\d{1,4}[-./_]\d{1,2}[-./_]\d{1,4}", _DATE),
    Pattern(f"{_YEAR}{_MONTH}{_DAY}|{_DAY}{_MONTH}{_YEAR}|{_MONTH}{_DAY}{_YEAR}",
            "looks like a date (eight digits that read as a day, month and year); use the "
            "pseudonymous study code"),
    Pattern(rf"\d{{1,2}}[-./_]?{_MONTH_NAME}[-./_]?\d{{2,4}}"
            rf"|{_MONTH_NAME}[-./_]?\d{{1,2}}[-./_]?\d{{2,4}}"
            rf"|\d{{4}}[-./_]?{_MONTH_NAME}[-./_]?\d{{1,2}}", _DATE),
)
_ROI_SOURCES = ("suggested", "moved", "manual")
_PRINTABLE = Pattern(r"[^\x00-\x1f\x7f]*", "must not hold control characters")

MEASUREMENT_COLUMNS: tuple[Column, ...] = (
    Column("patient_id", "text", "Pseudonymous study ID (as in the cohort file); never a name, "
           "hospital number, date of birth or DICOM identifier.", required=True, every_row=True,
           max_len=64, pattern=_CODE, refuse=_NOT_A_UID_OR_DATE, label="Patient ID"),
    Column("observer", "text", "Pseudonymous code of the person who placed the ROI (initials).",
           required=True, every_row=True, max_len=32, pattern=_CODE, refuse=_NOT_A_UID_OR_DATE,
           label="Observer"),
    Column("session", "int", "Repeat number of the observer's reading (1, 2, ...).",
           required=True, every_row=True, low=1, high=1000, label="Session", decimals=0),
    Column("level", "category", "ROI: L1, L2, L3, L4 or CSF.", required=True, every_row=True,
           categories=ROI_LEVELS, label="ROI"),
    Column("csf_level", "category", "CSF row only: the level at which the CSF ROI was placed "
           "(blank on a CSF row means L3; must be blank on a vertebra row).",
           categories=CSF_LEVELS, aliases=tuple(_CSF_LEVEL_ALIASES.items()), label="CSF level"),
    Column("slice_number", "int", "Slice number in the sorted series, counting from 1 as on "
           "screen (the MRI page's slider, captions and ROI table) and as PACS viewers count "
           "images.", low=1, high=100_001, label="Slice", decimals=0),
    Column("slice_index", "int", "Exports before slice_number only: the slice counted from 0 "
           "(slice_number - 1); still read, as that slice. The database holds this index; "
           "every export writes slice_number.", low=0, high=100_000,
           label="Slice (counted from 0)", decimals=0),
    Column("centre_row_px", "float", "ROI centre, row (pixels, from the centre of the first).",
           unit="px", low=-0.5, high=100_000, label="ROI centre, row"),
    Column("centre_col_px", "float", "ROI centre, column (pixels).", unit="px", low=-0.5,
           high=100_000, label="ROI centre, column"),
    Column("centre_row_mm", "float", "ROI centre, row, in mm (row pixels x row spacing).",
           unit="mm", low=-1_000, high=10_000, label="ROI centre, row"),
    Column("centre_col_mm", "float", "ROI centre, column, in mm.", unit="mm", low=-1_000,
           high=10_000, label="ROI centre, column"),
    Column("radius_mm", "float", "ROI radius.", unit="mm", low=0, high=500, low_open=True,
           label="ROI radius", decimals=1),
    Column("si_mean", "float", "Mean signal intensity of the ROI (stored values after the "
           "modality LUT); the SI that enters VBQ.", unit="a.u.", required=True, every_row=True,
           low=0, high=1e6, label="Mean signal intensity", decimals=0),
    Column("si_median", "float", "Median signal intensity of the ROI.", unit="a.u.", low=-1e6,
           high=1e6, label="Median signal intensity", decimals=0),
    Column("si_sd", "float", "Standard deviation of the ROI's signal intensity.", unit="a.u.",
           low=0, high=1e6, label="SD of the signal intensity", decimals=0),
    Column("pixel_count", "int", "Pixels whose centres fall inside the circle.", low=1,
           high=1e9, label="Pixels", decimals=0),
    Column("excluded", "bool", "The level is collapsed (fractured) and left out of the VBQ "
           "median; vertebra rows only. Blank: not collapsed.", blank_means=False,
           label="Collapsed"),
    Column("series_fingerprint", "text", "Keyed hash identifying the series (16-128 hexadecimal "
           "characters); never the Series Instance UID.", max_len=128, lower=True,
           pattern=Pattern(r"[0-9a-f]{16,128}", "must be a hash of 16-128 hexadecimal "
                           "characters, never the Series Instance UID"),
           label="Series fingerprint"),
    Column("field_strength_t", "float", "Magnetic field strength.", unit="T", low=0, high=12,
           low_open=True, label="Field strength", decimals=1),
    Column("tr_ms", "float", "Repetition time.", unit="ms", low=0, high=100_000, low_open=True,
           label="TR", decimals=0),
    Column("te_ms", "float", "Echo time.", unit="ms", low=0, high=10_000, low_open=True,
           label="TE", decimals=1),
    Column("measured_at", "timestamp", "When the reading was saved (UTC); blank: the time of "
           "saving.", label="Measured at"),
    Column("software_version", "text", "VBQ Explorer version that made the reading; blank: "
           "the version saving it.", max_len=32,
           pattern=Pattern(r"[0-9][0-9A-Za-z.+_-]{0,31}", "must be a version number such as "
                           "0.1.0"),
           label="Software version"),
    # where each reading came from (issues 16, 19): the series' flags and acquisition, and how
    # the ROIs were placed
    Column("series_flags", "text", "Codes of the flags the series carried when it was measured "
           "(vbq.imaging.Flag.code, e.g. not_validated_sequence;lossy_compression), separated by "
           "semicolons; blank: none.", max_len=255, separator=";",
           pattern=Pattern(r"[a-z][a-z0-9_]{0,63}", "must be flag codes (lower-case letters, "
                           "digits and _) separated by semicolons"),
           label="Series flags"),
    Column("manufacturer", "text", "(0008,0070) Manufacturer of the scanner.", max_len=64,
           pattern=_PRINTABLE, label="Scanner manufacturer"),
    Column("model_name", "text", "(0008,1090) Manufacturer's Model Name of the scanner (never "
           "the station name, serial number or institution).", max_len=64, pattern=_PRINTABLE,
           label="Scanner model"),
    Column("scanning_sequence", "text", "(0018,0020) Scanning Sequence (SE spin echo, IR "
           "inversion recovery, GR gradient recalled, ...), multiple values separated by \\.",
           max_len=64, pattern=_PRINTABLE, label="Scanning sequence"),
    Column("sequence_variant", "text", "(0018,0021) Sequence Variant (SK, SP, MP, ...).",
           max_len=64, pattern=_PRINTABLE, label="Sequence variant"),
    Column("ti_ms", "float", "(0018,0082) Inversion time; blank when not inversion recovery.",
           unit="ms", low=0, high=100_000, label="TI", decimals=0),
    Column("pixel_bandwidth_hz", "float", "(0018,0095) Pixel Bandwidth.", unit="Hz/pixel",
           low=0, high=1e6, low_open=True, label="Pixel bandwidth", decimals=0),
    Column("slice_thickness_mm", "float", "(0018,0050) Slice Thickness.", unit="mm", low=0,
           high=1_000, low_open=True, label="Slice thickness", decimals=1),
    Column("roi_source", "category", "How the ROIs were placed: suggested (a suggestion "
           "accepted), moved (a suggestion moved by the reader) or manual (placed by hand).",
           categories=_ROI_SOURCES, max_len=16, label="ROI placed"),
    Column("blinded", "bool", "The reader could not see earlier readings of this patient while "
           "reading (blank: no).", blank_means=False, label="Blinded reading"),
)
"""Columns of a measurement table (`vbq.measurements.read_measurements`, the CSV export of the
measurement database), one row per ROI reading. Headers are matched like the cohort's (case and
punctuation aside); the store holds the columns of `vbq.measurements.MEASUREMENT_COLUMNS`."""


SEQUENCE_FAMILIES: dict[str, str] = {
    "spin_echo": "spin echo",
    "inversion_recovery": "inversion recovery",
    "gradient_echo": "gradient echo",
    "echo_planar": "echo planar",
}
"""The kinds of sequence a reading's (0018,0020) Scanning Sequence names (`sequence_family`),
in words. VBQ was validated on T1-weighted spin echo (fast / turbo spin echo included)."""


def sequence_family(scanning_sequence: object) -> str | None:
    """The kind of sequence of a stored ``scanning_sequence`` (a key of `SEQUENCE_FAMILIES`).

    Parameters
    ----------
    scanning_sequence : str or None
        (0018,0020) Scanning Sequence as stored: codes separated by a backslash, e.g.
        ``"SE"``, ``"IR\\SE"`` (T1 FLAIR, inversion recovery with a spin echo readout),
        ``"GR"``.

    Returns
    -------
    str or None
        ``"inversion_recovery"`` when IR is among the codes (it decides the contrast), else
        ``"gradient_echo"`` (GR), ``"echo_planar"`` (EP), ``"spin_echo"`` (SE); None when blank
        or none of these (e.g. research mode alone). DICOM PS3.3 C.8.3.1.

    Examples
    --------
    >>> sequence_family("IR\\SE"), sequence_family("SE"), sequence_family(None)
    ('inversion_recovery', 'spin_echo', None)
    """
    if not isinstance(scanning_sequence, str):
        return None
    codes = {c.strip().upper() for c in scanning_sequence.split("\\")}
    for code, family in (("IR", "inversion_recovery"), ("GR", "gradient_echo"),
                         ("EP", "echo_planar"), ("SE", "spin_echo")):
        if code in codes:
            return family
    return None


_COHORT = {c.name: c for c in COHORT_COLUMNS}
_DXA = {c.name: c for c in DXA_COLUMNS}
_MEASUREMENT = {c.name: c for c in MEASUREMENT_COLUMNS}


def cohort_column(name: str) -> Column:
    """Return the declaration of cohort column `name` (KeyError if unknown)."""
    return _COHORT[name]


def dxa_column(name: str) -> Column:
    """Return the declaration of DXA column `name` (KeyError if unknown)."""
    return _DXA[name]


def measurement_column(name: str) -> Column:
    """Return the declaration of measurement column `name` (KeyError if unknown)."""
    return _MEASUREMENT[name]


DERIVED: tuple[Column, ...] = (
    Column("bmd_lowest", "float",
           "Lowest BMD of L1-4, femoral neck and total hip (available sites).",
           unit="g/cm2", label="Lowest BMD", decimals=3, paper="Lowest BMD (Table 2)"),
    Column("t_lowest", "float",
           "Lowest T-score of L1-4, femoral neck and total hip (available sites).",
           label="Lowest T-score", decimals=2, paper="Lowest T-score (Table 2)"),
    Column("vbq", "float", "median(SI of non-collapsed L1-L4) / SI CSF.",
           label="VBQ score", decimals=2, paper="VBQ (Table 2)"),
    Column("vbq_levels", "int", "Number of levels entering the VBQ median.",
           label="Levels in the VBQ median", decimals=0),
    Column("n_degenerative", "int", "Number of degenerative vertebrae among the levels considered.",
           label="Degenerative vertebrae", decimals=0),
    Column("group", "category", '"degenerative" or "control" under the current criteria.',
           categories=("degenerative", "control"), label="Group"),
    Column("dxa_status", "category",
           '"normal", "osteopenia" or "osteoporosis" at the reference site (WHO).',
           categories=("normal", "osteopenia", "osteoporosis"), label="DXA status"),
    Column("vbq_status", "category",
           '"normal", "osteopenia" or "osteoporosis" by the VBQ thresholds in force.',
           categories=("normal", "osteopenia", "osteoporosis"), label="VBQ status"),
)
"""Columns `vbq.prepare_cohort` derives, declared like the read ones (label, unit, decimals).
VBQ is shown to two decimals: the paper's Table 2 rounds it to one (2.9 ± 0.5), but its
thresholds (2.56, 2.83) and every VBQ study since use two, and one decimal hides the groups'
difference."""

DERIVED_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (c.name, c.unit, c.description) for c in DERIVED)
"""``(name, unit, definition)`` of the derived columns (kept for existing callers)."""

_DERIVED = {c.name: c for c in DERIVED}

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "sex": {"F": "Female", "M": "Male"},
    "diagnosis": {
        "stenosis": "Spinal stenosis",
        "disc_herniation": "Disc herniation",
        "spondylolisthesis": "Degenerative slip",
        "scoliosis": "Degenerative scoliosis",
    },
    "modic_type": {"none": "No Modic change", "1": "Type 1", "2": "Type 2", "3": "Type 3",
                   "mixed": "Mixed type"},
    "modic_grade": {"A": "Grade A (< 25% of the body height)",
                    "B": "Grade B (25-50%)", "C": "Grade C (> 50%)"},
    "group": {"degenerative": "Degenerative", "control": "Control", "all": "All patients"},
    "dxa_status": {"normal": "Normal", "osteopenia": "Osteopenia", "osteoporosis": "Osteoporosis"},
    "vbq_status": {"normal": "Normal", "osteopenia": "Osteopenia", "osteoporosis": "Osteoporosis"},
}
"""How the values of a category column are shown (`vbq.present.value_label`)."""


def column(name: str) -> Column:
    """The declaration of any column by name: cohort, DXA or derived (KeyError if unknown).

    A name declared in both files (``patient_id``) returns the cohort declaration.
    """
    for table in (_COHORT, _DXA, _DERIVED):
        if name in table:
            return table[name]
    raise KeyError(name)


def _range(c: Column) -> str:
    if c.categories:
        return ", ".join(c.categories)
    if c.kind == "bool":
        return "yes/no (1/0, true/false, y/n)"
    if c.kind == "timestamp":
        return "ISO 8601 date and time"
    if c.pattern is not None:
        return c.pattern.message.removeprefix("must be ")
    if c.low is None and c.high is None:
        return f"text, at most {c.max_len} characters" if c.max_len else ""
    rng = f"{c.low:g} to {c.high:g}" if not c.low_open else f"above {c.low:g}, to {c.high:g}"
    return rng if c.hard else rng + " (warning outside)"


def data_dictionary_markdown() -> str:
    """Render the data dictionary (``docs/data_dictionary.md``) from the declarations."""
    lines = [
        "# Data dictionary",
        "",
        "Generated by `python -m vbq.schema` from `vbq/schema.py`; do not edit by hand.",
        "Headers are matched case- and punctuation-insensitively, and through the synonyms listed.",
        "",
    ]
    for title, cols in (("Cohort file", COHORT_COLUMNS), ("DXA file", DXA_COLUMNS),
                        ("Measurement file (MRI readings, `vbq.measurements`)",
                         MEASUREMENT_COLUMNS)):
        lines += [
            f"## {title}",
            "",
            "| column | shown as | type | unit | allowed | required | paper variable | description "
            "| also read as |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in cols:
            lines.append(
                f"| `{c.name}` | {c.heading} | {c.kind} | {c.unit} | {_range(c)} "
                f"| {'yes' if c.required else ''} | {c.paper} | {c.description} "
                f"| {', '.join(c.synonyms)} |"
            )
        lines.append("")
    lines += [
        "## Derived by `vbq.prepare_cohort`",
        "",
        "| column | shown as | unit | definition |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{c.name}` | {c.heading} | {c.unit} | {c.description} |" for c in DERIVED]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(data_dictionary_markdown())
