// safetensors reader/writer. Layout: u64 little-endian header size N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensor bytes (offsets relative to the end of the header). We only run on little-endian hosts.
#include "retrain/core/safetensors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};
constexpr DtypeName kDtypes[] = {
    {torch::kFloat64, "F64"}, {torch::kFloat32, "F32"}, {torch::kFloat16, "F16"}, {torch::kBFloat16, "BF16"},
    {torch::kInt64, "I64"},   {torch::kInt32, "I32"},   {torch::kInt16, "I16"},   {torch::kInt8, "I8"},
    {torch::kUInt8, "U8"},    {torch::kBool, "BOOL"},
};

const char* dtype_name(torch::ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d.name;
  throw RuntimeFailure(fmt::format("safetensors: unsupported dtype {}", c10::toString(t)));
}

std::optional<torch::ScalarType> dtype_from(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  return std::nullopt;
}

// The checksum retrain adds to "__metadata__": CRC-32 of the header without this entry (dumped
// canonically: nlohmann's sorted keys) followed by the tensor bytes. Files from elsewhere lack it.
constexpr const char* kChecksumKey = "retrain.crc32";

std::uint32_t content_crc(nlohmann::json header, std::string_view data) {
  if (header.contains("__metadata__")) {
    header["__metadata__"].erase(kChecksumKey);
    if (header["__metadata__"].empty()) header.erase("__metadata__");
  }
  return crc32_bytes(data, crc32_bytes(header.dump()));
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> cpu;
  std::size_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const std::size_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    cpu.push_back(t);
  }
  std::string data;
  data.reserve(offset);
  for (const auto& t : cpu) data.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  header["__metadata__"][kChecksumKey] = hex32(content_crc(header, data));
  std::string head = header.dump();
  head.append((8 - head.size() % 8) % 8, ' ');  // the format allows trailing spaces; aligns the data
  std::string out(8, '\0');
  const std::uint64_t n = head.size();
  std::memcpy(out.data(), &n, 8);
  out += head;
  out += data;
  write_file_atomic(path, out);
}

namespace {

CorruptFile invalid_file(const std::filesystem::path& path, const std::string& why) {
  return CorruptFile(fmt::format("'{}' is not a valid safetensors file: {}", path.string(), why));
}

struct Header {
  nlohmann::json json;
  std::size_t data_start;  // offset of the tensor bytes in the file
};

Header parse_header(const std::string& bytes, const std::filesystem::path& path) {
  if (bytes.size() < 8)
    throw invalid_file(path, fmt::format("{} bytes, shorter than the 8-byte header length", bytes.size()));
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > bytes.size() - 8) throw invalid_file(path, fmt::format("header of {} bytes runs past the end of the file", n));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes.substr(8, n));
  } catch (const std::exception& e) {
    throw invalid_file(path, std::string("header is not JSON: ") + e.what());
  }
  if (!json.is_object()) throw invalid_file(path, "header is not a JSON object");
  if (json.contains("__metadata__")) {
    const auto& meta = json["__metadata__"];
    if (!meta.is_object()) throw invalid_file(path, "__metadata__ is not an object");
    for (const auto& [key, value] : meta.items())
      if (!value.is_string()) throw invalid_file(path, fmt::format("__metadata__ entry '{}' is not a string", key));
  }
  return {std::move(json), 8 + n};
}

