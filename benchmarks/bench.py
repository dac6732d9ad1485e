"""``hal bench`` from a checkout: every device side by side against NumPy.

    python benchmarks/bench.py --quick                  # the same as: hal bench --quick
    python benchmarks/bench.py --devices numpy,opencl:0 --json bench.json --plot bench.png

The measuring code is in the installed package (``hal/_bench/``); this file only
passes its arguments to the ``hal bench`` command, so a checkout, tox's ``bench``
environment and the ``hal`` command all run the same benchmarks.
"""

from __future__ import annotations

import sys

from hal._cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
