// spdlog default logger with a console sink and an optional file sink.
#include "retrain/core/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

namespace retrain {

void init_logging(bool quiet) {
  auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
  console->set_pattern("%^[%H:%M:%S %l]%$ %v");
  auto logger = std::make_shared<spdlog::logger>("retrain", console);
  logger->set_level(spdlog::level::debug);
  console->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void set_log_file(const std::filesystem::path& file) {
  static std::shared_ptr<spdlog::sinks::sink> current;
  auto& sinks = spdlog::default_logger()->sinks();
  if (current) sinks.erase(std::remove(sinks.begin(), sinks.end(), current), sinks.end());
  current = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), /*truncate=*/false);
  current->set_pattern("[%Y-%m-%d %H:%M:%S.%e %l] %v");
  current->set_level(spdlog::level::debug);
  sinks.push_back(current);
  spdlog::default_logger()->flush_on(spdlog::level::info);
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

}  // namespace retrain
