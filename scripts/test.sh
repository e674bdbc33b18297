#!/usr/bin/env bash
# Command 2 of the README (and all that .ci/run does): installs what is missing, then builds and
# runs the whole test suite in one configuration: AddressSanitizer + UndefinedBehaviorSanitizer
# at -O1 with assertions on and warnings as errors ("asan"). One build keeps CI well under 15
# minutes on 2 cores; the sanitizers catch more than a plain optimized run would.
# MERCURIO_TEST_CONFIGS="release asan" also runs an optimized build (RelWithDebInfo, -Werror)
# without the sanitizers; MERCURIO_TEST_CONFIGS=release runs only that one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
configs=${MERCURIO_TEST_CONFIGS:-asan}
jobs=${MERCURIO_JOBS:-2}

"$root/scripts/install-deps.sh"

# Prism (pinned in tests/prism/package-lock.json) for the broker conformance tests: installed
# exactly from the lockfile when missing or older than the lockfile.
prism="$root/tests/prism"
if [[ ! -d "$prism/node_modules" || "$prism/package-lock.json" -nt "$prism/node_modules" ]]; then
  echo "== npm ci in tests/prism"
  (cd "$prism" && npm ci --no-audit --no-fund)
  touch "$prism/node_modules"
fi

for config in $configs; do
  build="$root/build/test-$config"
  case $config in
    release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    # -O1: sanitized tests run several times faster than at -O0; Debug keeps assert() on.
    # -g1: line tables only, enough for the sanitizers' stack traces; full -g's variable tracking
    # at -O1 made the largest files compile about a third slower.
    asan) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -O1" -DMERCURIO_SANITIZE=ON) ;;
    *) echo "test.sh: unknown configuration '$config' (expected release or asan)" >&2; exit 2 ;;
  esac
  echo "== $config: configure and build ($build)"
  cmake -S "$root" -B "$build" -G Ninja "${flags[@]}" >/dev/null
  cmake --build "$build" --parallel "$jobs"
  echo "== $config: test"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # The crash-recovery proof: 200 kills and 20 hits per named crash point in the release build;
  # 100 and 10 under the sanitizers (each restart is slower there). Set them to ask for more.
  if [[ $config == asan ]]; then
    export MERCURIO_CRASH_KILLS=${MERCURIO_CRASH_KILLS_ASAN:-100} MERCURIO_CRASH_POINT_HITS=${MERCURIO_CRASH_POINT_HITS_ASAN:-10}
  else
    export MERCURIO_CRASH_KILLS=${MERCURIO_CRASH_KILLS:-200} MERCURIO_CRASH_POINT_HITS=${MERCURIO_CRASH_POINT_HITS:-20}
  fi
  ctest --test-dir "$build" --output-on-failure --parallel "$jobs" --timeout 600
done
