// GenerationTable: durable appends; truncation rewrites the file atomically.
#include "retrain/loop/generation_table.hpp"

#include <nlohmann/json.hpp>

#include <optional>

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
  append_file_durable(path_, (fresh && !header_.empty()) ? header_ + "\n" + rows : rows);
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
