"""Plain-language headline and summary for an assessment, worded as the rubric asks: describe the page, never the
provider; hedge; point to neutral sources."""

from __future__ import annotations

from model.rubric import Rubric

AHSCT_NOTE = ("aHSCT is a recognised option for some people with very active relapsing MS, at accredited "
              "transplant centres, and it has serious risks.")


def headline(level: str) -> str:
    return {
        "not_applicable": "This page does not appear to be about stem-cell treatment for MS",
        "low": "Few warning signs on this page",
        "moderate": "Some claims here are worth checking",
        "high": "Several claims here match common warning signs",
    }[level]


def summary(level: str, hit_titles: list[str], rubric: Rubric, guideline_ahsct: bool) -> str:
    """A short paragraph for the banner; ``hit_titles`` are the titles of every red flag the page shows, heaviest
    first. They are listed as they are, one after another, so that none is left out and each reads whole."""
    named = "; ".join(title[0].lower() + title[1:] for title in hit_titles)
    if level == "not_applicable":
        return ("stemclaim reviews pages about stem-cell treatment for multiple sclerosis; this page does not "
                "seem to be one, so it was not graded.")
    if level == "high":
        text = (f"This page makes claims that stem-cell scientists and consumer regulators list as warning signs"
                f"{': ' + named if named else ''}. As of {rubric.date}, no stem-cell or exosome product is "
                "FDA-approved for MS. Consider talking to a neurologist before paying or travelling for treatment.")
    elif level == "moderate":
        text = (f"Some of this page's wording is worth checking{': ' + named if named else ''}. Questions to ask a "
                "clinic: published results in people with MS, written risks and full costs, and a registered trial "
                "with its IND number.")
    else:
        text = ("This page shows few of the common warning signs. It is still worth going over treatment options "
                "with an MS specialist.")
    if guideline_ahsct:
        text += " " + AHSCT_NOTE
    return text
