#include "trade_stream.hpp"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <memory>
#include <sstream>

#include "mercurio/brokers/common/http_client.hpp"
#include "mercurio/brokers/common/tls.hpp"

namespace mercurio::brokers::alpaca {

using Poco::Net::WebSocket;
using SteadyClock = std::chrono::steady_clock;

namespace {
constexpr auto kPoll = std::chrono::milliseconds(100);  // socket read slice: bounds stop() latency
constexpr int kPingFlags = static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PING);
constexpr int kPongFlags = static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG);
// A trade update is about 2 KB: a frame or a message far beyond this is a broken stream, not a
// reason to allocate whatever length a header claims.
constexpr int kMaxMessageBytes = 1 << 20;

Poco::Timespan span(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

std::string stringify(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

class AuthRefused : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The `streams` array of a `listening` reply (null when it has none).
Poco::JSON::Array::Ptr listening_streams(const JsonObject& data) {
  if (!data) return nullptr;
  try {
    return data->getArray("streams");
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

bool lists_trade_updates(const JsonObject& data) {
  const Poco::JSON::Array::Ptr streams = listening_streams(data);
  if (!streams) return false;
  for (std::size_t i = 0; i < streams->size(); ++i)
    if (streams->get(static_cast<unsigned>(i)).toString() == "trade_updates") return true;
  return false;
}

std::string listed_streams(const JsonObject& data) {
  const Poco::JSON::Array::Ptr streams = listening_streams(data);
  if (!streams) return "none";
  std::ostringstream out;
  streams->stringify(out);
  return out.str();
}
}  // namespace

TradeStream::TradeStream(const AlpacaSettings& settings, Callbacks callbacks, sdk::Logger& logger,
                         std::shared_ptr<void> tls_context)
    : settings_(settings),
      callbacks_(std::move(callbacks)),
      logger_(logger),
      backoff_(settings.reconnect_initial, settings.reconnect_max,
               static_cast<std::uint64_t>(SteadyClock::now().time_since_epoch().count())),
      tls_context_(std::move(tls_context)) {}

TradeStream::~TradeStream() { stop(); }

void TradeStream::start() {
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TradeStream::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool TradeStream::sleep_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

void TradeStream::run() {
  while (!stopping_) {
    std::string why;
    try {
      why = session();
    } catch (const AuthRefused& e) {
      subscribed_ = false;
      if (callbacks_.on_auth_failed)
        callbacks_.on_auth_failed(sdk::Status(sdk::StatusCode::Rejected, e.what()));
      return;  // reconnecting with refused credentials would only hammer the server
    }
    const bool was_subscribed = subscribed_.exchange(false);
    if (stopping_) return;
    if (was_subscribed && callbacks_.on_down) callbacks_.on_down(why);
    // Only a subscription that held for the longest delay starts the backoff over: a server that
    // accepts and then drops every subscription (overloaded, or a proxy cutting it) would
    // otherwise be reconnected to, and gap-filled by REST, every `reconnect_initial` for ever.
    if (was_subscribed && SteadyClock::now() - subscribed_at_ >= settings_.reconnect_max)
      backoff_.reset();
    const auto delay = backoff_.next();
    logger_.warn("alpaca trade_updates stream: " + why + "; reconnecting in " + std::to_string(delay.count()) +
                 " ms (attempt " + std::to_string(backoff_.attempts()) + ")");
    if (!sleep_for(delay)) return;
  }
}

std::string TradeStream::session() {
  const auto& url = settings_.stream_url;
  std::unique_ptr<Poco::Net::HTTPClientSession> http;
  try {
    if (url.secure()) {
      if (!tls_context_) {
        auto made = common::make_shared_client_tls(settings_.ca_file);
        if (!made) return made.status().message();
        tls_context_ = std::move(*made);
      }
      http = std::make_unique<Poco::Net::HTTPSClientSession>(
          url.host, url.port, *std::static_pointer_cast<Poco::Net::Context::Ptr>(tls_context_));
    } else {
      http = std::make_unique<Poco::Net::HTTPClientSession>(url.host, url.port);
    }
    http->setTimeout(span(settings_.request_timeout));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, url.path.empty() ? "/" : url.path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    WebSocket ws(*http, request, response);
    ws.setReceiveTimeout(span(settings_.request_timeout));
    ws.setSendTimeout(span(settings_.request_timeout));
    ws.setMaxPayloadSize(kMaxMessageBytes);

    const auto send_json = [&](const Poco::JSON::Object& o) {
      const std::string text = stringify(o);
      ws.sendFrame(text.data(), static_cast<int>(text.size()), WebSocket::FRAME_TEXT);
    };
    {
      Poco::JSON::Object auth;
      auth.set("action", "auth");
      auth.set("key", settings_.key_id.reveal());
      auth.set("secret", settings_.secret_key.reveal());
      send_json(auth);
    }

    enum class Phase { Authorizing, Listening, Streaming } phase = Phase::Authorizing;
    auto last_activity = SteadyClock::now();
    auto last_ping = last_activity;
    const auto ping_every = settings_.stream_silence / 3;
    Poco::Buffer<char> buffer(0);
    // A message may come in fragments: a text or binary frame without FIN, then continuation
    // frames up to one with FIN, control frames (ping) possibly in between (RFC 6455, 5.4).
    std::string message;
    bool assembling = false;
    while (!stopping_) {
      int flags = 0;
      int n = 0;
      // Wait in short slices (stop() latency, pings) but read a frame only once bytes are there:
      // a read timeout in the middle of a frame would desynchronize the stream. available()
      // also counts bytes TLS has already decrypted.
      const bool readable = ws.available() > 0 || ws.poll(span(kPoll), Poco::Net::Socket::SELECT_READ);
      if (!readable) {
        const auto now = SteadyClock::now();
        if (now - last_activity > settings_.stream_silence)
          return "silent for " + std::to_string(settings_.stream_silence.count()) + " ms (no message, no pong)";
        if (phase == Phase::Streaming && now - last_ping >= ping_every) {
          ws.sendFrame("", 0, kPingFlags);
          last_ping = now;
        }
        continue;
      }
      buffer.resize(0);
      n = ws.receiveFrame(buffer, flags);
      const int op = flags & WebSocket::FRAME_OP_BITMASK;
      if (n == 0 && flags == 0) return "connection closed by the server";
      if (op == WebSocket::FRAME_OP_CLOSE) return "the server closed the stream";
      last_activity = SteadyClock::now();
      if (op == WebSocket::FRAME_OP_PING) {
        ws.sendFrame(buffer.begin(), n, kPongFlags);
        continue;
      }
      if (op == WebSocket::FRAME_OP_PONG) continue;
      // Alpaca's paper stream sends binary frames, the live one text frames: both are JSON.
      if (op == WebSocket::FRAME_OP_CONT) {
        if (!assembling) return "stream out of step: a continuation frame with no message begun";
        message.append(buffer.begin(), static_cast<std::size_t>(n));
      } else if (op == WebSocket::FRAME_OP_TEXT || op == WebSocket::FRAME_OP_BINARY) {
        if (assembling) return "stream out of step: a message began before the last one ended";
        message.assign(buffer.begin(), static_cast<std::size_t>(n));
      } else {
        return "stream out of step: a frame of unknown opcode " + std::to_string(op);
      }
      if (message.size() > static_cast<std::size_t>(kMaxMessageBytes))
        return "a stream message over " + std::to_string(kMaxMessageBytes) + " bytes";
      assembling = (flags & WebSocket::FRAME_FLAG_FIN) == 0;
      if (assembling) continue;
      auto msg = parse_object(message, "stream message");
      if (!msg) {
        logger_.warn("alpaca trade_updates stream: " + msg.status().message());
        continue;
      }
      const auto stream = string_field(*msg, "stream").value_or("");
      JsonObject data;
      try {
        data = (*msg)->getObject("data");
      } catch (const Poco::Exception&) {
      }
      if (stream == "authorization") {
        const auto status = data ? string_field(data, "status").value_or("") : "";
        if (status != "authorized")
          throw AuthRefused("alpaca trade_updates stream: authorization refused (status \"" + status + "\")");
        Poco::JSON::Object listen;
        Poco::JSON::Object::Ptr listen_data(new Poco::JSON::Object);
        Poco::JSON::Array::Ptr streams(new Poco::JSON::Array);
        streams->add("trade_updates");
        listen_data->set("streams", streams);
        listen.set("action", "listen");
        listen.set("data", listen_data);
        send_json(listen);
        phase = Phase::Listening;
      } else if (stream == "listening") {
        // Alpaca leaves a stream it does not grant out of the list: taken as subscribed, the REST
        // poll would stop while nothing is streamed. Down instead: reconnected with backoff, and
        // polled meanwhile.
        if (!lists_trade_updates(data))
          throw std::runtime_error(
              "the server did not grant the trade_updates stream (its listening reply lists " +
              listed_streams(data) + ")");
        phase = Phase::Streaming;
        subscribed_ = true;
        ++subscriptions_;
        subscribed_at_ = SteadyClock::now();
        logger_.info("alpaca trade_updates stream: subscribed");
        if (callbacks_.on_subscribed) callbacks_.on_subscribed();
        last_activity = SteadyClock::now();  // the gap-fill may have taken a while
      } else if (stream == "trade_updates" && data) {
        if (callbacks_.on_trade_update) callbacks_.on_trade_update(data);
      }
    }
    try {
      ws.shutdown();
    } catch (const Poco::Exception&) {
    }
    return "stopped";
  } catch (const AuthRefused&) {
    throw;
  } catch (const Poco::Exception& e) {
    return "connection failed: " + e.displayText();
  } catch (const std::exception& e) {
    return std::string("connection failed: ") + e.what();
  }
}

}  // namespace mercurio::brokers::alpaca
