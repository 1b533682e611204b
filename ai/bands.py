"""Score bands: the four words (and colours) every page and API uses."""

from __future__ import annotations

# Lower bound of each band, highest first. Documented in README ("How a score is made").
BAND_FLOORS = (("exemplary", 80), ("proficient", 60), ("developing", 40), ("needs_work", 0))
BAND_LABELS = {
    "needs_work": "Needs work",
    "developing": "Developing",
    "proficient": "Proficient",
    "exemplary": "Exemplary",
}


def band_for(score: int) -> str:
    """Return the band key of a 0–100 score."""
    for band, floor in BAND_FLOORS:
        if score >= floor:
            return band
    return "needs_work"


def band_label(band: str) -> str:
    """Return the words shown for a band key."""
    return BAND_LABELS.get(band, band)
