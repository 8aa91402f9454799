"""The market the book describes: its years, regions, countries, sectors, insurers, the pool's shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradecover.parties.actor import Actor

FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
AS_OF = LAST_DAY
POOL_START = dt.date(2025, 6, 12)
POOL_END = dt.date(2026, 6, 11)
REGIONS = ("Yiwu", "Shenzhen", "Ningbo", "Guangzhou", "Suzhou", "Xiamen", "Qingdao", "Hangzhou", "Dongguan")
REGION_WEIGHTS = (12, 12, 10, 14, 10, 8, 8, 14, 12)
EXPORT_COUNTRIES = (
    "US",
    "DE",
    "GB",
    "JP",
    "FR",
    "NL",
    "IT",
    "ES",
    "AU",
    "CA",
    "KR",
    "SG",
    "MY",
    "TH",
    "VN",
    "ID",
    "IN",
    "MX",
    "BR",
    "AE",
    "PL",
    "SE",
    "CH",
    "PH",
)
EXPORT_WEIGHTS = (26, 8, 6, 6, 4, 4, 3, 3, 4, 3, 4, 3, 3, 3, 4, 3, 3, 2, 2, 2, 2, 1, 1, 2)
SECTORS = ("consumer_goods", "textiles_apparel", "electronics", "machinery")
BUYERS_PER_HOLDER = 60
LIMIT_SLOTS = 42  # slots 0..41 of a holder's buyers have a limit, 42..49 use the DCL, 50..59 are uninsured
DCL_SLOTS = 50
DCL_MINOR = {"CNY": 30_000_000, "USD": 5_000_000, "EUR": 4_500_000}
INSURERS = (
    ("Bench Jade Insurance", 35),
    ("Bench Pearl Insurance", 30),
    ("Bench Orient Insurance", 20),
    ("Bench State Export Credit", 15),
)
POOL_SHARES = (Decimal("0.40"), Decimal("0.35"), Decimal("0.25"))
SYSTEM = Actor.system()

STAMP = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
NULL = "\\N"  # NULL in COPY text


def _days(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)
