"""Reading indicator values from CSV or XLSX files: long or wide format. Validates everything, writes nothing.

- long format: one value per line, columns ``indicateur``, ``niveau``, ``code_geo``, ``periode``, ``valeur``;
- wide format, one column per indicator: columns ``code_geo`` (+ ``niveau`` and ``periode`` unless given in the
  form) and one column per indicator (named after its code, or mapped in the form ``colonne = code``);
- wide format, one column per period: ``code_geo`` (+ ``niveau``), one column per period (``2019``, ``2020-03``),
  for one indicator chosen in the form.

Encoding, delimiter, BOM, decimal comma and thousands separators are detected by ``common.tabular``.
Errors are given by line and column (as a spreadsheet shows them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from srefop_portal.common.tabular import RowError, TableReadError, normalise_header, parse_decimal, read_table
from territories.models import Commune, Departement, Epci, Region, Territory

from .models import ImportBatch, Indicator, Level

INDICATOR_COLUMNS = ("indicateur", "code_indicateur", "indicator")
LEVEL_COLUMNS = ("niveau", "niveau_geographique", "level")
GEO_COLUMNS = ("code_geo", "code_geographique", "codgeo", "code", "code_insee", "code_commune", "geo")
PERIOD_COLUMNS = ("periode", "annee", "mois", "period", "year")
VALUE_COLUMNS = ("valeur", "value", "val")

LEVEL_ALIASES = {
    "commune": Level.COMMUNE,
    "com": Level.COMMUNE,
    "epci": Level.EPCI,
    "territoire": Level.TERRITORY,
    "territoire_efop": Level.TERRITORY,
    "departement": Level.DEPARTEMENT,
    "dep": Level.DEPARTEMENT,
    "region": Level.REGION,
    "reg": Level.REGION,
}
MAX_ABS_VALUE = Decimal("1e15")
PERIOD_PATTERNS = (
    (re.compile(r"^(\d{4})$"), lambda m: m.group(1)),
    (re.compile(r"^(\d{4})[-/._](\d{1,2})$"), lambda m: f"{m.group(1)}-{int(m.group(2)):02d}"),
    (re.compile(r"^(\d{1,2})[-/._](\d{4})$"), lambda m: f"{m.group(2)}-{int(m.group(1)):02d}"),
    (re.compile(r"^(\d{4})[-/._](\d{1,2})[-/._]0?1(?: 00:00:00)?$"), lambda m: f"{m.group(1)}-{int(m.group(2)):02d}"),
)


@dataclass
class ParsedValue:
    indicator_id: int
    level: str
    code: str
    period: str
    value: Decimal
    line: int


@dataclass
class ImportResult:
    values: list[ParsedValue] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    row_count: int = 0
    headers: list[str] = field(default_factory=list)
    indicator_codes: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    too_many_errors: bool = False

    MAX_ERRORS = 10_000

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.values)

    def add_error(self, line, column, message):
        if len(self.errors) >= self.MAX_ERRORS:
            self.too_many_errors = True
            return
        self.errors.append(RowError(line, column, message))


def normalise_period(text: str) -> str | None:
    text = str(text).strip()
    if text.endswith(".0"):
        text = text[:-2]
    for pattern, build in PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            period = build(match)
            year = int(period[:4])
            if not 1900 <= year <= 2100:
                return None
            if len(period) == 7 and not 1 <= int(period[5:]) <= 12:
                return None
            return period
    return None


def normalise_level(text: str) -> str | None:
    return LEVEL_ALIASES.get(normalise_header(text))


class Geography:
    """The known codes at each level (one query per level, made once per file)."""

    def __init__(self):
        self.codes = {
            Level.COMMUNE: set(Commune.objects.values_list("code", flat=True)),
            Level.EPCI: set(Epci.objects.values_list("siren", flat=True)),
            Level.TERRITORY: set(Territory.objects.values_list("code", flat=True)),
            Level.DEPARTEMENT: set(Departement.objects.values_list("code", flat=True)),
            Level.REGION: set(Region.objects.values_list("code", flat=True)),
        }

    def normalise(self, level: str, code: str) -> str:
        code = code.strip().upper()
        if code.endswith(".0"):
            code = code[:-2]
        if level == Level.COMMUNE and code.isdigit() and len(code) == 4:
            code = code.zfill(5)
        return code

    def exists(self, level: str, code: str) -> bool:
        return code in self.codes[level]


def _pick(headers: list[str], candidates) -> str | None:
    for name in candidates:
        if name in headers:
            return name
    return None


class _Validator:
    def __init__(self, result: ImportResult):
        self.result = result
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.by_header = {normalise_header(code): i for code, i in self.indicators.items()}
        self.geography = Geography()
        self.seen: dict[tuple, int] = {}

    def indicator(self, line, column, code) -> Indicator | None:
        code = code.strip()
        indicator = self.indicators.get(code) or self.indicators.get(code.lower())
        if indicator is None:
            self.result.add_error(
                line, column, f"indicateur « {code} » inconnu du catalogue" if code else "indicateur manquant"
            )
        return indicator

    def add(self, *, line, indicator: Indicator, level: str, code: str, period: str, raw_value: str, columns: dict):
        result = self.result
        if level in indicator.computed_levels():
            names = " / ".join(
                i.label for i in self.indicators.values() if i.pk in (indicator.numerator_id, indicator.denominator_id)
            )
            result.add_error(
                line,
                columns["indicator"],
                f"« {indicator.code} » est calculé par le portail à ce niveau ({indicator.get_rule_display().lower()}"
                + (f" : {names}" if names else "")
                + ") : importez ses composantes",
            )
            return
        code = self.geography.normalise(level, code)
        if not code:
            result.add_error(line, columns["geo"], "code géographique manquant")
            return
        if not self.geography.exists(level, code):
            result.add_error(line, columns["geo"], f"code « {code} » inconnu au niveau {Level(level).label.lower()}")
            return
        if not raw_value.strip():
            return  # an empty cell is no value (secret statistique, donnée manquante)
        try:
            value = parse_decimal(raw_value)
        except ValueError as exc:
            result.add_error(line, columns["value"], str(exc))
            return
        if abs(value) >= MAX_ABS_VALUE:
            result.add_error(line, columns["value"], f"valeur « {raw_value} » trop grande")
            return
        key = (indicator.pk, level, code, period)
        if key in self.seen:
            result.add_error(
                line,
                columns["value"],
                f"valeur en double ({indicator.code}, {code}, {period}) : déjà donnée ligne {self.seen[key]}",
            )
            return
        self.seen[key] = line
        result.values.append(
            ParsedValue(
                indicator_id=indicator.pk,
                level=level,
                code=code,
                period=period,
                value=value.quantize(Decimal("0.0001")),
                line=line,
            )
        )

    def finish(self):
        result = self.result
        by_pk = {i.pk: i.code for i in self.indicators.values()}
        result.indicator_codes = sorted({by_pk[v.indicator_id] for v in result.values})
        result.periods = sorted({v.period for v in result.values})
        result.levels = sorted({v.level for v in result.values})
        if not result.errors and not result.values:
            result.add_error(None, "", "le fichier ne contient aucune valeur")


def validate_file(data: bytes, filename: str, *, format: str = ImportBatch.Format.LONG, options: dict | None = None):
    """Validate a whole file; ``options`` come from the mapping form (level, period, indicator, columns)."""
    options = options or {}
    result = ImportResult()
    try:
        table = read_table(
            data,
            filename,
            expected_columns=set(GEO_COLUMNS) | set(INDICATOR_COLUMNS) | set(VALUE_COLUMNS) | set(LEVEL_COLUMNS),
        )
    except TableReadError as exc:
        for error in exc.errors:
            result.add_error(error.line, error.column, error.message)
        return result
    result.encoding, result.delimiter, result.headers = table.encoding, table.delimiter, table.headers
    result.notes = table.notes
    result.row_count = len(table.rows)
    validator = _Validator(result)
    geo_col = normalise_header(options.get("geo_column") or "") or _pick(table.headers, GEO_COLUMNS)
    if not geo_col or geo_col not in table.headers:
        result.add_error(table.header_line, "", "colonne du code géographique introuvable (attendu : « code_geo »)")
        return result
    level_col = _pick(table.headers, LEVEL_COLUMNS)
    fixed_level = options.get("level") or ""
    if not level_col and not fixed_level:
        result.add_error(table.header_line, "", "colonne « niveau » absente : choisissez le niveau dans le formulaire")
        return result

    def row_level(row) -> str | None:
        if level_col and row.get(level_col):
            level = normalise_level(row.get(level_col))
            if level is None:
                result.add_error(
                    row.line,
                    level_col,
                    f"niveau « {row.get(level_col)} » inconnu (commune, epci, territoire, departement ou region)",
                )
            return level
        if fixed_level:
            return fixed_level
        result.add_error(row.line, level_col or "", "niveau manquant")
        return None

    if format == ImportBatch.Format.LONG:
        indicator_col = _pick(table.headers, INDICATOR_COLUMNS)
        period_col = _pick(table.headers, PERIOD_COLUMNS)
        value_col = _pick(table.headers, VALUE_COLUMNS)
        for name, column in (("indicateur", indicator_col), ("periode", period_col), ("valeur", value_col)):
            if not column:
                result.add_error(table.header_line, "", f"colonne « {name} » introuvable")
        if result.errors:
            return result
        columns = {"indicator": indicator_col, "geo": geo_col, "value": value_col}
        for row in table.rows:
            indicator = validator.indicator(row.line, indicator_col, row.get(indicator_col))
            level = row_level(row)
            period = normalise_period(row.get(period_col))
            if period is None:
                result.add_error(row.line, period_col, f"période « {row.get(period_col)} » invalide (AAAA ou AAAA-MM)")
            if indicator is None or level is None or period is None:
                continue
            validator.add(
                line=row.line,
                indicator=indicator,
                level=level,
                code=row.get(geo_col),
                period=period,
                raw_value=row.get(value_col),
                columns=columns,
            )
    elif format == ImportBatch.Format.WIDE_INDICATORS:
        period_col = _pick(table.headers, PERIOD_COLUMNS)
        fixed_period = normalise_period(options.get("period") or "") if options.get("period") else None
        if options.get("period") and fixed_period is None:
            result.add_error(None, "période", f"période « {options['period']} » invalide (AAAA ou AAAA-MM)")
            return result
        if not period_col and not fixed_period:
            result.add_error(
                table.header_line, "", "colonne « periode » absente : indiquez la période dans le formulaire"
            )
            return result
        mapping = parse_column_mapping(options.get("columns") or "")
        indicator_columns: dict[str, Indicator] = {}
        for header in table.headers:
            if header in (geo_col, level_col, period_col):
                continue
            code = mapping.get(header, header)
            if code == "-":
                continue
            indicator = validator.indicators.get(code) or validator.by_header.get(normalise_header(code))
            if indicator is None:
                if header in mapping:
                    result.add_error(table.header_line, header, f"indicateur « {code} » inconnu du catalogue")
                else:
                    result.add_error(
                        table.header_line,
                        header,
                        "colonne sans indicateur : nommez-la d’après le code d’un indicateur ou faites la "
                        "correspondance (« colonne = code », ou « colonne = - » pour l’ignorer)",
                    )
                continue
            indicator_columns[header] = indicator
        if result.errors:
            return result
        for row in table.rows:
            level = row_level(row)
            if period_col and row.get(period_col):
                period = normalise_period(row.get(period_col))
                if period is None:
                    result.add_error(
                        row.line, period_col, f"période « {row.get(period_col)} » invalide (AAAA ou AAAA-MM)"
                    )
            else:
                period = fixed_period
                if period is None:
                    result.add_error(row.line, period_col, "période manquante")
            if level is None or period is None:
                continue
            for header, indicator in indicator_columns.items():
                validator.add(
                    line=row.line,
                    indicator=indicator,
                    level=level,
                    code=row.get(geo_col),
                    period=period,
                    raw_value=row.get(header),
                    columns={"indicator": header, "geo": geo_col, "value": header},
                )
    elif format == ImportBatch.Format.WIDE_PERIODS:
        indicator = validator.indicators.get(options.get("indicator") or "")
        if indicator is None:
            result.add_error(None, "indicateur", "choisissez l’indicateur des colonnes de périodes")
            return result
        period_columns: dict[str, str] = {}
        for header in table.headers:
            if header in (geo_col, level_col):
                continue
            period = normalise_period(header)
            if period is None:
                result.add_error(table.header_line, header, "colonne qui n’est pas une période (AAAA ou AAAA-MM)")
                continue
            period_columns[header] = period
        if result.errors:
            return result
        for row in table.rows:
            level = row_level(row)
            if level is None:
                continue
            for header, period in period_columns.items():
                validator.add(
                    line=row.line,
                    indicator=indicator,
                    level=level,
                    code=row.get(geo_col),
                    period=period,
                    raw_value=row.get(header),
                    columns={"indicator": header, "geo": geo_col, "value": header},
                )
    else:
        result.add_error(None, "", f"format « {format} » inconnu")
        return result
    validator.finish()
    return result


def parse_column_mapping(text: str) -> dict[str, str]:
    """« colonne = code » lines (or « colonne ; code ») → {normalised column: code}."""
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        for separator in ("=", ";", ":"):
            if separator in line:
                column, code = line.split(separator, 1)
                mapping[normalise_header(column)] = code.strip()
                break
    return mapping
