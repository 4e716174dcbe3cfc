"""ODK's geographic functions ``area`` and ``distance`` (rules: ``expr_library``'s docstring).
Points are 'lat lon [alt acc]'; a geotrace or geoshape is points separated by ';'.  The
Earth is a sphere of the equatorial radius, as in Enketo and JavaRosa, so that the results
are ODK's to the centimetre.  ``static/js/expr.js`` mirrors this module."""
import math
import re

from .expr_functions import flat_values, to_number, to_string

EARTH_RADIUS_M = 6378100.0


def _points(args):
    """Every point of the arguments as (lat, lon) in radians, or None if one is malformed."""
    points = []
    for value in flat_values(args):
        for part in to_string(value).split(';'):
            words = [w for w in re.split('[ \t\r\n]+', part) if w]
            if not words:
                continue
            if len(words) < 2:
                return None
            lat, lon = to_number(words[0]), to_number(words[1])
            if not (abs(lat) <= 90 and abs(lon) <= 180):
                return None
            points.append((math.radians(lat), math.radians(lon)))
    return points


def area(ctx, *args):
    """Geodesic area in m² of the polygon the points draw."""
    pts = _points(args)
    if not pts:
        return math.nan
    total = 0.0
    if len(pts) > 2:
        for i, (lat1, lon1) in enumerate(pts):
            lat2, lon2 = pts[(i + 1) % len(pts)]
            total += (lon2 - lon1) * (2 + math.sin(lat1) + math.sin(lat2))
    return _two_decimals(abs(total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2))


def distance(ctx, *args):
    """Length in m of the path the points draw."""
    pts = _points(args)
    if not pts:
        return math.nan
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(pts, pts[1:]):
        h = (math.sin((lat2 - lat1) / 2) ** 2
             + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
        total += 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
    return _two_decimals(total)


def _two_decimals(x):
    return math.floor(x * 100 + 0.5) / 100
