// Progress lines: a carriage-return bar on terminals, rate-limited log lines elsewhere.
#include "retrain/core/progress.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "retrain/core/logging.hpp"

namespace retrain {

std::string format_duration(double s) {
  if (s < 60) return fmt::format("{:.1f}s", s);
  const auto total = static_cast<long long>(s + 0.5);
  if (total < 3600) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
}

Progress::Progress(std::string label, long long total, std::string unit, double interval_s, long long initial)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), initial_(initial), done_(initial),
      interval_s_(interval_s),
      live_(stdout_is_terminal() && spdlog::default_logger()->sinks().front()->level() <= spdlog::level::info),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

std::string Progress::line(long long done, const std::string& status) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const long long fresh = done - initial_;
  const double rate = elapsed > 0 ? static_cast<double>(fresh) / elapsed : 0.0;
  std::string eta = rate > 0 && done < total_ ? format_duration(static_cast<double>(total_ - done) / rate) : "-";
  std::string text = fmt::format("{} {}/{} {} | {:.3g} {}/s | elapsed {} | ETA {}", label_, done, total_, unit_, rate,
                                 unit_, format_duration(elapsed), eta);
  if (!status.empty()) text += " | " + status;
  return text;
}

void Progress::update(long long done, const std::string& status) {
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  if (live_) {
    const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    const int width = 24, filled = static_cast<int>(frac * width);
    std::fprintf(stdout, "\r\033[2K[%s%s] %s", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), line(done, status).c_str());
    std::fflush(stdout);
  } else if (done < total_ && std::chrono::duration<double>(now - last_print_).count() >= interval_s_) {
    // (the last step is left to finish(), which prints the closing line anyway)
    spdlog::info("{}", line(done, status));
    last_print_ = now;
  }
}

void Progress::finish(const std::string& status) {
  if (live_) std::fprintf(stdout, "\r\033[2K"), std::fflush(stdout);
  spdlog::info("{}", line(done_, status));  // the closing line
}

}  // namespace retrain
