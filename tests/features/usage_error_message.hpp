// Test helper for the feature extractor suites: the message of a call that must throw UsageError.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "retrain/core/errors.hpp"

namespace retrain::test {

// Runs `call`; returns the UsageError's message, or records a failure and returns "" when none is thrown.
template <typename Call>
std::string usage_error_message(Call&& call) {
  try {
    call();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UsageError";
  return "";
}

}  // namespace retrain::test
