"""Analysis settings: the degenerative-group criteria, DXA reference, VBQ thresholds and filters.

Settings are frozen (hashable) so they can key caches, and round-trip through a flat dict, JSON and
URL query parameters so a view can be shared exactly. The defaults are the paper's (Chen et al. 2023,
Table 1 and Methods).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .errors import InputError
from .schema import DIAGNOSES, LEVELS, OSTEOPHYTE_DIRECTIONS

__all__ = ["GroupCriteria", "Settings", "DXA_SITES", "PAPER_SETTINGS", "PAPER_THRESHOLDS"]

DXA_SITES: dict[str, str] = {
    "lowest": "t_lowest",
    "l1_l4": "t_l1_l4",
    "femoral_neck": "t_femoral_neck",
    "total_hip": "t_total_hip",
}
"""Reference site for the DXA classification -> the T-score column it reads."""

SETTINGS_VERSION = 1


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
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise InputError(f"age_min ({self.age_min}) exceeds age_max ({self.age_max})")
        object.__setattr__(self, "sexes", tuple(s for s in ("F", "M") if s in self.sexes))
        object.__setattr__(self, "diagnoses", tuple(d for d in DIAGNOSES if d in self.diagnoses))

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
        crit_types = {f.name: f.type for f in fields(GroupCriteria)}
        top_types = {f.name: f.type for f in fields(cls) if f.name != "criteria"}
        crit: dict[str, Any] = {}
        top: dict[str, Any] = {}
        unknown = []
        for key, value in data.items():
            if key.startswith("criteria.") and key[9:] in crit_types:
                crit[key[9:]] = _coerce(key, value, str(crit_types[key[9:]]))
            elif key in top_types:
                top[key] = _coerce(key, value, str(top_types[key]))
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
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"settings file is not valid JSON: {exc}") from exc
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
        """Inverse of `to_query`; keys that are not settings are ignored (a URL may carry others)."""
        known = set(Settings().to_dict()) - {"version"}
        return cls.from_dict({k: v for k, v in query.items() if k in known})


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name}: expected an integer from {low} to {high}, got {value!r}")


def _coerce(key: str, value: Any, type_name: str) -> Any:
    """Coerce a JSON or query-string value to the field's declared type."""
    try:
        if "tuple" in type_name:
            if isinstance(value, str):
                return tuple(v for v in value.split(",") if v and v != "-")
            return tuple(str(v) for v in value)
        if type_name == "bool":
            if isinstance(value, str):
                if value.lower() in ("1", "true", "yes", "on"):
                    return True
                if value.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            return bool(value)
        if type_name == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if "None" in type_name:
            return None if value in (None, "", "none", "None") else float(value)
        if type_name == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"settings: {key}={value!r} is not a valid {type_name}") from exc


PAPER_SETTINGS = Settings()
"""The paper's definitions (Chen et al. 2023): the defaults (thresholds derived as the paper did)."""

PAPER_THRESHOLDS: dict[str, float] = {"vbq_osteopenia": 2.6, "vbq_osteoporosis": 2.9}
"""The thresholds the paper published (Table 4, adjusted), for a one-click reset."""
