"""A fitted TF-IDF vectorizer's transform for scoring: scikit-learn's matrix, without its per-call work.

scikit-learn re-validates and rebuilds its analyzer on every call, and splits every word of every sentence into
character n-grams again. Here the vocabulary, IDF weights and analyzer are read once, and each word's character
n-grams are kept, since a page's sentences share most of their words.
"""

from __future__ import annotations

from itertools import chain

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
            self._columns = self._word_columns
        elif vectorizer.analyzer == "char_wb" and vectorizer.preprocessor is not None:
            self.preprocess, self.n_range = vectorizer.preprocessor, vectorizer.ngram_range
            self._columns = self._char_wb_columns
            self._word_grams: dict[str, list[int]] = {}
        else:
            raise ValueError(f"analyzer {vectorizer.analyzer!r} is not supported")

    def _word_columns(self, item) -> list[int]:
        """Vocabulary columns of the item's n-grams, one entry per occurrence."""
        return [j for j in map(self.vocabulary.get, self.analyze(item)) if j is not None]

    def _char_wb_columns(self, item) -> list[int]:
        """Vocabulary columns of scikit-learn's ``char_wb`` n-grams of the preprocessed item; each word's columns
        are worked out once."""
        columns: list[int] = []
        cache, vocabulary = self._word_grams, self.vocabulary
        for word in self.preprocess(item).split():
            found = cache.get(word)
            if found is None:
                grams = _char_wb_word(word, *self.n_range)
                found = [j for j in map(vocabulary.get, grams) if j is not None]
                if len(cache) > 200_000:
                    cache.clear()
                cache[word] = found
            columns += found
        return columns

    def transform(self, items) -> sparse.csr_matrix:
        n, width = len(items), len(self.vocabulary)
        per_item = [self._columns(item) for item in items]
        lengths = np.fromiter(map(len, per_item), np.int64, n)
        columns = np.fromiter(chain.from_iterable(per_item), np.int64, int(lengths.sum()))
        # counts of each (row, column) in one sort: the keys come out in row-major order, as CSR wants them
        keys, counts = np.unique(np.repeat(np.arange(n, dtype=np.int64) * width, lengths) + columns,
                                 return_counts=True)
        rows = keys // width
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        data = counts.astype(self.dtype)
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        data *= self.idf[keys - rows * width]
        # l2 rows as scikit-learn's normalize does: squares in the data's precision, summed and divided in double
        norms = np.sqrt(np.bincount(rows, weights=np.square(data), minlength=n))
        norms[norms == 0.0] = 1.0
        data = (data / norms[rows]).astype(self.dtype)
        return sparse.csr_matrix((data, (keys - rows * width).astype(np.int32), indptr), shape=(n, width))


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
