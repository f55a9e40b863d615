"""OSO parse time against dossier size (issue 16: linear, up to the limit).

Builds valid SWV-dossiers of about 0.1, 1, 5 and 20 MB from the public example (tests/oso_dossiers.py:
repeated test results and repeated parts kept as 'overige gegevens', the shape that used to be
quadratic), parses each with ``lees_oso`` (with XSD validation, as production), and prints the
median time, the time per MB and the ratio to the 1 MB dossier (linear: about the size ratio).

    .venv/bin/python bench/oso.py [--rounds 3] [--zonder-xsd]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.oso_dossiers import VOORBEELD, van_omvang  # noqa: E402
from workflow.oso import lees_oso  # noqa: E402

GROOTTES = (100_000, 1_000_000, 5_000_000, 19_900_000)  # 20 MB: just under the default limit OSO_MAX_BYTES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--zonder-xsd", action="store_true", help="parse without XSD validation")
    args = parser.parse_args()
    xsd = None if args.zonder_xsd else str(VOORBEELD.parent / "OSO_gegevensset_2019.1.xsd")
    tijden: dict[int, float] = {}
    print(f"{'omvang':>10} {'mediaan (s)':>12} {'s per MB':>9} {'× 1 MB':>7}")
    for doel in GROOTTES:
        data = van_omvang(doel)
        metingen = []
        for _ in range(args.rounds):
            begin = time.perf_counter()
            lees_oso(data, xsd_pad=xsd, max_bytes=20_000_000)
            metingen.append(time.perf_counter() - begin)
        tijden[doel] = statistics.median(metingen)
        mb = len(data) / 1_000_000
        ratio = tijden[doel] / tijden[1_000_000] if 1_000_000 in tijden else float("nan")
        print(f"{mb:>8.2f}MB {tijden[doel]:>12.3f} {tijden[doel] / mb:>9.3f} {ratio:>7.1f}")


if __name__ == "__main__":
    main()
