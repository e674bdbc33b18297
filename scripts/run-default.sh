#!/usr/bin/env bash
# Command 1 of the README: installs what is missing, builds Mercurio (Release), generates the
# synthetic demo data once, and runs the default configuration (etc/mercurio.toml): a backtest
# with the paper broker, the moving-average strategy and the log notifier.
# Extra arguments go to `mercurio run` (e.g. --out DIR).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build/release"

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMERCURIO_BUILD_TESTS=OFF -DMERCURIO_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --parallel 2

# Synthetic data (a seeded random walk, not real prices), generated once and reused.
for spec in DEMOA:7 DEMOB:11; do
  symbol=${spec%%:*} seed=${spec##*:}
  file="$root/var/data/${symbol}_1d.csv"
  [[ -f $file ]] || "$build/bin/mercurio" generate-bars --symbol "$symbol" --seed "$seed" --bars 2520 \
                      --start 2015-01-02 --out "$file"
done

exec "$build/bin/mercurio" run --config "$root/etc/mercurio.toml" "$@"
