"""`model.assess`: the shape of its answer, its behaviour on clear pages, and odd or hostile input."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from model import NotTextError, assess
from odd_input import ODD_PAGES
from model.rubric import load_rubric
from model.text import visible_text

TOP_KEYS = {"score", "grade", "level", "applicable", "criteria", "headline", "summary", "text_length", "model"}


def check_shape(result: dict, html) -> None:
    assert set(result) == TOP_KEYS
    assert 0.0 <= result["score"] <= 100.0 and isinstance(result["score"], float)
    assert result["grade"] in (0, 1, 2, 3)
    assert result["level"] in ("not_applicable", "low", "moderate", "high")
    assert (result["level"] == "not_applicable") == (not result["applicable"])
    assert [c["id"] for c in result["criteria"]] == list(load_rubric().ids)
    text = visible_text(html) if isinstance(html, str) else None
    for c in result["criteria"]:
        assert set(c) == {"id", "kind", "title", "hit", "probability", "evidence"}
        assert c["kind"] in ("red_flag", "mitigating") and 0.0 <= c["probability"] <= 1.0
        assert c["evidence"] == [] or c["hit"]
        for e in c["evidence"]:
            assert 0 <= e["start"] < e["end"] <= result["text_length"]
            if text is not None:
                assert text[e["start"]:e["end"]] == e["text"]
    assert set(result["model"]) == {"name", "version", "sha256", "rubric_version"}
    assert isinstance(result["headline"], str) and result["headline"]
    json.dumps(result)


def hits(result: dict) -> set[str]:
    return {c["id"] for c in result["criteria"] if c["hit"]}


def test_overclaiming_clinic_page_is_high_with_quoted_evidence(fixture_html):
    html = fixture_html("clinic_overclaim")
    result = assess(html).to_dict()
    check_shape(result, html)
    assert result["applicable"] and result["level"] == "high" and result["grade"] >= 2
    assert {"cure_claim", "risk_minimization", "commercial_pressure"} <= hits(result)
    cure = next(c for c in result["criteria"] if c["id"] == "cure_claim")
    assert any("myelin" in e["text"] or "Reverse" in e["text"] for e in cure["evidence"])


def test_careful_hospital_page_is_low_and_shows_mitigation(fixture_html):
    html = fixture_html("hospital_careful")
    result = assess(html).to_dict()
    check_shape(result, html)
    assert result["applicable"] and result["level"] == "low"
    assert "cure_claim" not in hits(result)
    assert {"discusses_risks", "cites_evidence"} <= hits(result)


def test_page_not_about_stem_cells_for_ms_is_not_applicable(fixture_html):
    result = assess(fixture_html("irrelevant_knee")).to_dict()
    assert result["applicable"] is False and result["level"] == "not_applicable"


def test_negated_claim_is_not_a_cure_claim():
    careful = assess("<p>Stem cell therapy for multiple sclerosis cannot cure MS and does not repair myelin.</p>"
                     "<p>No cell product has been proven to reverse multiple sclerosis.</p>").to_dict()
    claimed = assess("<p>Stem cell therapy for multiple sclerosis cures MS and repairs myelin.</p>"
                     "<p>Our cells reverse multiple sclerosis.</p>").to_dict()
    prob = lambda r: next(c["probability"] for c in r["criteria"] if c["id"] == "cure_claim")
    assert prob(claimed) > 0.5 > prob(careful)


def test_plain_text_input_keeps_its_lines():
    text = "Home\nAbout\nOur stem cells cure multiple sclerosis.\nBook now"
    result = assess(text).to_dict()
    check_shape(result, text)
    assert result["text_length"] == len(text)


@pytest.mark.parametrize("html", ODD_PAGES.values(), ids=ODD_PAGES.keys())
def test_odd_html_never_raises(html):
    result = assess(html).to_dict()
    check_shape(result, None)


def test_meta_charset_is_honoured():
    html = b'<html><head><meta charset="windows-1252"></head><body><p>Stem cells \x93cure\x94 MS</p></body></html>'
    assert assess(html).text_length == len("Stem cells \u201ccure\u201d MS")


@pytest.mark.slow
def test_five_megabyte_page():
    paragraph = "<p>Multiple sclerosis affects the brain and spinal cord; stem cell clinics advertise widely.</p>"
    html = "<html><body>" + paragraph * (5_000_000 // len(paragraph)) + "</body></html>"
    assert len(html) >= 4_900_000
    check_shape(assess(html).to_dict(), None)


@pytest.mark.parametrize("value", [None, 42, ["<p>x</p>"], {"html": "x"}, b"\x00\x01\x02binary\x00" * 10])
def test_input_that_is_not_text_raises_a_value_error(value):
    with pytest.raises(NotTextError) as err:
        assess(value)
    assert isinstance(err.value, ValueError)


def test_assess_is_thread_safe(fixture_html):
    pages = [fixture_html("clinic_overclaim"), fixture_html("hospital_careful")] * 8
    expected = [assess(p).to_dict() for p in pages]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda p: assess(p).to_dict(), pages))
    assert got == expected


@pytest.mark.parametrize("page", ["", "   \n  ", "<html><body><script>x()</script></body></html>",
                                  "Hello world. Our bakery sells bread."])
def test_a_page_with_nothing_to_judge_is_not_applicable(page):
    result = assess(page)
    assert not result.applicable and result.level == "not_applicable" and result.grade == 0


def test_a_page_that_never_names_ms_is_not_applicable_however_it_reads():
    knee = assess("Our stem cells cure arthritis and repair damaged cartilage with no side effects. Guaranteed.")
    assert knee.level == "not_applicable" and knee.grade == 0
    same_claims_for_ms = assess("Our stem cells cure multiple sclerosis and repair damaged myelin with no side "
                                "effects. Guaranteed.")
    assert same_claims_for_ms.applicable and same_claims_for_ms.level == "high"


def test_a_claim_the_page_repeats_is_quoted_once():
    claim = "Our stem cells cure multiple sclerosis and repair myelin."
    page = f"<h1>{claim}</h1><p>Stem cell treatment for MS in our clinic.</p><p>{claim}</p><footer>{claim}</footer>"
    cure = next(f for f in assess(page).criteria if f.id == "cure_claim")
    texts = [e.text for e in cure.evidence]
    assert cure.hit and claim in texts and len(texts) == len(set(texts))
    assert cure.evidence[0].start == 0


def test_evidence_quotes_have_no_quotation_marks_of_their_own():
    html = ("<p>Stem cell therapy for multiple sclerosis at our clinic.</p>"
            "<p>\u201cI left my wheelchair after one infusion and I feel cured!\u201d</p>"
            "<p>\"Our cells cure MS completely and for good.\"</p>")
    result = assess(html).to_dict()
    text = visible_text(html)
    quotes = [e for c in result["criteria"] for e in c["evidence"]]
    assert quotes, "the testimonial or the cure claim is quoted"
    for e in quotes:
        assert e["text"][0] not in "\"\u201c\u201d" and e["text"][-1] not in "\"\u201c\u201d", e["text"]
        assert text[e["start"]:e["end"]] == e["text"]


def test_summary_names_every_red_flag_heaviest_first(fixture_html):
    result = assess(fixture_html("clinic_overclaim"))
    rubric = load_rubric()
    weight = {c.id: c.grade for c in rubric.criteria if c.kind == "red_flag"}
    red = [f for f in result.hits if f.kind == "red_flag"]
    assert len(red) >= 4
    named = result.summary.split("warning signs: ", 1)[1].split(". ", 1)[0].split("; ")
    assert len(named) == len(red)
    titles = {f.title[0].lower() + f.title[1:]: f for f in red}  # as the summary writes them, "MS" kept
    ordered = [titles[name] for name in named]
    assert [weight[f.id] for f in ordered] == sorted((weight[f.id] for f in ordered), reverse=True)


def test_tag_soup_beyond_any_real_page_is_refused_not_parsed():
    from model.assessment import PageTooComplexError
    from model.text import MAX_TAGS

    with pytest.raises(PageTooComplexError, match="more than 100,000 tags"):
        assess("<a>x" * (MAX_TAGS + 1))
    scripts = "<script>" + "if (a<b) {}" * (MAX_TAGS + 1) + "</script><p>Stem cells for MS.</p>"
    assert assess(scripts).text_length > 0  # markup inside scripts is not counted


def test_evidence_comes_best_fit_first_not_in_page_order():
    import numpy as np

    from model.assessment import default_assessor
    from model.scoring import PagePrediction
    from model.sentences import split_sentences

    assessor = default_assessor()
    text = ("Eligibility is decided by a team of neurologists and haematologists. "
            "Talk to your MS neurologist before you decide anything.")
    sentences = split_sentences(text)
    j = assessor.rubric.ids.index("defers_to_neurologist")
    proba = np.zeros((2, len(assessor.rubric.ids)))
    proba[:, j] = [0.6, 0.95]  # both good enough to quote; the later sentence fits better
    criteria = np.zeros(len(assessor.rubric.ids))
    criteria[j] = 0.97
    prediction = PagePrediction(sentences, proba, criteria, 0.99, np.array([0.9, 0.1, 0.0, 0.0]))
    defers = assessor.assess_prediction(prediction, len(text)).criteria[j]
    assert [e.text for e in defers.evidence] == [s.text for s in reversed(sentences)]


def test_a_mitigating_signal_with_its_own_threshold_is_shown_from_there():
    import numpy as np

    from model.assessment import default_assessor
    from model.scoring import PagePrediction
    from model.sentences import split_sentences

    assessor = default_assessor()
    own = assessor.artifact.manifest["thresholds"]["hit_by_criterion"]
    assert own["discusses_risks"] > 0.5 > own["discloses_investigational"]  # one stricter, one looser than the rest
    ids = assessor.rubric.ids
    risks, investigational, price = (ids.index(c) for c in ("discusses_risks", "discloses_investigational",
                                                            "commercial_pressure"))
    text = "aHSCT is experimental and carries a risk of infection and infertility."
    sentences = split_sentences(text)

    def shown(probability: float) -> tuple[bool, bool, bool]:
        criteria = np.zeros(len(ids))
        criteria[[risks, investigational, price]] = probability
        proba = np.tile(criteria, (len(sentences), 1))
        # A `low` page (grade 0) and a minor red flag: no level rule adds or removes it, the hit threshold alone decides.
        prediction = PagePrediction(sentences, proba, criteria, 0.99, np.array([1.0, 0, 0, 0]))
        result = assessor.assess_prediction(prediction, 80)
        return result.criteria[risks].hit, result.criteria[investigational].hit, result.criteria[price].hit

    halfway = (own["discusses_risks"] + 0.5) / 2
    assert shown(halfway) == (False, True, True)  # enough for any other criterion, not for this one
    assert shown(min(own["discusses_risks"] + 0.02, 0.99)) == (True, True, True)
    assert shown((own["discloses_investigational"] + 0.5) / 2) == (False, True, False)


_PAGE = "Our stem cells cure MS. Three patients told us so. It costs $9,000."


def _shown_at(grade_proba: list[float], probabilities: dict[str, float], text: str = _PAGE) -> tuple[set[str], str, int]:
    """The red flags shown, the level and the grade for a page of given grade and criteria probabilities."""
    import numpy as np

    from model.assessment import default_assessor
    from model.scoring import PagePrediction
    from model.sentences import split_sentences

    assessor = default_assessor()
    ids = assessor.rubric.ids
    sentences = split_sentences(text)
    criteria = np.zeros(len(ids))
    for c, q in probabilities.items():
        criteria[ids.index(c)] = q
    result = assessor.assess_prediction(
        PagePrediction(sentences, np.tile(criteria, (len(sentences), 1)), criteria, 0.99, np.array(grade_proba)), 80)
    return {f.id for f in result.hits if f.kind == "red_flag"}, result.level, result.grade


def test_a_page_shown_low_shows_no_red_flag_that_alone_would_make_it_overclaim():
    shown, level, _ = _shown_at([1.0, 0, 0, 0], {"cure_claim": 0.9, "unsourced_statistics": 0.9,
                                                     "testimonial_evidence": 0.9, "commercial_pressure": 0.9})
    assert level == "low" and shown == {"testimonial_evidence", "commercial_pressure"}
    shown, level, _ = _shown_at([0, 1.0, 0, 0], {"cure_claim": 0.9, "testimonial_evidence": 0.9})
    assert level == "moderate" and shown == {"cure_claim", "testimonial_evidence"}  # only `low` drops them


def test_a_page_shown_high_shows_every_red_flag_at_the_support_threshold():
    shown, level, grade = _shown_at([0, 0, 0, 1.0], {"cure_claim": 0.9, "unsourced_statistics": 0.35,
                                                     "commercial_pressure": 0.31, "cure_all": 0.25})
    assert level == "high" and grade == 3
    assert shown == {"cure_claim", "unsourced_statistics", "commercial_pressure"}  # cure_all below support
    shown, level, _ = _shown_at([0, 1.0, 0, 0], {"cure_claim": 0.9, "unsourced_statistics": 0.35})
    assert level == "moderate" and shown == {"cure_claim"}  # one red flag backs a moderate verdict: no more added


@pytest.mark.parametrize("text, shown", [
    ("Autologous haematopoietic stem cell transplantation (aHSCT) resets the immune system in MS.", False),
    ("We offer aHSCT for MS. Our umbilical cord stem cells also treat MS.", True),
    ("Our mesenchymal stem cells are an effective MS treatment.", True),
])
def test_a_page_about_ahsct_alone_sells_no_investigational_product_as_proven(text, shown):
    """`unproven_as_established` is about investigational cell products, not the transplant: a page naming aHSCT and no
    such product does not show it, and its verdict follows the red flags it does show."""
    flags, level, _ = _shown_at([0, 1.0, 0, 0], {"unproven_as_established": 0.9}, text)
    assert (flags == {"unproven_as_established"}) is shown
    assert level == ("moderate" if shown else "low")
    # A `high` page shows every red flag at the support threshold, but still none its scope rules out.
    flags, level, _ = _shown_at([0, 0, 0, 1.0], {"cure_claim": 0.9, "unproven_as_established": 0.4}, text)
    assert level == "high" and ("unproven_as_established" in flags) is shown


def test_a_page_not_about_stem_cells_for_ms_shows_no_claim_about_ms():
    """Criteria about MS itself (a cure of MS, cells as an MS treatment, MS studies...) are not shown on a page judged
    not about stem-cell therapy for MS, however its sentences read; the other criteria still are."""
    import numpy as np

    from model.assessment import default_assessor
    from model.scoring import PagePrediction
    from model.sentences import split_sentences

    assessor = default_assessor()
    ids = assessor.rubric.ids
    about_ms = {c.id for c in assessor.rubric.criteria if c.about_ms}
    assert about_ms >= {"cure_claim", "unproven_as_established", "progressive_ms_promise"}
    assert "risk_minimization" not in about_ms and "commercial_pressure" not in about_ms
    text = "Our cells regrow cartilage in every knee, with no side effects. Book this week for 20% off."
    sentences = split_sentences(text)
    criteria = np.full(len(ids), 0.95)
    proba = np.tile(criteria, (len(sentences), 1))

    def shown(applicability: float) -> set[str]:
        prediction = PagePrediction(sentences, proba, criteria, applicability, np.array([0.1, 0.1, 0.3, 0.5]))
        return {f.id for f in assessor.assess_prediction(prediction, len(text)).criteria if f.hit}

    assert shown(0.99) == set(ids)
    assert shown(0.01) == set(ids) - about_ms


def test_only_caveats_about_the_treatment_make_a_page_careful():
    """A page that overclaims is held below high as careful only for caveats about the treatment (investigational
    status, risks, studies); "ask your neurologist" and eligibility criteria, which brokers quote too, do not count."""
    import numpy as np

    from model.assessment import default_assessor
    from model.scoring import PagePrediction
    from model.sentences import split_sentences

    assessor = default_assessor()
    ids = assessor.rubric.ids
    text = "Our stem cells cure MS. Ask your neurologist whether you are eligible."
    sentences = split_sentences(text)

    def level(**signals: float) -> str:
        criteria = np.zeros(len(ids))
        criteria[[ids.index("cure_claim"), ids.index("unproven_as_established")]] = 0.97
        for signal, probability in signals.items():
            criteria[ids.index(signal)] = probability
        proba = np.tile(criteria, (len(sentences), 1))
        grades = np.array([0.0, 0.0, 0.05, 0.95])
        return assessor.assess_prediction(PagePrediction(sentences, proba, criteria, 0.99, grades), len(text)).level

    assert level(defers_to_neurologist=0.95, cites_evidence=0.3, guideline_concordant_ahsct=0.9) == "high"
    assert level(discloses_investigational=0.95, discusses_risks=0.95) == "moderate"
