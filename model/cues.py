"""Word cues that carry the rubric's claims, independent of any one site's phrasing.

Each cue is a family of words (cure words, certainty, regulator status, safety, price...). A term is a word
(``halt``), a word prefix (``regenerat*``), a phrase (``no side effects``, last word may be a prefix) or, for
numbers and symbols, a regular expression (``re:...``). Sentences get one feature per cue, plus the cue as it
appears with negation, hedging or attribution, so a classifier can tell "cures MS" from "cannot cure MS",
"may help" and "the clinic claimed it cures MS".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

LEXICON: dict[str, tuple[str, ...]] = {
    "cure": ("cure", "cures", "cured", "curing", "curative", "curable", "revers*", "halt", "halts", "halted",
             "halting", "eradicat*", "heal", "heals", "healed", "healing", "ms-free", "ms free", "free of ms",
             "free from ms", "free of multiple", "end ms", "end your ms", "beat ms", "beat multiple", "stop ms",
             "stops ms", "stop the disease", "stops the disease", "stop progression", "stops progression",
             "stopped progression", "stop the progression", "stops the progression", "eliminate ms",
             "eliminates the disease", "stops progressing", "stop progressing", "stopped progressing",
             "no longer progress*", "disease-free", "disease free", "symptom-free", "symptom free", "undo", "undoes",
             "undid", "get your life back", "got my life back", "recover fully", "fully recover*", "full recovery",
             "wiped out", "gone for good", "for good", "permanent*", "reset your immune system", "conquer*"),
    "repair": ("repair*", "regenerat*", "rebuild*", "rebuilt", "restor*", "remyelinat*", "new myelin", "regrow*",
               "replace damaged", "renew*", "regain*", "replenish*", "rejuvenat*", "reconstruct*"),
    "nervous": ("myelin*", "nerve", "nerves", "neuron*", "axon*", "brain", "spinal cord", "lesion", "lesions",
                "nervous system", "neuro*", "demyelinat*", "insulation", "wiring",
                "sheath", "coating", "white matter"),
    "certainty": ("guarantee*", "proven", "prove", "proves", "proved", "re:100 ?%", "will restore", "will repair",
                  "will improve", "will reverse", "will regain", "will walk", "will stop", "will cure", "will heal",
                  "will feel", "will see", "certain", "certainly", "certainty", "definitely", "assured", "assure",
                  "always", "every patient", "every case", "no doubt", "works", "miracle*", "breakthrough*",
                  "clinically proven", "scientifically proven", "medically proven", "nothing else has", "nothing else can",
                  "you will", "you'll walk", "you'll feel", "you'll see", "you'll notice", "can expect", "expect to",
                  "every time", "without fail", "measurably", "100 percent", "sure to", "bound to", "no question"),
    "statistic": ("re:\\d+(?:[.,]\\d+)? ?(?:%|percent\\b|per cent\\b)", "re:\\b\\d+ (?:out )?of (?:every )?\\d+\\b",
                  "success rate*", "improvement rate*",
                  "re:\\b\\d[\\d,.]*\\+? (?:patients|people|cases|procedures|treatments|clients|families)\\b",
                  "thousands of patients", "thousands of people", "hundreds of patients", "hundreds of people"),
    "citation": ("re:\\bNCT ?\\d{6,8}", "et al", "doi", "journal*", "jama", "lancet", "published", "randomi*",
                 "placebo*", "meta-analys*", "phase i", "phase ii", "phase iii", "phase 1", "phase 2", "phase 3",
                 "re:\\((?:19|20)\\d\\d\\)", "re:\\[\\d+(?:[,\\u2013-]\\d+)*\\]", "mist", "mesems", "ebmt", "cohort*",
                 "study", "studies", "trial", "trials", "peer-reviewed", "peer reviewed", "re:\\bp ?[<=] ?0?\\.\\d"),
    "regulator": ("fda", "food and drug", "cofepris", "ema", "ministry of health", "regulat*", "approv*",
                  "register", "registered", "registration", "complian*", "certifi*", "361", "hct/p", "hct/ps",
                  "hctp", "gmp", "cgmp", "iso", "accredit*", "licen*", "irb", "ethics committee*",
                  "clinicaltrials.gov", "endorse*", "sanction*", "cleared", "authori*", "tga", "mhra"),
    "approval": ("approved", "fda-registered", "fda registered", "fda-compliant", "fda compliant", "fda-cleared",
                 "fda cleared", "fda-approved", "fda approved", "fda-certified", "registered with the fda",
                 "registered with fda", "compliant with fda", "certified by", "licensed by", "361", "exempt",
                 "legal", "legally", "endorsed", "government-approved", "government approved", "equivalent to the fda",
                 "equivalent of the fda", "as strict as the fda"),
    # a safety claim is often a negated harm: "does not reject them", "never had a complication"
    "safety": ("safe", "safely", "no side effect*", "no known side effect*", "no risk*", "no complications",
               "no rejection", "no downtime", "side-effect free", "side effect free", "risk-free", "risk free",
               "natural", "naturally", "gentle", "non-invasive", "noninvasive", "minimally invasive", "your own cells",
               "your own body", "your own stem cells", "well tolerated", "well-tolerated", "painless", "zero risk",
               "harmless", "completely safe", "safest", "safer", "immune privileged", "immune-privileged",
               "immuno-privileged", "immunoprivileged", "low risk", "minimal risk*", "minimal side effect*",
               "re:\\b(?:no|not|never|zero|without|nor|free (?:of|from))\\b[^.;:]{0,40}?"
               "\\b(?:reject\\w*|adverse|complications?|side[- ]effects?|harm\\w*|reactions?)\\b"),
    "risk": ("risk", "risks", "infection*", "infertil*", "death", "deaths", "die", "died", "dies", "mortality",
             "fatal*", "chemotherapy", "chemo", "toxic*", "hospitali*", "complication*", "adverse", "side effect",
             "side effects", "side-effect*", "tumor*", "tumour*", "blind*", "stroke", "seizure*", "sepsis", "harm*",
             "danger*"),
    "conditions": ("parkinson*", "alzheimer*", "als", "lou gehrig*", "autism", "autistic", "cerebral palsy",
                   "stroke", "spinal cord injur*", "diabet*", "heart disease", "heart failure", "copd", "arthritis",
                   "lupus", "crohn*", "kidney*", "liver", "anti-aging", "anti-ageing", "erectile", "hair loss",
                   "back pain", "knee*", "neuropath*", "dementia", "huntington*", "muscular dystrophy", "lyme",
                   "long covid", "fibromyalgia", "asthma", "cancer*", "myasthenia", "ataxia", "psoriasis",
                   "down syndrome", "traumatic brain", "retinitis", "glaucoma", "macular"),
    "testimonial": ("i'm", "i've", "i was", "i am", "i had", "i could", "i can", "i feel", "i felt", "i walked",
                    "i started", "i noticed", "my legs", "my leg", "my life", "my balance", "my energy", "my vision",
                    "my wife", "my husband", "my symptoms", "my ms", "my cane", "my wheelchair", "patient stor*",
                    "patient testimonial*", "patient review*", "patient video*", "testimonial*", "review", "reviews",
                    "video*", "re:[\\u2605\\u2b50]", "stars", "star", "before and after", "wheelchair*", "cane",
                    "thanks to", "life-chang*", "life chang*"),
    "cell_product": ("mesenchymal", "msc", "mscs", "umbilical", "cord blood", "cord-blood", "cord tissue",
                     "cord-tissue", "wharton*", "exosome*", "fat-derived", "adipose", "svf", "stromal", "fetal",
                     "foetal", "placent*", "amniotic", "bmac", "neural stem", "neural progenitor*", "stem cell*",
                     "stem-cell*", "cell therapy", "cell therapies", "cell treatment*", "cell product*",
                     "regenerative", "secretome", "progenitor*"),
    "hsct": ("hsct", "ahsct", "haematopoietic", "hematopoietic", "haemopoietic", "hemopoietic", "autologous",
             "transplant*", "conditioning", "cyclophosphamide", "atg", "rituximab", "immune reset",
             "immune system reboot", "immune reboot", "ablat*", "myeloablat*", "bone marrow"),
    "benefit": ("effective*", "efficacy", "treat", "treats", "treated", "treating", "treatment*", "improv*",
                "benefit*", "result", "results", "success*", "relief", "reduc*", "better", "help", "helps",
                "helped", "boost*", "enhanc*", "stabili*", "slow*"),
    "progressive": ("progressive", "ppms", "spms", "all types of", "all forms of", "all stages of", "all kinds of",
                    "any type", "any form", "any stage", "any age", "every type", "every form", "every stage",
                    "regardless of", "almost all", "nearly all", "virtually all", "almost every", "nearly every",
                    "most patients", "most of our patients", "no matter", "all patients", "all ms patients",
                    "advanced"),
    "standard_care": ("disease-modifying", "disease modifying", "dmt", "dmts", "medication", "medications", "drug",
                      "drugs", "pharma*", "interferon*", "ocrelizumab", "natalizumab", "prescription*", "infusion",
                      "infusions", "steroid*", "conventional", "standard care", "standard treatment*",
                      "standard therap*"),
    "disparage": ("only slow*", "only mask*", "only manage*", "only treat*", "only delay*", "only suppress*", "mask",
                  "masks", "masking", "band-aid*", "bandaid*", "band aid*", "merely", "toxic drugs", "dangerous side",
                  "stop taking", "stop your medication*", "stop your drugs", "stop all medication*", "stop your dmt*",
                  "drug-free", "drug free", "instead of", "alternative to", "off medication*", "off all medication*",
                  "off drugs", "off your dmt*", "no longer need*", "come off", "wean*", "big pharma", "never repair*",
                  "root cause*", "cover up", "covers up", "cover-up", "covering up", "only cover*", "fewer prescriptions",
                  "fewer medications", "fewer drugs", "fewer pills", "lifetime of injections", "lifetime of drugs",
                  "lifetime of medication*", "lifetime of infusions", "pills and shots", "just the symptoms",
                  "just symptoms", "don't fix", "doesn't fix", "can't fix", "never fix", "harsh drugs",
                  "chemical drugs", "ditch", "throw away", "threw away", "quit your", "off my meds", "off their meds",
                  "no more injections", "no more drugs", "without drugs", "without medication*", "drug companies",
                  "pharmaceutical companies", "what your neurologist won't", "doctors won't tell"),
    "commercial": ("re:[$\\u20ac\\u00a3]\\s?\\d", "re:\\b\\d[\\d,.]* ?(?:usd|dollars|euros?|eur)\\b", "price", "prices",
                   "pricing", "cost", "costs", "package*", "discount*", "offer*", "limited", "book now", "book today",
                   "book your", "call now", "call today", "call us", "deposit*", "financ*", "payment plan*",
                   "free consultation*", "travel*", "hotel*", "airport*", "all-inclusive", "spot", "spots", "hurry",
                   "special*", "save", "afford*", "installment*", "instalment*", "waiting list", "quote",
                   "schedule a", "schedule your", "seminar*", "contact us", "get started"),
    "investigational": ("investigational", "experimental", "not approved", "not been approved", "not fda-approved",
                        "not fda approved", "unapproved", "unproven", "clinical trial", "clinical trials",
                        "research setting", "early stage", "early-stage", "not a cure", "no cure", "not proven",
                        "not yet proven", "uncertain*", "limited evidence", "evidence is limited",
                        "evidence is lacking", "evidence is weak", "only in trials", "only in clinical trials",
                        "only within clinical trials", "only as part of"),
    "consult": ("neurologist*", "your doctor", "your own doctor", "your physician", "your gp", "your care team",
                "your specialist", "your ms team", "your ms nurse", "consult", "talk to", "talk with",
                "discuss with", "discuss it", "do not stop", "don't stop", "continue taking your", "continue your",
                "eligib*", "criteria", "candidate", "candidates", "qualif*", "suitable"),
    "guideline": ("relapsing", "highly active", "active ms", "active relapsing ms", "active disease",
                  "active inflammatory disease", "breakthrough disease", "breakthrough activity", "edss",
                  "under 45", "under 50", "under the age of", "aged 18", "aged under", "age under", "accredited",
                  "jacie", "fact-accredited", "ebmt", "astct", "ectrims", "guideline*", "selected patients",
                  "selected people", "high-efficacy", "high efficacy"),
    "ms": ("multiple sclerosis", "ms", "rrms", "demyelinat*", "relaps*", "edss"),
    "negation": ("not", "no", "never", "cannot", "can't", "won't", "isn't", "doesn't", "don't", "aren't", "without",
                 "nor", "neither", "unlikely", "false", "myth", "myths", "lack*", "none", "failed", "missed",
                 "fail", "fails", "unable"),
    "hedge": ("may", "might", "could", "possibl*", "potential*", "promising", "promise", "some patients", "some people",
              "hope*", "goal", "goals", "objective*", "ultimate",
              "early", "suggest*", "preliminary", "aim", "aims", "appear", "appears", "in some cases", "vary",
              "varies", "not everyone", "individual results"),
    "attribution": ("said", "says", "claim", "claims", "claimed", "claiming", "according to", "told", "promised",
                    "advertis*", "so-called", "alleg*", "purport*", "market", "markets", "marketed", "marketing",
                    "pitch*", "re:[\\u201c\\u201d\"]"),
    "warning": ("warning sign*", "warning", "warnings", "red flag*", "be wary", "wary", "be cautious", "beware",
                "watch out", "watch for", "look out for", "scam*", "myth*", "too good to be true", "claims like",
                "ads", "advert*", "report them", "report it", "questions to ask", "be careful", "avoid", "caution*",
                "fraud*", "misleading", "predatory", "false hope", "peddl*", "so-called", "unscrupulous"),
    "question": ("re:\\?",),
    "research": ("research", "researcher*", "scientist*", "investigat*", "explor*", "studying", "being studied",
                 "under study", "whether", "one day", "someday", "in the future", "future", "hoped", "aim to",
                 "aims to", "preclinical", "pre-clinical", "animal", "animals", "mice", "rats", "laboratory",
                 "in the lab", "in vitro", "model*", "remains to be", "not yet", "yet to", "unknown", "unclear",
                 "more research", "further research", "larger studies", "longer-term"),
    "subject": ("treatment*", "therapy", "therapies", "procedure*", "protocol*", "infusion*", "injection*",
                "transplant*", "our clinic", "our center", "our centre", "our hospital", "our patients", "we offer",
                "we provide", "we use", "program*", "programme*", "session*", "this treatment", "the treatment"),
    "first_person_plural": ("we", "our", "us"),
    "second_person": ("you", "your"),
}
MODIFIERS = ("negation", "hedge", "attribution")
CONTEXT = ("warning", "attribution", "negation", "hedge", "investigational", "question", "testimonial", "commercial")
MODIFIED = ("cure", "repair", "certainty", "approval", "safety", "benefit", "progressive", "disparage", "statistic")
CUE_NAMES = tuple(LEXICON)
# Claim structure: a claim is a promise about a treatment (a cell product, aHSCT or "our treatment"), stated in one
# of these modalities. "Demyelination causes disability" promises nothing; "our cells repair myelin" does;
# "researchers are exploring whether cells can repair myelin" frames it as research.
CLAIMS = ("cure", "repair", "benefit", "certainty", "safety", "approval", "progressive", "statistic", "disparage")
MODALITIES = ("asserted", "hedged", "research", "attributed", "questioned")
_WORDS = re.compile(r"[\w'’./-]+")


@dataclass(frozen=True)
class _Matcher:
    """All cue terms compiled for one pass over a sentence."""

    words: dict[str, tuple[int, ...]]
    prefixes: dict[str, tuple[int, ...]]
    prefix_lengths: tuple[int, ...]
    phrases: dict[str, tuple[tuple[str, int], ...]]  # first word -> (" phrase ", cue index)
    patterns: tuple[tuple[re.Pattern[str], int], ...]
    token_cues: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)  # each word's cues, once

    @classmethod
    def build(cls, lexicon: dict[str, tuple[str, ...]]) -> "_Matcher":
        words: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        phrases: dict[str, list[tuple[str, int]]] = {}
        patterns = []
        for index, terms in enumerate(lexicon.values()):
            for term in terms:
                if term.startswith("re:"):
                    patterns.append((re.compile(term[3:], re.I), index))
                elif " " in term:
                    stem = term.rstrip("*")
                    entry = (" " + stem + ("" if term.endswith("*") else " "), index)
                    phrases.setdefault(stem.split(" ", 1)[0], []).append(entry)
                elif term.endswith("*"):
                    prefixes.setdefault(term[:-1], []).append(index)
                else:
                    words.setdefault(term, []).append(index)
        return cls({k: tuple(v) for k, v in words.items()}, {k: tuple(v) for k, v in prefixes.items()},
                   tuple(sorted({len(p) for p in prefixes})), {k: tuple(v) for k, v in phrases.items()},
                   tuple(patterns))

    def _token(self, token: str) -> tuple[int, ...]:
        """The cues of one word: the word itself and every prefix term it starts with."""
        found = set(self.words.get(token, ()))
        for n in self.prefix_lengths:
            if n > len(token):
                break
            found.update(self.prefixes.get(token[:n], ()))
        return tuple(found)

    def cues(self, sentence: str) -> set[int]:
        lowered = sentence.lower().replace("’", "'")
        tokens = [t.strip(".'/-") for t in _WORDS.findall(lowered)]
        found: set[int] = set()
        known = self.token_cues
        for token in tokens + [part for t in tokens if "-" in t for part in t.split("-") if part]:
            hit = known.get(token)
            if hit is None:
                if len(known) > 200_000:
                    known.clear()
                hit = known[token] = self._token(token)
            found.update(hit)
        padded = " " + " ".join(tokens) + " "
        for first in set(tokens) & self.phrases.keys():
            for phrase, index in self.phrases[first]:
                if index not in found and phrase in padded:
                    found.add(index)
        found.update(index for pattern, index in self.patterns if index not in found and pattern.search(sentence))
        return found


MATCHER = _Matcher.build(LEXICON)
# The framing cues alone, for a sentence's context (cue k is CONTEXT[k]): a cue is found from its own terms only, so
# this finds exactly the framing cues MATCHER finds, at a fraction of the work.
FRAMING_MATCHER = _Matcher.build({name: LEXICON[name] for name in CONTEXT})
_CONDITIONS = CUE_NAMES.index("conditions")
_CONDITION_TERMS = tuple(t.rstrip("*") for t in LEXICON["conditions"])


def cue_names() -> list[str]:
    """Names of the columns :func:`sentence_cues` produces, in order."""
    names = list(CUE_NAMES)
    names += [f"{cue}&{mod}" for cue in MODIFIED for mod in MODIFIERS]
    names += ["conditions>=3", "length"]
    names += [f"claim:{c}:{m}" for c in CLAIMS for m in MODALITIES]
    names += [f"context:{c}" for c in CONTEXT]
    return names


def distinct_conditions(sentence: str) -> set[str]:
    """Named conditions (diseases, injuries, body parts) a sentence mentions."""
    padded = " " + " ".join(t.strip(".'/-") for t in _WORDS.findall(sentence.lower())) + " "
    return {term for term in _CONDITION_TERMS if " " + term in padded}


_MODIFIER_PAIRS = tuple((CUE_NAMES.index(c), CUE_NAMES.index(m)) for c in MODIFIED for m in MODIFIERS)
_PAIR_COLUMN = {pair: k for k, pair in enumerate(_MODIFIER_PAIRS)}
_MODIFIED = frozenset(CUE_NAMES.index(c) for c in MODIFIED)
_MODIFIERS = frozenset(CUE_NAMES.index(m) for m in MODIFIERS)
_SUBJECTS = frozenset(CUE_NAMES.index(c) for c in ("cell_product", "hsct", "subject", "first_person_plural"))
_CLAIMS = tuple(CUE_NAMES.index(c) for c in CLAIMS)
_REPAIR, _NERVOUS = CUE_NAMES.index("repair"), CUE_NAMES.index("nervous")
_MODALITY_CUES = {m: frozenset(CUE_NAMES.index(c) for c in cues) for m, cues in (
    ("hedged", ("hedge",)), ("research", ("research",)), ("attributed", ("attribution", "warning")),
    ("questioned", ("question",)))}


def claim_structure(found: set[int]) -> np.ndarray:
    """One column per (claim, modality): the sentence promises this outcome about a treatment, in this voice.
    A sentence with no treatment in it (an MS primer) makes no claim; a repair word needs a nervous-system word."""
    row = np.zeros(len(CLAIMS) * len(MODALITIES))
    if not found & _SUBJECTS:
        return row
    modalities = [m for m, cues in _MODALITY_CUES.items() if found & cues] or ["asserted"]
    for k, claim in enumerate(_CLAIMS):
        if claim not in found or (claim == _REPAIR and _NERVOUS not in found):
            continue
        for m in modalities:
            row[k * len(MODALITIES) + MODALITIES.index(m)] = 1.0
    return row



# Claims that a negation takes back: "cannot cure", "not approved", "not proven". Safety and disparagement are
# left out because their claims are worded with negations themselves ("no side effects", "drugs don't fix it").
NEGATABLE = ("cure", "repair", "certainty", "approval", "benefit", "progressive", "nervous")
_NEGATABLE = frozenset(CUE_NAMES.index(c) for c in NEGATABLE)
_NEGATION = CUE_NAMES.index("negation")
# Which negatable claims a sentence still states outside a negation's scope: these cues alone (cue k is
# NEGATABLE[k]), found from their own terms as MATCHER finds them.
NEGATABLE_MATCHER = _Matcher.build({name: LEXICON[name] for name in NEGATABLE})
_NEGATABLE_INDEX = tuple(CUE_NAMES.index(c) for c in NEGATABLE)


@lru_cache(maxsize=8192)
def sentence_cues(sentence: str) -> np.ndarray:
    """One row of cue features for a sentence (see :func:`cue_names`); cached, so treat it as read-only.

    A claim cue that appears only inside a negation's scope counts as negated, not as the claim."""
    found = MATCHER.cues(sentence)
    negated: set[int] = set()
    if _NEGATION in found and found & _NEGATABLE:
        asserted = {_NEGATABLE_INDEX[k] for k in NEGATABLE_MATCHER.cues(asserted_words((sentence, "")))}
        negated = {i for i in found & _NEGATABLE if i not in asserted}
        found -= negated
    row = np.zeros(len(CUE_NAMES) + len(_MODIFIER_PAIRS) + 2 + len(CLAIMS) * len(MODALITIES))
    for index in found:
        row[index] = 1.0
    base = len(CUE_NAMES)
    for modifier in found & _MODIFIERS:
        for cue in found & _MODIFIED:
            row[base + _PAIR_COLUMN[cue, modifier]] = 1.0
    for cue in negated & _MODIFIED:
        row[base + _PAIR_COLUMN[cue, _NEGATION]] = 1.0
    at = base + len(_MODIFIER_PAIRS)
    if _CONDITIONS in found and len(distinct_conditions(sentence)) >= 3:
        row[at] = 1.0
    row[at + 1] = min(len(sentence.split()), 60) / 60.0
    row[at + 2:] = claim_structure(found)
    return row


