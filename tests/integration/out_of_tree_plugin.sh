#!/usr/bin/env bash
# Proves a plugin needs only the installed SDK: install the SDK component to a prefix, configure
# and build plugins/_template as its own CMake project, drop the .so into a plugin directory,
# list it in a config, `mercurio check` it and run a backtest with it.
set -euo pipefail
src=$1 build=$2 work=$3 cxx=$4 sanitize=${5:-OFF}

rm -rf "$work"
mkdir -p "$work/plugins" "$work/data"
cmake --install "$build" --prefix "$work/prefix" --component sdk >/dev/null
test -f "$work/prefix/lib/cmake/MercurioSDK/MercurioSDKConfig.cmake"
test -f "$work/prefix/include/mercurio/sdk/plugin.hpp"

flags=()
if [[ $sanitize == ON ]]; then flags=(-DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
                                      -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined"); fi
cmake -S "$src/plugins/_template" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" "${flags[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
cp "$work/build/libexample_strategy_buy_and_hold.so" "$work/plugins/"

"$build/bin/mercurio" generate-bars --symbol OOT --seed 3 --bars 50 --out "$work/data/OOT.csv" >/dev/null
cat > "$work/mercurio.toml" <<TOML
[kernel]
plugin_dirs = ["plugins"]
output_dir = "out"

[[plugin]]
id = "paper"
library = "mercurio_broker_paper"
[plugin.config]
data = { OOT = "data/OOT.csv" }

[[plugin]]
id = "bh"
library = "example_strategy_buy_and_hold"
[plugin.config]
symbol = "OOT"
quantity = "7"

[risk]
max_order_quantity = "100"
max_order_notional = "100000"
price_collar_pct = "10"
max_reference_age_seconds = 432000
max_position_quantity = "100"
max_position_notional = "100000"
max_gross_exposure_pct = "100"
max_positions = 5
max_open_orders = 10
max_orders_per_minute = 60
order_burst = 10
duplicate_window_seconds = 5
max_daily_loss_pct = "5"
max_drawdown_pct = "25"
drawdown_action = "hold"
max_fills_per_window = 100
fills_window_seconds = 60
calendar = "XNYS"
allow_outside_market_hours = true   # daily bars are stamped 00:00Z
TOML

"$build/bin/mercurio" check --config "$work/mercurio.toml" | tee "$work/check.txt"
grep -q "bh: example.strategies.buy_and_hold 1.0.0 (strategy) from $work/plugins/libexample_strategy_buy_and_hold.so" "$work/check.txt"
"$build/bin/mercurio" run --config "$work/mercurio.toml" > "$work/run.txt" 2> "$work/run.err"
# Exactly one fill: 7 OOT bought by the out-of-tree strategy.
rows=$(tail -n +2 "$work/out/trades.csv")
echo "$rows"
[[ $(echo "$rows" | wc -l) -eq 1 ]]
echo "$rows" | grep -q ",OOT,buy,7,.*,bh-1,bh,paper,"
echo "out-of-tree plugin built, loaded and traded"
