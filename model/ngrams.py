"""A fitted TF-IDF vectorizer's transform for scoring: scikit-learn's matrix, without scikit-learn.

scikit-learn re-validates and rebuilds its analyzer on every call, and splits every word of every sentence into
character n-grams again. Here each word's vocabulary columns are kept, since a page's sentences share most of their
words, and a page's counts are made in one sort.
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
from scipy import sparse


_WORD = re.compile(r"(?u)\b\w\w+\b")


def page_words(text: str) -> list[str]:
    """A whole page's words (two letters or more, lower-cased) and word pairs, as scikit-learn's default word
    analyzer with ``ngram_range=(1, 2)`` makes them."""
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class NgramTfidf:
    """``transform`` of a fitted ``TfidfVectorizer`` (l2-normalised, not binary) from its vocabulary and IDF weights.

    ``analyzer`` gives an item's n-grams; with ``char_wb`` set to an n-gram range, it is the preprocessor instead,
    and the n-grams are scikit-learn's ``char_wb`` n-grams of the words it gives."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, analyzer, char_wb: tuple[int, int] | None,
                 sublinear: bool, dtype=np.float32):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf)
        self.analyzer = analyzer
        self.n_range = char_wb
        self.sublinear = sublinear
        self.dtype = dtype
        if char_wb is None:
            self._columns = self._word_columns
        else:
            self._columns = self._char_wb_columns
            self._word_grams: dict[str, list[int]] = {}

    @property
    def analyzer_name(self) -> str:
        return self.analyzer.__name__

    def _word_columns(self, item) -> list[int]:
        """Vocabulary columns of the item's n-grams, one entry per occurrence."""
        return [j for j in map(self.vocabulary.get, self.analyzer(item)) if j is not None]

    def _char_wb_columns(self, item) -> list[int]:
        """Vocabulary columns of scikit-learn's ``char_wb`` n-grams of the preprocessed item; each word's columns
        are worked out once."""
        columns: list[int] = []
        cache, vocabulary = self._word_grams, self.vocabulary
        for word in self.analyzer(item).split():
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
