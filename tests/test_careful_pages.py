"""Never cry wolf: careful pages that use the words of a cure claim (negated, attributed, questioned, framed as research,
or reported from a trial) must not be shown `high`, while the same words asserted by a seller are. Pages written for
these tests; no real page text."""

import pytest

from model import assess

CAREFUL = {
    "negated": """Can stem cells cure multiple sclerosis?
No. No stem-cell product has been shown to cure MS or to repair myelin in people, and none is approved by the FDA
for MS. Mesenchymal cells, cord-blood cells and exosomes remain experimental. The largest placebo-controlled trial of
mesenchymal cells in MS did not meet its main goal.
Clinics that sell these products abroad often charge tens of thousands of dollars. Before you consider any of them,
talk to your MS neurologist, and do not stop your disease-modifying treatment.""",
    "research": """Stem cells and myelin repair: where the research stands
Researchers are exploring whether neural stem cells might one day help rebuild damaged myelin in progressive MS.
In a small phase 1 study, published in a peer-reviewed journal, 15 people received the cells; the study was designed
to test safety, not benefit. Scientists caution that much larger trials are needed before anyone knows whether the
approach helps. Repairing lesions remains a goal of research, not a treatment that exists today.""",
    "debunking_news": """The clinics promising to cure MS
The brochure promised that its stem cells "reverse MS" with "no side effects". That claim is false, neurologists say.
Regulators have warned the clinic, and two patients were treated in hospital for infections after their injections.
"These products are unproven," said a neurologist who reviewed the brochure. "There is no evidence that they repair
the nervous system, and patients are paying for hope." Experts advise people with MS to discuss any treatment
with their own neurologist.""",
    "careful_ahsct": """Autologous haematopoietic stem cell transplantation (aHSCT) for MS
aHSCT can stop inflammatory activity in some people with highly active relapsing MS. In the randomised MIST trial,
disability worsened in fewer transplanted patients than in those who stayed on drug treatment. It is not a cure and
does not repair existing damage.
It is suitable only for selected patients: usually under 50, with relapsing MS that stays active despite a
high-efficacy drug. It is given at accredited transplant centres.
The risks are serious: infections, infertility after chemotherapy, weeks in hospital and, rarely, death.
Ask your neurologist whether you might be eligible.""",
    "overview_fda": """Stem cell therapy for MS: what the evidence says
There are two different things called stem cell therapy for MS. aHSCT, an intensive treatment using chemotherapy,
has evidence from controlled trials for some people with active relapsing MS, with real risks. Other products, such
as mesenchymal, fat-derived or umbilical cord cells, are experimental and have not been approved by the FDA for MS or
any neurological disease. Claims that they regenerate nerves or reverse disability are not supported by trials.""",
}

SELLER = """Stem cell treatment for multiple sclerosis
Our umbilical cord stem cells cure multiple sclerosis. They repair myelin and reverse the damage, with no side effects.
Results are guaranteed: every patient walks better after treatment. Book now, only three places left this month."""


@pytest.mark.parametrize("name", sorted(CAREFUL))
def test_careful_page_is_not_shown_high(name):
    result = assess(CAREFUL[name])
    assert result.applicable, name
    assert result.level != "high", (name, result.score, [f.id for f in result.hits])


def test_the_same_words_asserted_by_a_seller_are_high():
    result = assess(SELLER)
    assert result.level == "high"
    assert {"cure_claim", "risk_minimization"} & {f.id for f in result.hits}
    assert all(result.score > assess(page).score for page in CAREFUL.values())


@pytest.mark.parametrize("text", [SELLER, *CAREFUL.values()])
def test_every_verdict_above_low_names_a_red_flag_with_its_sentence(text):
    result = assess(text)
    if result.level in ("moderate", "high"):
        red = [f for f in result.hits if f.kind == "red_flag"]
        assert red and all(f.evidence for f in red)
        assert all(text.replace("\n", " ").find(e.text.replace("\n", " ")) >= 0 or e.text in text
                   for f in red for e in f.evidence)
