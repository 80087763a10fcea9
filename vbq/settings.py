"""Analysis settings: the degenerative-group criteria, DXA reference, VBQ thresholds and filters.

Settings are frozen (hashable) so they can key caches, and round-trip through a flat dict, JSON and
URL query parameters so a view can be shared exactly. The defaults are the paper's (Chen et al. 2023,
Table 1 and Methods).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from . import paper
from .errors import InputError
from .schema import DIAGNOSES, LEVELS, OSTEOPHYTE_DIRECTIONS

__all__ = ["GroupCriteria", "Settings", "ParsedQuery", "QueryProblem", "DXA_SITES", "PAPER_SETTINGS",
           "PAPER_THRESHOLDS", "SETTING_LABELS", "AGE_LIMITS", "MAX_JSON_BYTES"]

DXA_SITES: dict[str, str] = {
    "lowest": "t_lowest",
    "l1_l4": "t_l1_l4",
    "femoral_neck": "t_femoral_neck",
    "total_hip": "t_total_hip",
}
"""Reference site for the DXA classification -> the T-score column it reads."""

SETTINGS_VERSION = 1

AGE_LIMITS = (40.0, 100.0)
"""The span of the age filter, in years: a bound outside it is refused (the app's slider spans it,
and a link or settings file with a bound beyond it stopped every page of the session); a bound at
an end means no limit."""

MAX_JSON_BYTES = 100_000
"""Longest settings file read: one downloaded from the app is about 1 KB."""


@dataclass(frozen=True)
class GroupCriteria:
    """Rule that makes a vertebra, then a patient, degenerative (paper's Table 1 by default).

    A vertebra is degenerative when it meets any enabled criterion:
    facet OA grade >= `facet_min`; Genant grade >= `genant_min`; UCLA grade >= `ucla_min`;
    an osteophyte of a direction in `osteophyte_dirs` longer than `osteophyte_min_mm` (strictly).
    A patient is degenerative with at least `min_vertebrae` degenerative vertebrae among `levels`.
    """

    facet: bool = True
    facet_min: int = 2
    genant: bool = True
    genant_min: int = 2
    ucla: bool = True
    ucla_min: int = 3
    osteophyte: bool = True
    osteophyte_dirs: tuple[str, ...] = ("C", "D", "E")
    osteophyte_min_mm: float = 2.0
    min_vertebrae: int = 3
    levels: tuple[str, ...] = LEVELS

    def __post_init__(self) -> None:
        _check_int("facet_min", self.facet_min, 0, 3)
        _check_int("genant_min", self.genant_min, 0, 3)
        _check_int("ucla_min", self.ucla_min, 1, 4)
        bad = [d for d in self.osteophyte_dirs if d not in OSTEOPHYTE_DIRECTIONS]
        if bad:
            raise InputError(
                f"osteophyte_dirs: expected letters from {OSTEOPHYTE_DIRECTIONS}, got {bad}"
            )
        if not self.levels or any(lv not in LEVELS for lv in self.levels):
            raise InputError(f"levels: expected a non-empty subset of {LEVELS}, got {self.levels}")
        _check_int("min_vertebrae", self.min_vertebrae, 1, len(self.levels))
        if not (0 <= float(self.osteophyte_min_mm) <= 40):
            raise InputError(
                f"osteophyte_min_mm: expected 0 to 40 mm, got {self.osteophyte_min_mm}"
            )
        # canonical order so equal rules hash equally
        object.__setattr__(self, "osteophyte_dirs", tuple(sorted(set(self.osteophyte_dirs))))
        object.__setattr__(self, "levels", tuple(lv for lv in LEVELS if lv in self.levels))

    @property
    def any_enabled(self) -> bool:
        return self.facet or self.genant or self.ucla or self.osteophyte


@dataclass(frozen=True)
class Settings:
    """Everything that changes an analysis, in one hashable object.

    Attributes
    ----------
    criteria : GroupCriteria
        Degenerative-group rule.
    dxa_site : {"lowest", "l1_l4", "femoral_neck", "total_hip"}
        T-score the DXA classification reads (WHO: the lowest of the measured sites).
    osteoporosis_t, osteopenia_t : float
        WHO cut-offs: osteoporosis at T <= -2.5; osteopenia -2.5 < T < -1; normal T >= -1.
    min_vbq_levels : int
        Fewest non-collapsed levels with an SI for a VBQ score (paper: fewer than 2 fractures
        among L1-L4, hence 3).
    vbq_osteopenia, vbq_osteoporosis : float or None
        VBQ thresholds; a score at or above the threshold is positive. None (the default) derives
        them as the paper did: the Youden-optimal cutoff of the control group's ROC curve for
        osteopenia-or-worse and for osteoporosis, rounded up to `threshold_decimals` (the paper:
        2.56 -> 2.6 and 2.83 -> 2.9). `PAPER_THRESHOLDS` holds the paper's published values.
    threshold_decimals : int
        Decimals of the derived thresholds.
    sexes, diagnoses : tuple of str
        Patients kept by the filters (all by default).
    age_min, age_max : float or None
        Age filter bounds, inclusive.
    """

    criteria: GroupCriteria = field(default_factory=GroupCriteria)
    dxa_site: str = "lowest"
    osteoporosis_t: float = -2.5
    osteopenia_t: float = -1.0
    min_vbq_levels: int = 3
    vbq_osteopenia: float | None = None
    vbq_osteoporosis: float | None = None
    threshold_decimals: int = 1
    sexes: tuple[str, ...] = ("F", "M")
    diagnoses: tuple[str, ...] = DIAGNOSES
    age_min: float | None = None
    age_max: float | None = None

    def __post_init__(self) -> None:
        if self.dxa_site not in DXA_SITES:
            raise InputError(f"dxa_site: expected one of {tuple(DXA_SITES)}, got {self.dxa_site!r}")
        if not self.osteoporosis_t < self.osteopenia_t:
            raise InputError(
                "osteoporosis_t must be below osteopenia_t, got "
                f"{self.osteoporosis_t} and {self.osteopenia_t}"
            )
        _check_int("min_vbq_levels", self.min_vbq_levels, 1, len(LEVELS))
        for name in ("vbq_osteopenia", "vbq_osteoporosis"):
            v = getattr(self, name)
            if v is not None and not (0 < float(v) < 20):
                raise InputError(f"{name}: expected a VBQ between 0 and 20, got {v!r}")
        _check_int("threshold_decimals", self.threshold_decimals, 0, 3)
        if (self.vbq_osteopenia is not None and self.vbq_osteoporosis is not None
                and not self.vbq_osteopenia <= self.vbq_osteoporosis):
            raise InputError(
                "vbq_osteopenia must not exceed vbq_osteoporosis, got "
                f"{self.vbq_osteopenia} and {self.vbq_osteoporosis}"
            )
        bad = [s for s in self.sexes if s not in ("F", "M")]
        if bad:
            raise InputError(f"sexes: expected F and/or M, got {bad}")
        bad = [d for d in self.diagnoses if d not in DIAGNOSES]
        if bad:
            raise InputError(f"diagnoses: expected values from {DIAGNOSES}, got {bad}")
        self._check_ages()
        object.__setattr__(self, "sexes", tuple(s for s in ("F", "M") if s in self.sexes))
        object.__setattr__(self, "diagnoses", tuple(d for d in DIAGNOSES if d in self.diagnoses))

    def _check_ages(self) -> None:
        for name in ("age_min", "age_max"):
            v = getattr(self, name)
            if v is not None and not AGE_LIMITS[0] <= float(v) <= AGE_LIMITS[1]:
                raise InputError(f"{name}: expected an age from {AGE_LIMITS[0]:g} to "
                                 f"{AGE_LIMITS[1]:g} years (or none for no limit), got {v!r}")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise InputError(f"age_min ({self.age_min}) exceeds age_max ({self.age_max})")

    @property
    def t_column(self) -> str:
        """Name of the T-score column the DXA classification reads."""
        return DXA_SITES[self.dxa_site]

    def replace(self, **changes: Any) -> Settings:
        """Copy with `changes`; keys of `GroupCriteria` may be given flat too."""
        crit_names = {f.name for f in fields(GroupCriteria)}
        crit = {k: changes.pop(k) for k in list(changes) if k in crit_names}
        if crit:
            changes["criteria"] = replace(changes.get("criteria", self.criteria), **crit)
        return replace(self, **changes)

    # -- serialisation ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Flat, JSON-ready dict (criteria keys prefixed ``criteria.``)."""
        d = asdict(self)
        crit = d.pop("criteria")
        out: dict[str, Any] = {"version": SETTINGS_VERSION}
        out.update({f"criteria.{k}": list(v) if isinstance(v, tuple) else v for k, v in crit.items()})
        out.update({k: list(v) if isinstance(v, tuple) else v for k, v in d.items()})
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Inverse of `to_dict`. Unknown keys raise `InputError`; missing keys take defaults."""
        if not isinstance(data, dict):
            raise InputError(f"settings: expected a JSON object, got {type(data).__name__}")
        data = dict(data)
        version = data.pop("version", SETTINGS_VERSION)
        if version != SETTINGS_VERSION:
            raise InputError(f"settings version {version!r} is not supported (expected 1)")
        crit_types = get_type_hints(GroupCriteria)
        top_types = {k: v for k, v in get_type_hints(cls).items() if k != "criteria"}
        crit: dict[str, Any] = {}
        top: dict[str, Any] = {}
        unknown = []
        for key, value in data.items():
            if key.startswith("criteria.") and key[9:] in crit_types:
                crit[key[9:]] = _coerce(key, value, crit_types[key[9:]])
            elif key in top_types:
                top[key] = _coerce(key, value, top_types[key])
            else:
                unknown.append(key)
        if unknown:
            raise InputError(f"settings: unknown keys {sorted(unknown)}")
        try:
            return cls(criteria=GroupCriteria(**crit), **top)
        except TypeError as exc:  # pragma: no cover - guarded by the key check above
            raise InputError(f"settings: {exc}") from exc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Settings:
        """Settings from the JSON `to_json` writes (a file downloaded from the app's sidebar).

        Raises
        ------
        InputError
            The text is longer than `MAX_JSON_BYTES`, is not JSON, nests deeper than the
            settings do, holds a number Python refuses to read (over 4,300 digits), is not an
            object, or holds a value a setting does not accept.
        """
        if len(text) > MAX_JSON_BYTES:
            raise InputError(f"settings file is {len(text):,} bytes; a settings file is at most "
                             f"{MAX_JSON_BYTES:,}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"settings file is not valid JSON: {exc}") from exc
        except RecursionError:
            raise InputError("settings file nests lists or objects too deeply to be settings "
                             "(as downloaded, it is one object of values and lists)") from None
        except ValueError as exc:  # a number of more digits than int() reads (CVE-2020-10735)
            raise InputError(f"settings file is not valid settings: {exc}") from None
        if not isinstance(data, dict):
            raise InputError("settings file must hold one JSON object of settings, got "
                             f"{type(data).__name__}")
        return cls.from_dict(data)

    def to_query(self) -> dict[str, str]:
        """Only the settings that differ from the defaults, as strings for a URL query."""
        default = Settings().to_dict()
        out = {}
        for key, value in self.to_dict().items():
            if key == "version" or value == default.get(key):
                continue
            if isinstance(value, list):
                out[key] = ",".join(str(v) for v in value) if value else "-"
            elif value is None:
                out[key] = ""
            elif isinstance(value, bool):
                out[key] = "1" if value else "0"
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Settings:
        """Inverse of `to_query`; keys that are not settings are ignored (a URL may carry others).

        Raises
        ------
        InputError
            Naming every parameter that is not understood (see `parse_query`, which keeps the
            good ones instead).
        """
        parsed = cls.parse_query(query)
        if parsed.problems:
            raise InputError("settings: " + "; ".join(p.message for p in parsed.problems))
        return parsed.settings

    @classmethod
    def parse_query(cls, query: dict[str, str]) -> ParsedQuery:
        """Read the settings of a link, keeping every parameter that is understood.

        Unlike `from_query`, a bad parameter does not discard the others: it is left at its
        default and reported, in words a user reads (the setting's label, the value as written,
        what is expected). Keys that are not settings are ignored, as in `from_query`.

        Parameters
        ----------
        query : dict of str to str
            The URL's query parameters (one value per key).

        Returns
        -------
        ParsedQuery
            ``settings`` (defaults where a parameter was bad) and ``problems`` (one
            `QueryProblem` per bad parameter, in the order of the settings' fields).

        Notes
        -----
        Each parameter is checked alone against the defaults; then the pairs that constrain each
        other (the two T-score cut-offs, the two VBQ thresholds, the two age bounds, the
        degenerative-vertebrae count and the levels considered) are checked together, and both
        members of a pair that does not fit are reported and left at their defaults.

        Examples
        --------
        >>> parsed = Settings.parse_query({"criteria.min_vertebrae": "2", "age_min": "abc"})
        >>> parsed.settings.criteria.min_vertebrae
        2
        >>> print(parsed.problems[0].message)  # doctest: +NORMALIZE_WHITESPACE
        Minimum age: "abc" is not understood; expected a number of years from 40 to 100, or empty for
        no limit.
        """
        defaults = Settings().to_dict()
        order = [k for k in defaults if k != "version"]
        given = {k: query[k] for k in order if k in query}
        problems: dict[str, QueryProblem] = {}
        good: dict[str, Any] = {}
        for key, text in given.items():  # alone, its partner (if any) at its most permissive
            try:
                cls.from_dict({**_PERMISSIVE.get(key, {}), key: text})
            except InputError:
                problems[key] = QueryProblem(key, str(text), _expectation_message(key, text))
            else:
                good[key] = text
        for a, b, rule in _PAIRS:
            present = {k: good[k] for k in (a, b) if k in good}
            if present and not cls._fits(present):
                for key in present:
                    problems[key] = _pair_problem(key, a if key == b else b, present, rule,
                                                  defaults)
                    del good[key]
        try:
            settings = cls.from_dict(good)
        except InputError:  # pragma: no cover - every constraint across fields is a pair above
            settings = cls()
            for key, text in good.items():
                problems[key] = QueryProblem(key, str(text), _expectation_message(key, text))
        return ParsedQuery(settings, tuple(problems[k] for k in order if k in problems))

    @classmethod
    def _fits(cls, values: dict[str, Any]) -> bool:
        """Whether these settings (the others at their defaults) are accepted together."""
        try:
            cls.from_dict(values)
        except InputError:
            return False
        return True


def _pair_problem(key: str, other: str, present: dict[str, Any], rule: str,
                  defaults: dict[str, Any]) -> QueryProblem:
    """The problem of `key` in a pair of a link's settings that do not fit together: named
    with its partner's value as given, or as its default when the link did not give it."""
    if other in present:
        partner = f'{_lower_first(SETTING_LABELS[other][0])} "{present[other]}"'
    else:
        partner = (f"{_lower_first(SETTING_LABELS[other][0])} "
                   f"{_show_default(defaults[other])} (the default)")
    return QueryProblem(key, str(present[key]), (
        f'{SETTING_LABELS[key][0]}: "{present[key]}" does not fit with {partner}: {rule}.'))


@dataclass(frozen=True)
class QueryProblem:
    """One parameter of a link that was not understood.

    Attributes
    ----------
    key : str
        The parameter's name in the URL (``criteria.min_vertebrae``).
    value : str
        Its value as written in the link.
    message : str
        What is wrong, in words a user reads: the setting's label, the value, what is expected.
    """

    key: str
    value: str
    message: str


@dataclass(frozen=True)
class ParsedQuery:
    """Result of `Settings.parse_query`: the settings read and the parameters left out."""

    settings: Settings
    problems: tuple[QueryProblem, ...] = ()


SETTING_LABELS: dict[str, tuple[str, str]] = {
    "criteria.facet": ("Facet osteoarthritis criterion", "1 (on) or 0 (off)"),
    "criteria.facet_min": ("Facet grade at least", "a whole number from 0 to 3"),
    "criteria.genant": ("Genant (height loss) criterion", "1 (on) or 0 (off)"),
    "criteria.genant_min": ("Genant grade at least", "a whole number from 0 to 3"),
    "criteria.ucla": ("UCLA disc space criterion", "1 (on) or 0 (off)"),
    "criteria.ucla_min": ("UCLA grade at least", "a whole number from 1 to 4"),
    "criteria.osteophyte": ("Osteophyte criterion", "1 (on) or 0 (off)"),
    "criteria.osteophyte_dirs": ("Osteophyte directions",
                                 "letters from A to F separated by commas"),
    "criteria.osteophyte_min_mm": ("Osteophyte longer than (mm)", "a number from 0 to 40"),
    "criteria.min_vertebrae": ("Degenerative vertebrae at least",
                               "a whole number from 1 to the number of levels considered"),
    "criteria.levels": ("Levels considered", "levels from L1, L2, L3, L4 separated by commas"),
    "dxa_site": ("DXA reference site", "one of " + ", ".join(DXA_SITES)),
    "osteoporosis_t": ("Osteoporosis T-score cut-off", "a number"),
    "osteopenia_t": ("Osteopenia T-score cut-off", "a number"),
    "min_vbq_levels": ("Fewest vertebrae for a VBQ score", "a whole number from 1 to 4"),
    "vbq_osteopenia": ("VBQ osteopenia threshold",
                       "a number between 0 and 20, or empty to derive it from the control group"),
    "vbq_osteoporosis": ("VBQ osteoporosis threshold",
                         "a number between 0 and 20, or empty to derive it from the control group"),
    "threshold_decimals": ("Decimals of the derived thresholds", "a whole number from 0 to 3"),
    "sexes": ("Sex filter", "F, M or both, separated by commas"),
    "diagnoses": ("Diagnosis filter", "diagnoses from " + ", ".join(DIAGNOSES)
                  + " separated by commas"),
    "age_min": ("Minimum age", "a number of years from 40 to 100, or empty for no limit"),
    "age_max": ("Maximum age", "a number of years from 40 to 100, or empty for no limit"),
}
"""Every setting's flat key -> (label a user reads, what a valid value looks like)."""

_PAIRS = (
    ("osteoporosis_t", "osteopenia_t", "the osteoporosis cut-off must be below the osteopenia "
     "cut-off"),
    ("vbq_osteopenia", "vbq_osteoporosis", "the osteopenia threshold must not exceed the "
     "osteoporosis threshold"),
    ("age_min", "age_max", "the minimum age must not exceed the maximum age"),
    ("criteria.min_vertebrae", "criteria.levels", "at most as many degenerative vertebrae as "
     "levels considered"),
)


_PERMISSIVE: dict[str, dict[str, Any]] = {
    "osteoporosis_t": {"osteopenia_t": 1e9},
    "osteopenia_t": {"osteoporosis_t": -1e9},
    "criteria.levels": {"criteria.min_vertebrae": 1},
}
"""The partner value under which a paired setting is checked alone (its own range only)."""


def _lower_first(label: str) -> str:
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _show_default(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "none" if value is None else str(value)


def _expectation_message(key: str, value: Any) -> str:
    label, expected = SETTING_LABELS[key]
    try:
        float(str(value))
    except ValueError:
        verb = "is not understood"
    else:  # a number the setting does not accept (out of its range, or not whole)
        verb = "cannot be used"
    return f'{label}: "{value}" {verb}; expected {expected}.'


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name}: expected an integer from {low} to {high}, got {value!r}")


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
"""How a yes/no setting may be written in a settings file or a link (any case)."""


def parse_bool(value: Any) -> bool:
    """A yes/no value from JSON (a bool) or text (`TRUE_WORDS`, `FALSE_WORDS`); ValueError else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    raise ValueError(value)


def parse_list(value: Any) -> tuple[str, ...]:
    """A list from JSON (a list) or a link ("a,b"; "-" for the empty list)."""
    if isinstance(value, str):
        return tuple(v for v in value.split(",") if v and v != "-")
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    raise ValueError(value)


def _parse_int(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def _parse_float(value: Any) -> float:
    """A finite number: a link's "nan" or "inf" would compare unequal to itself or disable a
    filter silently, so it is refused like any other word."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _converter(tp: Any) -> tuple[Any, str]:
    """(function, readable type) for a field's resolved annotation (`typing.get_type_hints`)."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is tuple:
        return parse_list, "list"
    if origin in (Union, UnionType) and type(None) in args:
        inner, name = _converter(next(a for a in args if a is not type(None)))
        return (lambda v: None if v in (None, "", "none", "None") else inner(v)), f"{name} or none"
    simple = {bool: (parse_bool, "yes/no"), int: (_parse_int, "whole number"),
              float: (_parse_float, "number"), str: (str, "text")}
    if tp in simple:
        return simple[tp]
    raise TypeError(f"no converter for the settings type {tp!r}")  # pragma: no cover


def _coerce(key: str, value: Any, tp: Any) -> Any:
    """Coerce a JSON or query-string value to the field's declared type (resolved annotation)."""
    convert, name = _converter(tp)
    try:
        return convert(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"settings: {key}={value!r} is not a valid {name}") from exc


PAPER_SETTINGS = Settings()
"""The paper's definitions (Chen et al. 2023): the defaults (thresholds derived as the paper did)."""

PAPER_THRESHOLDS: dict[str, float] = dict(paper.PAPER_THRESHOLDS)
"""The thresholds the paper published (Table 4, adjusted: 2.6 and 2.9; `vbq.paper`), for a
one-click reset."""