// One tensor's entry, checked against the data size before anything is allocated.
struct Entry {
  std::string name;
  torch::ScalarType type;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const nlohmann::json& meta, std::size_t data_size,
                  const std::filesystem::path& path) {
  const auto fail = [&](const std::string& why) { return invalid_file(path, fmt::format("tensor '{}' {}", name, why)); };
  if (!meta.is_object()) throw fail("is not an object with dtype, shape and data_offsets");
  const auto dtype = meta.contains("dtype") && meta["dtype"].is_string() ? meta["dtype"].get<std::string>() : "";
  const auto type = dtype_from(dtype);
  if (!type) throw fail(fmt::format("has unsupported dtype '{}' (expected one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)", dtype));
  if (!meta.contains("shape") || !meta["shape"].is_array()) throw fail("has no shape array");
  if (!meta.contains("data_offsets") || !meta["data_offsets"].is_array() || meta["data_offsets"].size() != 2 ||
      !meta["data_offsets"][0].is_number_unsigned() || !meta["data_offsets"][1].is_number_unsigned())
    throw fail("has no data_offsets [begin, end] of non-negative integers");
  Entry e{name, *type, {}, meta["data_offsets"][0].get<std::uint64_t>(), meta["data_offsets"][1].get<std::uint64_t>()};
  std::uint64_t bytes = c10::elementSize(*type);
  for (const auto& d : meta["shape"]) {
    if (!d.is_number_unsigned() || d.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      throw fail(fmt::format("has shape {} (expected non-negative integers)", meta["shape"].dump()));
    e.shape.push_back(d.get<std::int64_t>());
    if (__builtin_mul_overflow(bytes, d.get<std::uint64_t>(), &bytes))
      throw fail(fmt::format("has shape {}, too large to address", meta["shape"].dump()));
  }
  if (e.end < e.begin || e.end > data_size)
    throw fail(fmt::format("has data offsets [{}, {}] outside the {} data bytes (truncated file?)", e.begin, e.end, data_size));
  if (e.end - e.begin != bytes)
    throw fail(fmt::format("spans {} bytes but its shape {} and dtype {} need {}", e.end - e.begin,
                           meta["shape"].dump(), dtype, bytes));
  return e;
}

}  // namespace

TensorMap load_safetensors(const std::filesystem::path& path, Checksum checksum) {
  const std::string bytes = read_file(path);
  const auto [header, data_start] = parse_header(bytes, path);
  const std::string_view data(bytes.data() + data_start, bytes.size() - data_start);
  std::vector<Entry> entries;
  for (const auto& [name, meta] : header.items())
    if (name != "__metadata__") entries.push_back(parse_entry(name, meta, data.size(), path));
  // The format's data are the tensors back to back, no holes: anything else is damage.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  std::uint64_t covered = 0;
  for (const auto& e : entries) {
    if (e.begin != covered)
      throw invalid_file(path, fmt::format("tensor '{}' starts at data byte {}, expected {} (overlapping or gapped "
                                           "offsets)", e.name, e.begin, covered));
    covered = e.end;
  }
  if (covered != data.size())
    throw invalid_file(path, fmt::format("the tensors cover {} of its {} data bytes", covered, data.size()));
  const bool has_checksum = header.contains("__metadata__") && header["__metadata__"].contains(kChecksumKey);
  if (checksum == Checksum::required && !has_checksum)
    throw invalid_file(path, fmt::format("it has no {} checksum (not written by retrain, or damaged)", kChecksumKey));
  if (has_checksum) {
    const auto stored = header["__metadata__"][kChecksumKey].get<std::string>();
    if (hex32(content_crc(header, data)) != stored)
      throw invalid_file(path, fmt::format("its content fails the {} checksum (corrupted)", kChecksumKey));
  }
  TensorMap out;
  for (const auto& e : entries) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(e.type));
    std::memcpy(t.data_ptr(), data.data() + e.begin, e.end - e.begin);
    out.emplace(e.name, std::move(t));
  }
  return out;
}

std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path) {
  const auto header = parse_header(read_file(path), path).json;
  if (!header.contains("__metadata__")) return {};
  auto metadata = header.at("__metadata__").get<std::map<std::string, std::string>>();
  metadata.erase(kChecksumKey);
  return metadata;
}

torch::Tensor require_tensor(const TensorMap& tensors, const std::string& name, const std::filesystem::path& file) {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw CorruptFile(fmt::format("'{}' has no tensor '{}'", file.string(), name));
  return it->second;
}

}  // namespace retrain
