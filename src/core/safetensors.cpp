// safetensors reader/writer. Layout: u64 little-endian header size N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensor bytes (offsets relative to the end of the header). We only run on little-endian hosts.
#include "retrain/core/safetensors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "retrain/core/atomic_file.hpp"

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
  throw std::runtime_error(fmt::format("safetensors: unsupported dtype {}", c10::toString(t)));
}

std::optional<torch::ScalarType> dtype_from(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  return std::nullopt;
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
  std::string head = header.dump();
  head.append((8 - head.size() % 8) % 8, ' ');  // the format allows trailing spaces; aligns the data
  std::string out(8, '\0');
  const std::uint64_t n = head.size();
  std::memcpy(out.data(), &n, 8);
  out += head;
  out.reserve(out.size() + offset);
  for (const auto& t : cpu) out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  write_file_atomic(path, out);
}

namespace {

std::runtime_error invalid_file(const std::filesystem::path& path, const std::string& why) {
  return std::runtime_error(fmt::format("'{}' is not a valid safetensors file: {}", path.string(), why));
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
  try {
    return {nlohmann::json::parse(bytes.substr(8, n)), 8 + n};
  } catch (const std::exception& e) {
    throw invalid_file(path, std::string("header is not JSON: ") + e.what());
  }
}

}  // namespace

TensorMap load_safetensors(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  const auto fail = [&](const std::string& why) { return invalid_file(path, why); };
  const auto [header, data_start] = parse_header(bytes, path);
  const std::size_t data_size = bytes.size() - data_start;
  TensorMap out;
  for (const auto& [name, meta] : header.items()) {
    if (name == "__metadata__") continue;
    auto type = dtype_from(meta.value("dtype", std::string{}));
    if (!type) throw fail(fmt::format("tensor '{}' has unsupported dtype '{}'", name, meta.value("dtype", std::string{})));
    const auto shape = meta.at("shape").get<std::vector<std::int64_t>>();
    const auto offsets = meta.at("data_offsets").get<std::vector<std::size_t>>();
    if (offsets.size() != 2 || offsets[1] < offsets[0] || offsets[1] > data_size)
      throw fail(fmt::format("tensor '{}' has data offsets outside the {} data bytes (truncated file?)", name, data_size));
    auto t = torch::empty(shape, torch::TensorOptions().dtype(*type));
    const std::size_t expect = t.numel() * t.element_size();
    if (offsets[1] - offsets[0] != expect)
      throw fail(fmt::format("tensor '{}' spans {} bytes but its shape and dtype need {}", name,
                             offsets[1] - offsets[0], expect));
    std::memcpy(t.data_ptr(), bytes.data() + data_start + offsets[0], expect);
    out.emplace(name, std::move(t));
  }
  return out;
}

std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path) {
  const auto header = parse_header(read_file(path), path).json;
  if (!header.contains("__metadata__")) return {};
  try {
    return header.at("__metadata__").get<std::map<std::string, std::string>>();
  } catch (const std::exception& e) {
    throw invalid_file(path, std::string("__metadata__ is not a map of strings: ") + e.what());
  }
}

torch::Tensor require_tensor(const TensorMap& tensors, const std::string& name, const std::filesystem::path& file) {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error(fmt::format("'{}' has no tensor '{}'", file.string(), name));
  return it->second;
}

}  // namespace retrain
