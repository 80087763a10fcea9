"""The phantom's anatomy: a lumbar spine bent by lordosis and tilt, with bodies, discs, canal and
surface-coil bias as parameters (internal to `vbq.phantom`).

Geometry. The image plane is measured in mm from the image centre: ``v`` runs down (feet) and
``u`` runs posterior (the column of bodies sits left of centre, as on a real image). The spine is
drawn in its own coordinates: ``s`` is the arc length down the posterior edge of the vertebral
bodies (``s = 0`` halfway between the top of L1 and the bottom of L5) and ``t`` the distance
behind that line (bodies at ``-depth <= t < 0``, the canal at ``2 <= t < 2 + canal``). With no
lordosis and no tilt, ``s = v`` and ``t = u``: the straight spine of `make_series`'s default.
Lordosis bends the line into a circular arc, concave backwards, turning by `lordosis_deg`
between the top of L1 and the top of S1; tilt turns the whole spine in the image plane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LUMBAR = ("L1", "L2", "L3", "L4", "L5")
TRANSITIONAL = ("none", "sacralised L5", "lumbarised S1")
"""The transitional L5-S1 vertebrae `Anatomy` draws: none, a sacralised L5, a lumbarised S1."""

# Tissue SIs (after the modality LUT) before the gain, arbitrary units as on a T1 image
_SI = {"disc": 380.0, "ligament": 120.0, "posterior": 700.0, "soft": 420.0, "muscle": 360.0,
       "fat": 1100.0, "air": 8.0, "T12": 930.0, "S1": 960.0}
_BODY_HALF_X, _CANAL_HALF_X = 22.0, 10.0  # left-right half widths (mm)


@dataclass(frozen=True)
class Anatomy:
    """The anatomy and coil of one phantom; the defaults draw `make_series`'s straight spine.

    Attributes
    ----------
    lordosis_deg : float
        Angle (degrees) between the upper endplates of L1 and S1; the spine's posterior body
        line is a circular arc, concave backwards.
    tilt_deg : float
        In-plane rotation of the spine at the middle of L3 (degrees; positive turns the
        downward direction of the spine towards posterior).
    body_heights_mm : tuple of 5 float
        Heights of L1 ... L5 as drawn (a collapsed body's height is already reduced here).
    body_depth_mm : float
        Antero-posterior depth of the bodies.
    disc_heights_mm : tuple of 4 float
        Discs L1-L2 ... L4-L5.
    l5_s1_disc_mm : float
        The L5-S1 disc (a few mm when L5 is sacralised).
    disc_above_mm : float
        The T12-L1 disc and the thoracic discs above it.
    canal_mm : float
        Antero-posterior width of the CSF-filled canal.
    offset_mm : (float, float)
        Where the point ``s = 0, t = 0`` lies, in mm (down, posterior) from the default.
    thoracic : int
        Thoracic bodies drawn above L1 with discs between them (0: one solid block, T12).
    transitional : {"none", "sacralised L5", "lumbarised S1"}
        A lumbosacral transitional vertebra: a sacralised L5 has a rudimentary L5-S1 disc and a
        sacral signal; a lumbarised S1 is a separate body with a disc below it.
    collapsed : str or None
        A collapsed (fractured) level among L1-L4; its height is in `body_heights_mm`.
    body_si, csf_si, gain : float
        Mean tissue SI of the bodies and of the CSF before the gain; every tissue's SI is
        multiplied by `gain` (the scanner's scaling).
    bias_ap, bias_si : float
        Surface-coil intensity non-uniformity: the image is multiplied by
        ``exp(bias_ap * du / 100 - bias_si * (dv / 100) ** 2)``, with ``du`` (posterior) and
        ``dv`` (down) in mm from ``offset_mm``: brighter near the coil behind the patient,
        fading above and below.
    """

    lordosis_deg: float = 0.0
    tilt_deg: float = 0.0
    body_heights_mm: tuple[float, ...] = (25.0,) * 5
    body_depth_mm: float = 35.0
    disc_heights_mm: tuple[float, ...] = (9.0,) * 4
    l5_s1_disc_mm: float = 9.0
    disc_above_mm: float = 9.0
    canal_mm: float = 18.0
    offset_mm: tuple[float, float] = (0.0, 0.0)
    thoracic: int = 0
    transitional: str = "none"
    collapsed: str | None = None
    body_si: float = 900.0
    csf_si: float = 320.0
    gain: float = 1.0
    bias_ap: float = 0.0
    bias_si: float = 0.0

    def __post_init__(self) -> None:
        if len(self.body_heights_mm) != 5 or len(self.disc_heights_mm) != 4:
            raise ValueError("anatomy: expected 5 body heights (L1-L5) and 4 disc heights")
        if self.transitional not in TRANSITIONAL:
            raise ValueError(f"transitional: expected one of {TRANSITIONAL}, "
                             f"got {self.transitional!r}")
        if self.collapsed not in (None, "L1", "L2", "L3", "L4"):
            raise ValueError(f"collapsed: expected None or L1-L4, got {self.collapsed!r}")

    def si(self, tissue: str) -> float:
        """The SI of a tissue other than the bodies and the CSF, with the gain."""
        return _SI[tissue] * self.gain


def random_anatomy(seed: int) -> Anatomy:
    """A varied, plausible lumbar anatomy drawn from `seed` (its own random stream).

    Ranges: lordosis 15-60 degrees, tilt -10 to 10 degrees, a body-size factor 0.85-1.1 on
    heights of 22-26 mm, a depth of 30-38 mm and discs of 6-10 mm, canal 13-20 mm, the spine
    shifted up to 12 mm down or up (from 10 mm above the image centre) and 20 mm across, one
    or two thoracic bodies, a collapsed level among L1-L4 in one phantom in five (height 55-75
    per cent), a transitional L5-S1 in three in ten (sacralised or lumbarised, equally), body
    SI 650-1050 and CSF SI 260-380 before a gain of 0.6-1.5, and a coil bias of up to
    exp(0.45) per 100 mm from front to back and exp(-0.3) 100 mm above or below the middle.
    """
    rng = np.random.default_rng([int(seed), 0xA7A])
    size = rng.uniform(0.85, 1.1)
    heights = [float(size * rng.uniform(22.0, 26.0)) for _ in LUMBAR]
    discs = [float(size * rng.uniform(6.0, 10.0)) for _ in range(4)]
    collapsed = None
    if rng.random() < 0.2:
        collapsed = LUMBAR[int(rng.integers(0, 4))]
        k = LUMBAR.index(collapsed)
        heights[k] *= rng.uniform(0.55, 0.75)
    draw = rng.random()
    transitional = "none" if draw < 0.7 else ("sacralised L5" if draw < 0.85 else
                                              "lumbarised S1")
    l5_s1 = (float(rng.uniform(1.5, 3.0)) if transitional == "sacralised L5"
             else float(size * rng.uniform(6.0, 10.0)))
    return Anatomy(
        lordosis_deg=float(rng.uniform(15.0, 60.0)), tilt_deg=float(rng.uniform(-10.0, 10.0)),
        body_heights_mm=tuple(heights), body_depth_mm=float(size * rng.uniform(30.0, 38.0)),
        disc_heights_mm=tuple(discs), l5_s1_disc_mm=l5_s1,
        disc_above_mm=float(size * rng.uniform(5.0, 9.0)), canal_mm=float(rng.uniform(13, 20)),
        offset_mm=(float(rng.uniform(-12.0, 12.0) - 10.0), float(rng.uniform(-20.0, 20.0))),
        thoracic=int(rng.integers(1, 3)), transitional=transitional, collapsed=collapsed,
        body_si=float(rng.uniform(650.0, 1050.0)), csf_si=float(rng.uniform(260.0, 380.0)),
        gain=float(rng.uniform(0.6, 1.5)), bias_ap=float(rng.uniform(0.0, 0.45)),
        bias_si=float(rng.uniform(0.0, 0.3)))


@dataclass(frozen=True)
class _Segment:
    name: str  # "L1", "T12", "disc", "sacrum", ...
    top: float  # s of its upper edge (mm); -inf for the block at the top
    bottom: float  # s of its lower edge; inf for the sacrum
    is_body: bool


class Spine:
    """The column of one anatomy along ``s``, and the maps between (v, u) and (s, t)."""

    def __init__(self, anatomy: Anatomy) -> None:
        a = anatomy
        self.anatomy = a
        h, d = a.body_heights_mm, a.disc_heights_mm
        total = sum(h) + sum(d)
        segments: list[_Segment] = []
        top = -total / 2
        for k, level in enumerate(LUMBAR):
            segments.append(_Segment(level, top, top + h[k], True))
            top += h[k] + (d[k] if k < 4 else 0.0)
        s1_top = top + a.l5_s1_disc_mm
        if a.transitional == "lumbarised S1":
            s1_height = 0.9 * h[4]
            segments.append(_Segment("S1", s1_top, s1_top + s1_height, True))
            segments.append(_Segment("sacrum", s1_top + s1_height + 5.0, math.inf, False))
        else:
            segments.append(_Segment("sacrum", s1_top, math.inf, False))
        above = segments[0].top - a.disc_above_mm
        for k in range(a.thoracic):
            height = 0.92 * h[0]
            segments.append(_Segment(f"T{12 - k}", above - height, above, True))
            above -= height + a.disc_above_mm
        segments.append(_Segment(f"T{12 - a.thoracic}", -math.inf, above, False))
        self.segments = tuple(segments)
        self.length_l1_s1 = s1_top - segments[0].top
        self.kappa = math.radians(a.lordosis_deg) / self.length_l1_s1
        self.phi0 = math.radians(a.tilt_deg)

    def body(self, name: str) -> _Segment:
        return next(seg for seg in self.segments if seg.name == name)

    def to_spine(self, v: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(s, t) of points (v, u), in mm."""
        v0, u0 = self.anatomy.offset_mm
        c, s = math.cos(self.phi0), math.sin(self.phi0)
        if self.kappa == 0:
            return (v - v0) * c + (u - u0) * s, -(v - v0) * s + (u - u0) * c
        radius = 1.0 / self.kappa
        cv, cu = v0 - radius * s, u0 + radius * c  # centre of curvature, behind the spine
        dv, du = v - cv, u - cu
        phi = np.arctan2(dv, -du)
        turn = (phi - self.phi0 + math.pi) % (2 * math.pi) - math.pi
        return turn * radius, radius - np.hypot(dv, du)

    def to_image(self, s: float, t: float) -> tuple[float, float]:
        """(v, u) in mm of the spine point (s, t)."""
        v0, u0 = self.anatomy.offset_mm
        if self.kappa == 0:
            c, sn = math.cos(self.phi0), math.sin(self.phi0)
            return v0 + s * c - t * sn, u0 + s * sn + t * c
        radius = 1.0 / self.kappa
        cv, cu = v0 - radius * math.sin(self.phi0), u0 + radius * math.cos(self.phi0)
        phi = self.phi0 + s * self.kappa
        return cv + (radius - t) * math.sin(phi), cu - (radius - t) * math.cos(phi)

    def bias(self, v: np.ndarray, u: np.ndarray) -> np.ndarray | float:
        """The multiplicative surface-coil field (1.0 when the anatomy has none)."""
        a = self.anatomy
        if a.bias_ap == 0 and a.bias_si == 0:
            return 1.0
        v0, u0 = a.offset_mm
        return np.exp(a.bias_ap * (u - u0) / 100.0 - a.bias_si * ((v - v0) / 100.0) ** 2)

    def plane(self, v: np.ndarray, u: np.ndarray) -> tuple:
        """What `draw` needs of the points (v, u), the same for every slice: (s, t), the
        distance behind the trunk's straight axis, and the coil bias."""
        a = self.anatomy
        s, t = self.to_spine(v, u)
        # the trunk's outline is straight (turned by the tilt only); the spine bends inside it
        body_t = -(v - a.offset_mm[0]) * math.sin(self.phi0) + (u - a.offset_mm[1]) * math.cos(
            self.phi0)
        return s, t, body_t, self.bias(v, u)

    def draw(self, x: float, plane: tuple, si_bodies: dict[str, float],
             si_csf: float) -> np.ndarray:
        """Noise-free SI of the sagittal plane at left-right position `x` (mm), bias included;
        `plane` is `plane(v, u)` of its pixels."""
        a = self.anatomy
        s, t, body_t, bias = plane
        img = np.full(np.broadcast_shapes(np.shape(s), np.shape(t)), a.si("air"))
        canal_end = 2.0 + a.canal_mm
        img = np.where((body_t > -120) & (body_t < 105), a.si("soft"), img)
        img = np.where((t >= canal_end + 2) & (body_t < 90), a.si("muscle"), img)
        img = np.where((body_t >= 90) & (body_t < 105), a.si("fat"), img)
        img = np.where((body_t > -120) & (body_t < -105), a.si("fat"), img)  # anterior fat
        if abs(x) <= _BODY_HALF_X:
            img = self._draw_column(img, s, t, si_bodies, si_csf, x)
        return img * bias

    def _draw_column(self, img: np.ndarray, s: np.ndarray, t: np.ndarray,
                     si_bodies: dict[str, float], si_csf: float, x: float) -> np.ndarray:
        a = self.anatomy
        canal_end = 2.0 + a.canal_mm
        col = np.full(img.shape, a.si("disc"))  # discs fill the column between the bodies
        for seg in self.segments:
            value = si_bodies.get(seg.name, a.si("S1") if seg.bottom > 0 else a.si("T12"))
            col = np.where((s >= seg.top) & (s < seg.bottom), value, col)
        img = np.where((t >= -a.body_depth_mm) & (t < 0), col, img)
        # posterior longitudinal ligament, canal (or pedicles off the midline), posterior arch
        img = np.where((t >= 0) & (t < 2.0), a.si("ligament"), img)
        canal = (t >= 2.0) & (t < canal_end)
        img = np.where(canal, si_csf if abs(x) <= _CANAL_HALF_X else a.si("posterior"), img)
        arch = (t >= canal_end + 2) & (t < canal_end + 30)
        for seg in self.segments:
            if seg.is_body:
                img = np.where(arch & (s >= seg.top + 3) & (s < seg.bottom - 3),
                               a.si("posterior"), img)
        return img

    def structure_at(self, name: str, v: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Whether points (v, u) lie in a body (``"L1"`` ... ``"L5"``) or, for ``"CSF"``, in
        the canal behind L3 (between the middles of the discs above and below it)."""
        s, t = self.to_spine(v, u)
        if name == "CSF":
            l3 = self.body("L3")
            d = self.anatomy.disc_heights_mm
            return ((s >= l3.top - d[1] / 2) & (s < l3.bottom + d[2] / 2) & (t >= 2.0)
                    & (t < 2.0 + self.anatomy.canal_mm))
        seg = self.body(name)
        return (s >= seg.top) & (s < seg.bottom) & (t >= -self.anatomy.body_depth_mm) & (t < 0)

    def reference_rois(self) -> dict[str, tuple[float, float, float]]:
        """Each ROI's centre (v, u) in mm and radius (mm): the middle of each body and of the
        canal behind L3; radii keep 4 mm inside the structure (8 mm at most; 2 mm at least,
        for a collapsed body), 5 mm at most for the CSF."""
        a = self.anatomy
        out = {}
        for level in LUMBAR:
            seg = self.body(level)
            v, u = self.to_image((seg.top + seg.bottom) / 2, -a.body_depth_mm / 2)
            radius = max(2.0, min(8.0, (seg.bottom - seg.top) / 2 - 4, a.body_depth_mm / 2 - 4))
            out[level] = (v, u, radius)
        l3 = self.body("L3")
        v, u = self.to_image((l3.top + l3.bottom) / 2, 2.0 + a.canal_mm / 2)
        out["CSF"] = (v, u, max(2.0, min(5.0, a.canal_mm / 2 - 4)))
        return out