_CONTEXT_COLUMNS = [CUE_NAMES.index(c) for c in CONTEXT]


@lru_cache(maxsize=8192)
def context_cues(context: str) -> np.ndarray:
    """The framing cues (:data:`CONTEXT`) of a sentence's context: ``sentence_cues(context)[_CONTEXT_COLUMNS]``,
    without the rest of the row (no framing cue is one a negation takes back)."""
    found = FRAMING_MATCHER.cues(context)
    return np.array([1.0 if k in found else 0.0 for k in range(len(CONTEXT))])


def cue_matrix(items: list[tuple[str, str]]) -> np.ndarray:
    """Cue features of (sentence, context) items, one row each: the sentence's own cues, then the framing cues of
    its context."""
    own = np.vstack([sentence_cues(sentence) for sentence, _ in items])
    framing = np.zeros((len(items), len(CONTEXT)))
    rows = [i for i, (_, context) in enumerate(items) if context]
    if rows:
        framing[rows] = np.vstack([context_cues(items[i][1]) for i in rows])
    return np.hstack([own, framing])


def forget_sentences() -> None:
    """Empty the per-sentence caches (cue rows, framing cues, marked scope), as if no page had been read yet; what
    is known about single words stays. For benchmarks of pages never seen before, and for callers short of memory."""
    sentence_cues.cache_clear()
    context_cues.cache_clear()
    mark_scope.cache_clear()


