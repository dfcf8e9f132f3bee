"""A fitted TF-IDF vectorizer's transform for scoring: scikit-learn's matrix, without its per-call work.

scikit-learn re-validates and rebuilds its analyzer on every call, and splits every word of every sentence into
character n-grams again. Here the vocabulary, IDF weights and analyzer are read once, and each word's character
n-grams are kept, since a page's sentences share most of their words.
"""

from __future__ import annotations

from array import array

import numpy as np
from scipy import sparse


class NgramTfidf:
    """``transform`` of a fitted ``TfidfVectorizer`` whose analyzer is a callable or ``char_wb``."""

    def __init__(self, vectorizer):
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.dtype = vectorizer.dtype
        self.idf = np.asarray(vectorizer.idf_)
        self.sublinear = vectorizer.sublinear_tf
        if vectorizer.norm != "l2" or vectorizer.binary or vectorizer.input != "content":
            raise ValueError("only l2-normalised, non-binary vectorizers of content are supported")
        if callable(vectorizer.analyzer):
            self.analyze = vectorizer.analyzer
        elif vectorizer.analyzer == "char_wb" and vectorizer.preprocessor is not None:
            self.preprocess, self.n_range = vectorizer.preprocessor, vectorizer.ngram_range
            self.analyze = self._char_wb
            self._word_ngrams: dict[str, list[str]] = {}
        else:
            raise ValueError(f"analyzer {vectorizer.analyzer!r} is not supported")

    def _char_wb(self, item) -> list[str]:
        """scikit-learn's ``char_wb`` n-grams of the preprocessed item, each word's n-grams computed once."""
        grams: list[str] = []
        cache = self._word_ngrams
        for word in self.preprocess(item).split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = _char_wb_word(word, *self.n_range)
                if len(cache) > 200_000:
                    cache.clear()
            grams.extend(found)
        return grams

    def transform(self, items) -> sparse.csr_matrix:
        vocabulary = self.vocabulary
        indices: list[int] = []
        counts = array("i")
        indptr = [0]
        for item in items:
            counter: dict[int, int] = {}
            for feature in self.analyze(item):
                j = vocabulary.get(feature)
                if j is not None:
                    counter[j] = counter.get(j, 0) + 1
            indices.extend(counter)
            counts.extend(counter.values())
            indptr.append(len(indices))
        X = sparse.csr_matrix((np.frombuffer(counts, dtype=np.intc).astype(self.dtype), np.asarray(indices, np.int32),
                               np.asarray(indptr, np.int32)), shape=(len(indptr) - 1, len(vocabulary)))
        X.sort_indices()
        if self.sublinear:
            np.log(X.data, X.data)
            X.data += 1.0
        X.data *= self.idf[X.indices]
        # l2 rows as scikit-learn's normalize does: squares in the data's precision, summed and divided in double
        lengths = np.diff(X.indptr)
        rows = np.repeat(np.arange(X.shape[0]), lengths)
        norms = np.sqrt(np.bincount(rows, weights=np.square(X.data), minlength=X.shape[0]))
        norms[norms == 0.0] = 1.0
        X.data = (X.data / norms[rows]).astype(self.dtype)
        return X


def _char_wb_word(word: str, min_n: int, max_n: int) -> list[str]:
    """One word's n-grams as scikit-learn's ``_char_wb_ngrams`` makes them (padded with a space each side)."""
    w = " " + word + " "
    w_len = len(w)
    grams = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(w[offset:offset + n])
        while offset + n < w_len:
            offset += 1
            grams.append(w[offset:offset + n])
        if offset == 0:
            break
    return grams
