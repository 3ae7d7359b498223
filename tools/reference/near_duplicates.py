"""Reference near-duplicate pairs for the dataset service (NearDuplicatesTest).

The book's method (ch07/02_dataset-utilities/find-near-duplicates.py, Apache-2.0): for each key,
lowercase the non-empty texts and remove punctuation (re.sub(r"[^\\w\\s]", "")), vectorize them with
scikit-learn's TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), and report every pair whose
cosine similarity is above the threshold (0.9 by default), skipping pairs where either original
text is at most one character long. Two deliberate differences from the script: entries are named
by their own index in the file (the script indexes the full list with positions in the filtered
list, which misaligns once an empty text is skipped), and the same length rule is applied to those
own entries. Exact duplicates are entries equal on every key. With drop by input and output (the keys the
book's script removes by), each group of entries joined by those pairs keeps its first entry.

Run once:  python3 tools/reference/near_duplicates.py
Writes dataset-service/src/test/resources/near-duplicates/instruction-data.json.
"""
import json
import pathlib
import re

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "dataset-service/src/main/resources/datasets/instruction-data.json"
OUT = ROOT / "dataset-service/src/test/resources/near-duplicates/instruction-data.json"
KEYS = ["instruction", "input", "output"]
THRESHOLDS = [0.9, 0.75]
# Texts where Python's \w, \s and str.lower differ from naive ASCII rules.
ANALYZER_CASES = [
    "What's the capital of Italy?",
    "Tabs\tand  double   spaces\n\nnewlines",
    "No-break\u00a0space, narrow\u202fone and \u2007figure",
    "Caf\u00e9 na\u0308ive \u00c9COLE \u0130stanbul \u03a3\u039f\u03a3",
    "snake_case 3\u00b2 \u2167 \u00bd \u0663 \u2014 \u00ab\u00bb \u2018quotes\u2019",
    "\u4e2d\u6587\u6807\u70b9\uff0c\u3002 emoji \U0001F600 ok",
    "a",
    "!!!",
]


def preprocess_text(text):
    return re.sub(r"[^\w\s]", "", text.lower())


def near_duplicates(entries, key, threshold):
    own = [i for i, item in enumerate(entries) if item.get(key)]
    texts = [preprocess_text(entries[i][key]) for i in own]
    if not texts:
        return [], 1.0
    matrix = TfidfVectorizer(stop_words=None, analyzer="char", ngram_range=(1, 3)).fit_transform(texts)
    sim = cosine_similarity(matrix)
    pairs, closest = [], 1.0
    for a in range(len(own)):
        for b in range(a + 1, len(own)):
            closest = min(closest, abs(sim[a, b] - threshold))
            if sim[a, b] > threshold:
                i, j = own[a], own[b]
                if len(entries[i][key]) <= 1 or len(entries[j][key]) <= 1:
                    continue
                pairs.append({"first": i, "second": j, "similarity": float(sim[a, b])})
    return pairs, closest


def exact_groups(entries):
    groups = {}
    for i, item in enumerate(entries):
        groups.setdefault(tuple(item.get(k, "") for k in KEYS), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def dropped(n, pairs):
    """All but the first entry of each group joined by the pairs (connected components)."""
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for p in pairs:
        a, b = root(p["first"]), root(p["second"])
        parent[max(a, b)] = min(a, b)
    return [{"index": i, "keptIndex": root(i)} for i in range(n) if root(i) != i]


def main():
    entries = json.loads(DATA.read_text())
    analyzer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).build_analyzer()
    cases = [{"text": t, "preprocessed": preprocess_text(t),
              "ngrams": sorted(analyzer(preprocess_text(t)))} for t in ANALYZER_CASES]
    result = {"sklearn": sklearn.__version__, "entries": len(entries), "keys": KEYS,
              "analyzer": cases, "exact": exact_groups(entries), "thresholds": {}}
    for threshold in THRESHOLDS:
        per_key = {}
        for key in KEYS:
            pairs, closest = near_duplicates(entries, key, threshold)
            per_key[key] = {"pairs": pairs, "closestToThreshold": closest}
            print(f"threshold {threshold} {key}: {len(pairs)} pairs, closest |sim - t| {closest:.3g}")
        result["thresholds"][str(threshold)] = per_key
    at_default = result["thresholds"]["0.9"]
    result["droppedByInputAndOutput"] = dropped(
        len(entries), at_default["input"]["pairs"] + at_default["output"]["pairs"])
    OUT.write_text(json.dumps(result, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
