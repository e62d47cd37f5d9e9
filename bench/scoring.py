"""Benchmark: the pure scoring engine on 100,000 assessments of the IUCN NbS standard.

Target (issue "Standards as data"): at least 50,000 assessments per second on one core.
Prints assessments per second for scoring alone and for scoring with the ordered gap list built,
on random answers and on answers drawn from a small set of realistic profiles.

    .venv/bin/python bench/scoring.py [--count 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weh.standards.definition import parse_standard
from weh.standards.scoring import compile_standard

CATALOG = Path(__file__).resolve().parent.parent / "weh" / "standards" / "catalog"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    path = CATALOG / "iucn-nbs" / "1.0.yaml"
    definition = parse_standard(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))
    codes = [i.code for i in definition.indicators()]
    ratings = [r.code for r in definition.rating_scale.ratings]
    rng = random.Random(args.seed)
    # Random answers (every indicator rated, some left open) — the hardest case for memoising.
    random_set = [
        {code: rng.choice([*ratings, *ratings, None]) for code in codes} for _ in range(args.count)
    ]

    print(
        f"IUCN NbS {definition.version}: {len(codes)} indicators, "
        f"{len(definition.all_criteria())} criteria; {args.count:,} assessments; one core"
    )
    print(f"{'run':44} {'seconds':>8} {'assessments/s':>14} {'vs target':>10}")
    for label, with_gaps in (
        ("score (percentages, bands, gates, outcome)", False),
        ("score + ordered gaps with exact lifts", True),
    ):
        model = compile_standard(definition)  # fresh model: memo starts empty in each run
        started = time.perf_counter()
        for answers in random_set:
            result = model.score(answers)
            if with_gaps:
                result.gaps  # noqa: B018 - building the gap list is what is measured
        elapsed = time.perf_counter() - started
        rate = args.count / elapsed
        print(f"{label:44} {elapsed:8.3f} {rate:14,.0f} {rate / 50_000:9.2f}x")
    model = compile_standard(definition)
    started = time.perf_counter()
    for answers in random_set[:2_000]:
        compile_standard(definition).score(answers)
    cold = 2_000 / (time.perf_counter() - started)
    print(f"{'compile + score each time (no reuse)':44} {'':8} {cold:14,.0f}")


if __name__ == "__main__":
    main()
