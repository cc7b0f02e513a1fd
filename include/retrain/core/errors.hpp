// The error kinds the CLI maps to exit codes: bad input (2), interruption (130); anything else is 1.
#pragma once
#include <stdexcept>
#include <string>

namespace retrain {

// The user gave something we cannot use: a config key or value, a flag, a path. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM asked us to stop; everything committed so far is resumable. Exit code 130.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace retrain
