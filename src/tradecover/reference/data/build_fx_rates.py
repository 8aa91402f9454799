"""Write `fx_rates.csv`: month-start reference rates, units of each platform currency per 1 USD.

Run once by hand (`python src/tradecover/reference/data/build_fx_rates.py`) after changing an anchor;
the CSV it writes is committed and is what the platform reads. Nothing here runs at import or at
runtime, and nothing is random: each month's rate is the straight-line interpolation between the two
anchors around it (quarter-start market levels for 2024-2025, a flat-to-gentle path for 2026),
rounded to five or six significant figures.
"""

from __future__ import annotations

import csv
import itertools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

# Quarter-start levels (units per USD); USD itself is implicit (always 1).
ANCHORS: dict[date, dict[str, str]] = {
    date(2024, 1, 1): {
        "CNY": "7.100",
        "EUR": "0.905",
        "GBP": "0.785",
        "JPY": "141.0",
        "HKD": "7.810",
        "SGD": "1.319",
        "MYR": "4.590",
        "THB": "34.10",
        "VND": "24260",
        "IDR": "15400",
        "PHP": "55.40",
        "KRW": "1288",
        "AUD": "1.468",
        "CAD": "1.325",
        "CHF": "0.841",
        "INR": "83.20",
        "MXN": "16.97",
        "BRL": "4.850",
        "AED": "3.6725",
    },
    date(2024, 4, 1): {
        "CNY": "7.230",
        "EUR": "0.927",
        "GBP": "0.792",
        "JPY": "151.3",
        "HKD": "7.830",
        "SGD": "1.349",
        "MYR": "4.730",
        "THB": "36.50",
        "VND": "24800",
        "IDR": "15870",
        "PHP": "56.30",
        "KRW": "1345",
        "AUD": "1.534",
        "CAD": "1.354",
        "CHF": "0.902",
        "INR": "83.40",
        "MXN": "16.56",
        "BRL": "5.020",
        "AED": "3.6725",
    },
    date(2024, 7, 1): {
        "CNY": "7.270",
        "EUR": "0.933",
        "GBP": "0.791",
        "JPY": "161.5",
        "HKD": "7.810",
        "SGD": "1.356",
        "MYR": "4.720",
        "THB": "36.70",
        "VND": "25350",
        "IDR": "16300",
        "PHP": "58.50",
        "KRW": "1383",
        "AUD": "1.497",
        "CAD": "1.368",
        "CHF": "0.898",
        "INR": "83.50",
        "MXN": "18.30",
        "BRL": "5.580",
        "AED": "3.6725",
    },
    date(2024, 10, 1): {
        "CNY": "7.020",
        "EUR": "0.899",
        "GBP": "0.748",
        "JPY": "143.6",
        "HKD": "7.770",
        "SGD": "1.284",
        "MYR": "4.120",
        "THB": "32.30",
        "VND": "24650",
        "IDR": "15200",
        "PHP": "56.00",
        "KRW": "1306",
        "AUD": "1.446",
        "CAD": "1.352",
        "CHF": "0.845",
        "INR": "83.80",
        "MXN": "19.60",
        "BRL": "5.450",
        "AED": "3.6725",
    },
    date(2025, 1, 1): {
        "CNY": "7.300",
        "EUR": "0.966",
        "GBP": "0.799",
        "JPY": "157.2",
        "HKD": "7.770",
        "SGD": "1.365",
        "MYR": "4.470",
        "THB": "34.10",
        "VND": "25480",
        "IDR": "16100",
        "PHP": "57.90",
        "KRW": "1470",
        "AUD": "1.615",
        "CAD": "1.438",
        "CHF": "0.907",
        "INR": "85.60",
        "MXN": "20.80",
        "BRL": "6.180",
        "AED": "3.6725",
    },
    date(2025, 4, 1): {
        "CNY": "7.270",
        "EUR": "0.925",
        "GBP": "0.774",
        "JPY": "149.5",
        "HKD": "7.780",
        "SGD": "1.343",
        "MYR": "4.380",
        "THB": "33.90",
        "VND": "25750",
        "IDR": "16560",
        "PHP": "57.20",
        "KRW": "1466",
        "AUD": "1.600",
        "CAD": "1.434",
        "CHF": "0.882",
        "INR": "85.50",
        "MXN": "20.40",
        "BRL": "5.700",
        "AED": "3.6725",
    },
    date(2025, 7, 1): {
        "CNY": "7.160",
        "EUR": "0.847",
        "GBP": "0.729",
        "JPY": "144.0",
        "HKD": "7.850",
        "SGD": "1.274",
        "MYR": "4.210",
        "THB": "32.50",
        "VND": "26130",
        "IDR": "16250",
        "PHP": "56.40",
        "KRW": "1360",
        "AUD": "1.524",
        "CAD": "1.362",
        "CHF": "0.793",
        "INR": "85.70",
        "MXN": "18.85",
        "BRL": "5.480",
        "AED": "3.6725",
    },
    date(2025, 10, 1): {
        "CNY": "7.120",
        "EUR": "0.851",
        "GBP": "0.744",
        "JPY": "147.9",
        "HKD": "7.780",
        "SGD": "1.290",
        "MYR": "4.210",
        "THB": "32.40",
        "VND": "26300",
        "IDR": "16650",
        "PHP": "58.10",
        "KRW": "1403",
        "AUD": "1.514",
        "CAD": "1.392",
        "CHF": "0.797",
        "INR": "88.70",
        "MXN": "18.40",
        "BRL": "5.330",
        "AED": "3.6725",
    },
    date(2026, 1, 1): {
        "CNY": "7.100",
        "EUR": "0.862",
        "GBP": "0.760",
        "JPY": "155.0",
        "HKD": "7.780",
        "SGD": "1.300",
        "MYR": "4.150",
        "THB": "32.40",
        "VND": "26350",
        "IDR": "16650",
        "PHP": "58.80",
        "KRW": "1460",
        "AUD": "1.535",
        "CAD": "1.400",
        "CHF": "0.805",
        "INR": "88.80",
        "MXN": "18.40",
        "BRL": "5.350",
        "AED": "3.6725",
    },
    date(2026, 7, 1): {
        "CNY": "7.060",
        "EUR": "0.855",
        "GBP": "0.755",
        "JPY": "150.0",
        "HKD": "7.790",
        "SGD": "1.290",
        "MYR": "4.120",
        "THB": "32.20",
        "VND": "26500",
        "IDR": "16700",
        "PHP": "58.50",
        "KRW": "1430",
        "AUD": "1.520",
        "CAD": "1.390",
        "CHF": "0.800",
        "INR": "89.50",
        "MXN": "18.60",
        "BRL": "5.450",
        "AED": "3.6725",
    },
    date(2026, 12, 1): {
        "CNY": "7.040",
        "EUR": "0.850",
        "GBP": "0.752",
        "JPY": "148.0",
        "HKD": "7.800",
        "SGD": "1.285",
        "MYR": "4.100",
        "THB": "32.00",
        "VND": "26650",
        "IDR": "16750",
        "PHP": "58.30",
        "KRW": "1415",
        "AUD": "1.510",
        "CAD": "1.385",
        "CHF": "0.795",
        "INR": "90.20",
        "MXN": "18.80",
        "BRL": "5.500",
        "AED": "3.6725",
    },
}


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _significant(value: Decimal) -> Decimal:
    """Round to 5 significant figures for rates above 1, 4 decimal places otherwise (half up)."""
    digits = value.adjusted()
    places = max(4 - digits, 0) if digits >= 0 else 4
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def month_start_rates() -> list[tuple[date, dict[str, Decimal]]]:
    """Every month start from the first anchor to the last, interpolated between anchors."""
    anchors = sorted(ANCHORS)
    rows: list[tuple[date, dict[str, Decimal]]] = []
    for left, right in itertools.pairwise(anchors):
        span = _month_index(right) - _month_index(left)
        last = right == anchors[-1]
        for step in range(span + 1 if last else span):
            month = _month_index(left) + step
            day = date(month // 12, month % 12 + 1, 1)
            rates = {}
            for code, start in ANCHORS[left].items():
                a, b = Decimal(start), Decimal(ANCHORS[right][code])
                rates[code] = _significant(a + (b - a) * step / span)
            rows.append((day, rates))
    return rows


def write(path: Path) -> None:
    """Write the table: one row per month start, one column per currency (units per 1 USD)."""
    rows = month_start_rates()
    codes = list(ANCHORS[min(ANCHORS)])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", *codes])
        for day, rates in rows:
            writer.writerow([day.isoformat(), *(str(rates[code]) for code in codes)])


if __name__ == "__main__":
    write(Path(__file__).with_name("fx_rates.csv"))
