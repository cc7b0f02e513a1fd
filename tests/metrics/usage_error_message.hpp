// Test helper for the metric suites: the message of the UsageError a call throws.
#pragma once
#include <string>

#include "retrain/core/errors.hpp"

namespace retrain::test {

// What `call()` says when it throws UsageError; "no UsageError" when it returns normally.
template <class Call>
std::string usage_error_message(Call&& call) {
  try {
    call();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no UsageError";
}

}  // namespace retrain::test
