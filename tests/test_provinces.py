"""The whole country: a profile for each of the 63 provinces before the 2025 merger, each of the 34
provinces after it served by one of them, and searches by a new province reaching the old ones."""

from __future__ import annotations

from collections import defaultdict

from scraper.portals import load_profiles

# Nghị quyết 202/2025/QH15: the 34 provincial units from 1 July 2025 (first: the one whose portal stays).
UNITS = {
    "Hà Nội": ["Hà Nội"], "Huế": ["Thừa Thiên Huế"], "Lai Châu": ["Lai Châu"], "Điện Biên": ["Điện Biên"],
    "Sơn La": ["Sơn La"], "Lạng Sơn": ["Lạng Sơn"], "Quảng Ninh": ["Quảng Ninh"], "Thanh Hóa": ["Thanh Hóa"],
    "Nghệ An": ["Nghệ An"], "Hà Tĩnh": ["Hà Tĩnh"], "Cao Bằng": ["Cao Bằng"],
    "Tuyên Quang": ["Tuyên Quang", "Hà Giang"], "Lào Cai": ["Lào Cai", "Yên Bái"], "Thái Nguyên": ["Thái Nguyên", "Bắc Kạn"],
    "Phú Thọ": ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"], "Bắc Ninh": ["Bắc Ninh", "Bắc Giang"], "Hưng Yên": ["Hưng Yên", "Thái Bình"],
    "Hải Phòng": ["Hải Phòng", "Hải Dương"], "Ninh Bình": ["Ninh Bình", "Hà Nam", "Nam Định"],
    "Quảng Trị": ["Quảng Trị", "Quảng Bình"], "Đà Nẵng": ["Đà Nẵng", "Quảng Nam"], "Quảng Ngãi": ["Quảng Ngãi", "Kon Tum"],
    "Gia Lai": ["Gia Lai", "Bình Định"], "Khánh Hòa": ["Khánh Hòa", "Ninh Thuận"],
    "Lâm Đồng": ["Lâm Đồng", "Đắk Nông", "Bình Thuận"], "Đắk Lắk": ["Đắk Lắk", "Phú Yên"],
    "TP Hồ Chí Minh": ["TP Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"], "Đồng Nai": ["Đồng Nai", "Bình Phước"],
    "Tây Ninh": ["Tây Ninh", "Long An"], "Cần Thơ": ["Cần Thơ", "Sóc Trăng", "Hậu Giang"],
    "Vĩnh Long": ["Vĩnh Long", "Bến Tre", "Trà Vinh"], "Đồng Tháp": ["Đồng Tháp", "Tiền Giang"],
    "An Giang": ["An Giang", "Kiên Giang"], "Cà Mau": ["Cà Mau", "Bạc Liêu"],
}


def provincial():
    return {p.slug: p for p in load_profiles().values() if not p.is_subsite}


def test_the_merger_table_is_whole():
    assert len(UNITS) == 34 and sum(len(v) for v in UNITS.values()) == 63


def test_one_profile_per_pre_merger_province():
    by_province = defaultdict(list)
    for p in provincial().values():
        by_province[p.province].append(p.slug)
    for provinces in UNITS.values():
        for province in provinces:
            assert len(by_province[province]) == 1, province
    assert len(provincial()) == 63


def test_every_profile_records_what_its_province_became():
    for p in provincial().values():
        assert p.merged_into in UNITS, (p.slug, p.merged_into)
        assert p.province in UNITS[p.merged_into]
        assert p.status in ("live", "retired", "unverified") and p.evidence
        if p.status == "retired":
            assert p.retired_on and p.successor


def test_each_new_province_is_served_by_the_portal_it_kept():
    profiles = provincial()
    for unit, provinces in UNITS.items():
        (keeper,) = [p for p in profiles.values() if p.province == provinces[0]]
        assert keeper.merged_into == unit
        assert list(keeper.merged_from) == provinces[1:], unit
        for absorbed in provinces[1:]:
            (old,) = [p for p in profiles.values() if p.province == absorbed]
            assert old.successor == keeper.slug, absorbed


def test_phu_yen_is_retired_into_dak_lak():
    p = load_profiles()["phu_yen"]
    assert (p.status, p.retired_on, p.successor, p.merged_into) == ("retired", "2025-07-01", "dak_lak", "Đắk Lắk")


def test_slugs_are_the_province_names_in_ascii():
    profiles = provincial()
    for slug in ("phu_yen", "dak_lak", "ha_noi", "quang_ninh", "ho_chi_minh", "ba_ria_vung_tau", "thua_thien_hue"):
        assert slug in profiles
