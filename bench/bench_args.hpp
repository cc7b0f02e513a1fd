// Command-line checks shared by the benchmark programs: numbers that must be positive, with errors that
// name the flag and the value, and the usage error (message, usage line, exit code 2).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace retrain::bench {

class Args {
 public:
  Args(std::string program, std::string usage) : program_(std::move(program)), usage_(std::move(usage)) {}

  [[noreturn]] void fail(const std::string& message) const {
    std::cerr << program_ << ": " << message << "\n" << usage_ << "\n";
    std::exit(2);
  }

  // Walks argv: a flag listed in `switches` reaches on_flag with an empty value, any other flag takes
  // the next argument as its value. on_flag returns false for a flag it does not know (a usage error).
  void each_flag(int argc, char** argv, const std::vector<std::string>& switches,
                 const std::function<bool(const std::string& flag, const std::string& value)>& on_flag) const {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      std::string value;
      if (std::find(switches.begin(), switches.end(), flag) == switches.end()) {
        if (i + 1 >= argc) fail(fmt::format("{} needs a value", flag));
        value = argv[++i];
      }
      if (!on_flag(flag, value)) fail(fmt::format("unknown flag '{}'", flag));
    }
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
