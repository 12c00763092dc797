import pytest

from domain.geo import distance_m, gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# (WGS-84 lat, lng, GCJ-02 lat, lng) as published with the reference implementation
# (googollee/eviltransform's test suite): Shanghai, Shenzhen, Beijing.
PUBLISHED = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), PUBLISHED)
def test_wgs84_to_gcj02_gives_the_published_values(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lat, lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)
    assert lng == pytest.approx(gcj_lng, abs=1e-9)


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), PUBLISHED)
def test_gcj02_to_wgs84_lands_within_half_a_metre_of_the_gps_point(
    wgs_lat, wgs_lng, gcj_lat, gcj_lng
):
    assert distance_m(gcj02_to_wgs84(gcj_lat, gcj_lng), (wgs_lat, wgs_lng)) < 0.5


def test_tiananmen_shifts_north_east_by_the_known_offset():
    lat, lng = wgs84_to_gcj02(39.9087, 116.3975)
    assert lat - 39.9087 == pytest.approx(0.0014, abs=0.0001)
    assert lng - 116.3975 == pytest.approx(0.0062, abs=0.0001)


def test_round_trip_stays_within_half_a_metre_across_china():
    worst = 0.0
    for lat10 in range(190, 540, 35):
        for lng10 in range(760, 1350, 45):
            point = (lat10 / 10, lng10 / 10)
            back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
            worst = max(worst, distance_m(point, back))
    assert worst < 0.5


@pytest.mark.parametrize("point", [(51.5074, -0.1278), (35.6762, 139.6503), (-33.86, 151.2)])
def test_points_outside_china_are_not_shifted(point):
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_a_point_in_china_is_shifted_by_hundreds_of_metres():
    point = (39.86, 124.15)
    assert not out_of_china(*point)
    assert 100 < distance_m(point, wgs84_to_gcj02(*point)) < 1000


def test_distance_of_one_degree_of_latitude_is_about_111_km():
    assert distance_m((39.0, 124.0), (40.0, 124.0)) == pytest.approx(111_195, rel=1e-3)
    assert distance_m((39.86, 124.15), (39.86, 124.15)) == 0.0
