// Procedures saved in progress at the stop (a flatten, a failsafe emergency procedure), taken up
// again after the start-up's reconciliation.
//
// Order at start-up: resume_saved_procedures() sets them up and saves them (one save for all, so a
// crash while the first closing order is sent loses none of the others), the queued operator
// commands run (a queued resume ends them before anything is sent), then
// continue_resumed_flattens() cancels what stands in their way and sends the closing orders.
//
// A flatten closes what the strategy's book holds, which comes from the journal; the broker
// account also has what reconciliation found at the venue (a position closed by hand while the
// process was down). Where the two no longer agree, the flatten withholds that symbol's closing
// order (Kernel::closing_problem, as every flatten does), and a closing order still in flight
// there is cancelled.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/kernel.hpp"

namespace mercurio::kernel {

std::vector<std::size_t> Kernel::resume_saved_procedures() {
  std::vector<std::size_t> resumed;
  if (saved_flattens_.empty() && saved_emergencies_.empty()) return resumed;
  std::map<std::string, std::string> flattens;
  std::map<std::string, DrawdownAction> emergencies;
  flattens.swap(saved_flattens_);
  emergencies.swap(saved_emergencies_);
  const std::string file = state_store_->state_file().string();
  const auto not_resumed = [&](const std::string& id, const std::string& why,
                               const std::string& problem) {
    alert(sdk::Severity::Critical, "Flatten not resumed",
          "the flatten of strategy " + id + " (" + why + ") was in progress at the stop (" + file +
              "), " + problem,
          {{"strategy", id}});
  };
  if (!journal_) {
    // Without a journal this process knows none of the positions and orders the last one was
    // closing: going on would call a book flat that only this run sees empty.
    for (const auto& [id, why] : flattens)
      not_resumed(id, why,
                  "but without a [journal] this run does not know its positions: close them at "
                  "the broker");
    for (const auto& [id, action] : emergencies)
      alert(sdk::Severity::Critical, "Emergency procedure not resumed",
            "the emergency procedure \"" + std::string(to_string(action)) + "\" at broker " + id +
                " was pending at the stop (" + file +
                "); without a [journal] this run does not know its orders: check the broker",
            {{"broker", id}});
    persist_state();
    return resumed;
  }
  for (const auto& [id, action] : emergencies) {
    const auto b = std::find_if(brokers_.begin(), brokers_.end(),
                                [&](const BrokerSlot& x) { return x.id == id; });
    if (b == brokers_.end()) {
      alert(sdk::Severity::Critical, "Emergency procedure not resumed",
            "the emergency procedure \"" + std::string(to_string(action)) + "\" at broker " + id +
                " was pending at the stop (" + file + "), but no broker " + id +
                " is configured: check it at the venue",
            {{"broker", id}});
      continue;
    }
    b->pending_emergency = action;
    log_.warn("emergency procedure \"" + std::string(to_string(action)) + "\" at broker " + id +
              ", pending at the stop, runs once the broker answers a heartbeat");
  }
  for (const auto& [id, why] : flattens) {
    const auto s = std::find_if(strategies_.begin(), strategies_.end(),
                                [&](const StrategySlot& x) { return x.id == id; });
    if (s == strategies_.end()) {
      not_resumed(id, why,
                  "but no strategy " + id + " is configured: close its positions at the broker");
      continue;
    }
    const auto si = static_cast<std::size_t>(s - strategies_.begin());
    begin_flatten(si, why);
    resumed.push_back(si);
    log_.warn("the flatten of strategy " + id + " in progress at the stop goes on (" + why + ")");
  }
  persist_state();
  return resumed;
}

void Kernel::continue_resumed_flattens(const std::vector<std::size_t>& resumed) {
  for (std::size_t si : resumed) {
    StrategySlot& s = strategies_[si];
    if (!s.flattening) continue;  // a queued resume ended it
    // Its cancels may have been lost with the process (a stop that would fill against a flat
    // book): asked again, the flatten's own closing orders excepted.
    cancel_open_orders([si](const TrackedOrder& o) { return o.strategy_index == si; },
                       "flatten of " + s.id + " goes on after a restart");
    // A closing order still in flight where the position changed at the broker meanwhile would
    // take the account past flat: cancelled (advance_flatten then withholds a new one, alerted).
    for (const sdk::Position& p : s.book.open_positions()) {
      const auto f = s.flattening->symbols.find(p.symbol);
      if (f == s.flattening->symbols.end() || f->second.order.empty()) continue;
      if (std::string problem = closing_problem(si, p); !problem.empty()) {
        const sdk::ClientOrderId id = f->second.order;
        log_.warn("cancelling closing order " + id.str() + " of " + s.id + ": " + problem);
        if (const sdk::Status st = cancel_order(si, id); !st.is_ok())
          log_.error("could not cancel " + id.str() + ": " + st.message());
      }
    }
  }
  if (!resumed.empty()) advance_flattens();
}

}  // namespace mercurio::kernel
