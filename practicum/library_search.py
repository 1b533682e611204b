"""Finding scenarios in the library: filters, full-text search, grade bands in school order, pages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from practicum.errors import ValidationFailed
from practicum.library import only_current
from practicum.models import Scenario

FILTERS = ("category", "grade_band", "subject")
PAGE_SIZE, MAX_PAGE_SIZE = 50, 100
MAX_QUERY_LENGTH = 200
MAX_PREFIX_WORDS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits only, so a word can never be tsquery syntax
OPERATOR = re.compile(r'(?:^|\s)-|"|\bor\b', re.IGNORECASE)  # web-search syntax: -word, "phrase", or
BAND_START = re.compile(r"\s*(?:grades?\s*)?(pre-?k|k|\d{1,3})", re.IGNORECASE)


@dataclass(frozen=True)
class LibraryQuery:
    """What someone asked the library for: words to search and exact filter values."""

    text: str = ""
    category: str = ""
    grade_band: str = ""
    subject: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> LibraryQuery:
        """Read q and the filters from a query string; raise if the search is too long."""
        text = " ".join(args.get("q", "").split())
        if len(text) > MAX_QUERY_LENGTH:
            raise ValidationFailed(
                f"A search holds at most {MAX_QUERY_LENGTH} characters.", {"q": f"at most {MAX_QUERY_LENGTH}"}
            )
        return cls(text, **{name: args.get(name, "").strip() for name in FILTERS})

    def filters(self) -> dict[str, str]:
        """Return the filters that were chosen, by name."""
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name)}

    def as_args(self) -> dict[str, str]:
        """Return the query string that asks the same again (for links to other pages)."""
        return {"q": self.text, **self.filters()} if self.text else self.filters()


@dataclass(frozen=True)
class ScenarioPage:
    """One page of matching scenarios and where it lies among them all."""

    scenarios: list[Scenario]
    page: int
    per_page: int
    total: int
    ranked: bool  # best match first (a search) rather than by category and title

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first scenario among all matches (0 when none)."""
        return (self.page - 1) * self.per_page + 1 if self.scenarios else 0

    @property
    def last(self) -> int:
        return self.first + len(self.scenarios) - 1 if self.scenarios else 0


@dataclass(frozen=True)
class LibraryOverview:
    """The values each filter can take, grade bands in school order, and how many scenarios there are."""

    options: dict[str, list[str]]
    total: int


def grade_band_order(band: str) -> tuple:
    """Sort key that puts grade bands in school order: K-2, 3-5, 6-8, 9-10, 11-12."""
    start = BAND_START.match(band)
    if start is None:
        return (1, 0, band)  # a band we cannot read goes after the ones we can
    first = start.group(1).lower()
    return (0, -1 if first.startswith("pre") else 0 if first == "k" else int(first), band)


def library_overview(db: Session) -> LibraryOverview:
    """Return the filter choices among current scenarios and their number, in one query."""
    columns = [getattr(Scenario, name) for name in FILTERS]
    rows = db.execute(only_current(select(*columns, func.count())).group_by(*columns)).all()
    options = {
        "category": sorted({row.category for row in rows}),
        "grade_band": sorted({row.grade_band for row in rows}, key=grade_band_order),
        "subject": sorted({row.subject for row in rows}, key=str.casefold),
    }
    return LibraryOverview(options, sum(row[-1] for row in rows))


def search_scenarios(
    db: Session, asked: LibraryQuery, page: int = 1, per_page: int = PAGE_SIZE
) -> ScenarioPage:
    """Return one page of current scenarios that match, best match first when words were given."""
    if page < 1 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"Pages count from 1 and hold 1 to {MAX_PAGE_SIZE} scenarios.",
            {"page": "at least 1", "per_page": f"1 to {MAX_PAGE_SIZE}"},
        )
    condition, ranking = _word_match(asked.text) if asked.text else (None, [])
    total = _count(db, asked, condition)
    if asked.text and not total:
        # Nothing has these words or word starts: fall back to the titles' and subjects' text
        # (a word part like "decima" or "cimal", which word stems and prefixes cannot find).
        condition, ranking = _substring_match(asked.text), []
        total = _count(db, asked, condition)
    order = [*ranking, Scenario.title] if asked.text else [Scenario.category, Scenario.title]
    query = (
        _matching(select(Scenario), asked, condition)
        .options(contains_eager(Scenario.set_version))
        .order_by(*order, Scenario.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return ScenarioPage(list(db.scalars(query)), page, per_page, total, bool(asked.text))


def _matching(query: Select, asked: LibraryQuery, condition: ColumnElement | None) -> Select:
    query = only_current(query).where(*(getattr(Scenario, n) == v for n, v in asked.filters().items()))
    return query if condition is None else query.where(condition)


def _count(db: Session, asked: LibraryQuery, condition: ColumnElement | None) -> int:
    return db.scalar(_matching(select(func.count()).select_from(Scenario), asked, condition)) or 0


def _word_match(text: str) -> tuple[ColumnElement, list]:
    """Match the search as typed (web-search syntax, English stems), or every word as a word start."""
    typed = func.websearch_to_tsquery("english", text)
    matches = [Scenario.search_vector.bool_op("@@")(typed)]
    ranking = [func.ts_rank(Scenario.search_vector, typed).desc()]
    words = WORD.findall(text.lower())[:MAX_PREFIX_WORDS]
    # "frac" finds fractions, ranked below whole words; not when the search uses operators,
    # whose exclusions and phrases the prefixes would widen.
    if words and not OPERATOR.search(text):
        prefixes = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
        matches.append(Scenario.search_vector.bool_op("@@")(prefixes))
        ranking.append(func.ts_rank(Scenario.search_vector, prefixes).desc())
    return or_(*matches), ranking


def _substring_match(text: str) -> ColumnElement:
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
    return or_(Scenario.title.ilike(pattern, escape="\\"), Scenario.subject.ilike(pattern, escape="\\"))
