// Checks of a component's options (a network, the trainer, the classifier) with one message format,
// so every refusal names the component, the option, its value where useful, and what was expected.
#pragma once
#include <fmt/format.h>

#include <string_view>

#include "retrain/core/errors.hpp"

namespace retrain {

// UsageError "<component>: option <key> is invalid; expected <expected>" unless `ok`.
inline void require(bool ok, std::string_view component, std::string_view key, std::string_view expected) {
  if (!ok) throw UsageError(fmt::format("{}: option {} is invalid; expected {}", component, key, expected));
}

// UsageError "<component>: <key> = <value> is invalid; expected <expected>" unless `ok`.
template <class Value>
void require(bool ok, std::string_view component, std::string_view key, const Value& value, std::string_view expected) {
  if (!ok) throw UsageError(fmt::format("{}: {} = {} is invalid; expected {}", component, key, value, expected));
}

}  // namespace retrain
