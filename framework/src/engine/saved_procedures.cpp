// Procedures saved in progress at the stop (a flatten, a failsafe emergency procedure), taken up
// again after the start-up's reconciliation.
//
// Order at start-up: resume_saved_procedures() sets them up and saves them (one save for all, so a
// crash while the first closing order is sent loses none of the others), the queued operator
// commands run (a queued resume ends them before anything is sent), then
// continue_resumed_flattens() cancels what stands in their way and sends the closing orders.
//
// A flatten closes what the strategy's book holds. The book comes from the journal; the broker
// account from the journal too, plus what reconciliation found at the venue (fills made by hand
// while the process was down are booked there as external). Where the two no longer add up, the
// book's quantities are not the venue's: such a flatten is not taken up (an operator decides).

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/kernel.hpp"

namespace mercurio::kernel {

std::string Kernel::books_against_account(std::size_t si) const {
  const StrategySlot& s = strategies_[si];
  const BrokerSlot& b = brokers_[s.broker];
  std::string differs;
  for (const sdk::Position& p : s.book.open_positions()) {
    sdk::Decimal books;
    for (std::size_t other : b.strategies) books += strategies_[other].book.quantity(p.symbol);
    const sdk::Decimal account = b.account.quantity(p.symbol);
    if (books == account) continue;
    differs += (differs.empty() ? "" : "; ") + p.symbol.str() + ": the account holds " +
               account.to_string() + ", the strategies' books " + books.to_string();
  }
  return differs;
}

std::vector<std::size_t> Kernel::resume_saved_procedures() {
  std::vector<std::size_t> resumed;
  if (saved_flattens_.empty() && saved_emergencies_.empty()) return resumed;
  std::map<std::string, std::string> flattens;
  std::map<std::string, std::string> emergencies;
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
            "the emergency procedure \"" + action + "\" at broker " + id +
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
            "the emergency procedure \"" + action + "\" at broker " + id +
                " was pending at the stop (" + file + "), but no broker " + id +
                " is configured: check it at the venue",
            {{"broker", id}});
      continue;
    }
    DrawdownAction resumed_action =
        action == "flatten" ? DrawdownAction::Flatten : DrawdownAction::CancelOpenOrders;
    if (resumed_action == DrawdownAction::Flatten) {
      std::string differs;
      for (std::size_t si : b->strategies)
        if (std::string d = books_against_account(si); !d.empty()) differs = d;
      if (!differs.empty()) {
        // Its cancels are still wanted; its closes would trade the books' quantities.
        resumed_action = DrawdownAction::CancelOpenOrders;
        alert(sdk::Severity::Critical, "Emergency flatten not resumed",
              "the emergency procedure \"flatten\" at broker " + id +
                  " was pending at the stop, but the broker's account and its strategies' books "
                  "differ (" +
                  differs +
                  "): only its cancels run; check the positions at the broker, then close them "
                  "there or with mercurio flatten",
              {{"broker", id}});
      }
    }
    b->pending_emergency = resumed_action;
    log_.warn("emergency procedure \"" + std::string(to_string(resumed_action)) + "\" at broker " +
              id + ", pending at the stop, runs once the broker answers a heartbeat");
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
    if (std::string differs = books_against_account(si); !differs.empty()) {
      not_resumed(id, why,
                  "but the account at broker " + brokers_[s->broker].id +
                      " and its strategies' books differ (" + differs +
                      "), e.g. a position closed at the broker while Mercurio was down: closing "
                      "the book's quantities could open new positions, so nothing is sent; check "
                      "the positions at the broker, then close them there or with mercurio "
                      "flatten");
      continue;
    }
    begin_flatten(si, why);
    resumed.push_back(si);
    log_.warn("the flatten of strategy " + id + " in progress at the stop goes on (" + why + ")");
  }
  persist_state();
  return resumed;
}

void Kernel::continue_resumed_flattens(const std::vector<std::size_t>& resumed) {
  for (std::size_t si : resumed) {
    if (!strategies_[si].flattening) continue;  // a queued resume ended it
    // Its cancels may have been lost with the process (a stop that would fill against a flat
    // book): asked again, the flatten's own closing orders excepted.
    cancel_open_orders([si](const TrackedOrder& o) { return o.strategy_index == si; },
                       "flatten of " + strategies_[si].id + " goes on after a restart");
  }
  if (!resumed.empty()) advance_flattens();
}

}  // namespace mercurio::kernel