def asserted_words(item: tuple[str, str]) -> str:
    """The words of an item's sentence that are not under negation, lower-cased, for the character n-grams:
    "cells cannot cure MS" keeps "cells cannot", so a negated claim does not look like the claim."""
    return " ".join(word for word in mark_scope(item[0]).split() if not word.startswith("neg_"))


def stated_words(item: tuple[str, str]) -> str:
    """The words of an item's sentence stated outright (neither negated nor hedged), lower-cased, for the
    character n-grams: "cells may one day repair myelin" keeps "cells may", so a hedged claim is learnt from its
    marked words only."""
    return " ".join(word for word in mark_scope(item[0]).split() if not word.startswith(("neg_", "hedge_")))


def word_ngrams(item: tuple[str, str]) -> list[str]:
    """Words and word pairs of an item's sentence, with negation, hedge and attribution scope marked
    (see :func:`mark_scope`)."""
    words = mark_scope(item[0]).split()
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


_TOKEN = re.compile(r"\w[\w'’-]*|[.,;:!?()\u201c\u201d\"]")
_NEGATORS = frozenset("not no never cannot can't won't isn't doesn't don't aren't wasn't weren't hasn't haven't "
                      "without nor neither unlikely none nothing myth myths false lack lacks lacking lacked unable "
                      "fail fails failed missed".split())
