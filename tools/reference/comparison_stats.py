"""Reference numbers for the scoring service's comparison statistics (ComparisonStatsTest).

Inputs: the book's judge scores of two finetuned models' responses (ch07/03_model-evaluation/scores,
GPT-4 and Llama 3 8B as judges), kept in scoring-service/src/test/resources/comparison-stats/, and
two small made-up pairs that take scipy's other Wilcoxon paths. For each pair it writes what a user
of numpy/scipy computes: wins, ties and losses of the first model, the mean difference with a paired
bootstrap 95% percentile interval (200,000 resamples), the Wilcoxon signed-rank p-value
(scipy.stats.wilcoxon defaults) and, between judges, Pearson, Spearman and Kendall's tau-b (as the
book's correlation-analysis notebook does) and the mean absolute difference.

Run once:  python3 tools/reference/comparison_stats.py
"""
import json
import pathlib

import numpy as np
from scipy import stats

HERE = pathlib.Path(__file__).resolve().parents[2] / "scoring-service/src/test/resources/comparison-stats"


EXACT_B = [60, 70, 72, 57, 61, 50, 65, 40, 64, 79, 52, 75, 49, 70, 61, 50, 80, 48, 40, 66]
EXACT_D = [11, -5, 18, -2, 19, -3, 28, 22, -6, -1, 32, -7, 4, 26, 12, 16, -8, 13, 9, 15]


def load(name):
    return json.loads((HERE / f"{name}.json").read_text())


def bootstrap_interval(diffs, resamples=200_000, seed=123):
    rng = np.random.default_rng(seed)
    d = np.asarray(diffs, dtype=float)
    idx = rng.integers(0, len(d), size=(resamples, len(d)))
    means = d[idx].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def compare(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = a - b
    return {
        "a": a.tolist(),
        "b": b.tolist(),
        "wins": int((d > 0).sum()),
        "ties": int((d == 0).sum()),
        "losses": int((d < 0).sum()),
        "meanDifference": float(d.mean()),
        "interval": bootstrap_interval(d),
        "wilcoxonP": float(stats.wilcoxon(a, b).pvalue),
    }


def agreement(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return {
        "x": x.tolist(),
        "y": y.tolist(),
        "pearson": float(np.corrcoef(x, y)[0, 1]),
        "spearman": float(stats.spearmanr(x, y).statistic),
        "kendall": float(stats.kendalltau(x, y).statistic),
        "meanAbsoluteDifference": float(np.abs(x - y).mean()),
    }


def main():
    llama1 = load("llama3-8b-model-1-response")
    gpt1, gpt2 = load("gpt4-model-1-response"), load("gpt4-model-2-response")
    reference = {
        "comparisons": {
            # 100 entries, ties and zero differences: the normal approximation (the book's
            # Llama 3 file of model 2 has 99 scores, one answer unparsed: not aligned, not used)
            "gpt4-model-1-vs-2": compare(gpt1, gpt2),
            # 20 distinct non-zero differences: the exact distribution
            "exact": compare(
                [b + d for b, d in zip(EXACT_B, EXACT_D)],
                EXACT_B,
            ),
            # 10 entries with ties and a zero: scipy's exhaustive permutation test
            "permutation": compare(
                [80, 75, 90, 60, 85, 70, 95, 50, 65, 88],
                [70, 75, 80, 65, 75, 60, 85, 55, 60, 78],
            ),
        },
        "agreement": {
            # the book's notebook: Pearson 0.80489, Spearman 0.698406, Kendall 0.57292
            "gpt4-vs-llama3-model-1": agreement(gpt1, llama1),
        },
    }
    out = HERE / "reference.json"
    out.write_text(json.dumps(reference, indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
