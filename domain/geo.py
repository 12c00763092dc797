"""Coordinates: GCJ-02 (China's "Mars" datum, used by WeChat and Amap) ⇄ WGS-84, and distances.

The shift is the standard public algorithm (Krasovsky 1940 ellipsoid, a = 6378245 m). Going
from GCJ-02 back to WGS-84 has no closed form, so it iterates the forward shift to below 1e-9°
(about 0.1 mm). Coordinates are (lat, lng) in that order, as WeChat's Location_X is latitude.
"""
from __future__ import annotations

import math

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, as in the published algorithm
_EE = 0.00669342162296594323  # its first eccentricity squared
_EARTH_RADIUS_M = 6371008.8  # mean radius, for haversine
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 30


def out_of_china(lat: float, lng: float) -> bool:
    """True outside the rough box where GCJ-02 applies: there no shift is made."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _raw_shift(x: float, y: float) -> tuple[float, float]:
    """The published polynomial-and-sine shift, in metres-ish units, for x = lng-105, y = lat-35."""
    xp, yp = x * math.pi, y * math.pi
    common = (20.0 * math.sin(6.0 * xp) + 20.0 * math.sin(2.0 * xp)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += common
    d_lat += (20.0 * math.sin(yp) + 40.0 * math.sin(yp / 3.0)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(yp / 12.0) + 320.0 * math.sin(yp / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lng += common
    d_lng += (20.0 * math.sin(xp) + 40.0 * math.sin(xp / 3.0)) * 2.0 / 3.0
    d_lng += (150.0 * math.sin(xp / 12.0) + 300.0 * math.sin(xp / 30.0)) * 2.0 / 3.0
    return d_lat, d_lng


def _shift(lat: float, lng: float) -> tuple[float, float]:
    """The GCJ-02 offset in degrees (d_lat, d_lng) at a WGS-84 point inside China."""
    d_lat, d_lng = _raw_shift(lng - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 (GPS) → GCJ-02; unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _shift(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 (WeChat, Amap) → WGS-84; unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    # The shift changes by well under 1% per degree, so this fixed point converges in ~3 steps.
    for _ in range(_INVERSE_MAX_STEPS):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        err_lat, err_lng = g_lat - lat, g_lng - lng
        if abs(err_lat) < _INVERSE_TOLERANCE_DEG and abs(err_lng) < _INVERSE_TOLERANCE_DEG:
            break
        w_lat, w_lng = w_lat - err_lat, w_lng - err_lng
    return w_lat, w_lng


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lng) points (haversine)."""
    lat1, lng1 = map(math.radians, a)
    lat2, lng2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def box_around(point: tuple[float, float], radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) in degrees: a box holding every point within `radius_m`.

    For index-friendly "near" queries: the box is cheap to test in SQL, the exact distance is
    then checked on the few points inside it. Slightly generous (the sphere's 1° of latitude).
    """
    lat, lng = point
    d_lat = math.degrees(radius_m / _EARTH_RADIUS_M)
    d_lng = d_lat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - d_lat, lng - d_lng, lat + d_lat, lng + d_lng
