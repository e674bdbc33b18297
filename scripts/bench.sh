#!/usr/bin/env bash
# Issue 6's one command: installs what is missing, builds Mercurio (Release, benchmarks on) into
# build/bench/, generates the benchmark data sets once into var/bench/data/ (never committed), then
# runs every benchmark - the hand-written reference loop, `mercurio run` on the same data, the
# event bus, the order path, the risk gate, start-up - and prints one table (figure, target,
# ratio to the reference loop, verdict). Figures only: nothing fails on time; the exit status is
# non-zero when Mercurio's fills differ from the reference loop's (then no figure is valid).
#
#   scripts/bench.sh                 # the full run (about 10 minutes on a 2-core machine)
#   scripts/bench.sh --quick         # a smaller smoke run
#   scripts/bench.sh --runs 9        # more repetitions per whole-process figure
# Environment: MERCURIO_BENCH_BUILD (build directory), MERCURIO_BENCH_JOBS (default 1: the
# machine is shared), MERCURIO_BENCH_WORK (data and outputs, default var/bench).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${MERCURIO_BENCH_BUILD:-$root/build/bench}"
work="${MERCURIO_BENCH_WORK:-$root/var/bench}"

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMERCURIO_BUILD_TESTS=OFF -DMERCURIO_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --parallel "${MERCURIO_BENCH_JOBS:-1}" --target mercurio_bench

exec "$build/bin/mercurio_bench" --work "$work" "$@"
