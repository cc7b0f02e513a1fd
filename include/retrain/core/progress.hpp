// Progress reporting for long loops: a live one-line bar on a terminal, otherwise a plain log line at
// most every `interval_s` seconds; both show done/total, rate and ETA.
#pragma once
#include <chrono>
#include <string>

namespace retrain {

class Progress {
 public:
  // `initial`: items already done before this Progress started (a resumed job); the rate counts from it.
  Progress(std::string label, long long total, std::string unit, double interval_s = 10.0, long long initial = 0);
  // Report `done` items (absolute); `status` is appended (e.g. the latest metrics).
  void update(long long done, const std::string& status = "");
  // Final line (always printed).
  void finish(const std::string& status = "");

 private:
  std::string line(long long done, const std::string& status) const;
  std::string label_, unit_;
  long long total_, initial_, done_;
  double interval_s_;
  bool live_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

// "1h02m", "3m05s", "12.3s".
std::string format_duration(double seconds);

}  // namespace retrain
