// The error kinds the CLI maps to exit codes: bad input (2: UsageError, and CorruptFile, a file that
// fails its checks), a failure while running (1: RuntimeFailure, DistError among them), interruption
// (130). Checks of options use require() (require.hpp). A broken internal contract is a bug, not one of
// these: TORCH_CHECK for tensors one function hands another, std::logic_error (std::invalid_argument)
// for other arguments; the CLI reports them with exit code 1.
#pragma once
#include <stdexcept>
#include <string>

namespace retrain {

// The user gave something we cannot use: a config key or value, a flag, a path. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file that fails its checks (format, size, checksum, contents that do not fit what reads it): bad
// input, so exit code 2. The message names the file.
struct CorruptFile : UsageError {
  using UsageError::UsageError;
};

// Something failed while running (I/O, a child process, a collective, an internal contract): exit 1.
struct RuntimeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM asked us to stop; everything committed so far is resumable. Exit code 130.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace retrain
