// .npz through libzip: entries read whole (stored or deflated) and parsed as .npy; written into an
// in-memory zip, then atomically to the file.
#include "retrain/core/npz.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <memory>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/npy.hpp"

namespace retrain {
namespace {

constexpr std::string_view kSuffix = ".npy";

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

}  // namespace

std::map<std::string, torch::Tensor> load_npz(const std::filesystem::path& path) {
  const auto fail = [&](const std::string& why) {
    return CorruptFile(fmt::format("'{}' is not a readable .npz file: {}", path.string(), why));
  };
  if (!std::filesystem::is_regular_file(path)) throw fail("no such file");
  int code = 0;
  const std::unique_ptr<zip_t, decltype(&zip_discard)> archive(zip_open(path.c_str(), ZIP_RDONLY, &code), &zip_discard);
  if (!archive) throw fail(fmt::format("not a zip archive ({})", zip_error_text(code)));
  std::map<std::string, torch::Tensor> arrays;
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
      throw fail(fmt::format("entry {}: {}", i, zip_strerror(archive.get())));
    std::string name = st.name;
    if (!name.empty() && name.back() == '/') continue;  // a directory entry
    std::string bytes(st.size, '\0');
    const std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(
        zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0), &zip_fclose);
    if (!file || zip_fread(file.get(), bytes.data(), st.size) != static_cast<zip_int64_t>(st.size))
      throw fail(fmt::format("cannot read entry '{}': {}", name, zip_strerror(archive.get())));
    if (name.size() > kSuffix.size() && name.ends_with(kSuffix)) name.resize(name.size() - kSuffix.size());
    arrays[name] = parse_npy(bytes, fmt::format("{}:{}", path.string(), st.name));
  }
  return arrays;
}

void save_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays) {
  const auto fail = [&](const std::string& why) {
    return RuntimeFailure(fmt::format("cannot write the .npz file '{}': {}", path.string(), why));
  };
  if (arrays.empty()) throw fail("no arrays to write");
  std::vector<std::string> blobs;  // alive until zip_close has read them
  blobs.reserve(arrays.size());
  for (const auto& [key, tensor] : arrays) blobs.push_back(npy_bytes(tensor, fmt::format("{}:{}.npy", path.string(), key)));

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) throw fail(zip_error_strerror(&error));
  zip_source_keep(buffer);  // zip_close would free it; its bytes are read afterwards
  const std::unique_ptr<zip_source_t, decltype(&zip_source_free)> owned(buffer, &zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) throw fail(zip_error_strerror(&error));
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const auto name = arrays[i].first + std::string(kSuffix);
    zip_source_t* entry = zip_source_buffer(archive, blobs[i].data(), blobs[i].size(), 0);
    const zip_int64_t index = entry ? zip_file_add(archive, name.c_str(), entry, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
    if (index < 0) {
      if (entry) zip_source_free(entry);
      const std::string why = zip_strerror(archive);
      zip_discard(archive);
      throw fail(fmt::format("entry '{}': {}", name, why));
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(archive) != 0) {
    const std::string why = zip_strerror(archive);
    zip_discard(archive);
    throw fail(why);
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer, &st) != 0 || zip_source_open(buffer) != 0) throw fail(zip_error_strerror(zip_source_error(buffer)));
  std::string bytes(st.size, '\0');
  const auto got = zip_source_read(buffer, bytes.data(), st.size);
  zip_source_close(buffer);
  if (got != static_cast<zip_int64_t>(st.size)) throw fail("the in-memory archive could not be read back");
  write_file_atomic(path, bytes);
}

}  // namespace retrain
