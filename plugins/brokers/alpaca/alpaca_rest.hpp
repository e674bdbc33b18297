#pragma once
/// @file alpaca_rest.hpp
/// Alpaca's Trading API v2 and Market Data API v2 over HTTPS: one method per request kind,
/// every request through its API's rate budget, errors mapped to SDK statuses. Never retries.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alpaca_json.hpp"
#include "config.hpp"
#include "mercurio/brokers/common/http_client.hpp"
#include "mercurio/brokers/common/rate_budget.hpp"

namespace mercurio::brokers::alpaca {

/// The tag the kernel gives its flattening orders (framework/src/engine/kernel.cpp); not an SDK
/// contract yet, see README.
inline constexpr const char* kFlattenTag = "kernel-flatten";

/// What POST /v2/orders came back with.
struct SubmitResult {
  sdk::Status status;                        ///< Ok, Rejected (4xx), Unavailable (429, not sent) or Unknown
  std::optional<VenueOrder> order;           ///< on a 2xx whose body is an order (else Unknown)
  /// Rejected because Alpaca holds another order under the client order id (it was used before).
  bool id_held_by_another_order = false;
};

/// A FILL activity this plugin could not read: what names it, and why.
struct UnreadableActivity {
  std::string activity_id;     ///< empty when absent
  std::string venue_order_id;  ///< empty when absent: whose fill it is cannot be told
  sdk::Status status;
};

/// What GET /v2/account/activities/FILL listed, oldest first. An activity that cannot be read is
/// set aside rather than failing the list: whether that may be ignored depends on whose order it
/// is, which only the broker knows.
struct FillActivities {
  std::vector<FillActivity> fills;
  std::vector<UnreadableActivity> unreadable;
};

/// Thread: safe (the kernel thread and the plugin's own threads share one instance).
class AlpacaRest {
 public:
  /// Extra headers sent with every request (tests: Prism's "Prefer: code=...").
  using Headers = std::vector<common::HttpHeader>;

  static sdk::Result<std::unique_ptr<AlpacaRest>> create(const AlpacaSettings& settings);

  /// The TLS context both clients use (empty when neither URL is https), for the trade stream:
  /// reading the system's CAs into a context costs about 20 ms, once per broker.
  const std::shared_ptr<void>& tls_context() const noexcept { return tls_context_; }

  sdk::Result<sdk::AccountSnapshot> account();
  sdk::Result<std::vector<sdk::Position>> positions();
  /// GET /v2/orders?status=open (all pages). Orders with an unknown status are errors.
  sdk::Result<std::vector<sdk::OrderStatusReport>> open_orders();
  /// Which entries of the open-order list the plugin cannot read are skipped (and described in
  /// `skipped`) instead of failing the whole list.
  enum class Skip {
    Unreadable,  // any (another client's order of a kind it does not know)
    Foreign,     // only those no Mercurio order can be: a client_order_id longer than a
                 // ClientOrderId holds (Alpaca allows 128 characters); any other may be ours
  };
  /// The same with each order's fill state.
  sdk::Result<std::vector<VenueOrder>> open_venue_orders(Skip which,
                                                         std::vector<std::string>& skipped);
  /// This machine's clock minus Alpaca's, in seconds, from the last reply's Date header (whole
  /// seconds: +-1 s); nullopt before a reply that had one.
  std::optional<std::int64_t> clock_skew_seconds() const {
    const std::int64_t s = clock_skew_s_.load();
    return s == INT64_MIN ? std::nullopt : std::optional<std::int64_t>(s);
  }
  /// GET /v2/orders:by_client_order_id. NotFound only on Alpaca's 404.
  sdk::Result<VenueOrder> order_by_client_id(const sdk::ClientOrderId& id);
  /// GET /v2/orders/{id}, read for its client_order_id only (fills carry only Alpaca's order
  /// id): whose fill it is does not depend on the order's status, which may be one this plugin
  /// cannot interpret. An order without one is an error naming it.
  sdk::Result<sdk::ClientOrderId> client_order_id_of(const std::string& venue_order_id);
  /// POST /v2/orders. Never retried. A duplicate client_order_id is Unknown (an earlier send of
  /// this order reached Alpaca: resolved by lookup) only when the order Alpaca holds under that id
  /// is this one; an id another order used before (a new journal, or a run without one, starts
  /// the ids again) is Rejected: this order was not placed.
  SubmitResult submit(const sdk::ApprovedOrder& order);
  /// DELETE /v2/orders/{id}. Critical priority.
  sdk::Status cancel(const std::string& venue_order_id);
  /// DELETE /v2/orders. Critical priority.
  sdk::Status cancel_all();
  sdk::Result<Clock> clock();
  sdk::Result<std::vector<CalendarDay>> calendar(sdk::Timestamp from, sdk::Timestamp to);
  sdk::Result<Asset> asset(const sdk::Symbol& symbol);
  /// FILL activities at/after `after`, oldest first, all pages.
  sdk::Result<FillActivities> fills_since(sdk::Timestamp after);
  /// Bars of `symbols` in [from, to], every page (bounded), ascending per symbol.
  sdk::Result<std::vector<sdk::Bar>> bars(const std::vector<sdk::Symbol>& symbols, sdk::Timestamp from,
                                          sdk::Timestamp to);

  /// Test hook: headers added to every request from now on.
  void set_extra_headers(Headers headers);
  /// Test hook: sees every response (method, target without credentials, response).
  using Observer = std::function<void(const std::string& method, const std::string& target,
                                      const common::HttpResponse& response)>;
  void set_observer(Observer observer);
  std::uint64_t trading_requests_sent() const { return trading_->requests_sent(); }
  /// The Trading API's request budget (orders, account, positions, activities, calendar, assets).
  common::RateBudget& trading_budget() { return trading_budget_; }
  /// The Market Data API's (bars), counted apart.
  common::RateBudget& data_budget() { return data_budget_; }
  /// Replaces every occurrence of the credentials in `text` (defence in depth for messages that
  /// quote a server's reply).
  std::string redact(std::string text) const;

 private:
  SubmitResult refused_as_duplicate(const sdk::ApprovedOrder& order, const sdk::Status& refusal);
  AlpacaRest(const AlpacaSettings& settings, std::unique_ptr<common::HttpClient> trading,
             std::unique_ptr<common::HttpClient> data, std::shared_ptr<void> tls_context);
  /// Sends `request` on `client` once `budget` (the client's API's) grants a token; a 429 or
  /// X-RateLimit-Remaining adjusts that budget only.
  sdk::Result<common::HttpResponse> call(common::HttpClient& client, common::RateBudget& budget,
                                         common::Priority priority, common::HttpRequest request);
  /// A non-2xx response as a status: 4xx Rejected with Alpaca's code and message, 429 and 5xx
  /// Unavailable (retryable).
  sdk::Status error_status(const common::HttpResponse& response, const std::string& what) const;

  AlpacaSettings settings_;
  std::unique_ptr<common::HttpClient> trading_;
  std::unique_ptr<common::HttpClient> data_;
  // Both clients' (from make_shared_client_tls); empty when neither URL is https.
  std::shared_ptr<void> tls_context_;
  common::RateBudget trading_budget_;
  common::RateBudget data_budget_;
  mutable std::mutex headers_mutex_;
  // This machine's clock minus Alpaca's (the last reply's Date header), seconds; INT64_MIN: none.
  std::atomic<std::int64_t> clock_skew_s_{INT64_MIN};
  Headers extra_headers_;
  Observer observer_;
};

}  // namespace mercurio::brokers::alpaca
