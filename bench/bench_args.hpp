// Command-line checks shared by the benchmark programs: numbers that must be positive, with errors that
// name the flag and the value, and the usage error (message, usage line, exit code 2).
#pragma once
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

namespace retrain::bench {

class Args {
 public:
  Args(std::string program, std::string usage) : program_(std::move(program)), usage_(std::move(usage)) {}

  [[noreturn]] void fail(const std::string& message) const {
    std::cerr << program_ << ": " << message << "\n" << usage_ << "\n";
    std::exit(2);
  }

  // An integer >= 1, the whole of `value`.
  std::int64_t positive(const std::string& flag, const std::string& value) const {
    try {
      std::size_t used = 0;
      const auto n = std::stoll(value, &used);
      if (used == value.size() && n >= 1) return n;
    } catch (const std::exception&) {
    }
    fail(fmt::format("{} {} is invalid; expected an integer >= 1", flag, value));
  }

  // A finite number > 0, the whole of `value`; `what` says what it is in the error.
  double positive_real(const std::string& flag, const std::string& value, const std::string& what) const {
    try {
      std::size_t used = 0;
      const auto x = std::stod(value, &used);
      if (used == value.size() && x > 0 && std::isfinite(x)) return x;
    } catch (const std::exception&) {
    }
    fail(fmt::format("{} {} is invalid; expected {} > 0", flag, value, what));
  }

 private:
  std::string program_, usage_;
};

}  // namespace retrain::bench
