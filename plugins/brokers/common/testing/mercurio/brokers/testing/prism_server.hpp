#pragma once
// Prism (tests/prism, pinned 5.14.2) on 127.0.0.1 and a free port: `mock` serves a spec's
// examples, `proxy` forwards to an upstream and checks both requests and responses. Every
// response carries the violations Prism found in an `sl-violations` header.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mercurio/brokers/testing/loopback.hpp"

namespace mercurio::brokers::testing {

class PrismServer {
 public:
  /// Starts `prism mock <spec>` (upstream empty) or `prism proxy <spec> <upstream>`; waits up to
  /// 90 s for the port to accept connections. Throws with the log's path when it does not.
  PrismServer(const std::filesystem::path& spec, const std::filesystem::path& log_file,
              const std::string& upstream = "") {
    // A port found free can be taken by another test before Prism binds it: try a few.
    for (int attempt = 1;; ++attempt) {
      port_ = free_loopback_port();
      std::vector<std::string> argv = {prism_executable().string(), upstream.empty() ? "mock" : "proxy",
                                       "-h", "127.0.0.1", "-p", std::to_string(port_), spec.string()};
      if (!upstream.empty()) argv.push_back(upstream);
      argv.push_back("--errors=false");
      process_ = std::make_unique<ChildProcess>(argv, log_file);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
      bool exited = false;
      while (!port_accepts(port_)) {
        if (!process_->running()) {
          exited = true;
          break;
        }
        if (std::chrono::steady_clock::now() > deadline)
          throw std::runtime_error("prism did not listen within 90 s; see " + log_file.string());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!exited) return;
      if (attempt == 3) throw std::runtime_error("prism exited during start-up; see " + log_file.string());
    }
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void stop() { process_->stop(); }

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace mercurio::brokers::testing