_HEDGES = frozenset("may might could possibly potentially potential promise promising hope hopes hoped suggest "
                    "suggests appear appears aim aims goal goals objective objectives early preliminary whether "
                    "research researchers scientists investigating exploring studying try tries tried trying "
                    "attempt attempts attempted".split())
_ATTRIBUTIONS = frozenset("said says claimed claims claim according told promised promise alleged so-called "
                          "advertised advertise marketed pitched".split())
_SCOPE = 12
_ATTRIBUTION_SCOPE = 8
_CLAUSE_BREAKS = frozenset("but however although though yet whereas while instead".split())
_STILL_TO_COME = frozenset("has have had is are was were".split())


@lru_cache(maxsize=8192)
def mark_scope(sentence: str) -> str:
    """Lower-case words, each word in the scope of a negation, hedge or attribution word prefixed with it.

    "Stem cells cannot cure MS." becomes "stem cells cannot neg_cure neg_ms", so "cure" under negation is a
    different feature from "cure" asserted. A negation or a hedge reaches to the end of its clause (punctuation
    other than a comma, or "but"), at most twelve words; an attribution eight; an attempt ("try to") hedges. "Yet"
    ends a clause, but not in "not yet proven", and "has yet to be shown" negates. Cached: the word and character
    n-grams both read it.
    """
    tokens = _TOKEN.findall(sentence.lower().replace("’", "'"))
    out: list[str] = []
    prefix, left = "", 0
    for i, token in enumerate(tokens):
        if not token[0].isalnum() and token[0] != "_":
            if token != ",":  # a list goes on after a comma: "may reduce relapses, repair myelin"
                prefix, left = "", 0
            continue
        before, after = tokens[i - 1] if i else "", tokens[i + 1] if i + 1 < len(tokens) else ""
        yet_negates = token == "yet" and before in _STILL_TO_COME and after == "to"  # "has yet to be shown"
        if token in _CLAUSE_BREAKS and not yet_negates and not (token == "yet" and before in _NEGATORS):
            prefix, left = "", 0
        out.append(prefix + token if left > 0 else token)
        left -= 1
        if token in _NEGATORS or yet_negates:
            prefix, left = "neg_", _SCOPE
        elif token in _HEDGES:
            prefix, left = "hedge_", _SCOPE
        elif token in _ATTRIBUTIONS:
            prefix, left = "said_", _ATTRIBUTION_SCOPE
    return " ".join(out)
