// .npy v1.0: "\x93NUMPY", version 1 0, uint16 header length, a Python dict literal padded with spaces
// to a 64-byte boundary and ending in '\n', then the raw data (read also: v2.0's uint32 header length,
// column-major data).
#include "retrain/core/npy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <regex>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

struct Descr {
  torch::ScalarType type;
  const char* code;
};
constexpr Descr kDescrs[] = {{torch::kFloat32, "<f4"}, {torch::kFloat64, "<f8"}, {torch::kInt64, "<i8"}, {torch::kUInt8, "|u1"}};
constexpr char kMagic[] = "\x93NUMPY";

}  // namespace

std::string npy_bytes(const torch::Tensor& tensor, const std::string& origin) {
  auto t = tensor.detach().cpu().contiguous();
  const char* code = nullptr;
  for (const auto& d : kDescrs)
    if (d.type == t.scalar_type()) code = d.code;
  if (!code) throw RuntimeFailure(fmt::format("save_npy '{}': unsupported dtype {}", origin, c10::toString(t.scalar_type())));
  std::string shape;  // "3, 2" or "3," (a one-element Python tuple needs the comma)
  for (std::int64_t i = 0; i < t.dim(); ++i) shape += fmt::format("{}{}", i ? ", " : "", t.size(i));
  if (t.dim() == 1) shape += ",";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", code, shape);
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  const auto len = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>(len >> 8);
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

void save_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  write_file_atomic(path, npy_bytes(tensor, path.string()));
}

torch::Tensor load_npy(const std::filesystem::path& path) { return parse_npy(read_file(path), path.string()); }

torch::Tensor parse_npy(const std::string& bytes, const std::string& origin) {
  const auto fail = [&](const std::string& why) {
    return CorruptFile(fmt::format("'{}' is not a readable .npy file: {}", origin, why));
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) throw fail("bad magic");
  std::size_t header_len = 0, start = 0;
  if (bytes[6] == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    start = 10;
  } else {
    std::uint32_t l = 0;
    std::memcpy(&l, bytes.data() + 8, 4);
    header_len = l;
    start = 12;
  }
  if (start + header_len > bytes.size()) throw fail("header runs past the end");
  const std::string header = bytes.substr(start, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr':\s*'([^']+)')"))) throw fail("no descr");
  const std::string code = m[1];
  const bool fortran = header.find("'fortran_order': True") != std::string::npos;  // column-major data
  std::optional<torch::ScalarType> type;
  for (const auto& d : kDescrs)
    if (code == d.code || (code == "<u1" && d.type == torch::kUInt8)) type = d.type;
  if (!type) throw fail("unsupported dtype " + code);
  if (!std::regex_search(header, m, std::regex(R"('shape':\s*\(([^)]*)\))"))) throw fail("no shape");
  // The shape tuple: comma-separated non-negative integers (a trailing comma for one dimension); its
  // size is checked against the file before anything is allocated.
  std::vector<std::int64_t> shape;
  std::uint64_t need = c10::elementSize(*type);
  const std::string dims = m[1];
  static const std::regex dim_re(R"(^\s*(\d{1,18})\s*$)");
  std::size_t begin = 0;
  while (begin <= dims.size()) {
    const auto comma = std::min(dims.find(',', begin), dims.size());
    const std::string item = dims.substr(begin, comma - begin);
    begin = comma + 1;
    if (item.find_first_not_of(" \t") == std::string::npos && (comma == dims.size())) break;  // "(3,)" or "()"
    std::smatch d;
    if (!std::regex_match(item, d, dim_re))
      throw fail(fmt::format("shape ({}) has '{}' (expected non-negative integers)", dims, item));
    shape.push_back(std::stoll(d[1]));
    if (__builtin_mul_overflow(need, static_cast<std::uint64_t>(shape.back()), &need))
      throw fail(fmt::format("shape ({}) is too large to address", dims));
  }
  const std::size_t data = start + header_len;
  if (bytes.size() - data != need)
    throw fail(fmt::format("{} data bytes, the header's shape ({}) needs {} (truncated?)", bytes.size() - data, dims, need));
  if (fortran) std::reverse(shape.begin(), shape.end());  // column-major = the transpose in C order
  auto t = torch::empty(shape, torch::TensorOptions().dtype(*type));
  std::memcpy(t.data_ptr(), bytes.data() + data, need);
  if (!fortran || t.dim() < 2) return t;
  std::vector<std::int64_t> reversed(static_cast<std::size_t>(t.dim()));
  for (std::int64_t i = 0; i < t.dim(); ++i) reversed[static_cast<std::size_t>(i)] = t.dim() - 1 - i;
  return t.permute(reversed).contiguous();
}

}  // namespace retrain
