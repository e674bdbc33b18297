#pragma once
// The one error type of the report commands: the message names the journal file or the argument.

#include <stdexcept>

namespace mercurio::report {

class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mercurio::report
