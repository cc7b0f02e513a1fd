// GenerationTable: O_APPEND writes with fsync; truncation rewrites the file atomically.
#include "retrain/loop/generation_table.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "retrain/core/atomic_file.hpp"

namespace retrain {
namespace {

std::optional<std::int64_t> row_generation(const std::string& line, RowFormat format) {
  try {
    if (format == RowFormat::JsonLines) {
      auto j = nlohmann::json::parse(line);
      return j.at("generation").get<std::int64_t>();
    }
    std::size_t used = 0;
    const auto comma = line.find(',');
    const std::string first = line.substr(0, comma);
    const std::int64_t g = std::stoll(first, &used);
    if (used != first.size()) return std::nullopt;
    return g;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

GenerationTable::GenerationTable(std::filesystem::path path, RowFormat format, std::string header)
    : path_(std::move(path)), format_(format), header_(std::move(header)) {}

void GenerationTable::append(const std::string& rows) const {
  const bool fresh = !std::filesystem::exists(path_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open '{}': {}", path_.string(), std::strerror(errno)));
  std::string text = (fresh && !header_.empty()) ? header_ + "\n" + rows : rows;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      throw std::runtime_error(fmt::format("cannot append to '{}': {}", path_.string(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

std::int64_t GenerationTable::truncate_after(std::int64_t generation) const {
  if (!std::filesystem::exists(path_)) return -1;
  std::int64_t newest = -1;
  const std::string text = read_file(path_);
  std::string kept = header_.empty() ? "" : header_ + "\n";
  std::size_t start = 0;
  bool first = true;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;  // torn last line
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (first && !header_.empty()) {
      first = false;
      if (line == header_) continue;
    }
    first = false;
    const auto g = row_generation(line, format_);
    if (g && *g <= generation) {
      kept += line + "\n";
      newest = std::max(newest, *g);
    }
  }
  write_file_atomic(path_, kept);
  return newest;
}

}  // namespace retrain
