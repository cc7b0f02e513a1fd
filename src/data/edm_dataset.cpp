// EDM dataset_tool reader: lists the PNGs of a zip (libzip) or folder, decodes them in sorted order and
// attaches the labels of dataset.json.
#include "retrain/data/edm_dataset.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zip.h>

#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/image_decode.hpp"

namespace retrain {
namespace {

constexpr const char* kLabelsFile = "dataset.json";

// Relative path ('/'-separated) -> file bytes, for every PNG and for dataset.json.
using FileMap = std::map<std::string, std::string>;

bool wanted(const std::string& name) {
  std::string lower = name;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == kLabelsFile || lower.ends_with(".png");
}

FileMap read_zip(const std::filesystem::path& path) {
  int error = 0;
  const std::unique_ptr<zip_t, decltype(&zip_discard)> archive(zip_open(path.c_str(), ZIP_RDONLY, &error),
                                                                &zip_discard);
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, error);
    const std::string what = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw CorruptFile(fmt::format("{}: cannot open zip file ({})", path.string(), what));
  }
  FileMap files;
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive.get(), i, 0, &st) != 0) {
      throw CorruptFile(fmt::format("{}: cannot read entry {}", path.string(), i));
    }
    const std::string name = st.name;
    if (name.ends_with('/') || !wanted(name)) continue;
    const std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(archive.get(), i, 0),
                                                                   &zip_fclose);
    std::string bytes(st.size, '\0');
    if (!file || zip_fread(file.get(), bytes.data(), st.size) != static_cast<zip_int64_t>(st.size)) {
      throw CorruptFile(fmt::format("{}: cannot read {} ({})", path.string(), name,
                                           zip_strerror(archive.get())));
    }
    files.emplace(name, std::move(bytes));
  }
  return files;
}

FileMap read_folder(const std::filesystem::path& dir) {
  FileMap files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().lexically_relative(dir).generic_string();
    if (wanted(name)) files.emplace(name, read_file(entry.path()));
  }
  return files;
}

// Labels of `names` from dataset.json (undefined when absent or null) and the number of classes.
std::pair<torch::Tensor, std::int64_t> parse_labels(const std::string& json_text, const std::string& where,
                                                    const std::vector<std::string>& names) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw CorruptFile(fmt::format("{}: invalid JSON ({})", where, e.what()));
  }
  if (!doc.is_object() || !doc.contains("labels") || doc["labels"].is_null()) return {torch::Tensor(), 0};
  if (!doc["labels"].is_array()) {
    throw CorruptFile(fmt::format("{}: \"labels\" must be a list of [path, class] or null", where));
  }
  std::map<std::string, std::int64_t> by_name;
  for (const auto& item : doc["labels"]) {
    if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_number_integer() ||
        item[1].get<std::int64_t>() < 0) {
      throw CorruptFile(
          fmt::format("{}: every label must be [path, non-negative integer], got {}", where, item.dump()));
    }
    by_name[item[0].get<std::string>()] = item[1].get<std::int64_t>();
  }
  auto labels = torch::empty({static_cast<std::int64_t>(names.size())}, torch::kInt64);
  std::int64_t num_classes = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto it = by_name.find(names[i]);
    if (it == by_name.end()) throw CorruptFile(fmt::format("{}: no label for {}", where, names[i]));
    labels[static_cast<std::int64_t>(i)] = it->second;
    num_classes = std::max(num_classes, it->second + 1);
  }
  return {labels, num_classes};
}

}  // namespace

ImageDataset read_edm_dataset(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    throw UsageError(fmt::format("EDM data set not found: {}", path.string()));
  }
  const bool is_dir = std::filesystem::is_directory(path);
  FileMap files = is_dir ? read_folder(path) : read_zip(path);
  const auto where = [&](const std::string& name) {
    return is_dir ? (path / name).string() : fmt::format("{}:{}", path.string(), name);
  };
  std::vector<std::string> names;
  std::vector<std::string> locations;
  std::vector<torch::Tensor> images;
  for (const auto& [name, bytes] : files) {
    if (name == kLabelsFile) continue;
    names.push_back(name);
    locations.push_back(where(name));
    images.push_back(decode_image(bytes, locations.back()));
  }
  if (images.empty()) throw UsageError(fmt::format("{}: no PNG images found", path.string()));
  auto stacked = stack_images(images, locations);
  const auto json = files.find(kLabelsFile);
  auto [labels, num_classes] = json == files.end() ? std::pair<torch::Tensor, std::int64_t>{torch::Tensor(), 0}
                                                   : parse_labels(json->second, where(kLabelsFile), names);
  return ImageDataset((path / ".").parent_path().filename().string(), stacked, labels, num_classes);
}

}  // namespace retrain
